package session

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// A request's exchange, peer copy, record, context value and relay are
// one allocation: an exchange through the audit stage allocates what
// parsing, the context, the ids and the upstream's answer need, no more.
func TestExchangeAllocs(t *testing.T) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var line []byte
	sink := func(r *intercept.Record) { line = r.AppendJSON(line[:0]) }
	opts := &Options{Backend: benchBackend{[]string{"a"}}, Chain: intercept.NewChain(intercept.AuditLog(sink)), Logger: log}
	s := New(opts, intercept.Peer{Era: EraLegacy, Transport: "http"}, func([]byte) error { return nil })
	ctx := context.Background()
	init, _ := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "initialize", []byte(`{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}`)))
	s.Handle(ctx, init, discardStream{})
	msg, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`42`), "tools/call", []byte(`{"name":"echo","arguments":{"text":"hi"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	// The answer (2: echoConn's) and the context (3: WithCancel's, and
	// its Done channel) are not the session's; the request, the key its
	// id is registered under, the tool's name, the record id and the
	// relay's callback are.
	const want = 10
	if n := testing.AllocsPerRun(100, func() { s.Handle(ctx, msg, discardStream{}) }); n > want {
		t.Errorf("%v allocations per exchange, want at most %d", n, want)
	}
}

// The chain's context carries the client stream and the request's
// cancellation through stages that wrap it.
func TestRequestContext(t *testing.T) {
	type key struct{}
	a := &scriptConn{name: "a"}
	a.onCall = func(ctx context.Context, req *mcpwire.Message, related upstream.Related) (*mcpwire.Message, error) {
		if ctx.Value(key{}) != "outer" {
			t.Errorf("a stage's value is lost")
		}
		related(mustMsg(t, mcpwire.NewNotification("notifications/message", []byte(`{"level":"info","data":"x"}`))))
		<-ctx.Done()
		if context.Cause(ctx) != context.Canceled {
			t.Errorf("cause %v", context.Cause(ctx))
		}
		return nil, ctx.Err()
	}
	s := newTestSessionWith(t, func(o *Options) {
		o.Chain = intercept.NewChain(intercept.AuditLog(nil), intercept.Func{N: "wrap", F: func(ctx context.Context, x *intercept.Exchange, next intercept.Handler) (*intercept.Reply, error) {
			ctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, "outer"))
			defer cancel()
			return next(ctx, x)
		}})
	}, a)
	st := chanStream{make(chan []byte, 4)}
	s.Go(context.Background(), mustMsg(t, []byte(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"t"}}`)), st)
	if m := recv(t, st.ch); m.Method != "notifications/message" {
		t.Fatalf("client got %s, want the server's notification on the request's stream", m.Raw)
	}
	s.Handle(context.Background(), mustMsg(t, []byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}`)), nil)
	s.Wait()
}

// A stage that sends an exchange upstream twice gets two replies: the
// second forward does not reuse the first one's state.
func TestForwardTwice(t *testing.T) {
	a := &scriptConn{name: "a"}
	n := 0
	a.onCall = func(ctx context.Context, req *mcpwire.Message, related upstream.Related) (*mcpwire.Message, error) {
		n++
		return mcpwire.Parse(mcpwire.NewResult(req.ID, []byte(`{"n":`+strings.Repeat("1", n)+`}`)))
	}
	var first, second *intercept.Reply
	s := newTestSessionWith(t, func(o *Options) {
		o.Chain = intercept.NewChain(intercept.Func{N: "twice", F: func(ctx context.Context, x *intercept.Exchange, next intercept.Handler) (*intercept.Reply, error) {
			if x.Method != "tools/call" {
				return next(ctx, x)
			}
			var err error
			if first, err = next(ctx, x); err != nil {
				return nil, err
			}
			second, err = next(ctx, x)
			return second, err
		}})
	}, a)
	st := chanStream{make(chan []byte, 4)}
	s.Handle(context.Background(), mustMsg(t, []byte(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"t"}}`)), st)
	recv(t, st.ch)
	if first == second || string(first.Msg.Result) != `{"n":1}` || string(second.Msg.Result) != `{"n":11}` {
		t.Fatalf("replies %s and %s", first.Msg.Result, second.Msg.Result)
	}
}

