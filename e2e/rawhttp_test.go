package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawClient speaks Streamable HTTP by hand, for tests that look at the
// wire: status codes, headers and exact bytes.
type rawClient struct {
	t       testing.TB
	url     string
	sid     string
	version string
	hc      *http.Client
	nextID  int
}

func newRawClient(t testing.TB, url string) *rawClient {
	return &rawClient{t: t, url: url, hc: &http.Client{Timeout: 30 * time.Second}}
}

// rawResp is one HTTP answer, read whole.
type rawResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r rawResp) String() string {
	return fmt.Sprintf("HTTP %d %s: %s", r.Status, r.Header.Get("Content-Type"), tail(string(r.Body), 1500))
}

// do sends an HTTP request with the session headers (unless hdr overrides
// them; an empty value deletes a header) and reads the whole answer.
func (c *rawClient) do(method string, body []byte, hdr map[string]string) rawResp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.sid != "" {
		req.Header.Set("Mcp-Session-Id", c.sid)
	}
	if c.version != "" {
		req.Header.Set("Mcp-Protocol-Version", c.version)
	}
	for k, v := range hdr {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, c.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, c.url, err)
	}
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (c *rawClient) post(body string, hdr map[string]string) rawResp {
	c.t.Helper()
	return c.do(http.MethodPost, []byte(body), hdr)
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	ID, Type string
	Data     []byte
}

// parseSSE splits a complete text/event-stream body into events.
func parseSSE(r io.Reader) ([]sseEvent, error) {
	var out []sseEvent
	var cur sseEvent
	var data []string
	has := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if has {
				cur.Data = []byte(strings.Join(data, "\n"))
				out = append(out, cur)
			}
			cur, data, has = sseEvent{}, nil, false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		has = true
		switch field {
		case "id":
			cur.ID = value
		case "event":
			cur.Type = value
		case "data":
			data = append(data, value)
		}
	}
	if has {
		cur.Data = []byte(strings.Join(data, "\n"))
		out = append(out, cur)
	}
	return out, sc.Err()
}

// messages returns the JSON-RPC messages of an answer: the body itself for
// JSON, the data of each non-empty event for SSE.
func (r rawResp) messages(t testing.TB) [][]byte {
	t.Helper()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
		evs, err := parseSSE(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("parse SSE: %v", err)
		}
		var out [][]byte
		for _, e := range evs {
			if len(bytes.TrimSpace(e.Data)) > 0 {
				out = append(out, e.Data)
			}
		}
		return out
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	return [][]byte{r.Body}
}

// rpcMsg is a decoded JSON-RPC message (ids kept raw).
type rpcMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	} `json:"error"`
}

// final returns the response (result or error) in an answer.
func (r rawResp) final(t testing.TB) rpcMsg {
	t.Helper()
	for _, m := range r.messages(t) {
		var msg rpcMsg
		if err := json.Unmarshal(m, &msg); err != nil {
			t.Fatalf("undecodable message %q: %v", m, err)
		}
		if msg.Method == "" && (msg.Result != nil || msg.Error != nil) {
			return msg
		}
	}
	t.Fatalf("no JSON-RPC response in %s", r)
	return rpcMsg{}
}

// initialize opens a legacy session (protocol 2025-11-25).
func (c *rawClient) initialize() json.RawMessage {
	c.t.Helper()
	c.sid, c.version = "", ""
	r := c.post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e-raw","version":"1"}}}`, nil)
	if r.Status != http.StatusOK {
		c.t.Fatalf("initialize: %s", r)
	}
	m := r.final(c.t)
	if m.Error != nil {
		c.t.Fatalf("initialize: error %d %s", m.Error.Code, m.Error.Message)
	}
	c.sid = r.Header.Get("Mcp-Session-Id")
	if c.sid == "" {
		c.t.Fatalf("initialize: no Mcp-Session-Id in %v", r.Header)
	}
	c.version = "2025-11-25"
	if r := c.post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil); r.Status != http.StatusAccepted {
		c.t.Fatalf("notifications/initialized: %s", r)
	}
	return m.Result
}

// call sends a request with a fresh numeric id and returns its response.
func (c *rawClient) call(method string, params any) rpcMsg {
	c.t.Helper()
	c.nextID++
	p, err := json.Marshal(params)
	if err != nil {
		c.t.Fatal(err)
	}
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, c.nextID, method, p)
	r := c.post(body, nil)
	if r.Status != http.StatusOK {
		c.t.Fatalf("%s: %s", method, r)
	}
	return r.final(c.t)
}

// result is call that requires success.
func (c *rawClient) result(method string, params any) json.RawMessage {
	c.t.Helper()
	m := c.call(method, params)
	if m.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, m.Error.Code, m.Error.Message)
	}
	return m.Result
}

// modernMeta is the per-request _meta of a 2026-07-28 client.
func modernMeta() map[string]any {
	return map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientCapabilities": map[string]any{},
		"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "e2e-raw", "version": "1"},
	}
}

// modernCall sends one stateless (2026-07-28) request with the required
// headers.
func (c *rawClient) modernCall(method string, params map[string]any, name string) rawResp {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	params["_meta"] = modernMeta()
	c.nextID++
	p, _ := json.Marshal(params)
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, c.nextID, method, p)
	hdr := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": method, "Mcp-Session-Id": ""}
	if name != "" {
		hdr["Mcp-Name"] = name
	}
	return c.post(body, hdr)
}
