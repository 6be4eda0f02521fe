package intercept

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/pin"
	"github.com/mcpwarden/mcpwarden/internal/poison"
)

// FactRisk is the Exchange fact holding the called tool's risk class, set
// by the manifest stage for later stages.
const FactRisk = "manifest.risk"

// FactArguments is the Exchange fact holding the validated tool
// arguments (map[string]any as canon.Parse builds it), set by the
// manifest stage.
const FactArguments = "manifest.arguments"

// FactCanonicalArguments is the Exchange fact holding the canonical JSON
// of FactArguments ([]byte), the bytes forwarded to the server. Both facts
// are read only.
const FactCanonicalArguments = "manifest.canonical-arguments"

// Aggregation prefixes, as the session writes them when several servers
// share one endpoint (session.NameSep and the "SERVER+" URI prefix).
const (
	aggNameSep = "__"
	aggURISep  = "+"
)

// Manifests enforces each server's capability manifest: lists show only
// what is declared (and not quarantined), calls to anything else are
// refused, and tool arguments must match the declared schema; the
// arguments forwarded are the canonical bytes that were validated.
// Servers without a manifest pass through untouched. The map is read
// only.
func Manifests(ms map[string]*manifest.Manifest) Interceptor {
	return Func{N: "manifest", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if len(ms) == 0 {
			return next(ctx, x)
		}
		switch x.Method {
		case "tools/list", "prompts/list", "resources/list", "resources/templates/list":
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse {
				return reply, err
			}
			return filterList(ms, x, reply)
		case "initialize", "server/discover":
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse {
				return reply, err
			}
			return checkInstructions(ms, x, reply), nil
		case "tools/call":
			m := ms[x.Server]
			if m == nil || x.Server == "" {
				return next(ctx, x)
			}
			// After list_changed, nothing is called on the server's word
			// until the gateway has seen and checked its new definitions.
			if m.Stale() {
				return nil, &Denial{Rule: "manifest.relist", Code: CodeDenied,
					Public: fmt.Sprintf("server %q changed its tools since they were last checked: list them again (tools/list), then retry", x.Server)}
			}
			if err := checkCall(m, x); err != nil {
				return nil, err
			}
		case "prompts/get":
			if m := ms[x.Server]; m != nil && x.Server != "" && !m.Prompt(x.Name) {
				return nil, undeclared("prompt", x.Name)
			}
		case "resources/read", "resources/subscribe", "resources/unsubscribe":
			if m := ms[x.Server]; m != nil && x.Server != "" && !m.Resource(x.Name) {
				return nil, undeclared("resource", x.Name)
			}
		case "completion/complete":
			if m := ms[x.Server]; m != nil && x.Server != "" {
				ref, _ := mcpwire.Get(x.Msg.Params, "ref")
				typ, _ := mcpwire.StringMember(ref, "type")
				name := x.Name
				if typ == "ref/resource" {
					if name == "" {
						name, _ = mcpwire.StringMember(ref, "uri")
					}
					if !m.Resource(name) {
						return nil, undeclared("resource", name)
					}
				} else {
					if name == "" {
						name, _ = mcpwire.StringMember(ref, "name")
					}
					if !m.Prompt(name) {
						return nil, undeclared("prompt", name)
					}
				}
			}
		}
		return next(ctx, x)
	}}
}

func undeclared(kind, name string) *Denial {
	return &Denial{Rule: "manifest.undeclared-" + kind, Code: CodeInvalidParams,
		Public: fmt.Sprintf("%s %q is not available", kind, name),
		Detail: fmt.Sprintf("%s %q is not declared in the server's manifest", kind, name)}
}