// The record's rpc_id is the id as the client wrote it, also when its
// registration key is another spelling of it.
func TestRecordRPCID(t *testing.T) {
	records := make(chan intercept.Record, 4)
	s := newTestSessionWith(t, func(o *Options) {
		o.Chain = intercept.NewChain(intercept.AuditLog(func(r *intercept.Record) { records <- *r }))
	}, &scriptConn{name: "a"})
	<-records // initialize
	for _, id := range []string{`7`, `"plain"`, `"a\u0062"`, `-1.5e3`} {
		st := chanStream{make(chan []byte, 1)}
		s.Handle(context.Background(), mustMsg(t, []byte(`{"jsonrpc":"2.0","id":`+id+`,"method":"ping"}`)), st)
		recv(t, st.ch)
		if r := <-records; r.RPCID != id {
			t.Errorf("rpc_id %s, want %s", r.RPCID, id)
		}
	}
}

// A tool or prompt result that cannot name a resource item comes back as
// it is, without its items decoded; one that can, also through escapes,
// gets its URIs prefixed as the full rewrite does.
func TestPrefixResultURIsFastPath(t *testing.T) {
	full := func(method string, res []byte) []byte {
		var out []byte
		var err error
		if method == "tools/call" {
			out, err = rewriteArray(res, "content", func(c []byte) ([]byte, error) { return prefixContent("a", c) })
		} else {
			out, err = rewriteArray(res, "messages", func(m []byte) ([]byte, error) {
				content, ok := mcpwire.Get(m, "content")
				if !ok {
					return m, nil
				}
				nc, err := prefixContent("a", content)
				if err != nil {
					return nil, err
				}
				return mcpwire.Set(m, "content", nc)
			})
		}
		if err != nil {
			return res
		}
		return out
	}
	for _, tc := range []struct{ method, res string }{
		{"tools/call", `{"content":[{"type":"text","text":"hi"}]}`},
		{"tools/call", `{"content":[{"type":"resource_link","uri":"file:///x","name":"x"}]}`},
		{"tools/call", `{"content":[{"type":"\u0072esource_link","uri":"file:///x","name":"x"}]}`},
		{"tools/call", `{"content":[{"type":"resource","resource":{"uri":"file:///y","text":"t"}}]}`},
		{"tools/call", `{"content":[{"type":"text","text":"a resource"}]}`},
		{"prompts/get", `{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}]}`},
		{"prompts/get", `{"messages":[{"role":"user","content":{"type":"resource_link","uri":"file:///z","name":"z"}}]}`},
	} {
		m := mustMsg(t, mcpwire.NewResult([]byte(`1`), []byte(tc.res)))
		reply := &intercept.Reply{Msg: m}
		got := prefixResultURIs("a", tc.method, reply)
		want := full(tc.method, m.Result)
		if string(got.Msg.Result) != string(want) {
			t.Errorf("%s %s: %s, want %s", tc.method, tc.res, got.Msg.Result, want)
		}
		if string(want) == tc.res && got != reply {
			t.Errorf("%s %s: unchanged result in a new reply", tc.method, tc.res)
		}
	}
	m := mustMsg(t, mcpwire.NewResult([]byte(`1`), []byte(`{"content":[{"type":"text","text":"hi"}]}`)))
	reply := &intercept.Reply{Msg: m}
	if n := testing.AllocsPerRun(100, func() { prefixResultURIs("a", "tools/call", reply) }); n != 0 {
		t.Errorf("%v allocations for a result without resources", n)
	}
}
