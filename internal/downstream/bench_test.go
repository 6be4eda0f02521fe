package downstream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/session"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// instantConn answers every call at once: the benchmark measures the
// HTTP front end and the session, not a server.
type instantConn struct{ done chan struct{} }

func (c instantConn) Call(ctx context.Context, req *mcpwire.Message, _ upstream.Related) (*mcpwire.Message, error) {
	return mcpwire.Parse(mcpwire.NewResult(req.ID, []byte(`{"content":[{"type":"text","text":"ok"}]}`)))
}
func (instantConn) Notify(context.Context, *mcpwire.Message) error  { return nil }
func (instantConn) Respond(context.Context, *mcpwire.Message) error { return nil }
func (instantConn) SetUnsolicited(func(*mcpwire.Message))           {}
func (c instantConn) Done() <-chan struct{}                         { return c.done }
func (instantConn) Err() error                                      { return nil }
func (instantConn) Close() error                                    { return nil }

type instantBackend struct{ c instantConn }

func (instantBackend) Servers() []string { return []string{"s"} }
func (b instantBackend) Dial(context.Context, string, json.RawMessage, func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, error) {
	return b.c, json.RawMessage(`{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"s","version":"1"}}`), nil
}
func (b instantBackend) Shared(context.Context, string) (upstream.Conn, error) { return b.c, nil }

func post(b *testing.B, c *http.Client, url string, h map[string]string, body []byte) (*http.Response, []byte) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, out
}

// BenchmarkHTTPFront is one session-era tools/call over loopback HTTP
// through the client-facing handler, with an instant upstream, against a
// bare handler that reads the body and answers the same bytes.
func BenchmarkHTTPFront(b *testing.B) {
	call := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`)
	b.Run("bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			m, _ := mcpwire.Parse(body)
			w.Header().Set("Content-Type", "application/json")
			w.Write(mcpwire.NewResult(m.ID, []byte(`{"content":[{"type":"text","text":"ok"}]}`)))
		}))
		defer srv.Close()
		c := srv.Client()
		b.ReportAllocs()
		for b.Loop() {
			post(b, c, srv.URL, nil, call)
		}
	})
	b.Run("gateway", func(b *testing.B) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}},
			Chain: intercept.NewChain(intercept.AuditLog(nil)), Logger: log, Name: "mcpwarden", Version: "b"}
		h := NewHTTP(HTTPOptions{Sessions: func() *session.Options { return opts }, Logger: log})
		defer h.Close()
		srv := httptest.NewServer(h)
		defer srv.Close()
		c := srv.Client()
		resp, _ := post(b, c, srv.URL+"/mcp", nil, []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}`))
		hdr := map[string]string{"Mcp-Session-Id": resp.Header.Get("Mcp-Session-Id"), "Mcp-Protocol-Version": "2025-11-25"}
		b.ReportAllocs()
		for b.Loop() {
			if _, out := post(b, c, srv.URL+"/mcp", hdr, call); !bytes.Contains(out, []byte(`"ok"`)) {
				b.Fatalf("bad response %s", out)
			}
		}
	})
}
