package intercept

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/consent"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// ConsentOptions configures the Consent stage.
type ConsentOptions struct {
	Broker *consent.Broker
	// URL turns a request id into the address of its page.
	URL func(id string) string
	// Risks limits consent to tools of these risk classes (from the
	// manifest; a tool without one has risk ""); empty: every tool.
	Risks []string
	// ShowArgs renders a call's arguments for the page, secrets masked.
	ShowArgs func(raw []byte) string
}

// Consent refuses the first call of a principal to a tool until a person
// grants it on the consent page. The refusal carries the page's address
// (in the message and as data.url); the agent retries once access is
// granted. It runs after the policy: a call the policy denies never asks.
func Consent(o ConsentOptions) Interceptor {
	return Func{N: "consent", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if o.Broker == nil || x.Method != "tools/call" {
			return next(ctx, x)
		}
		risk, _ := x.Facts[FactRisk].(string)
		if len(o.Risks) > 0 && !slices.Contains(o.Risks, risk) {
			return next(ctx, x)
		}
		k := consent.Key{Principal: "local", Server: x.Server, Tool: x.Name}
		if x.Peer != nil && x.Peer.Principal.Subject != "" {
			k.Principal = x.Peer.Principal.Subject + "@" + x.Peer.Principal.Issuer
		}
		now := time.Now()
		ok, err := o.Broker.Granted(k, now)
		if err != nil {
			return nil, Deny("consent.store", "consent could not be checked", err.Error())
		}
		if ok {
			return next(ctx, x)
		}
		raw, _ := mcpwire.Get(x.Msg.Params, "arguments")
		args := "{}"
		if o.ShowArgs != nil && len(raw) > 0 {
			args = o.ShowArgs(raw)
		}
		req, err := o.Broker.Ask(k, risk, args, now)
		if errors.Is(err, consent.ErrTooMany) {
			return nil, &Denial{Rule: "consent.busy", Code: CodeDenied, RetryAfter: time.Minute,
				Public: "too many approvals are waiting; retry later"}
		}
		if err != nil {
			return nil, Deny("consent.store", "consent could not be asked", err.Error())
		}
		url := o.URL(req.ID)
		return nil, &Denial{Rule: "consent.required", Code: CodeDenied, Link: url,
			Public: fmt.Sprintf("tool %q of server %q needs a person's approval the first time: open %s, choose Grant Access, then retry the call", x.Name, x.Server, url)}
	}}
}
