package upstream

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

func startEverythingStdio(t *testing.T, multiplexed bool) *StdioConn {
	t.Helper()
	c, err := StartStdio(context.Background(), StdioOptions{Command: []string{everythingServerPath(t)}, Name: "es", Multiplexed: multiplexed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Two calls on one shared child with the same progress token: each gets
// only its own progress, with its own token back; an uncontended token
// reaches the server unchanged.
func TestStdioProgressTokens(t *testing.T) {
	c := startEverythingStdio(t, true)
	ctx := testCtx(t, 30*time.Second)
	resp, err := c.Call(ctx, request(t, `0`, "initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`), nil)
	if err != nil || resp.Kind != mcpwire.KindResponse {
		t.Fatalf("initialize: %v", err)
	}
	c.Notify(ctx, notification(t, "notifications/initialized", `{}`))

	// Alone: the server sees (and echoes) the client's own token.
	var mu sync.Mutex
	var got []string
	resp, err = c.Call(ctx, request(t, `1`, "tools/call", `{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"tok"}}`),
		func(m *mcpwire.Message) { mu.Lock(); got = append(got, string(m.Params)); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	if txt := resultText(t, resp); txt != "tok" {
		t.Fatalf("uncontended token was rewritten: server saw %q", txt)
	}
	if len(got) == 0 {
		t.Fatal("no progress delivered")
	}

	// Together: both calls complete, each sees only progress carrying the
	// token it sent.
	var wg sync.WaitGroup
	for i, id := range []string{`"a"`, `"b"`} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []*mcpwire.Message
			var mmu sync.Mutex
			resp, err := c.Call(ctx, request(t, id, "tools/call", `{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"same"}}`),
				func(m *mcpwire.Message) { mmu.Lock(); mine = append(mine, m); mmu.Unlock() })
			if err != nil {
				t.Errorf("call %d: %v", i, err)
				return
			}
			checkID(t, resp, id)
			mmu.Lock()
			defer mmu.Unlock()
			for _, m := range mine {
				if m.Method != "notifications/progress" {
					continue
				}
				if tok, _ := mcpwire.StringMember(m.Params, "progressToken"); tok != "same" {
					t.Errorf("call %s got progress with token %q", id, tok)
				}
				if strings.Contains(string(m.Raw), "mw-") {
					t.Errorf("gateway token leaked to the client: %s", m.Raw)
				}
			}
		}()
	}
	wg.Wait()
}
