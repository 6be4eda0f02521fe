// Package policy decides tool calls with CEL rules: deny overrides allow,
// nothing allowed is denied, and a rule that fails to evaluate denies.
// Rules are compiled once at load with a cost limit; evaluating them is a
// pure function of the Input. Each rule has an id that the gateway puts in
// its denial and audit record, and a mode: enforce, or monitor (a "would
// deny" that lets the call pass).
package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/interpreter"
	"go.yaml.in/yaml/v3"

	"github.com/mcpwarden/mcpwarden/internal/ratelimit"
)

// Modes.
const (
	Enforce = "enforce"
	Monitor = "monitor"
)

// DefaultDenyRule is the rule id of a call no rule allowed.
const DefaultDenyRule = "policy.default-deny"

// costLimit bounds one rule's evaluation (CEL cost units).
const costLimit = 100_000

// Input is what rules see.
type Input struct {
	Principal Principal
	Server    string
	Method    string // tools/call, prompts/get, resources/read
	Tool      string // tool or prompt name, or resource URI
	Risk      string // from the manifest; "" when the server has none
	Arguments map[string]any
	Session   Session
	Now       time.Time
}

// Principal is the caller's identity.
type Principal struct {
	Subject, Issuer, ClientID string
	Groups, Scopes            []string // from the verified token
}

// Session holds facts about the client's connection.
type Session struct {
	ID, Era, Transport string
}

// Decision is the outcome for one Input.
type Decision struct {
	Allow bool
	Rule  string // the deciding rule: the first enforced deny, else the first allow, else DefaultDenyRule
	Error string // evaluation error of the deciding rule, if any
	// WouldDeny lists monitor-mode rules that denied (or failed): logged,
	// not enforced.
	WouldDeny []string
}

// Rule is one compiled rule.
type Rule struct {
	ID     string
	Effect string // allow | deny
	When   string
	Mode   string
	prg    cel.Program
}

// Policy is a compiled rule set, safe for concurrent use.
type Policy struct {
	Source string
	Mode   string
	Rules  []*Rule
	// Limits are the rate limits of the file's rate_limits section.
	Limits  []ratelimit.Rule
	limiter *ratelimit.Limiter
}

// Limiter returns the buckets of p's rate limits; nil when p is nil or
// has none.
func (p *Policy) Limiter() *ratelimit.Limiter {
	if p == nil {
		return nil
	}
	return p.limiter
}

// celEnv is built at the first policy parsed: processes without a policy
// (the sandbox helper, most CLI commands) skip CEL's set-up.
var celEnv = sync.OnceValue(mustEnv)

