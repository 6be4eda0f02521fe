package intercept

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

// RuleInsufficientScope refuses a call the token's scopes do not grant.
const RuleInsufficientScope = "authz.insufficient-scope"

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
// tool's risk. Nil scopes check nothing. required are the scopes every
// token carries already; a challenge asks for them and the missing one.
func Authz(scopes authn.Scopes, required []string) Interceptor {
	return Func{N: "authz", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		p, authenticated := PrincipalFrom(ctx)
		if authenticated && x.Peer != nil {
			x.Peer.Principal = p
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
		var granted []string
		if x.Peer != nil {
			granted = x.Peer.Principal.Scopes
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
		return nil, Deny(RuleInsufficientScope,
			fmt.Sprintf("insufficient_scope: this call needs scope %q", needed[0]),
			fmt.Sprintf("granted %q; any of %q would do", granted, needed))
	}}
}
