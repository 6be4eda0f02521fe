package intercept

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/cmdguard"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/netguard"
	"github.com/mcpwarden/mcpwarden/internal/pathguard"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
	"github.com/mcpwarden/mcpwarden/internal/sqlguard"
)

// Guards applies the content guards a manifest names for each argument of
// a tool call (docs/manifest.md). It runs after the manifest stage, on the
// arguments that stage validated. A guard the manifest names but the
// gateway does not have yet refuses the call: a named guard never silently
// does nothing.
func Guards(ms map[string]*manifest.Manifest) Interceptor {
	return Func{N: "guards", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if x.Method != "tools/call" || len(ms) == 0 {
			return next(ctx, x)
		}
		m := ms[x.Server]
		if m == nil {
			return next(ctx, x)
		}
		t, ok := m.Tool(x.Name)
		if !ok || len(t.Guards) == 0 {
			return next(ctx, x)
		}
		args, _ := x.Facts[FactArguments].(map[string]any)
		for arg, guards := range t.Guards {
			v, ok := args[arg].(string)
			if !ok {
				continue // absent or not a string: the schema governs it
			}
			for name, settings := range guards {
				clean, err := applyGuard(ctx, x.Name, arg, name, settings, v)
				if err != nil {
					return nil, err
				}
				if clean != v {
					if err := replaceArgument(x, arg, clean); err != nil {
						return nil, err
					}
					args[arg], v = clean, clean
				}
			}
		}
		return next(ctx, x)
	}}
}

// applyGuard runs one guard on one argument value and returns the value to
// forward (the path guard's cleaned path; the input otherwise).
func applyGuard(ctx context.Context, tool, arg, guard string, settings []byte, v string) (string, error) {
	refuse := func(rule, reason string) error {
		return &Denial{Rule: "guard." + rule, Code: CodeDenied,
			Public: fmt.Sprintf("argument %q of tool %q refused by the %s guard: %s", arg, tool, guard, reason)}
	}
	switch guard {
	case "path":
		var s struct {
			Roots []string `json:"roots"`
		}
		if err := json.Unmarshal(settings, &s); err != nil || len(s.Roots) == 0 {
			return "", refuse("path.config", "the manifest gives it no roots")
		}
		d := pathguard.Check(v, s.Roots, pathguard.Options{})
		if !d.Allow {
			return "", refuse(d.Rule, d.Reason)
		}
		return d.Clean, nil
	case "command":
		var s struct {
			Programs []string `json:"programs"`
		}
		_ = json.Unmarshal(settings, &s) // "command: {}" means any single simple command
		if d := cmdguard.Check(v, cmdguard.Options{Programs: s.Programs}); !d.Allow {
			return "", refuse(d.Rule, d.Reason)
		}
		return v, nil
	case "url":
		var s struct {
			Allow json.RawMessage `json:"allow"`
		}
		_ = json.Unmarshal(settings, &s)
		o := netguard.Options{}
		var hosts []string
		if json.Unmarshal(s.Allow, &hosts) == nil {
			o.AllowHosts = hosts // a list of hosts; "public" means any public host
		}
		if d := netguard.CheckURLContext(ctx, v, o); !d.Allow {
			return "", refuse(d.Rule, d.Reason)
		}
		return v, nil
	case "secrets":
		if fs := secrets.Scan(v); len(fs) > 0 {
			return "", refuse("secrets."+fs[0].RuleID, "it carries a secret ("+fs[0].RuleID+", "+strconv.Itoa(len(fs))+" finding(s))")
		}
		return v, nil
	case "sql":
		o, err := sqlguard.ParseSettings(settings)
		if err != nil {
			return "", refuse(sqlguard.RuleConfig, strings.TrimPrefix(err.Error(), "sqlguard: "))
		}
		if d := sqlguard.Check(v, o); !d.Allow {
			return "", refuse(d.Rule, d.Reason)
		}
		return v, nil
	}
	return "", refuse(guard+".unavailable", "this gateway has no "+guard+" guard yet, so calls that need it are refused")
}

// replaceArgument forwards clean in place of arguments[arg].
func replaceArgument(x *Exchange, arg, clean string) error {
	args, _ := mcpwire.Get(x.Msg.Params, "arguments")
	na, err := mcpwire.Set(args, arg, mcpwire.AppendString(nil, clean))
	if err == nil {
		var params, raw []byte
		if params, err = mcpwire.Set(x.Msg.Params, "arguments", na); err == nil {
			if raw, err = mcpwire.Set(x.Msg.Raw, "params", params); err == nil {
				var m *mcpwire.Message
				if m, err = mcpwire.Parse(raw); err == nil {
					x.Msg = m
					return nil
				}
			}
		}
	}
	return Deny("guard.rewrite", "arguments could not be forwarded", err.Error())
}
