package intercept

import (
	"context"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

func TestAuthzStage(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte("tools:\n  q: {risk: read}\n  w: {risk: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	scopes := authn.Scopes{
		"mcp:read":  {Risks: []string{"read"}},
		"mcp:write": {Servers: []string{"s"}, Risks: []string{"read", "write"}},
	}
	var seen Principal
	pol, err := policy.Parse("p.yaml", []byte("rules:\n  - {id: eng, effect: allow, when: 'principal.subject == \"alice\"'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	chain := NewChain(Manifests(map[string]*manifest.Manifest{"s": m}), Authz(scopes, []string{"mcp"}, map[string]*manifest.Manifest{"s": m}),
		Func{N: "spy", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
			seen = x.Peer.Principal
			return next(ctx, x)
		}}, Policy(pol))
	tests := []struct {
		name, server, method, params, scope string
		rule, challenge                     string
	}{
		{"read tool with read scope", "s", "tools/call", `{"name":"q","arguments":{}}`, "mcp mcp:read", "", ""},
		{"write tool with read scope", "s", "tools/call", `{"name":"w","arguments":{}}`, "mcp mcp:read", RuleInsufficientScope, "mcp mcp:write"},
		{"write tool with write scope", "s", "tools/call", `{"name":"w","arguments":{}}`, "mcp mcp:write", "", ""},
		{"no manifest: no risk class", "t", "tools/call", `{"name":"q","arguments":{}}`, "mcp mcp:read mcp:write", RuleInsufficientScope, ""},
		{"prompt counts as read", "t", "prompts/get", `{"name":"p"}`, "mcp mcp:read", "", ""},
		{"resource without scope", "t", "resources/read", `{"uri":"file:///a"}`, "mcp", RuleInsufficientScope, "mcp mcp:read"},
		{"lists need no scope", "", "tools/list", `{}`, "mcp", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchange(t, "legacy", tc.server, tc.method, tc.params)
			ctx := WithPrincipal(context.Background(), Principal{Subject: "alice", Issuer: "https://i", Scopes: strings.Fields(tc.scope)})
			ctx, ch := WithScopeChallenge(ctx)
			_, err := chain.Then(answer(`{}`, nil))(ctx, x)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("want allowed, got %v", err)
				}
				if x.Method != "tools/list" && seen.Subject != "alice" {
					t.Errorf("later stages saw principal %+v", seen)
				}
			} else if d, ok := AsDenial(err); !ok || d.Rule != tc.rule {
				t.Fatalf("got %v, want rule %s", err, tc.rule)
			} else if tc.challenge != "" && (!strings.Contains(d.Public, strings.Fields(tc.challenge)[1]) || d.Scope != tc.challenge) {
				t.Errorf("denial %q, scope %q: does not name scope %q", d.Public, d.Scope, tc.challenge)
			}
			if got := ch.Scope(); got != tc.challenge {
				t.Errorf("challenge scope = %q, want %q", got, tc.challenge)
			}
			if x.Peer.Principal.Subject != "alice" {
				t.Errorf("exchange principal = %+v (the audit record reads it)", x.Peer.Principal)
			}
		})
	}
	// Without configured scopes the stage only fills the principal.
	x := exchange(t, "legacy", "s", "tools/call", `{"name":"w","arguments":{}}`)
	ctx := WithPrincipal(context.Background(), Principal{Subject: "bob"})
	if _, err := Authz(nil, nil, nil).Intercept(ctx, x, answer(`{}`, nil)); err != nil || x.Peer.Principal.Subject != "bob" {
		t.Errorf("nil scopes: %v, principal %+v", err, x.Peer.Principal)
	}
}