// checkCall authorizes a tools/call and replaces its arguments with the
// canonical bytes that were validated.
func checkCall(m *manifest.Manifest, x *Exchange) error {
	t, ok := m.Tool(x.Name)
	if !ok {
		return undeclared("tool", x.Name)
	}
	if x.Facts == nil {
		x.Facts = map[string]any{}
	}
	x.Facts[FactRisk] = t.Risk
	if why, q := m.Quarantined(x.Name); q {
		return &Denial{Rule: "manifest.quarantined", Code: CodeDenied,
			Public: fmt.Sprintf("tool %q is quarantined: its definition changed since an operator approved it, or looks poisoned", x.Name),
			Detail: why}
	}
	raw, _ := mcpwire.Get(x.Msg.Params, "arguments")
	args, tree, err := t.CheckArguments(raw)
	if err != nil {
		rule := "manifest.arguments-json"
		if ae, ok := err.(*manifest.ArgumentError); ok && ae.Schema {
			rule = "manifest.arguments-schema"
		}
		return &Denial{Rule: rule, Code: CodeInvalidParams,
			Public: fmt.Sprintf("arguments of tool %q refused: %s", x.Name, err.Error())}
	}
	x.Facts[FactArguments] = tree
	x.Facts[FactCanonicalArguments] = args
	if string(args) == string(raw) {
		return nil
	}
	nm, err := x.Msg.WithParam("arguments", args)
	if err != nil {
		return Deny("manifest.arguments-rewrite", "arguments could not be forwarded", err.Error())
	}
	x.Msg = nm
	return nil
}

// filterList keeps the declared, unquarantined items of a list result.
// In aggregated mode (x.Server empty) each item carries its server's
// prefix and is judged by that server's manifest.
func filterList(ms map[string]*manifest.Manifest, x *Exchange, reply *Reply) (*Reply, error) {
	if x.Server != "" && ms[x.Server] == nil {
		return reply, nil
	}
	var cross map[string]string
	prepare := func(items []listItem) error {
		if x.Method == "tools/list" {
			cross = crossCheck(items, false, func(server string) bool { return ms[server] != nil })
		}
		return nil
	}
	reply, err := rewriteList(x, reply, "manifest", true, prepare, func(server, name string, it json.RawMessage) bool {
		m := ms[server]
		if m == nil {
			return true
		}
		if why, bad := cross[server+"\x00"+name]; bad {
			if _, declared := m.Tool(name); declared {
				m.Quarantine(name, why)
			}
			return false
		}
		return keepItem(m, x.Method, name, it)
	})
	if err == nil && x.Method == "tools/list" {
		// Checked: a server whose tools changed may be called again. In an
		// aggregated list every server was asked.
		for server, m := range ms {
			if x.Server == "" || server == x.Server {
				m.MarkChecked()
			}
		}
	}
	return reply, err
}

// listItem is one item of a list result with the server it belongs to
// and its name (or URI) there, without the aggregation prefix.
type listItem struct {
	server, name string
	raw          json.RawMessage
}

// rewriteList keeps the items of a list result that keep accepts. Items
// without a name, and aggregated items without a server prefix, are
// dropped. prepare, when set, sees every item first. A list that was
// filtered (or, with private, judged at all) is marked private to the
// caller: what it shows depends on the gateway's view, not only on the
// server.
func rewriteList(x *Exchange, reply *Reply, stage string, private bool, prepare func([]listItem) error, keep func(server, name string, it json.RawMessage) bool) (*Reply, error) {
	field, key := "tools", "name"
	switch x.Method {
	case "prompts/list":
		field = "prompts"
	case "resources/list":
		field, key = "resources", "uri"
	case "resources/templates/list":
		field, key = "resourceTemplates", "uriTemplate"
	}
	bad := func(err error) error {
		return Deny(stage+".bad-list", "the server's list could not be checked", err.Error())
	}
	list, ok := mcpwire.Get(reply.Msg.Result, field)
	if !ok {
		return reply, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(list, &raws); err != nil {
		return nil, bad(err)
	}
	items := make([]listItem, 0, len(raws))
	for _, it := range raws {
		v, ok := mcpwire.StringMember(it, key)
		if !ok {
			continue // an item without a name cannot be declared
		}
		server, name := x.Server, v
		if server == "" {
			sep := aggNameSep
			if key != "name" {
				sep = aggURISep
			}
			s, rest, ok := strings.Cut(v, sep)
			if !ok {
				continue
			}
			server, name = s, rest
		}
		items = append(items, listItem{server, name, it})
	}
	if prepare != nil {
		if err := prepare(items); err != nil {
			return nil, bad(err)
		}
	}
	kept := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		if keep(it.server, it.name, it.raw) {
			kept = append(kept, it.raw)
		}
	}
	if len(kept) == len(raws) && !private {
		return reply, nil // nothing dropped: forward the server's bytes
	}
	out, err := json.Marshal(kept)
	if err != nil {
		return nil, err
	}
	res, err := mcpwire.Set(reply.Msg.Result, field, out)
	if err != nil {
		return nil, bad(err)
	}
	// A filtered list is per-principal: a shared cache must not serve it
	// to another client. 2026-07-28 results always say so; others only
	// when the server put a cacheScope there.
	_, hasScope := mcpwire.Get(res, "cacheScope")
	if hasScope || x.Peer != nil && x.Peer.Era == "modern" {
		if res, err = mcpwire.Set(res, "cacheScope", []byte(`"private"`)); err != nil {
			return nil, bad(err)
		}
	}
	raw, err := mcpwire.Set(reply.Msg.Raw, "result", res)
	if err != nil {
		return nil, bad(err)
	}
	nm, err := mcpwire.Parse(raw)
	if err != nil {
		return nil, bad(err)
	}
	return &Reply{Msg: nm}, nil
}

