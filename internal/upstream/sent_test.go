package upstream

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sender counts Sent calls and closes ch at the first.
type sender struct {
	n  atomic.Int32
	ch chan struct{}
}

func newSender() *sender { return &sender{ch: make(chan struct{})} }

func (s *sender) Sent() {
	if s.n.Add(1) == 1 {
		close(s.ch)
	}
}

func withSender(ctx context.Context, s *sender) context.Context {
	return context.WithValue(ctx, SentKey{}, Sender(s))
}

// waitSentServer is a go-sdk server whose tool answers "sent" only once
// the caller's Sender was told (or "not sent" after two seconds): a Conn
// that says so only after the answer, or never, fails the test.
func waitSentServer(s *sender) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "sent-test", Version: "v0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "wait"},
		func(ctx context.Context, req *mcp.CallToolRequest, in tagIn) (*mcp.CallToolResult, any, error) {
			select {
			case <-s.ch:
				return textResult("sent"), nil, nil
			case <-time.After(2 * time.Second):
				return textResult("not sent"), nil, nil
			}
		})
	return srv
}

// The stdio Conn tells the call's Sender once the request is written,
// while the server has it and before the answer: this server answers
// only after the Sender made a file.
func TestStdioTellsSenderBeforeTheAnswer(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "sent")
	const server = `while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  i=0
  while [ ! -e "$MARK" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done
  if [ -e "$MARK" ]; then r=true; else r=false; fi
  printf '{"jsonrpc":"2.0","id":%s,"result":{"sent":%s}}\n' "$id" "$r"
done`
	c, err := StartStdio(context.Background(), StdioOptions{Command: []string{"sh", "-c", server}, Name: "sent",
		Env: append(os.Environ(), "MARK="+mark)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := newSender()
	go func() {
		<-s.ch
		os.WriteFile(mark, nil, 0o600)
	}()
	resp, err := c.Call(withSender(testCtx(t, 10*time.Second), s), request(t, `1`, "tools/call", `{"name":"x"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Result) != `{"sent":true}` {
		t.Fatalf("the server answered before the Sender was told: %s", resp.Result)
	}
	if n := s.n.Load(); n != 1 {
		t.Fatalf("Sent called %d times", n)
	}
}

// A plain-http upstream's Conn (the direct transport) tells the call's
// Sender once the call's POST is written; notifications it POSTs with
// the same context do not.
func TestHTTPTellsSenderBeforeTheAnswer(t *testing.T) {
	s := newSender()
	srv := waitSentServer(s)
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
	})
	client, _ := newH1Client()
	c, err := DialHTTP(testCtx(t, 10*time.Second), HTTPOptions{URL: ts.URL + "/mcp", Client: client, InitParams: json.RawMessage(sessionInit)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := withSender(testCtx(t, 10*time.Second), s)
	if err := c.Notify(ctx, notification(t, "notifications/roots/list_changed", `{}`)); err != nil {
		t.Fatal(err)
	}
	if n := s.n.Load(); n != 0 {
		t.Fatalf("a notification's POST told the Sender (%d)", n)
	}
	resp, err := c.Call(ctx, request(t, `1`, "tools/call", `{"name":"wait","arguments":{"tag":"a"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if txt := resultText(t, resp); txt != "sent" || s.n.Load() != 1 {
		t.Fatalf("answer %q, Sent called %d times", txt, s.n.Load())
	}
}

// A legacy SSE upstream's Conn tells the call's Sender once the server
// took the POST, before the answer comes on the stream.
func TestSSETellsSenderBeforeTheAnswer(t *testing.T) {
	s := newSender()
	srv := waitSentServer(s)
	ts := httptest.NewServer(mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
	})
	client, _ := newTestClient(t)
	c := dialSSE(t, ts.URL+"/sse", client, "")
	resp, err := c.Call(withSender(testCtx(t, 10*time.Second), s), request(t, `1`, "tools/call", `{"name":"wait","arguments":{"tag":"a"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if txt := resultText(t, resp); txt != "sent" || s.n.Load() != 1 {
		t.Fatalf("answer %q, Sent called %d times", txt, s.n.Load())
	}
}
