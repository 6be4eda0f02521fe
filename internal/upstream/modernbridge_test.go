package upstream

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// A session-era client behind the bridge talks to the real go-sdk
// everything-server in its 2026-07-28 stateless mode: input_required
// results must reach the client as the server→client requests it knows,
// and its answers must complete the call.
func TestModernBridgeEverything(t *testing.T) {
	url := startEverything(t, true)
	ctx := testCtx(t, 30*time.Second)
	client, _ := newTestClient(t)
	hc, err := DialHTTP(ctx, HTTPOptions{URL: url, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	b := BridgeModern(hc, []byte(`{"protocolVersion":"2025-11-25","capabilities":{"sampling":{},"elicitation":{},"roots":{}},"clientInfo":{"name":"legacy","version":"1"}}`))

	disc, err := b.Call(ctx, request(t, `"d"`, "server/discover", `{}`), nil)
	if err != nil || disc.Kind != mcpwire.KindResponse {
		t.Fatalf("discover through bridge: %v %s", err, disc.Raw)
	}
	init, err := InitializeFromDiscover(disc.Result, "2025-11-25")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := mcpwire.StringMember(init, "protocolVersion"); v != "2025-11-25" {
		t.Fatalf("initialize result version %q", v)
	}
	if _, ok := mcpwire.Get(init, "serverInfo"); !ok {
		t.Fatalf("initialize result lacks serverInfo: %s", init)
	}

	// The "client": answers whatever server→client request arrives.
	answer := func(methods *[]string, mu *sync.Mutex) Related {
		return func(m *mcpwire.Message) {
			if m.Kind != mcpwire.KindRequest {
				return
			}
			mu.Lock()
			*methods = append(*methods, m.Method)
			mu.Unlock()
			var result string
			switch m.Method {
			case "sampling/createMessage":
				result = `{"role":"assistant","content":{"type":"text","text":"Paris"},"model":"test"}`
			case "roots/list":
				result = `{"roots":[{"uri":"file:///tmp/a","name":"a"}]}`
			case "elicitation/create":
				result = `{"action":"accept","content":{"name":"Ada","username":"ada","confirmed":true}}`
			default:
				t.Errorf("unexpected server request %s", m.Method)
				return
			}
			go func() {
				if err := b.Respond(ctx, mustParse(t, mcpwire.NewResult(m.ID, []byte(result)))); err != nil {
					t.Errorf("respond: %v", err)
				}
			}()
		}
	}
	for _, tc := range []struct {
		tool, method, want string
	}{
		{"test_input_required_result_sampling", "sampling/createMessage", "Paris"},
		{"test_input_required_result_list_roots", "roots/list", "file:///tmp/a"},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			var methods []string
			var mu sync.Mutex
			resp, err := b.Call(ctx, request(t, `7`, "tools/call", `{"name":"`+tc.tool+`","arguments":{}}`), answer(&methods, &mu))
			if err != nil {
				t.Fatal(err)
			}
			checkID(t, resp, `7`)
			if txt := resultText(t, resp); !strings.Contains(txt, tc.want) {
				t.Fatalf("result %q does not contain %q (raw %s)", txt, tc.want, resp.Raw)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(methods) != 1 || methods[0] != tc.method {
				t.Fatalf("client was asked %v, want [%s]", methods, tc.method)
			}
		})
	}

	// Methods 2026-07-28 removed are answered by the bridge.
	for _, m := range []string{"ping", "logging/setLevel"} {
		params := `{}`
		if m == "logging/setLevel" {
			params = `{"level":"debug"}`
		}
		resp, err := b.Call(ctx, request(t, `"p"`, m, params), nil)
		if err != nil || resp.Kind != mcpwire.KindResponse {
			t.Fatalf("%s: %v %s", m, err, resp.Raw)
		}
	}
	// A refused input request fails the call instead of hanging.
	resp, err := b.Call(ctx, request(t, `8`, "tools/call", `{"name":"test_input_required_result_sampling","arguments":{}}`),
		func(m *mcpwire.Message) {
			if m.Kind == mcpwire.KindRequest {
				go b.Respond(ctx, mustParse(t, mcpwire.NewError(m.ID, -1, "user declined", nil)))
			}
		})
	if err != nil || resp.Kind != mcpwire.KindError {
		t.Fatalf("declined input: want an error response, got %v %s", err, resp.Raw)
	}
	checkID(t, resp, `8`)
}