func keepItem(m *manifest.Manifest, method, name string, item []byte) bool {
	switch method {
	case "prompts/list":
		return m.Prompt(name) && len(poison.Definition(item)) == 0
	case "resources/list", "resources/templates/list":
		return m.Resource(name) && len(poison.Definition(item)) == 0
	}
	t, ok := m.Tool(name)
	if !ok {
		return false
	}
	if _, q := m.Quarantined(name); q {
		return false
	}
	if t.Pin != "" && !pinMatches(m, t, name, item) {
		return false
	}
	if fs := poison.Definition(item); len(fs) > 0 {
		m.Quarantine(name, "tool poisoning: "+fs[0].String())
		return false
	}
	return true
}

// pinMatches checks a served definition against the tool's pin and
// quarantines the tool when it differs.
func pinMatches(m *manifest.Manifest, t *manifest.Tool, name string, item []byte) bool {
	def := item
	if name != tNameOf(item) {
		// Aggregated: the server served the unprefixed name.
		q, _ := json.Marshal(name)
		if d, err := mcpwire.Set(item, "name", q); err == nil {
			def = d
		}
	}
	h, err := pin.Hash(def)
	if err != nil {
		m.Quarantine(name, "definition could not be hashed")
		return false
	}
	if h != t.Pin {
		m.Quarantine(name, "definition changed since approval (served "+h+", pinned "+t.Pin+")")
		return false
	}
	return true
}

func tNameOf(item []byte) string {
	n, _ := mcpwire.StringMember(item, "name")
	return n
}

// checkInstructions withholds a server's instructions when they differ
// from the manifest's pin: the model never reads instructions an operator
// did not approve. When several servers share the endpoint the gateway's
// merged instructions cannot be told apart per server, so they are all
// withheld as soon as one of those servers pins its instructions.
func checkInstructions(ms map[string]*manifest.Manifest, x *Exchange, reply *Reply) *Reply {
	instr, ok := mcpwire.StringMember(reply.Msg.Result, "instructions")
	if !ok {
		return reply
	}
	withhold := false
	if x.Server != "" {
		m := ms[x.Server]
		withhold = m != nil && (m.Instructions != "" && pin.HashString(instr) != m.Instructions ||
			len(poison.Text("instructions", instr)) > 0)
	} else {
		for _, m := range ms {
			withhold = withhold || m.Instructions != ""
		}
	}
	if !withhold {
		return reply
	}
	res, err := mcpwire.Delete(reply.Msg.Result, "instructions")
	if err != nil {
		return reply
	}
	raw, err := mcpwire.Set(reply.Msg.Raw, "result", res)
	if err != nil {
		return reply
	}
	nm, err := mcpwire.Parse(raw)
	if err != nil {
		return reply
	}
	x.Record.Reason = "manifest: server instructions differ from the pin or look poisoned; withheld"
	return &Reply{Msg: nm}
}
