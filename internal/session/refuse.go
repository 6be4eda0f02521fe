package session

import (
	"context"
	"errors"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// RecordRefusal audits a message the strict decoder refused before it
// could become an exchange (duplicate or case-variant keys, invalid
// UTF-8, a batch, bad JSON) and returns the error to send back. The
// refusal runs through the chain like any exchange, so it is recorded,
// chained and counted; no stage can let it through, since the handler at
// the end of the chain is the refusal itself.
func RecordRefusal(ctx context.Context, opts *Options, peer intercept.Peer, raw []byte, err error) []byte {
	d := &intercept.Denial{Rule: "wire.malformed", Code: intercept.CodeParseError, Public: "parse error", Detail: err.Error()}
	var we *mcpwire.Error
	if errors.As(err, &we) {
		d.Code, d.Public = we.Code, we.Message
		if we.Code == intercept.CodeInvalidRequest {
			d.Rule = "wire.invalid"
		}
	}
	var id []byte
	if we != nil {
		id = we.ID
	}
	if id == nil {
		// The decoder stops at the first fault; an id written after it
		// (last, as the TypeScript SDK writes it) is still the request's.
		if rid, method := mcpwire.RecoverID(raw, raw); method {
			id = rid
		}
	}
	if opts == nil || opts.Chain == nil {
		return errorReply(id, d)
	}
	// Stages read x.Msg; they get a stand-in with no method of theirs.
	stand, _ := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","method":"mcpwarden/refused"}`))
	x := &intercept.Exchange{
		Peer: &peer,
		Msg:  stand,
		Record: &intercept.Record{ID: newID(), Time: time.Now(), Session: peer.SessionID, Era: peer.Era,
			Transport: peer.Transport, RPCID: string(id), Method: "(refused message)", ReqBytes: len(raw)},
		Facts: map[string]any{},
	}
	_, rerr := opts.Chain.Then(func(context.Context, *intercept.Exchange) (*intercept.Reply, error) {
		return nil, d
	})(ctx, x)
	if rerr == nil {
		rerr = d // a stage answered it: still refused
	}
	return errorReply(id, rerr)
}

// Refuse is RecordRefusal for this session's client.
func (s *Session) Refuse(ctx context.Context, raw []byte, err error) []byte {
	s.mu.Lock()
	p := s.peer
	s.mu.Unlock()
	return RecordRefusal(ctx, s.opts, p, raw, err)
}
