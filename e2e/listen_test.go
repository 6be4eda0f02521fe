package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// openListen POSTs a 2026-07-28 subscriptions/listen with request id id
// and returns the open stream.
func openListen(t *testing.T, url, id string, notifications map[string]any) *getStream {
	t.Helper()
	params, _ := json.Marshal(map[string]any{"notifications": notifications, "_meta": modernMeta()})
	body := `{"jsonrpc":"2.0","id":` + id + `,"method":"subscriptions/listen","params":` + string(params) + `}`
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "subscriptions/listen")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("subscriptions/listen: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		b := make([]byte, 2000)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		t.Fatalf("subscriptions/listen: HTTP %d %s", resp.StatusCode, b[:n])
	}
	s := &getStream{t: t, resp: resp, br: newReader(resp)}
	t.Cleanup(s.Close)
	return s
}

type listenNote struct {
	Method string `json:"method"`
	Params struct {
		Meta map[string]json.RawMessage `json:"_meta"`
		URI  string                     `json:"uri"`
	} `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`

	notifications json.RawMessage // params.notifications, raw
}

// nextNote reads the next message of a listen stream.
func (s *getStream) nextNote(t *testing.T, d time.Duration) (listenNote, bool) {
	t.Helper()
	ev, ok := s.next(d)
	if !ok {
		return listenNote{}, false
	}
	var n listenNote
	if err := json.Unmarshal(ev.Data, &n); err != nil {
		t.Fatalf("bad listen event %q: %v", ev.Data, err)
	}
	var p struct {
		Params struct {
			Notifications json.RawMessage `json:"notifications"`
		} `json:"params"`
	}
	_ = json.Unmarshal(ev.Data, &p)
	n.notifications = p.Params.Notifications
	return n, true
}

// TestSubscriptionsListen: a 2026-07-28 subscriptions/listen stream through
// the gateway is acknowledged and carries resources/updated, every message
// tagged with the client's own request id as subscriptionId.
func TestSubscriptionsListen(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
	s := openListen(t, g.URL, `"client-sub-77"`, map[string]any{
		"toolsListChanged": true, "resourceSubscriptions": []string{"test://watched-resource"}})
	ack, ok := s.nextNote(t, 5*time.Second)
	if !ok || ack.Method != "notifications/subscriptions/acknowledged" {
		t.Fatalf("first message on the listen stream: %+v (ok=%v), want notifications/subscriptions/acknowledged", ack, ok)
	}
	if got := string(ack.Params.Meta["io.modelcontextprotocol/subscriptionId"]); got != `"client-sub-77"` {
		t.Errorf("acknowledgement subscriptionId = %s, want the client's request id \"client-sub-77\"", got)
	}
	upd, ok := s.nextNote(t, 8*time.Second) // everything-server updates it every 3s
	if !ok || upd.Method != "notifications/resources/updated" || upd.Params.URI != "test://watched-resource" {
		t.Fatalf("no resources/updated on the listen stream: %+v (ok=%v)", upd, ok)
	}
	if got := string(upd.Params.Meta["io.modelcontextprotocol/subscriptionId"]); got != `"client-sub-77"` {
		t.Errorf("resources/updated subscriptionId = %s, want \"client-sub-77\"", got)
	}
}

// TestSubscriptionsListenAggregated: with several servers on one endpoint a
// 2026-07-28 client can still listen: one acknowledgement for the whole
// endpoint, resource URIs with the server prefix, list changes from any
// server, all on the one stream.
func TestSubscriptionsListenAggregated(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "a")+stdioServerYAML(t, "b"))
	s := openListen(t, g.URL, `"agg-sub-1"`, map[string]any{
		"toolsListChanged": true, "resourceSubscriptions": []string{"a+test://watched-resource"}})
	ack, ok := s.nextNote(t, 5*time.Second)
	if !ok || ack.Method != "notifications/subscriptions/acknowledged" {
		t.Fatalf("first message on the aggregated listen stream: %+v (ok=%v), want one acknowledgement", ack, ok)
	}
	if got := string(ack.Params.Meta["io.modelcontextprotocol/subscriptionId"]); got != `"agg-sub-1"` {
		t.Errorf("acknowledgement subscriptionId = %s, want \"agg-sub-1\"", got)
	}
	var n struct {
		ToolsListChanged      bool     `json:"toolsListChanged"`
		ResourceSubscriptions []string `json:"resourceSubscriptions"`
	}
	_ = json.Unmarshal(ack.notifications, &n)
	if !n.ToolsListChanged || len(n.ResourceSubscriptions) != 1 || n.ResourceSubscriptions[0] != "a+test://watched-resource" {
		t.Errorf("acknowledged %+v, want toolsListChanged and [a+test://watched-resource]", n)
	}

	// A list change on server b reaches the stream.
	c := newRawClient(t, g.URL)
	if r := c.modernCall("tools/call", map[string]any{"name": "b__test_trigger_tool_change", "arguments": map[string]any{}}, "b__test_trigger_tool_change"); r.Status != http.StatusOK {
		t.Fatalf("b__test_trigger_tool_change: %s", r)
	}
	sawList, sawUpdate := false, false
	deadline := time.Now().Add(8 * time.Second)
	for (!sawList || !sawUpdate) && time.Now().Before(deadline) {
		m, ok := s.nextNote(t, time.Until(deadline))
		if !ok {
			break
		}
		if m.Method == "notifications/subscriptions/acknowledged" {
			t.Errorf("a second acknowledgement on the stream")
		}
		if got := string(m.Params.Meta["io.modelcontextprotocol/subscriptionId"]); got != `"agg-sub-1"` {
			t.Errorf("%s subscriptionId = %s, want \"agg-sub-1\"", m.Method, got)
		}
		switch m.Method {
		case "notifications/tools/list_changed":
			sawList = true
		case "notifications/resources/updated":
			if m.Params.URI != "a+test://watched-resource" {
				t.Errorf("resources/updated uri %q, want a+test://watched-resource", m.Params.URI)
			}
			sawUpdate = true
		}
	}
	if !sawList || !sawUpdate {
		t.Errorf("aggregated listen stream: tools/list_changed seen=%v, resources/updated seen=%v", sawList, sawUpdate)
	}
}
