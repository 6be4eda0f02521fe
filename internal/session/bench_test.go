package session

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// echoConn answers every call at once with an empty result. It stands in
// for the server so that the benchmark measures only the gateway's own
// work per exchange: chain, routing, audit record and id handling.
type echoConn struct{ done chan struct{} }

func (c echoConn) Call(ctx context.Context, req *mcpwire.Message, related upstream.Related) (*mcpwire.Message, error) {
	return mcpwire.Parse(mcpwire.NewResult(req.ID, []byte(`{"content":[]}`)))
}
func (echoConn) Notify(context.Context, *mcpwire.Message) error  { return nil }
func (echoConn) Respond(context.Context, *mcpwire.Message) error { return nil }
func (echoConn) SetUnsolicited(func(*mcpwire.Message))           {}
func (c echoConn) Done() <-chan struct{}                         { return c.done }
func (echoConn) Err() error                                      { return nil }
func (echoConn) Close() error                                    { return nil }

type benchBackend struct{ names []string }

func (b benchBackend) Servers() []string { return b.names }
func (b benchBackend) Dial(ctx context.Context, server string, p json.RawMessage, unsol func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, error) {
	return echoConn{done: make(chan struct{})}, json.RawMessage(`{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"b","version":"1"}}`), nil
}
func (b benchBackend) Shared(ctx context.Context, server string) (upstream.Conn, error) {
	return echoConn{done: make(chan struct{})}, nil
}

type discardStream struct{}

func (discardStream) Send([]byte) error  { return nil }
func (discardStream) Reply([]byte) error { return nil }

func benchSession(b *testing.B, servers []string, payload int) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var line []byte
	sink := func(r *intercept.Record) { line = r.AppendJSON(line[:0]) }
	opts := &Options{Backend: benchBackend{servers}, Chain: intercept.NewChain(intercept.AuditLog(sink)), Logger: log, Name: "mcpwarden", Version: "bench"}
	s := New(opts, intercept.Peer{Era: EraLegacy, Transport: "http"}, func([]byte) error { return nil })
	ctx := context.Background()
	init, _ := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "initialize", []byte(`{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}`)))
	s.Handle(ctx, init, discardStream{})
	name := "echo"
	if len(servers) > 1 {
		name = servers[0] + NameSep + "echo"
	}
	raw := mcpwire.NewRequest([]byte(`42`), "tools/call", []byte(`{"name":"`+name+`","arguments":{"text":"`+strings.Repeat("x", payload)+`"}}`))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		msg, err := mcpwire.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		s.Handle(ctx, msg, discardStream{})
	}
}

// BenchmarkExchange is one tools/call through parse, chain (audit log
// stage), routing and back, with the server answering instantly.
func BenchmarkExchange(b *testing.B) {
	b.Run("single/64B", func(b *testing.B) { benchSession(b, []string{"a"}, 64) })
	b.Run("single/64KiB", func(b *testing.B) { benchSession(b, []string{"a"}, 64<<10) })
	b.Run("aggregated/64B", func(b *testing.B) { benchSession(b, []string{"a", "b"}, 64) })
}
