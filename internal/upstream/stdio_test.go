package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// A server whose answer the gateway cannot pass on (duplicate keys, over
// the size limit with its id last) fails that call at once, instead of
// leaving it to wait for its deadline, and the connection stays usable.
func TestStdioBadResponseFailsTheCall(t *testing.T) {
	const server = `while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  case "$line" in
    *'"dup"'*) printf '{"jsonrpc":"2.0","id":%s,"result":{"a":1,"a":2}}\n' "$id" ;;
    *'"big"'*) printf '{"result":{"text":"%s"},"jsonrpc":"2.0","id":%s}\n' "$(head -c 3000 /dev/zero | tr '\0' x)" "$id" ;;
    *) printf '{"jsonrpc":"2.0","id":%s,"result":{}}\n' "$id" ;;
  esac
done`
	c, err := StartStdio(context.Background(), StdioOptions{Command: []string{"sh", "-c", server}, Name: "bad", MaxMessageBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := testCtx(t, 20*time.Second)
	for _, tc := range []struct {
		name    string
		tooLong bool
	}{{"dup", false}, {"big", true}} {
		t0 := time.Now()
		_, err := c.Call(ctx, request(t, `"x"`, "tools/call", `{"name":"`+tc.name+`"}`), nil)
		if !errors.Is(err, ErrBadResponse) || errors.Is(err, ErrMessageTooLarge) != tc.tooLong {
			t.Fatalf("%s: err = %v, want ErrBadResponse (too large: %v)", tc.name, err, tc.tooLong)
		}
		if d := time.Since(t0); d > 5*time.Second {
			t.Fatalf("%s: the call failed only after %v", tc.name, d)
		}
	}
	resp, err := c.Call(ctx, request(t, `7`, "tools/call", `{"name":"ok"}`), nil)
	if err != nil {
		t.Fatalf("the connection did not survive: %v", err)
	}
	checkID(t, resp, `7`)
}

// A server's stderr reaches the gateway's log line by line with its
// credentials masked.
func TestStderrLinesAreRedacted(t *testing.T) {
	var buf strings.Builder
	l := &lineLogger{log: slog.New(slog.NewJSONHandler(&buf, nil))}
	token := "ghp_" + strings.Repeat("aB3dE5fG7h", 3) + "123456"
	_, _ = l.Write([]byte("starting\nusing token " + token + "\n"))
	_, _ = l.Write([]byte("  \n"))
	out := buf.String()
	if strings.Contains(out, token) || !strings.Contains(out, "[REDACTED:") {
		t.Fatalf("log %s", out)
	}
	if n := strings.Count(out, `"msg":"server stderr"`); n != 2 || !strings.Contains(out, `"line":"starting"`) {
		t.Fatalf("want 2 lines, the blank one dropped: %s", out)
	}
}

// A call over stdio allocates its record and signal, and the answer read
// (its line, message and the client's id put back): 5, where a channel
// of answers cost a sixth and the message sent with the child's id a
// seventh. A message too big for the stack buffer arrives whole.
func TestStdioCallAllocs(t *testing.T) {
	const server = `while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  printf '{"jsonrpc":"2.0","id":%s,"result":{"n":%d}}\n' "$id" "${#line}"
done`
	c, err := StartStdio(context.Background(), StdioOptions{Command: []string{"sh", "-c", server}, Name: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := testCtx(t, 20*time.Second)
	big := request(t, `"big"`, "tools/call", `{"name":"t","arguments":{"s":"`+strings.Repeat("x", 5000)+`"}}`)
	resp, err := c.Call(ctx, big, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The child's id is 1: the line is the request with "big" made 1.
	if want := fmt.Sprintf(`{"n":%d}`, len(big.Raw)-len(`"big"`)+1); string(resp.Result) != want {
		t.Fatalf("the child read %s, want %s", resp.Result, want)
	}
	req := request(t, `"x"`, "tools/call", `{"name":"t"}`)
	if n := testing.AllocsPerRun(20, func() {
		resp, err := c.Call(ctx, req, nil)
		if err != nil || string(resp.ID) != `"x"` {
			t.Fatalf("%v %v", resp, err)
		}
	}); n > 5 {
		t.Errorf("%v allocations per call, want at most 5", n)
	}
}
