package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ---- helpers shared by the HTTP and legacy SSE tests ----

// sessionInit are initialize params for the session era; they declare the
// client capabilities the server-initiated requests need.
const sessionInit = `{"protocolVersion":"2025-11-25","capabilities":{"sampling":{},"elicitation":{}},"clientInfo":{"name":"upstream-test","version":"0"}}`

// modernMeta is the _meta every 2026-07-28 request carries (keys as in
// go-sdk's conformance txtars, e.g. mcp/testdata/conformance/server/mrtr.txtar).
const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"upstream-test","version":"0"},"io.modelcontextprotocol/clientCapabilities":{}}`

// testIDs are the caller ids whose bytes must come back unchanged.
var testIDs = []string{`1`, `"abc"`, `12345678901234567890`, `1.5`}

func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// newTestClient gives each test its own connection pool, so that idle
// keep-alive connections can be closed when counting goroutines.
func newTestClient(t *testing.T) (*http.Client, *http.Transport) {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, tr
}

func mustParse(t testing.TB, raw []byte) *mcpwire.Message {
	t.Helper()
	m, err := mcpwire.Parse(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", raw, err)
	}
	return m
}

func request(t testing.TB, id, method, params string) *mcpwire.Message {
	t.Helper()
	var p []byte
	if params != "" {
		p = []byte(params)
	}
	return mustParse(t, mcpwire.NewRequest([]byte(id), method, p))
}

func notification(t testing.TB, method, params string) *mcpwire.Message {
	t.Helper()
	return mustParse(t, mcpwire.NewNotification(method, []byte(params)))
}

// resultText returns the text of the first content block of a tools/call
// result.
func resultText(t testing.TB, m *mcpwire.Message) string {
	t.Helper()
	if m.Kind != mcpwire.KindResponse {
		t.Fatalf("want a result, got %s: %s", m.Kind, m.Raw)
	}
	var r struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(m.Result, &r); err != nil {
		t.Fatalf("decode result %s: %v", m.Result, err)
	}
	if len(r.Content) == 0 {
		t.Fatalf("no content in %s", m.Result)
	}
	if r.IsError {
		t.Fatalf("tool error: %s", m.Result)
	}
	return r.Content[0].Text
}

func checkID(t testing.TB, m *mcpwire.Message, want string) {
	t.Helper()
	if !bytes.Equal(m.ID, []byte(want)) {
		t.Fatalf("id = %s, want %s (message %s)", m.ID, want, m.Raw)
	}
}

// collector gathers messages from callbacks.
type collector struct {
	mu   sync.Mutex
	msgs []*mcpwire.Message
}

func (c *collector) add(m *mcpwire.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) list() []*mcpwire.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*mcpwire.Message(nil), c.msgs...)
}

func (c *collector) methods() []string {
	var out []string
	for _, m := range c.list() {
		out = append(out, m.Method)
	}
	return out
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkNoLeak records the goroutine count and returns a check that the
// count came back to it (after idle connections are closed).
func checkNoLeak(t *testing.T, trs ...*http.Transport) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		ok := waitFor(5*time.Second, func() bool {
			for _, tr := range trs {
				tr.CloseIdleConnections()
			}
			return runtime.NumGoroutine() <= before
		})
		if !ok {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// ---- the go-sdk everything-server as a separate process ----

// everythingServerPath finds the go-sdk everything-server: $EVERYTHING_SERVER,
// the repository's .peers/bin (scripts/setup), $PATH, then GOPATH/bin. A
// missing peer fails the test (run scripts/setup), it does not skip it.
func everythingServerPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("EVERYTHING_SERVER"); p != "" {
		return p
	}
	candidates := []string{filepath.Join("..", "..", ".peers", "bin", "everything-server")}
	if p, err := exec.LookPath("everything-server"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, filepath.Join(build.Default.GOPATH, "bin", "everything-server"))
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			abs, _ := filepath.Abs(p)
			return abs
		}
	}
	t.Fatal("everything-server not found: run scripts/setup (or go install github.com/modelcontextprotocol/go-sdk/conformance/everything-server@v1.8.0)")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startEverything runs everything-server on a free port and returns its
// MCP URL.
func startEverything(t *testing.T, stateless bool) string {
	t.Helper()
	bin := everythingServerPath(t)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "-http="+addr, "-stateless="+strconv.FormatBool(stateless))
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("everything-server stderr:\n%s", stderr.String())
		}
	})
	up := waitFor(10*time.Second, func() bool {
		select {
		case <-exited:
			return true
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	select {
	case <-exited:
		t.Fatalf("everything-server exited: %s", stderr.String())
	default:
	}
	if !up {
		t.Fatalf("everything-server did not listen on %s", addr)
	}
	return "http://" + addr + "/mcp"
}

// ---- an in-process go-sdk server for targeted cases ----

type textIn struct {
	Text string `json:"text"`
}

type tagIn struct {
	Tag string `json:"tag"`
}

type sizeIn struct {
	N int `json:"n"`
}

// toolProbe lets tests observe the in-process server's tool handlers.
type toolProbe struct {
	started   chan string    // slow: tag, when the handler runs
	cancelled chan string    // slow: tag, when its context ends
	barrier   sync.WaitGroup // work "pair": both handlers started
	barrier2  sync.WaitGroup // work "pair": both handlers sent their messages
	release   chan struct{}  // closed at cleanup: ends every slow handler
	once      sync.Once
}

func newProbe() *toolProbe {
	return &toolProbe{started: make(chan string, 128), cancelled: make(chan string, 128), release: make(chan struct{})}
}

func (p *toolProbe) releaseAll() { p.once.Do(func() { close(p.release) }) }

func textResult(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

// newTestMCPServer builds a go-sdk server with tools for the targeted
// transport cases.
func newTestMCPServer(p *toolProbe) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "upstream-test-server", Version: "v0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "returns its text"},
		func(ctx context.Context, req *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
			return textResult(in.Text), nil, nil
		})
	// work sends three progress notifications (when the call has a
	// progress token) and one log message, then answers "done <tag>".
	// With tag "pair" it waits until two "pair" calls run before sending
	// and until both have sent before answering.
	mcp.AddTool(s, &mcp.Tool{Name: "work", Description: "progress and a log during the call"},
		func(ctx context.Context, req *mcp.CallToolRequest, in tagIn) (*mcp.CallToolResult, any, error) {
			if in.Tag == "pair" {
				p.barrier.Done()
				p.barrier.Wait()
			}
			tok := req.Params.GetProgressToken()
			for i := range 3 {
				if tok != nil {
					req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(i + 1), Total: 3})
				}
			}
			req.Session.Log(ctx, &mcp.LoggingMessageParams{Level: "info", Data: "working " + in.Tag})
			if in.Tag == "pair" {
				p.barrier2.Done()
				p.barrier2.Wait()
			}
			return textResult("done " + in.Tag), nil, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "slow", Description: "blocks until cancelled"},
		func(ctx context.Context, req *mcp.CallToolRequest, in tagIn) (*mcp.CallToolResult, any, error) {
			p.started <- in.Tag
			select {
			case <-ctx.Done():
				p.cancelled <- in.Tag
				return nil, nil, ctx.Err()
			case <-p.release:
				return nil, nil, errors.New("released")
			}
		})
	mcp.AddTool(s, &mcp.Tool{Name: "sample", Description: "asks the client to sample"},
		func(ctx context.Context, req *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
			res, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{
				Messages:  []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: in.Text}}},
				MaxTokens: 10,
			})
			if err != nil {
				return nil, nil, err
			}
			tc, _ := res.Content.(*mcp.TextContent)
			if tc == nil {
				return nil, nil, errors.New("no text")
			}
			return textResult("sampled: " + tc.Text), nil, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "big", Description: "returns n bytes of text"},
		func(ctx context.Context, req *mcp.CallToolRequest, in sizeIn) (*mcp.CallToolResult, any, error) {
			return textResult(strings.Repeat("x", in.N)), nil, nil
		})
	// drop closes the request's SSE stream (SEP-1699), then sends progress
	// and answers: the client must resume with GET + Last-Event-ID.
	mcp.AddTool(s, &mcp.Tool{Name: "drop", Description: "closes its response stream mid-call"},
		func(ctx context.Context, req *mcp.CallToolRequest, in tagIn) (*mcp.CallToolResult, any, error) {
			if tok := req.Params.GetProgressToken(); tok != nil {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: 1})
			}
			if req.Extra != nil && req.Extra.CloseSSEStream != nil {
				req.Extra.CloseSSEStream(mcp.CloseSSEStreamArgs{RetryAfter: 20 * time.Millisecond})
			}
			time.Sleep(100 * time.Millisecond)
			if tok := req.Params.GetProgressToken(); tok != nil {
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: 2})
			}
			return textResult("resumed " + in.Tag), nil, nil
		})
	return s
}

// startStreamable serves a fresh test server over Streamable HTTP.
func startStreamable(t *testing.T, p *toolProbe, opts *mcp.StreamableHTTPOptions) string {
	t.Helper()
	srv := newTestMCPServer(p)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, opts)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		p.releaseAll()
		ts.CloseClientConnections()
		ts.Close()
	})
	return ts.URL + "/mcp"
}

func dialSession(t *testing.T, url string, client *http.Client) *HTTPConn {
	t.Helper()
	c, err := DialHTTP(testCtx(t, 10*time.Second), HTTPOptions{URL: url, Client: client, InitParams: json.RawMessage(sessionInit)})
	if err != nil {
		t.Fatalf("DialHTTP: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func setLogLevel(t *testing.T, c Conn) {
	t.Helper()
	resp, err := c.Call(testCtx(t, 5*time.Second), request(t, `"lvl"`, "logging/setLevel", `{"level":"debug"}`), nil)
	if err != nil || resp.Kind != mcpwire.KindResponse {
		t.Fatalf("logging/setLevel: %v %v", resp, err)
	}
}

// ---- Streamable HTTP, session era, against everything-server ----

func TestHTTPSessionEverything(t *testing.T) {
	u := startEverything(t, false)
	client, _ := newTestClient(t)
	c := dialSession(t, u, client)
	var unsolicited collector
	c.SetUnsolicited(unsolicited.add)
	ctx := testCtx(t, 30*time.Second)

	if v, _ := mcpwire.StringMember(c.InitializeResult(), "protocolVersion"); v != "2025-11-25" {
		t.Errorf("negotiated %q, want 2025-11-25 (result %s)", v, c.InitializeResult())
	}
	if _, ok := mcpwire.Get(c.InitializeResult(), "serverInfo"); !ok {
		t.Errorf("initialize result has no serverInfo: %s", c.InitializeResult())
	}
	if c.SessionID() == "" {
		t.Fatal("no session id")
	}

	for _, id := range testIDs {
		resp, err := c.Call(ctx, request(t, id, "tools/list", ""), nil)
		if err != nil {
			t.Fatalf("tools/list id %s: %v", id, err)
		}
		checkID(t, resp, id)
		if !bytes.Contains(resp.Result, []byte(`"test_simple_text"`)) {
			t.Fatalf("tools/list lacks test_simple_text: %.200s", resp.Result)
		}
		resp, err = c.Call(ctx, request(t, id, "tools/call", `{"name":"test_simple_text","arguments":{}}`), nil)
		if err != nil {
			t.Fatalf("tools/call id %s: %v", id, err)
		}
		checkID(t, resp, id)
		if got := resultText(t, resp); got != "This is a simple text response for testing." {
			t.Fatalf("text = %q", got)
		}
	}

	t.Run("logging", func(t *testing.T) {
		setLogLevel(t, c)
		var rel collector
		resp, err := c.Call(ctx, request(t, `"log-1"`, "tools/call", `{"name":"test_tool_with_logging","arguments":{}}`), rel.add)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `"log-1"`)
		var data []string
		for _, m := range rel.list() {
			if m.Method != "notifications/message" {
				t.Fatalf("unexpected related %s", m.Raw)
			}
			s, _ := mcpwire.StringMember(m.Params, "data")
			data = append(data, s)
		}
		want := []string{"Tool execution started", "Tool processing data", "Tool execution completed"}
		if strings.Join(data, "|") != strings.Join(want, "|") {
			t.Fatalf("log data %q, want %q", data, want)
		}
	})

	t.Run("progress", func(t *testing.T) {
		var rel collector
		resp, err := c.Call(ctx, request(t, `9`, "tools/call", `{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"tok-1"}}`), rel.add)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `9`)
		if got := resultText(t, resp); got != "tok-1" {
			t.Fatalf("text = %q", got)
		}
		var progress []string
		for _, m := range rel.list() {
			if m.Method != "notifications/progress" {
				t.Fatalf("unexpected related %s", m.Raw)
			}
			v, _ := mcpwire.Get(m.Params, "progress")
			progress = append(progress, string(v))
		}
		if strings.Join(progress, ",") != "0,50,100" {
			t.Fatalf("progress %v", progress)
		}
	})

	t.Run("sampling", func(t *testing.T) {
		var rel collector
		var responders sync.WaitGroup
		related := func(m *mcpwire.Message) {
			rel.add(m)
			if m.Kind == mcpwire.KindRequest && m.Method == "sampling/createMessage" {
				answer := mustParse(t, mcpwire.NewResult(m.ID, []byte(`{"role":"assistant","content":{"type":"text","text":"hello from the test"},"model":"test-model","stopReason":"endTurn"}`)))
				responders.Go(func() {
					if err := c.Respond(ctx, answer); err != nil {
						t.Errorf("Respond: %v", err)
					}
				})
			}
		}
		resp, err := c.Call(ctx, request(t, `"s"`, "tools/call", `{"name":"test_sampling","arguments":{"prompt":"hi"}}`), related)
		responders.Wait()
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `"s"`)
		if got := resultText(t, resp); got != "LLM response: hello from the test" {
			t.Fatalf("text = %q", got)
		}
		if ms := rel.methods(); len(ms) != 1 || ms[0] != "sampling/createMessage" {
			t.Fatalf("related %v", ms)
		}
	})

	t.Run("unsolicited", func(t *testing.T) {
		resp, err := c.Call(ctx, request(t, `"t"`, "tools/call", `{"name":"test_trigger_tool_change","arguments":{}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		resultText(t, resp)
		if !waitFor(5*time.Second, func() bool {
			for _, m := range unsolicited.methods() {
				if m == "notifications/tools/list_changed" {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("no tools/list_changed on the GET stream; unsolicited: %v", unsolicited.methods())
		}
	})

	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed")
	}
	if !errors.Is(c.Err(), ErrClosed) {
		t.Errorf("Err = %v", c.Err())
	}
	if _, err := c.Call(ctx, request(t, "1", "tools/list", ""), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Call after Close: %v", err)
	}
}

