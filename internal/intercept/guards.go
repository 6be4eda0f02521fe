package intercept

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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
// gateway does not have yet, or with settings it cannot read, refuses the
// call: a named guard never silently does nothing. A guard whose settings
// say action: monitor notes what it would refuse and lets the call pass.
func Guards(ms map[string]*manifest.Manifest) Interceptor {
	// Settings are read once per configuration, not per call.
	compiled := map[string][]argGuards{} // "server\x00tool" → guards per argument, by argument name
	for server, m := range ms {
		for _, t := range m.Tools {
			if len(t.Guards) > 0 {
				compiled[server+"\x00"+t.Name] = compileTool(t)
			}
		}
	}
	return Func{N: "guards", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if x.Method != "tools/call" || len(compiled) == 0 {
			return next(ctx, x)
		}
		byArg := compiled[x.Server+"\x00"+x.Name]
		if byArg == nil {
			return next(ctx, x)
		}
		args, _ := x.Facts[FactArguments].(map[string]any)
		// refused turns a guard's refusal into the call's denial, or, for
		// a guard in monitor mode, into a note on the record (nil).
		refused := func(g compiledGuard, arg, rule, reason string) *Denial {
			if g.monitor && !strings.HasSuffix(rule, ".config") {
				x.Record.Mode = "monitor"
				x.Record.Reason = strings.TrimPrefix(x.Record.Reason+"; ", "; ") + "guard monitor: would deny by guard." + rule
				return nil
			}
			return &Denial{Rule: "guard." + rule, Code: CodeDenied,
				Public: fmt.Sprintf("argument %q of tool %q refused by the %s guard: %s", arg, x.Name, g.name, reason)}
		}
		var split []splitPiece // the arguments the secrets guard read, for acrossArguments
		for _, ag := range byArg {
			arg := ag.arg
			raw := args[arg]
			if raw == nil {
				continue // absent or null: nothing to read
			}
			v, ok := raw.(string)
			if !ok {
				// Guards read strings. A value of another shape (the
				// schema allowed it) is read string by string, never
				// skipped.
				for _, g := range ag.guards {
					clean, rule, reason := guardNonString(ctx, g, raw)
					if rule != "" {
						if d := refused(g, arg, rule, reason); d != nil {
							return nil, d
						}
						continue
					}
					if clean != nil {
						if err := replaceArgument(x, arg, appendStrings(nil, clean)); err != nil {
							return nil, err
						}
						raw = toAny(clean)
						args[arg] = raw
					}
				}
				continue
			}
			for _, g := range ag.guards {
				if g.name == "secrets" {
					split = append(split, splitPiece{arg: arg, g: g})
				}
				clean, rule, reason := g.run(ctx, v)
				if rule != "" {
					if d := refused(g, arg, rule, reason); d != nil {
						return nil, d
					}
					continue
				}
				if clean != v {
					if err := replaceArgument(x, arg, mcpwire.AppendString(nil, clean)); err != nil {
						return nil, err
					}
					args[arg], v = clean, clean
				}
			}
		}
		if len(split) >= 2 {
			if d := acrossArguments(args, split, refused); d != nil {
				return nil, d
			}
		}
		return next(ctx, x)
	}}
}

// splitPiece is a string argument the secrets guard read.
type splitPiece struct {
	arg string
	g   compiledGuard
}

// acrossArguments reads the secrets-guarded string arguments of a call
// two by two, each order: a key cut in two, its first half ending one
// argument and the rest starting another (an email's subject and body),
// is in neither, and each half alone is no longer the key's format. The
// order of the arguments in the JSON says nothing of the order a reader
// joins them in, so both are tried; only the words that meet are read
// (secrets.Engine.Across). The join is refused unless both arguments'
// guards only monitor.
func acrossArguments(args map[string]any, ps []splitPiece, refused func(compiledGuard, string, string, string) *Denial) *Denial {
	for _, a := range ps {
		for _, b := range ps {
			if a.arg == b.arg {
				continue
			}
			fs, _ := secrets.Outbound().Across(args[a.arg].(string), args[b.arg].(string))
			if len(fs) == 0 {
				continue
			}
			g := b.g
			if g.monitor {
				g = a.g // enforce when either argument's guard enforces
			}
			reason := fmt.Sprintf("it ends with the start of a secret that argument %q continues (%s)", b.arg, fs[0].RuleID)
			if d := refused(g, a.arg, "secrets."+fs[0].RuleID, reason); d != nil {
				return d
			}
		}
	}
	return nil
}

