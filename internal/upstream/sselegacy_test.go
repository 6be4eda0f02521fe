package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// startSSE serves a fresh test server (see newTestMCPServer) over go-sdk's
// legacy HTTP+SSE transport and returns the SSE URL.
func startSSE(t *testing.T, p *toolProbe) (string, *httptest.Server) {
	t.Helper()
	srv := newTestMCPServer(p)
	ts := httptest.NewServer(mcp.NewSSEHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	t.Cleanup(func() {
		p.releaseAll()
		ts.CloseClientConnections()
		ts.Close()
	})
	return ts.URL + "/sse", ts
}

const sseInitSampling = `{"protocolVersion":"2024-11-05","capabilities":{"sampling":{}},"clientInfo":{"name":"upstream-test","version":"0"}}`

func dialSSE(t *testing.T, u string, client *http.Client, init string) *SSEConn {
	t.Helper()
	o := SSEOptions{URL: u, Client: client}
	if init != "" {
		o.InitParams = json.RawMessage(init)
	}
	c, err := DialSSE(testCtx(t, 10*time.Second), o)
	if err != nil {
		t.Fatalf("DialSSE: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSSEBasics(t *testing.T) {
	p := newProbe()
	u, ts := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	ctx := testCtx(t, 10*time.Second)

	if v, _ := mcpwire.StringMember(c.InitializeResult(), "protocolVersion"); v != "2024-11-05" {
		t.Errorf("protocolVersion %q in %s", v, c.InitializeResult())
	}
	info, _ := mcpwire.Get(c.InitializeResult(), "serverInfo")
	if name, _ := mcpwire.StringMember(info, "name"); name != "upstream-test-server" {
		t.Errorf("serverInfo %s", info)
	}
	if ep := c.Endpoint(); !strings.HasPrefix(ep, ts.URL+"/") {
		t.Errorf("endpoint %q not under %s", ep, ts.URL)
	}
	for _, id := range testIDs {
		resp, err := c.Call(ctx, request(t, id, "tools/list", ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, id)
		if !strings.Contains(string(resp.Result), `"echo"`) {
			t.Fatalf("tools/list %s", resp.Result)
		}
		text := "hi " + strings.Trim(id, `"`)
		resp, err = c.Call(ctx, request(t, id, "tools/call", `{"name":"echo","arguments":{"text":"`+text+`"}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, id)
		if got := resultText(t, resp); got != text {
			t.Fatalf("text %q", got)
		}
	}
	// An unknown tool is an ordinary JSON-RPC answer.
	resp, err := c.Call(ctx, request(t, `"u"`, "tools/call", `{"name":"nope","arguments":{}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `"u"`)
	if resp.Kind != mcpwire.KindError && !strings.Contains(string(resp.Result), `"isError":true`) {
		t.Fatalf("want an error, got %s", resp.Raw)
	}

	c.Close()
	if !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err %v", c.Err())
	}
	if _, err := c.Call(ctx, request(t, "1", "tools/list", ""), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call after Close: %v", err)
	}
}

func TestSSERelatedSingleCall(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	var unsolicited collector
	c.SetUnsolicited(unsolicited.add)
	setLogLevel(t, c)
	var rel collector
	resp, err := c.Call(testCtx(t, 10*time.Second), request(t, `"w"`, "tools/call", `{"name":"work","arguments":{"tag":"a"},"_meta":{"progressToken":"pt"}}`), rel.add)
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `"w"`)
	if got := resultText(t, resp); got != "done a" {
		t.Fatalf("text %q", got)
	}
	// Progress by token; the log message by the one-call-in-flight
	// heuristic; all before the response.
	want := "notifications/progress,notifications/progress,notifications/progress,notifications/message"
	if got := strings.Join(rel.methods(), ","); got != want {
		t.Fatalf("related %s, want %s (unsolicited %v)", got, want, unsolicited.methods())
	}
	if ms := unsolicited.methods(); len(ms) != 0 {
		t.Fatalf("unsolicited %v", ms)
	}
}

func TestSSERelatedTwoCalls(t *testing.T) {
	p := newProbe()
	p.barrier.Add(2)
	p.barrier2.Add(2)
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	var unsolicited collector
	c.SetUnsolicited(unsolicited.add)
	setLogLevel(t, c)
	ctx := testCtx(t, 10*time.Second)

	var relA, relB collector
	var wg sync.WaitGroup
	for _, x := range []struct {
		tok string
		rel *collector
	}{{`"A"`, &relA}, {`7`, &relB}} {
		wg.Go(func() {
			resp, err := c.Call(ctx, request(t, `1`, "tools/call", `{"name":"work","arguments":{"tag":"pair"},"_meta":{"progressToken":`+x.tok+`}}`), x.rel.add)
			if err != nil {
				t.Error(err)
				return
			}
			checkID(t, resp, `1`)
		})
	}
	wg.Wait()
	for tok, rel := range map[string]*collector{`"A"`: &relA, `7`: &relB} {
		ms := rel.list()
		if len(ms) != 3 {
			t.Fatalf("token %s: related %v", tok, rel.methods())
		}
		for _, m := range ms {
			got, _ := mcpwire.Get(m.Params, "progressToken")
			if m.Method != "notifications/progress" || string(got) != tok {
				t.Fatalf("token %s got %s", tok, m.Raw)
			}
		}
	}
	// With two calls in flight a log message belongs to neither.
	if got := strings.Join(unsolicited.methods(), ","); got != "notifications/message,notifications/message" {
		t.Fatalf("unsolicited %s", got)
	}
}

func TestSSESamplingRespond(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, sseInitSampling)
	ctx := testCtx(t, 10*time.Second)
	var responders sync.WaitGroup
	var got []string
	related := func(m *mcpwire.Message) {
		got = append(got, m.Method)
		if m.Kind == mcpwire.KindRequest && m.Method == "sampling/createMessage" {
			answer := mustParse(t, mcpwire.NewResult(m.ID, []byte(`{"role":"assistant","content":{"type":"text","text":"pong"},"model":"m"}`)))
			responders.Go(func() {
				if err := c.Respond(ctx, answer); err != nil {
					t.Errorf("Respond: %v", err)
				}
			})
		}
	}
	resp, err := c.Call(ctx, request(t, `1.5`, "tools/call", `{"name":"sample","arguments":{"text":"ping"}}`), related)
	responders.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `1.5`)
	if text := resultText(t, resp); text != "sampled: pong" {
		t.Fatalf("text %q", text)
	}
	if strings.Join(got, ",") != "sampling/createMessage" {
		t.Fatalf("related %v", got)
	}
}

func TestSSECancelContext(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, request(t, `"x"`, "tools/call", `{"name":"slow","arguments":{"tag":"x"}}`), nil)
		errc <- err
	}()
	recvTag(t, p.started, "x")
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Call did not return after cancel")
	}
	recvTag(t, p.cancelled, "x") // notifications/cancelled reached the handler
	// The Conn still works.
	if _, err := c.Call(testCtx(t, 5*time.Second), request(t, "1", "tools/list", ""), nil); err != nil {
		t.Fatal(err)
	}
}