// ---- Streamable HTTP, stateless (2026-07-28), against everything-server ----

func TestHTTPStatelessEverything(t *testing.T) {
	backend := startEverything(t, true)
	// Record the headers the Conn sends. (Not with an httputil.ReverseProxy
	// in front: its transport probes the inbound body for EOF after the
	// backend has answered, finds it closed and tears down the backend
	// connection mid-response now and then.)
	client, tr := newTestClient(t)
	var mu sync.Mutex
	var seen []http.Header
	client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		return tr.RoundTrip(r)
	})
	lastHeaders := func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) == 0 {
			return http.Header{}
		}
		return seen[len(seen)-1]
	}

	ctx := testCtx(t, 30*time.Second)
	c, err := DialHTTP(ctx, HTTPOptions{URL: backend, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.InitializeResult() != nil || c.SessionID() != "" {
		t.Fatal("stateless conn has session state")
	}
	mu.Lock()
	if len(seen) != 0 {
		t.Fatalf("stateless Dial sent %d requests", len(seen))
	}
	mu.Unlock()

	for _, id := range testIDs {
		resp, err := c.Call(ctx, request(t, id, "tools/list", `{`+modernMeta+`}`), nil)
		if err != nil {
			t.Fatalf("tools/list: %v", err)
		}
		checkID(t, resp, id)
		if !bytes.Contains(resp.Result, []byte(`"test_simple_text"`)) {
			t.Fatalf("tools/list: %.300s", resp.Raw)
		}
		h := lastHeaders()
		if h.Get("Mcp-Method") != "tools/list" || h.Get("Mcp-Protocol-Version") != "2026-07-28" || h.Get("Mcp-Name") != "" || h.Get("Mcp-Session-Id") != "" {
			t.Fatalf("tools/list headers: %v", h)
		}

		resp, err = c.Call(ctx, request(t, id, "tools/call", `{`+modernMeta+`,"name":"test_simple_text","arguments":{}}`), nil)
		if err != nil {
			t.Fatalf("tools/call: %v", err)
		}
		checkID(t, resp, id)
		if got := resultText(t, resp); got != "This is a simple text response for testing." {
			t.Fatalf("text %q", got)
		}
		if rt, _ := mcpwire.StringMember(resp.Result, "resultType"); rt != "complete" {
			t.Errorf("resultType %q in %s", rt, resp.Result)
		}
		h = lastHeaders()
		if h.Get("Mcp-Method") != "tools/call" || h.Get("Mcp-Name") != "test_simple_text" || h.Get("Mcp-Protocol-Version") != "2026-07-28" {
			t.Fatalf("tools/call headers: %v", h)
		}
		if h.Get("Accept") != "application/json, text/event-stream" || h.Get("Content-Type") != "application/json" {
			t.Fatalf("tools/call headers: %v", h)
		}
	}

	t.Run("progress", func(t *testing.T) {
		var rel collector
		resp, err := c.Call(ctx, request(t, `"p"`, "tools/call", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"progressToken":5},"name":"test_tool_with_progress","arguments":{}}`), rel.add)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `"p"`)
		if got := resultText(t, resp); got != "5" {
			t.Fatalf("text %q", got)
		}
		if ms := rel.methods(); len(ms) != 3 || ms[0] != "notifications/progress" {
			t.Fatalf("related %v", ms)
		}
	})

	t.Run("resource name header", func(t *testing.T) {
		resp, err := c.Call(ctx, request(t, `"r"`, "resources/read", `{`+modernMeta+`,"uri":"test://static-text"}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `"r"`)
		if resp.Kind != mcpwire.KindResponse {
			t.Fatalf("resources/read: %s", resp.Raw)
		}
		if h := lastHeaders(); h.Get("Mcp-Name") != "test://static-text" || h.Get("Mcp-Method") != "resources/read" {
			t.Fatalf("headers %v", h)
		}
	})

	t.Run("non-ASCII name", func(t *testing.T) {
		// The header carries the =?base64?…?= form. go-sdk v1.8.0 compares
		// Mcp-Name with the body without decoding it and answers 400 with a
		// JSON-RPC HeaderMismatch error; a server that decodes answers
		// "unknown tool". Either way the Conn must hand back a JSON-RPC error
		// with the caller's id.
		resp, err := c.Call(ctx, request(t, `"n"`, "tools/call", `{`+modernMeta+`,"name":"café","arguments":{}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, `"n"`)
		if h := lastHeaders(); h.Get("Mcp-Name") != "=?base64?Y2Fmw6k=?=" {
			t.Fatalf("Mcp-Name %q", h.Get("Mcp-Name"))
		}
		if resp.Kind != mcpwire.KindError && !bytes.Contains(resp.Result, []byte(`"isError":true`)) {
			t.Fatalf("want an error, got %s", resp.Raw)
		}
		t.Logf("server answered: %s", resp.Raw)
	})
}

// ---- targeted cases against an in-process go-sdk server ----

func TestHTTPRelatedInOrder(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
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
	got := strings.Join(rel.methods(), ",")
	want := "notifications/progress,notifications/progress,notifications/progress,notifications/message"
	if got != want {
		t.Fatalf("related %s, want %s", got, want)
	}
	for i, m := range rel.list()[:3] {
		if v, _ := mcpwire.Get(m.Params, "progress"); string(v) != strconv.Itoa(i+1) {
			t.Fatalf("progress %d = %s", i, v)
		}
	}
}

func TestHTTPSamplingRespond(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
	ctx := testCtx(t, 10*time.Second)
	var serverReq *mcpwire.Message
	var responders sync.WaitGroup
	related := func(m *mcpwire.Message) {
		if m.Kind != mcpwire.KindRequest || m.Method != "sampling/createMessage" {
			t.Errorf("unexpected related %s", m.Raw)
			return
		}
		serverReq = m
		answer := mustParse(t, mcpwire.NewResult(m.ID, []byte(`{"role":"assistant","content":{"type":"text","text":"pong"},"model":"m"}`)))
		responders.Go(func() {
			if err := c.Respond(ctx, answer); err != nil {
				t.Errorf("Respond: %v", err)
			}
		})
	}
	resp, err := c.Call(ctx, request(t, `12345678901234567890`, "tools/call", `{"name":"sample","arguments":{"text":"ping"}}`), related)
	responders.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `12345678901234567890`)
	if got := resultText(t, resp); got != "sampled: pong" {
		t.Fatalf("text %q", got)
	}
	if serverReq == nil {
		t.Fatal("no sampling request")
	}
}

func TestHTTPCancelContext(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, request(t, `1`, "tools/call", `{"name":"slow","arguments":{"tag":"x"}}`), nil)
		errc <- err
	}()
	recvTag(t, p.started, "x")
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Call did not return after cancel")
	}
	// notifications/cancelled reached the server: the handler's context ended.
	recvTag(t, p.cancelled, "x")
}

func TestHTTPCancelNotify(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
	ctx := testCtx(t, 10*time.Second)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, request(t, `"c-1"`, "tools/call", `{"name":"slow","arguments":{"tag":"y"}}`), nil)
		errc <- err
	}()
	recvTag(t, p.started, "y")
	// A cancellation for an id that is not in flight is dropped (it must not
	// reach the server as is: it could name one of the Conn's own ids).
	if err := c.Notify(ctx, notification(t, "notifications/cancelled", `{"requestId":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Notify(ctx, notification(t, "notifications/cancelled", `{"requestId":"c-1","reason":"user"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, errCancelledByClient) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Call did not return after notifications/cancelled")
	}
	recvTag(t, p.cancelled, "y")
}

func recvTag(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("got tag %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %q", want)
	}
}

func TestHTTPSessionExpired(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	// The server forgets sessions idle for 200ms.
	c := dialSession(t, startStreamable(t, p, &mcp.StreamableHTTPOptions{SessionTimeout: 200 * time.Millisecond}), client)
	ctx := testCtx(t, 10*time.Second)
	if _, err := c.Call(ctx, request(t, "1", "tools/list", ""), nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	_, err := c.Call(ctx, request(t, "2", "tools/list", ""), nil)
	if !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("err = %v, want ErrSessionExpired", err)
	}
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("Done not closed after expiry")
	}
	if !errors.Is(c.Err(), ErrSessionExpired) {
		t.Fatalf("Err = %v", c.Err())
	}
	if _, err := c.Call(ctx, request(t, "3", "tools/list", ""), nil); !errors.Is(err, ErrClosed) || !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("Call after expiry: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestHTTPBigPayload(t *testing.T) {
	const mib = 1 << 20
	for _, jsonResp := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", jsonResp), func(t *testing.T) {
			p := newProbe()
			client, _ := newTestClient(t)
			u := startStreamable(t, p, &mcp.StreamableHTTPOptions{JSONResponse: jsonResp})
			c := dialSession(t, u, client)
			ctx := testCtx(t, 20*time.Second)
			big := strings.Repeat("y", mib)
			resp, err := c.Call(ctx, request(t, `"big"`, "tools/call", `{"name":"echo","arguments":{"text":"`+big+`"}}`), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkID(t, resp, `"big"`)
			if got := resultText(t, resp); got != big {
				t.Fatalf("echo returned %d bytes", len(got))
			}

			small, err := DialHTTP(ctx, HTTPOptions{URL: u, Client: client, InitParams: json.RawMessage(sessionInit), MaxMessageBytes: 256 << 10})
			if err != nil {
				t.Fatal(err)
			}
			defer small.Close()
			_, err = small.Call(ctx, request(t, "1", "tools/call", `{"name":"big","arguments":{"n":1048576}}`), nil)
			if !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("err = %v, want ErrMessageTooLarge", err)
			}
			// The Conn stays usable.
			resp, err = small.Call(ctx, request(t, "2", "tools/call", `{"name":"big","arguments":{"n":10}}`), nil)
			if err != nil || resultText(t, resp) != "xxxxxxxxxx" {
				t.Fatalf("after a too-large message: %v %v", resp, err)
			}
		})
	}
}

func TestHTTPJSONResponseIDs(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, &mcp.StreamableHTTPOptions{JSONResponse: true}), client)
	ctx := testCtx(t, 10*time.Second)
	for _, id := range testIDs {
		resp, err := c.Call(ctx, request(t, id, "tools/call", `{"name":"echo","arguments":{"text":"j"}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkID(t, resp, id)
		if resultText(t, resp) != "j" {
			t.Fatal(resp.Raw)
		}
	}
}

func TestHTTPErrorStatusWithJSONRPCBody(t *testing.T) {
	// A stateful go-sdk server refuses a request carrying the modern _meta
	// version with 400 and a JSON-RPC error (-32022): it must come back as
	// the call's response, with the caller's id.
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
	resp, err := c.Call(testCtx(t, 10*time.Second), request(t, `"m"`, "tools/list", `{`+modernMeta+`}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `"m"`)
	if resp.Kind != mcpwire.KindError {
		t.Fatalf("want error, got %s", resp.Raw)
	}
	if code, _ := mcpwire.Get(resp.Error, "code"); string(code) != "-32022" {
		t.Fatalf("code %s in %s", code, resp.Raw)
	}
	// The Conn is still fine.
	if _, err := c.Call(testCtx(t, 5*time.Second), request(t, "1", "tools/list", ""), nil); err != nil {
		t.Fatal(err)
	}
}

func TestHTTPResume(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	u := startStreamable(t, p, &mcp.StreamableHTTPOptions{EventStore: mcp.NewMemoryEventStore(nil)})
	c := dialSession(t, u, client)
	var rel collector
	resp, err := c.Call(testCtx(t, 10*time.Second), request(t, `1.5`, "tools/call", `{"name":"drop","arguments":{"tag":"r"},"_meta":{"progressToken":1}}`), rel.add)
	if err != nil {
		t.Fatal(err)
	}
	checkID(t, resp, `1.5`)
	if got := resultText(t, resp); got != "resumed r" {
		t.Fatalf("text %q", got)
	}
	var progress []string
	for _, m := range rel.list() {
		v, _ := mcpwire.Get(m.Params, "progress")
		progress = append(progress, string(v))
	}
	if strings.Join(progress, ",") != "1,2" {
		t.Fatalf("progress %v (related %v)", progress, rel.methods())
	}
}

func TestHTTPConcurrent(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
	ctx := testCtx(t, 30*time.Second)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			// Every caller uses the same id: the Conn's remapping keeps them apart.
			text := fmt.Sprintf("call-%d", i)
			resp, err := c.Call(ctx, request(t, `7`, "tools/call", `{"name":"echo","arguments":{"text":"`+text+`"}}`), nil)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(resp.ID, []byte("7")) {
				errs <- fmt.Errorf("id %s", resp.ID)
				return
			}
			if got := resultText(t, resp); got != text {
				errs <- fmt.Errorf("got %q, want %q", got, text)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHTTPCloseInFlight(t *testing.T) {
	p := newProbe()
	client, _ := newTestClient(t)
	c := dialSession(t, startStreamable(t, p, nil), client)
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
				t.Fatalf("err = %v, want ErrClosed", err)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("in-flight call did not return after Close")
		}
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Fatalf("Close took %v", d)
	}
}

func TestHTTPNoGoroutineLeak(t *testing.T) {
	p := newProbe()
	client, tr := newTestClient(t)
	u := startStreamable(t, p, nil)
	u2 := startStreamable(t, p, &mcp.StreamableHTTPOptions{Stateless: true})
	check := checkNoLeak(t, tr)

	c, err := DialHTTP(testCtx(t, 5*time.Second), HTTPOptions{URL: u, Client: client, InitParams: json.RawMessage(sessionInit)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t, 10*time.Second)
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

	s, err := DialHTTP(ctx, HTTPOptions{URL: u2, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Call(ctx, request(t, "1", "tools/call", `{`+modernMeta+`,"name":"echo","arguments":{"text":"a"}}`), nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	check()
}

func TestHTTPDialErrors(t *testing.T) {
	if _, err := DialHTTP(context.Background(), HTTPOptions{URL: "ftp://x"}); err == nil {
		t.Fatal("ftp URL accepted")
	}
	// Nothing listens there.
	u := fmt.Sprintf("http://127.0.0.1:%d/mcp", freePort(t))
	_, err := DialHTTP(testCtx(t, 5*time.Second), HTTPOptions{URL: u, InitParams: json.RawMessage(sessionInit)})
	if err == nil || !strings.Contains(err.Error(), "upstream http: initialize") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncodeHeaderValue(t *testing.T) {
	for in, want := range map[string]string{
		"test_simple_text":   "test_simple_text",
		"café":               "=?base64?Y2Fmw6k=?=",
		" lead":              "=?base64?IGxlYWQ=?=",
		"tab\tinside":        "=?base64?dGFiCWluc2lkZQ==?=",
		"=?base64?abc?=":     "=?base64?PT9iYXNlNjQ/YWJjPz0=?=",
		"test://static-text": "test://static-text",
		"":                   "",
	} {
		if got := encodeHeaderValue(in); got != want {
			t.Errorf("encodeHeaderValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParamHeaders(t *testing.T) {
	ctx := WithParamHeaders(context.Background(), http.Header{"Mcp-Param-Region": {"eu"}, "Authorization": {"Bearer x"}})
	h := http.Header{}
	addParamHeaders(ctx, h)
	if h.Get("Mcp-Param-Region") != "eu" || h.Get("Authorization") != "" {
		t.Fatalf("headers %v", h)
	}
}

// TestHTTPRequestHeaders: every request carries the configured headers
// (a lower-case key arrives canonical), the session's id and version once
// negotiated, and a POST's content type and Accept; the values, shared by
// all requests, are the same on the last request as on the first.
func TestHTTPRequestHeaders(t *testing.T) {
	srv := newTestMCPServer(newProbe())
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil)
	var mu sync.Mutex
	var seen []http.Header
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			seen = append(seen, r.Header.Clone())
			mu.Unlock()
		}
		sdk.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { ts.CloseClientConnections(); ts.Close() })
	client, _ := newTestClient(t)
	c, err := DialHTTP(testCtx(t, 10*time.Second), HTTPOptions{URL: ts.URL + "/mcp", Client: client,
		InitParams: json.RawMessage(sessionInit), Headers: map[string]string{"x-api-key": "k1", "X-Tenant": "t"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for i := range 3 {
		if _, err := c.Call(testCtx(t, 5*time.Second), request(t, strconv.Itoa(i), "tools/list", ""), nil); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 5 { // initialize, notifications/initialized, three calls
		t.Fatalf("%d POSTs seen", len(seen))
	}
	for i, h := range seen {
		if h.Get("X-Api-Key") != "k1" || h.Get("X-Tenant") != "t" || len(h["X-Api-Key"]) != 1 {
			t.Errorf("POST %d: configured headers %q %q", i, h["X-Api-Key"], h["X-Tenant"])
		}
		if h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json, text/event-stream" {
			t.Errorf("POST %d: Content-Type %q, Accept %q", i, h.Get("Content-Type"), h.Get("Accept"))
		}
		if i == 0 {
			if h.Get("Mcp-Session-Id") != "" {
				t.Errorf("initialize sent a session id %q", h.Get("Mcp-Session-Id"))
			}
			continue
		}
		if h.Get("Mcp-Session-Id") != c.SessionID() || c.SessionID() == "" {
			t.Errorf("POST %d: Mcp-Session-Id %q, want %q", i, h.Get("Mcp-Session-Id"), c.SessionID())
		}
		if h.Get("Mcp-Protocol-Version") != c.ProtocolVersion() {
			t.Errorf("POST %d: Mcp-Protocol-Version %q, want %q", i, h.Get("Mcp-Protocol-Version"), c.ProtocolVersion())
		}
	}
}