func mustEnv() *cel.Env {
	e, err := cel.NewEnv(
		// subject, issuer, client_id: strings; groups, scopes: lists.
		cel.Variable("principal", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("server", cel.StringType),
		cel.Variable("method", cel.StringType),
		cel.Variable("tool", cel.StringType),
		cel.Variable("risk", cel.StringType),
		cel.Variable("args", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("session", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("now", cel.TimestampType),
		cel.CrossTypeNumericComparisons(true),
	)
	if err != nil {
		panic(err)
	}
	return e
}

// Load reads and compiles a policy file.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return Parse(path, data)
}

// Parse compiles a policy. Unknown keys, duplicate rule ids, bad effects
// or modes and expressions that do not compile to a bool are errors, all
// reported at once with file:line:col.
func Parse(name string, data []byte) (*Policy, error) {
	var raw struct {
		Mode  string `yaml:"mode"`
		Rules []struct {
			ID     string `yaml:"id"`
			Effect string `yaml:"effect"`
			When   string `yaml:"when"`
			Mode   string `yaml:"mode"`
		} `yaml:"rules"`
		RateLimits []rawLimit `yaml:"rate_limits"`
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var probs []string
	add := func(n *yaml.Node, path, format string, args ...any) {
		loc := name
		if n != nil {
			loc = fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column)
		}
		probs = append(probs, fmt.Sprintf("%s: %s: %s", loc, path, fmt.Sprintf(format, args...)))
	}
	p := &Policy{Source: name, Mode: Enforce}
	if len(doc.Content) == 0 {
		return p, nil // no rules: everything is denied
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	root := doc.Content[0]
	rulesNode := valueOf(root, "rules")
	if raw.Mode != "" {
		if raw.Mode != Enforce && raw.Mode != Monitor {
			add(valueOf(root, "mode"), "mode", "must be enforce or monitor, got %q", raw.Mode)
		}
		p.Mode = raw.Mode
	}
	seen := map[string]bool{}
	for i, r := range raw.Rules {
		var n *yaml.Node
		if rulesNode != nil && i < len(rulesNode.Content) {
			n = rulesNode.Content[i]
		}
		path := fmt.Sprintf("rules[%d]", i)
		at := func(key string) *yaml.Node {
			if v := valueOf(n, key); v != nil {
				return v
			}
			return n
		}
		switch {
		case r.ID == "":
			add(n, path+".id", "is required")
		case seen[r.ID]:
			add(at("id"), path+".id", "duplicate rule id %q", r.ID)
		case r.ID == DefaultDenyRule:
			add(at("id"), path+".id", "%q is reserved", r.ID)
		}
		seen[r.ID] = true
		if r.Effect != "allow" && r.Effect != "deny" {
			add(at("effect"), path+".effect", "must be allow or deny, got %q", r.Effect)
		}
		mode := r.Mode
		if mode == "" {
			mode = Enforce
		} else if mode != Enforce && mode != Monitor {
			add(at("mode"), path+".mode", "must be enforce or monitor, got %q", r.Mode)
		}
		if strings.TrimSpace(r.When) == "" {
			add(n, path+".when", "is required (a CEL expression; write true for always)")
			continue
		}
		env := celEnv()
		ast, iss := env.Compile(r.When)
		if iss != nil && iss.Err() != nil {
			add(at("when"), path+".when", "%s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
			continue
		}
		if ast.OutputType() != cel.BoolType {
			add(at("when"), path+".when", "must be a bool expression, it is %s", ast.OutputType())
			continue
		}
		// A rule whose worst case is provably under the limit runs without
		// the per-evaluation cost tracker (half the time of a decision);
		// any other rule is tracked and stopped at the limit.
		opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
		if est, err := env.EstimateCost(ast, noEstimates{}); err != nil || est.Max > costLimit {
			opts = append(opts, cel.CostLimit(costLimit))
		}
		prg, err := env.Program(ast, opts...)
		if err != nil {
			add(at("when"), path+".when", "%v", err)
			continue
		}
		p.Rules = append(p.Rules, &Rule{ID: r.ID, Effect: r.Effect, When: r.When, Mode: mode, prg: prg})
	}
	p.Limits = parseLimits(raw.RateLimits, valueOf(root, "rate_limits"), seen, add)
	if l, err := ratelimit.New(p.Limits); err != nil {
		add(valueOf(root, "rate_limits"), "rate_limits", "%v", err)
	} else {
		p.limiter = l
	}
	if len(probs) > 0 {
		return nil, errors.New(strings.Join(probs, "\n"))
	}
	return p, nil
}

// noEstimates lets the estimator assume the worst for every input size.
type noEstimates struct{}

func (noEstimates) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}
func (noEstimates) EstimateSize(cost.AstNode) *cost.SizeEstimate { return nil }

func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Decide evaluates every rule against in.
func (p *Policy) Decide(in Input) Decision {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	vars := &activation{in: in, now: now} // one allocation: Input is copied in, not pointed to
	var d Decision
	allowRule := ""
	for _, r := range p.Rules {
		out, _, err := r.prg.Eval(vars)
		matched, isBool := false, false
		if err == nil {
			matched, isBool = out.Value().(bool)
		}
		failed := err != nil || !isBool
		denies := failed || (matched && r.Effect == "deny")
		if denies {
			if r.Mode == Monitor || p.Mode == Monitor {
				d.WouldDeny = append(d.WouldDeny, r.ID)
				continue
			}
			d.Allow, d.Rule = false, r.ID
			if failed {
				d.Error = "evaluation failed"
				if err != nil {
					d.Error = err.Error()
				}
			}
			return d
		}
		if matched && r.Effect == "allow" && allowRule == "" {
			allowRule = r.ID
		}
	}
	if allowRule != "" {
		d.Allow, d.Rule = true, allowRule
		return d
	}
	if p.Mode == Monitor {
		d.WouldDeny = append(d.WouldDeny, DefaultDenyRule)
		d.Allow = true
		return d
	}
	d.Rule = DefaultDenyRule
	return d
}

// Arguments converts a JSON tree (as canon.Parse returns it) into values
// CEL reads natively: integral numbers become int64, others float64. A
// tree without numbers (most tool arguments are strings) is returned as
// it is, not copied.
func Arguments(v any) any {
	if !hasNumber(v) {
		return v
	}
	return convertNumbers(v)
}

// hasNumber reports whether the tree holds a value convertNumbers changes
// (numbers, and nil maps and lists, which it makes empty).
func hasNumber(v any) bool {
	switch t := v.(type) {
	case json.Number, int:
		return true
	case map[string]any:
		if t == nil {
			return true
		}
		for _, e := range t {
			if hasNumber(e) {
				return true
			}
		}
	case []any:
		if t == nil {
			return true
		}
		for _, e := range t {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(t), 64)
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f)
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = convertNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = convertNumbers(e)
		}
		return out
	case int:
		return int64(t)
	}
	return v
}

// Methods lists the requests the policy decides; others pass.
var Methods = []string{"tools/call", "prompts/get", "resources/read"}

// Applies reports whether method is decided by the policy.
func Applies(method string) bool { return slices.Contains(Methods, method) }

// activation gives rules their variables, each built only when a rule
// reads it: most rules read two or three, and building all of them for
// every decision was most of its allocations.
type activation struct {
	in        Input
	now       time.Time
	args      map[string]any
	principal map[string]any
	session   map[string]string
}

func (a *activation) ResolveName(name string) (any, bool) {
	in := &a.in
	switch name {
	case "server":
		return in.Server, true
	case "method":
		return in.Method, true
	case "tool":
		return in.Tool, true
	case "risk":
		return in.Risk, true
	case "now":
		return a.now, true
	case "args":
		if a.args == nil {
			// Arguments converts numbers for CEL; already converted values
			// pass through unchanged.
			a.args, _ = Arguments(in.Arguments).(map[string]any)
			if a.args == nil {
				a.args = map[string]any{}
			}
		}
		return a.args, true
	case "principal":
		if a.principal == nil {
			a.principal = map[string]any{"subject": in.Principal.Subject, "issuer": in.Principal.Issuer, "client_id": in.Principal.ClientID,
				"groups": orEmpty(in.Principal.Groups), "scopes": orEmpty(in.Principal.Scopes)}
		}
		return a.principal, true
	case "session":
		if a.session == nil {
			a.session = map[string]string{"id": in.Session.ID, "era": in.Session.Era, "transport": in.Session.Transport}
		}
		return a.session, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