// Lists show what the token's scopes grant: tools by server, name and the
// manifest's risk class, prompts and resources as reads.
func TestAuthzLists(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte("tools:\n  q: {risk: read}\n  w: {risk: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	scopes := authn.Scopes{"mcp:read": {Risks: []string{"read"}}, "mcp:t": {Servers: []string{"t"}}}
	tools := `{"tools":[{"name":"s__q"},{"name":"s__w"},{"name":"t__x"},{"name":"u__y"}]}`
	for _, tc := range []struct {
		scope, method, result, want string
	}{
		{"mcp:read", "tools/list", tools, `[{"name":"s__q"}]`},
		{"mcp:read mcp:t", "tools/list", tools, `[{"name":"s__q"},{"name":"t__x"}]`},
		{"", "tools/list", tools, `[]`},
		{"mcp:t", "prompts/list", `{"prompts":[{"name":"s__p"},{"name":"t__p"}]}`, `[{"name":"t__p"}]`},
		{"mcp:read", "resources/list", `{"resources":[{"uri":"s+file:///a"},{"uri":"t+file:///b"}]}`, `[{"uri":"s+file:///a"},{"uri":"t+file:///b"}]`},
	} {
		x := exchange(t, "legacy", "", tc.method, `{}`)
		ctx := WithPrincipal(context.Background(), Principal{Subject: "a", Scopes: strings.Fields(tc.scope)})
		reply, err := Authz(scopes, nil, ms).Intercept(ctx, x, answer(tc.result, nil))
		if err != nil {
			t.Fatalf("%s %s: %v", tc.scope, tc.method, err)
		}
		field := map[string]string{"tools/list": "tools", "prompts/list": "prompts", "resources/list": "resources"}[tc.method]
		got, _ := mcpwire.Get(reply.Msg.Result, field)
		if string(got) != tc.want {
			t.Errorf("%q %s: %s, want %s", tc.scope, tc.method, got, tc.want)
		}
	}
}

// A token bound to an intent calls only the tools it names, whatever its
// scopes grant, and lists only those; one without intents is not
// restricted.
func TestAuthzIntent(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte("tools:\n  q: {risk: read}\n  w: {risk: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	all := authn.Scopes{"mcp:all": {Servers: []string{"*"}}}
	for _, tc := range []struct {
		name   string
		scopes authn.Scopes
		scope  string
		server string
		tool   string
		deny   bool
	}{
		{"named tool", all, "mcp:all intent:s/q", "s", "q", false},
		{"other tool", all, "mcp:all intent:s/q", "s", "w", true},
		{"same tool name, other server", all, "mcp:all intent:s/q", "t", "q", true},
		{"server wildcard", all, "mcp:all intent:s/*", "s", "w", false},
		{"server wildcard, other server", all, "mcp:all intent:s/*", "t", "w", true},
		{"no intent: not restricted", all, "mcp:all", "t", "w", false},
		{"malformed intent restricts all", all, "mcp:all intent:S/q", "s", "q", true},
		{"prefix is not a wildcard", all, "mcp:all intent:t/x", "t", "xx", true},
		{"intent grants nothing by itself", all, "intent:s/q", "s", "q", true},
		{"without scopes configured", nil, "intent:s/q", "s", "w", true},
		{"without scopes configured, named", nil, "intent:s/q", "s", "q", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := exchange(t, "legacy", tc.server, "tools/call", `{"name":"`+tc.tool+`","arguments":{}}`)
			ctx := WithPrincipal(context.Background(), Principal{Subject: "a", Scopes: strings.Fields(tc.scope)})
			_, err := NewChain(Manifests(ms), Authz(tc.scopes, nil, ms)).Then(answer(`{}`, nil))(ctx, x)
			if !tc.deny {
				if err != nil {
					t.Fatalf("want allowed, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want denied")
			}
			d, ok := AsDenial(err)
			if !ok {
				t.Fatalf("not a denial: %v", err)
			}
			if strings.Contains(tc.scope, "intent:") && tc.name != "intent grants nothing by itself" && d.Rule != RuleOutsideIntent {
				t.Errorf("rule %s, want %s", d.Rule, RuleOutsideIntent)
			}
		})
	}
	tools := `{"tools":[{"name":"s__q"},{"name":"s__w"},{"name":"t__x"}]}`
	for _, tc := range []struct {
		scopes      authn.Scopes
		scope, want string
	}{
		{all, "mcp:all intent:s/q", `[{"name":"s__q"}]`},
		{nil, "intent:s/q intent:t/*", `[{"name":"s__q"},{"name":"t__x"}]`},
		{all, "mcp:all", `[{"name":"s__q"},{"name":"s__w"},{"name":"t__x"}]`},
	} {
		x := exchange(t, "legacy", "", "tools/list", `{}`)
		ctx := WithPrincipal(context.Background(), Principal{Subject: "a", Scopes: strings.Fields(tc.scope)})
		reply, err := Authz(tc.scopes, nil, ms).Intercept(ctx, x, answer(tools, nil))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := mcpwire.Get(reply.Msg.Result, "tools")
		if string(got) != tc.want {
			t.Errorf("%q: %s, want %s", tc.scope, got, tc.want)
		}
	}
}