// guardNonString runs g over an argument that is not a string: the
// secrets scan over every string inside it, object keys too, and over its
// JSON text; another guard over each item of an array of strings, whose
// cleaned items (the path guard's cleaned paths) it returns when any
// changed. Anything else is refused, since the guard cannot read it.
func guardNonString(ctx context.Context, g compiledGuard, v any) (clean []string, rule, reason string) {
	if g.name == "secrets" {
		walkStrings(v, func(s string) bool {
			_, rule, reason = g.run(ctx, s)
			return rule == ""
		})
		if rule == "" {
			// The value as JSON text too: a rule that needs a secret's
			// name ("password": "…") sees it beside its key.
			if b, err := json.Marshal(v); err == nil {
				_, rule, reason = g.run(ctx, string(b))
			}
		}
		return nil, rule, reason
	}
	items, ok := v.([]any)
	for _, it := range items {
		if _, ok = it.(string); !ok {
			break
		}
	}
	if !ok {
		return nil, g.name + ".not_string", fmt.Sprintf("the guard reads strings, and the value is %s", jsonKind(v))
	}
	changed := false
	out := make([]string, len(items))
	for i, it := range items {
		var c string
		if c, rule, reason = g.run(ctx, it.(string)); rule != "" {
			return nil, rule, reason
		}
		out[i], changed = c, changed || c != it.(string)
	}
	if !changed {
		return nil, "", ""
	}
	return out, "", ""
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = mcpwire.AppendString(dst, s)
	}
	return append(dst, ']')
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// walkStrings calls f on every string in v (a decoded JSON value), keys
// included, until f returns false.
func walkStrings(v any, f func(string) bool) bool {
	switch t := v.(type) {
	case string:
		return f(t)
	case []any:
		for _, e := range t {
			if !walkStrings(e, f) {
				return false
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if !f(k) || !walkStrings(t[k], f) {
				return false
			}
		}
	}
	return true
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array that holds more than strings"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// CheckGuards reads the settings of every guard a manifest names, as the
// guards stage will, and reports every problem: a manifest with a guard
// that would refuse every call for its settings is refused at load.
func CheckGuards(m *manifest.Manifest) error {
	var errs []error
	for _, name := range m.Names() {
		t := m.Tools[name]
		for _, arg := range slices.Sorted(maps.Keys(t.Guards)) {
			for _, g := range slices.Sorted(maps.Keys(t.Guards[arg])) {
				if _, err := compileGuard(g, t.Guards[arg][g]); err != nil {
					errs = append(errs, fmt.Errorf("tools.%s.guards.%s.%s: %w", name, arg, g, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// compiledGuard is one guard with its settings read.
type compiledGuard struct {
	name    string
	monitor bool
	// run returns the value to forward (the path guard's cleaned path; the
	// input otherwise), or the rule and reason of a refusal.
	run func(ctx context.Context, v string) (clean, rule, reason string)
}

// argGuards are the guards of one argument, in the order they run.
type argGuards struct {
	arg    string
	guards []compiledGuard
}

// compileTool reads the settings of a tool's guards, arguments sorted by
// name and each argument's guards by guard name: the order calls are
// checked in, fixed here rather than sorted on every call.
func compileTool(t *manifest.Tool) []argGuards {
	var out []argGuards
	for _, arg := range slices.Sorted(maps.Keys(t.Guards)) {
		guards := t.Guards[arg]
		ag := argGuards{arg: arg}
		for _, name := range slices.Sorted(maps.Keys(guards)) {
			g, err := compileGuard(name, guards[name])
			if err != nil {
				// Fail closed: the guard refuses every call (CheckGuards
				// refuses such a manifest at load; this is the backstop).
				rule, why := name+".config", err.Error()
				g = compiledGuard{name: name, run: func(context.Context, string) (string, string, string) { return "", rule, why }}
			}
			ag.guards = append(ag.guards, g)
		}
		out = append(out, ag)
	}
	return out
}

// compileGuard reads one guard's settings. Every guard takes action:
// enforce (the default) or monitor; the rest is the guard's own.
func compileGuard(name string, settings []byte) (compiledGuard, error) {
	g := compiledGuard{name: name}
	var raw map[string]json.RawMessage
	var word string
	switch {
	case len(settings) == 0 || string(settings) == "null":
	case json.Unmarshal(settings, &word) == nil:
		// The one-word form: secrets: scan, or secrets: monitor.
		if name != "secrets" || word != "scan" && word != "monitor" {
			return g, fmt.Errorf("settings must be a mapping (only secrets takes a word: scan or monitor)")
		}
		g.monitor = word == "monitor"
	default:
		if err := json.Unmarshal(settings, &raw); err != nil {
			return g, fmt.Errorf("settings must be a mapping")
		}
	}
	if a, ok := raw["action"]; ok {
		var action string
		if json.Unmarshal(a, &action) != nil || action != "enforce" && action != "monitor" {
			return g, fmt.Errorf("action must be enforce or monitor")
		}
		g.monitor = action == "monitor"
		delete(raw, "action")
	}
	rest, _ := json.Marshal(raw)
	strict := func(v any) error {
		d := json.NewDecoder(bytes.NewReader(rest))
		d.DisallowUnknownFields()
		if err := d.Decode(v); err != nil {
			return fmt.Errorf("settings: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return nil
	}
	switch name {
	case "path":
		var s struct {
			Roots []string `json:"roots"`
		}
		if err := strict(&s); err != nil {
			return g, err
		}
		if len(s.Roots) == 0 {
			return g, fmt.Errorf("roots: at least one directory is needed")
		}
		g.run = func(_ context.Context, v string) (string, string, string) {
			d := pathguard.Check(v, s.Roots, pathguard.Options{})
			if !d.Allow {
				return "", d.Rule, d.Reason
			}
			return d.Clean, "", ""
		}
	case "command":
		var s struct {
			Programs []string `json:"programs"` // none: any single simple command
		}
		if err := strict(&s); err != nil {
			return g, err
		}
		g.run = func(_ context.Context, v string) (string, string, string) {
			if d := cmdguard.Check(v, cmdguard.Options{Programs: s.Programs}); !d.Allow {
				return "", d.Rule, d.Reason
			}
			return v, "", ""
		}
	case "url":
		var s struct {
			Allow json.RawMessage `json:"allow"`
		}
		if err := strict(&s); err != nil {
			return g, err
		}
		o := netguard.Options{}
		switch {
		case len(s.Allow) == 0 || string(s.Allow) == `"public"`: // any public host
		case json.Unmarshal(s.Allow, &o.AllowHosts) == nil:
		default:
			return g, fmt.Errorf(`allow: "public" or a list of host names`)
		}
		g.run = func(ctx context.Context, v string) (string, string, string) {
			if d := netguard.CheckURLContext(ctx, v, o); !d.Allow {
				return "", d.Rule, d.Reason
			}
			return v, "", ""
		}
	case "secrets":
		var s struct{}
		if err := strict(&s); err != nil {
			return g, err
		}
		g.run = func(_ context.Context, v string) (string, string, string) {
			if fs := secrets.Outbound().Scan(v); len(fs) > 0 {
				return "", "secrets." + fs[0].RuleID, "it carries a secret (" + fs[0].RuleID + ", " + strconv.Itoa(len(fs)) + " finding(s))"
			}
			return v, "", ""
		}
	case "sql":
		o, err := sqlguard.ParseSettings(rest)
		if err != nil {
			return g, errors.New(strings.TrimPrefix(err.Error(), "sqlguard: "))
		}
		g.run = func(_ context.Context, v string) (string, string, string) {
			if d := sqlguard.Check(v, o); !d.Allow {
				return "", d.Rule, d.Reason
			}
			return v, "", ""
		}
	default:
		return g, fmt.Errorf("this gateway has no %s guard", name)
	}
	return g, nil
}

// replaceArgument forwards value (JSON) in place of arguments[arg].
func replaceArgument(x *Exchange, arg string, value []byte) error {
	args, _ := mcpwire.Get(x.Msg.Params, "arguments")
	na, err := mcpwire.Set(args, arg, value)
	if err == nil {
		var m *mcpwire.Message
		if m, err = x.Msg.WithParam("arguments", na); err == nil {
			x.Msg = m
			return nil
		}
	}
	return Deny("guard.rewrite", "arguments could not be forwarded", err.Error())
}