func TestSSECancelNotify(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	ctx := testCtx(t, 10*time.Second)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, request(t, `5`, "tools/call", `{"name":"slow","arguments":{"tag":"y"}}`), nil)
		errc <- err
	}()
	recvTag(t, p.started, "y")
	if err := c.Notify(ctx, notification(t, "notifications/cancelled", `{"requestId":5}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, errCancelledByClient) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Call did not return")
	}
	recvTag(t, p.cancelled, "y")
}

func TestSSEConcurrent(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	ctx := testCtx(t, 30*time.Second)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			text := "call-" + strconv.Itoa(i)
			resp, err := c.Call(ctx, request(t, `"same"`, "tools/call", `{"name":"echo","arguments":{"text":"`+text+`"}}`), nil)
			if err != nil {
				t.Error(err)
				return
			}
			if string(resp.ID) != `"same"` {
				t.Errorf("id %s", resp.ID)
			}
			if got := resultText(t, resp); got != text {
				t.Errorf("got %q want %q", got, text)
			}
		})
	}
	wg.Wait()
}

func TestSSECloseInFlight(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.Call(context.Background(), request(t, strconv.Itoa(i), "tools/call", `{"name":"slow","arguments":{"tag":"z"}}`), nil)
			errs <- err
		}()
	}
	for range n {
		recvTag(t, p.started, "z")
	}
	start := time.Now()
	c.Close()
	for range n {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("err %v", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("call did not return after Close")
		}
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Fatalf("Close took %v", d)
	}
	// The server was told: every handler saw its context end.
	for range n {
		recvTag(t, p.cancelled, "z")
	}
}

func TestSSEStreamLost(t *testing.T) {
	p := newProbe()
	u, ts := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), request(t, "1", "tools/call", `{"name":"slow","arguments":{"tag":"lost"}}`), nil)
		errc <- err
	}()
	recvTag(t, p.started, "lost")
	ts.CloseClientConnections()
	select {
	case err := <-errc:
		// ErrClosed (the stream went) or, when the POST's own connection
		// went before its 202 arrived, that transport error.
		if err == nil {
			t.Fatal("call succeeded")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("call did not fail when the stream was lost")
	}
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("Done not closed")
	}
	if c.Err() == nil || errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err %v: want the stream loss", c.Err())
	}
}

func TestSSEBigPayload(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, _ := newTestClient(t)
	c := dialSSE(t, u, client, "")
	ctx := testCtx(t, 20*time.Second)
	big := strings.Repeat("z", 1<<20)
	resp, err := c.Call(ctx, request(t, "1", "tools/call", `{"name":"echo","arguments":{"text":"`+big+`"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultText(t, resp); got != big {
		t.Fatalf("echo returned %d bytes", len(got))
	}

	small, err := DialSSE(ctx, SSEOptions{URL: u, Client: client, MaxMessageBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	// One stream carries everything: a message over the limit ends the Conn.
	_, err = small.Call(ctx, request(t, "1", "tools/call", `{"name":"big","arguments":{"n":1048576}}`), nil)
	if !errors.Is(err, ErrMessageTooLarge) || !errors.Is(err, ErrClosed) {
		t.Fatalf("err %v", err)
	}
	<-small.Done()
}

func TestSSEEndpointOrigin(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		ok       bool
	}{
		{"http://127.0.0.2:1/message", false},
		{"//evil.example/message", false},
		{"https://HOST/message", false}, // same host, other scheme
		{"http://user:pw@HOST/message", false},
		{"/message?sessionId=1", true},
		{"message?sessionId=1", true},
		{"http://HOST/message", true},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			// Not an MCP server: just enough of the transport to hand out an
			// endpoint, which is what is under test.
			var posted atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posted.Add(1)
					w.WriteHeader(http.StatusAccepted)
					return
				}
				w.Header().Set("Content-Type", "text/event-stream")
				ep := strings.ReplaceAll(tc.endpoint, "HOST", r.Host)
				fmt.Fprintf(w, "event: endpoint\ndata: %s\n\n", ep)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}))
			defer func() {
				ts.CloseClientConnections()
				ts.Close()
			}()
			// A refused endpoint fails as soon as the event arrives; an
			// accepted one waits for an answer that never comes, so its
			// deadline is what ends the dial.
			timeout := 10 * time.Second
			if tc.ok {
				timeout = 2 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			client, _ := newTestClient(t)
			c, err := DialSSE(ctx, SSEOptions{URL: ts.URL + "/sse", Client: client})
			if c != nil {
				c.Close()
			}
			if tc.ok {
				// The endpoint was accepted: initialize was POSTed there
				// (and then timed out, since no answer comes).
				if posted.Load() == 0 {
					t.Fatal("nothing was POSTed to the endpoint")
				}
				if err == nil || strings.Contains(err.Error(), "refusing endpoint") {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "refusing endpoint") {
				t.Fatalf("err %v, want a refused endpoint", err)
			}
		})
	}
}

func TestSSENoGoroutineLeak(t *testing.T) {
	p := newProbe()
	u, _ := startSSE(t, p)
	client, tr := newTestClient(t)
	check := checkNoLeak(t, tr)
	ctx := testCtx(t, 10*time.Second)
	c, err := DialSSE(ctx, SSEOptions{URL: u, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, request(t, "1", "tools/call", `{"name":"echo","arguments":{"text":"a"}}`), nil); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		c.Call(cctx, request(t, "2", "tools/call", `{"name":"slow","arguments":{"tag":"leak"}}`), nil)
		close(done)
	}()
	recvTag(t, p.started, "leak")
	cancel()
	<-done
	recvTag(t, p.cancelled, "leak")
	c.Close()
	check()
}
