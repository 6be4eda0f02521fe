package intercept

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

// RuleInsufficientScope refuses a call the token's scopes do not grant.
const RuleInsufficientScope = "authz.insufficient-scope"

// RuleOutsideIntent refuses a tool call a token bound to an intent
// (scopes intent:SERVER/TOOL, docs/identity.md) did not name.
const RuleOutsideIntent = "authz.outside-intent"

type principalKey struct{}

// WithPrincipal carries the principal verified for one HTTP request to
// the chain. It is per request, not per session: a client may present a
// token with other scopes later in the same session.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal WithPrincipal stored.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ScopeChallenge lets the authorization stage tell the HTTP front which
// scope a refused call needed, so that the front can answer 403 with an
// insufficient_scope challenge (the MCP step-up flow) where the
// response has not started yet.
type ScopeChallenge struct {
	mu    sync.Mutex
	scope string
}

type challengeKey struct{}

// WithScopeChallenge returns a context the stage reports to.
func WithScopeChallenge(ctx context.Context) (context.Context, *ScopeChallenge) {
	c := &ScopeChallenge{}
	return context.WithValue(ctx, challengeKey{}, c), c
}

// Scope is the space-separated scope a refused call needed; "" if none.
func (c *ScopeChallenge) Scope() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.scope
}

// Authz puts the request's verified principal on the exchange (for the
// stages after it, policy, rate limits and the audit record) and checks
// tools/call, prompts/get and resources/read against the scopes the
// token grants. It runs after the manifest stage, which classifies the
// tool's risk. With ms (the manifests, for the risk of listed tools; nil:
// lists pass unfiltered) lists show only what the scopes grant. Nil
// scopes check nothing. required are the scopes every token carries
// already; a challenge asks for them and the missing one.
func Authz(scopes authn.Scopes, required []string, ms map[string]*manifest.Manifest) Interceptor {
	return Func{N: "authz", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		p, authenticated := PrincipalFrom(ctx)
		if authenticated && x.Peer != nil {
			x.Peer.Principal = p
		}
		var granted []string
		if x.Peer != nil {
			granted = x.Peer.Principal.Scopes
		}
		if x.Method == "tools/call" {
			if restricted, ok := authn.IntentAllows(granted, x.Server, x.Name); restricted && !ok {
				return nil, Deny(RuleOutsideIntent, "forbidden: this token is bound to an intent that does not name this tool",
					fmt.Sprintf("server %q tool %q; the token's intents: %q", x.Server, x.Name, intents(granted)))
			}
		}
		if x.Method == "tools/list" && (scopes == nil || ms == nil) && hasIntent(granted) {
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse {
				return reply, err
			}
			return rewriteList(x, reply, "authz", false, nil, func(server, name string, _ json.RawMessage) bool {
				return intentOK(granted, server, name)
			})
		}
		if scopes != nil && ms != nil && listKind(x.Method) != "" {
			reply, err := next(ctx, x)
			if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse {
				return reply, err
			}
			kind := listKind(x.Method)
			return rewriteList(x, reply, "authz", false, nil, func(server, name string, _ json.RawMessage) bool {
				c := authn.Call{Server: server, Kind: kind, Name: name}
				if m := ms[server]; m != nil && kind == authn.KindTool {
					if t, ok := m.Tool(name); ok {
						c.Risk = t.Risk
					}
				}
				ok, _ := scopes.Authorize(granted, c)
				if ok && kind == authn.KindTool {
					ok = intentOK(granted, server, name)
				}
				return ok
			})
		}
		if scopes == nil || !policy.Applies(x.Method) {
			return next(ctx, x)
		}
		c := authn.Call{Server: x.Server, Name: x.Name}
		switch x.Method {
		case "tools/call":
			c.Kind = authn.KindTool
			c.Risk, _ = x.Facts[FactRisk].(string)
		case "prompts/get":
			c.Kind = authn.KindPrompt
		default:
			c.Kind = authn.KindResource
		}
		ok, needed := scopes.Authorize(granted, c)
		if ok {
			return next(ctx, x)
		}
		if len(needed) == 0 {
			return nil, Deny(RuleInsufficientScope, "insufficient_scope: no scope grants this call",
				fmt.Sprintf("server %q %s %q risk %q", c.Server, c.Kind, c.Name, c.Risk))
		}
		want := slices.Clone(required)
		if !slices.Contains(want, needed[0]) {
			want = append(want, needed[0])
		}
		if ch, _ := ctx.Value(challengeKey{}).(*ScopeChallenge); ch != nil {
			ch.mu.Lock()
			ch.scope = strings.Join(want, " ")
			ch.mu.Unlock()
		}
		d := Deny(RuleInsufficientScope,
			fmt.Sprintf("insufficient_scope: this call needs scope %q", needed[0]),
			fmt.Sprintf("granted %q; any of %q would do", granted, needed))
		d.Scope = strings.Join(want, " ")
		return nil, d
	}}
}

// intentOK reports whether scopes' intents, if any, name the tool.
func intentOK(scopes []string, server, tool string) bool {
	restricted, ok := authn.IntentAllows(scopes, server, tool)
	return !restricted || ok
}

func hasIntent(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return strings.HasPrefix(s, authn.IntentPrefix) })
}

func intents(scopes []string) []string {
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return !strings.HasPrefix(s, authn.IntentPrefix) })
}

// listKind is the kind of item a list method returns; "" for others.
func listKind(method string) string {
	switch method {
	case "tools/list":
		return authn.KindTool
	case "prompts/list":
		return authn.KindPrompt
	case "resources/list", "resources/templates/list":
		return authn.KindResource
	}
	return ""
}
