package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// event is something the gateway itself did or decided that belongs in
// the audit trail beside the client exchanges: a consent decision, a
// server started without its sandbox.
type event struct {
	Method  string // e.g. consent/decision, sandbox/off
	Server  string
	Name    string // tool name, when there is one
	Subject string // who decided, when a person did
	Rule    string // with Deny: the rule of the refusal
	Reason  string
	Deny    bool
	Effects []intercept.Effect // what the gateway saw happen downstream
}

// recorder writes events through the audit stage (so they are chained,
// stored and sent to the sinks like any record); nil discards them.
type recorder func(event)

func newRecorder(aud *auditing, log *slog.Logger) recorder {
	stage := aud.stage(exchangeLog(log))
	return func(e event) { recordEvent(stage, e) }
}

func (r recorder) record(e event) {
	if r != nil {
		r(e)
	}
}

// recordEvent runs e through an audit stage as a one-off exchange: the
// method and names as given, decision allow, or deny with e.Rule.
func recordEvent(stage intercept.Interceptor, e event) {
	msg, err := mcpwire.Parse(fmt.Appendf(nil, `{"jsonrpc":"2.0","method":%s,"params":{"name":%s}}`,
		mcpwire.AppendString(nil, e.Method), mcpwire.AppendString(nil, e.Name)))
	if err != nil {
		return
	}
	id := make([]byte, 12)
	rand.Read(id)
	x := &intercept.Exchange{
		Peer:   &intercept.Peer{Principal: intercept.Principal{Subject: e.Subject}},
		Msg:    msg,
		Method: e.Method,
		Server: e.Server,
		Name:   e.Name,
		Record: &intercept.Record{ID: hex.EncodeToString(id), Time: time.Now(), Method: e.Method, Reason: e.Reason},
	}
	for _, ef := range e.Effects {
		x.AddEffect(ef)
	}
	_, _ = stage.Intercept(context.Background(), x, func(context.Context, *intercept.Exchange) (*intercept.Reply, error) {
		if e.Deny {
			return nil, &intercept.Denial{Rule: e.Rule, Code: intercept.CodeDenied, Public: e.Reason}
		}
		return &intercept.Reply{}, nil
	})
}
