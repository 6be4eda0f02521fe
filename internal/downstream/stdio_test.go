package downstream

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/session"
)

// A request over the size limit is answered by its own id, whether the id
// comes first or last (as the TypeScript SDK writes it), so the client's
// call fails at once; a response over the limit is not answered with its
// id (that id is the server's request's, not one the client waits on).
func TestStdioTooLongAnsweredByID(t *testing.T) {
	pad := strings.Repeat("x", 3000)
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":"first","method":"tools/call","params":{"name":"t","arguments":{"s":"` + pad + `"}}}`,
		`{"method":"tools/call","params":{"name":"t","arguments":{"s":"` + pad + `"}},"jsonrpc":"2.0","id":41}`,
		`{"result":{"content":[{"type":"text","text":"` + pad + `"}]},"jsonrpc":"2.0","id":5}`,
		`{"jsonrpc":"2.0","id":"ok","method":"ping"}`,
	}, "\n") + "\n"
	opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}}}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ServeStdio(ctx, strings.NewReader(in), &out, StdioOptions{Sessions: opts, MaxMessageBytes: 1000}); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`{"jsonrpc":"2.0","id":"first","error":{"code":-32600,"message":"message exceeds 1000 bytes"}}`,
		`{"jsonrpc":"2.0","id":41,"error":{"code":-32600,"message":"message exceeds 1000 bytes"}}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message exceeds 1000 bytes"}}`,
	}
	if len(got) != 4 || strings.Join(got[:3], "\n") != strings.Join(want, "\n") || !strings.Contains(got[3], `"id":"ok"`) {
		t.Fatalf("got\n%s\nwant\n%s\nand the ping's answer", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A request the decoder refuses is answered by its id, also when the id
// comes after the fault (a misspelt literal that stops the decoder, id
// last as the TypeScript SDK writes it).
func TestStdioRefusedAnsweredByID(t *testing.T) {
	in := `{"method":"tools/call","params":{"name":"t","name":"u"},"jsonrpc":"2.0","id":9}` + "\n" +
		`{"method":"tools/call","params":{"name":"t","arguments":{"on":tru}},"jsonrpc":"2.0","id":"k-2"}` + "\n"
	opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}}}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ServeStdio(ctx, strings.NewReader(in), &out, StdioOptions{Sessions: opts}); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(got) != 2 || !strings.Contains(got[0], `"id":9,"error"`) || !strings.Contains(got[1], `"id":"k-2","error"`) {
		t.Fatalf("got\n%s", out.String())
	}
}

// Reading a line costs its copy and its message, nothing per line in the
// read loop itself (errors.As's target escaped: one allocation a line).
func TestStdioAllocsPerLine(t *testing.T) {
	opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}}}
	ctx := context.Background()
	run := func(lines int) float64 {
		in := strings.Repeat(`{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n", lines)
		return testing.AllocsPerRun(20, func() {
			if err := ServeStdio(ctx, strings.NewReader(in), io.Discard, StdioOptions{Sessions: opts}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if per := (run(300) - run(100)) / 200; per > 2.05 {
		t.Errorf("%.2f allocations per line, want 2 (the line and its message)", per)
	}
}
