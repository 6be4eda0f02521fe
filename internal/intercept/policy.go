package intercept

import (
	"context"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

// Policy decides tools/call, prompts/get and resources/read with the CEL
// rules of p (nil: no policy, everything passes). It runs after the
// manifest stage, so it sees the canonical arguments and the tool's risk
// class. A denial carries the rule's id; monitor-mode denials are noted
// in the exchange record and let the call pass.
func Policy(p *policy.Policy) Interceptor {
	return Func{N: "policy", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if p == nil || !policy.Applies(x.Method) {
			return next(ctx, x)
		}
		in := policy.Input{Server: x.Server, Method: x.Method, Tool: x.Name}
		if x.Peer != nil {
			pr := x.Peer.Principal
			in.Principal = policy.Principal{Subject: pr.Subject, Issuer: pr.Issuer, ClientID: pr.ClientID, Groups: pr.Groups, Scopes: pr.Scopes}
			in.Session = policy.Session{ID: x.Peer.SessionID, Era: x.Peer.Era, Transport: x.Peer.Transport}
		}
		in.Risk, _ = x.Facts[FactRisk].(string)
		// The tree as parsed: Decide converts its numbers for CEL only if a
		// rule reads args.
		if tree, ok := x.Facts[FactArguments].(map[string]any); ok && x.Method == "tools/call" {
			in.Arguments = tree
		} else if x.Method == "tools/call" {
			if raw, ok := mcpwire.Get(x.Msg.Params, "arguments"); ok {
				v, err := canon.Parse(raw)
				if err != nil {
					return nil, &Denial{Rule: "policy.arguments", Code: CodeInvalidParams, Public: "arguments are not valid JSON", Detail: err.Error()}
				}
				in.Arguments, _ = v.(map[string]any)
			}
		}
		d := p.Decide(in)
		if len(d.WouldDeny) > 0 {
			x.Record.Reason = "policy monitor: would deny by " + strings.Join(d.WouldDeny, ", ")
		}
		if !d.Allow {
			return nil, &Denial{Rule: d.Rule, Code: CodeDenied, Public: "denied by policy", Detail: d.Error}
		}
		return next(ctx, x)
	}}
}
