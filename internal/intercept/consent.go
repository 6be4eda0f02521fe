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
		switch {
		case errors.Is(err, consent.ErrTooMany):
			return nil, &Denial{Rule: "consent.busy", Code: CodeDenied, RetryAfter: time.Minute,
				Public: "too many approvals are waiting; retry later"}
		case errors.Is(err, consent.ErrDenied):
			return nil, &Denial{Rule: "consent.denied", Code: CodeDenied, RetryAfter: consent.DenialHold,
				Public: fmt.Sprintf("a person denied access to tool %q of server %q", x.Name, x.Server)}
		case err != nil:
			return nil, Deny("consent.store", "consent could not be asked", err.Error())
		}
		url := o.URL(req.ID)
		d := &Denial{Rule: "consent.required", Code: CodeDenied, Link: url,
			Public: fmt.Sprintf("tool %q of server %q needs a person's approval the first time: open %s, choose Grant Access, then retry the call", x.Name, x.Server, url)}
		// A client that shows URLs to its user gets a URL elicitation, so
		// the address reaches the person rather than the model, and hears
		// when the decision is made.
		// A 2026-07-28 client has no stream to hear the completion on; it
		// retries when its user says the page is done.
		if p := x.Peer; p != nil && (p.URLElicitation || p.Era == "modern" && metaURLElicitation(x.Msg.Params)) {
			if p.Notify != nil {
				o.Broker.Watch(req.ID, elicitationDone(p.Notify, req.ID))
			}
			d.Code, d.ElicitID = CodeURLElicitationRequired, req.ID
			d.Public = fmt.Sprintf("tool %q of server %q needs a person's approval the first time", x.Name, x.Server)
		}
		return nil, d
	}}
}

// metaURLElicitation reports whether a 2026-07-28 request's client
// capabilities (in _meta) include URL-mode elicitation.
func metaURLElicitation(params []byte) bool {
	v := params
	for _, k := range []string{"_meta", "io.modelcontextprotocol/clientCapabilities", "elicitation", "url"} {
		var ok bool
		if v, ok = mcpwire.Get(v, k); !ok {
			return false
		}
	}
	return true
}

// elicitationDone tells the client that the consent page it showed has
// been answered, so it retries the call.
func elicitationDone(notify func([]byte) error, id string) func(consent.Request) {
	return func(consent.Request) {
		msg := append([]byte(`{"jsonrpc":"2.0","method":"notifications/elicitation/complete","params":{"elicitationId":`), mcpwire.AppendString(nil, id)...)
		_ = notify(append(msg, "}}"...))
	}
}
