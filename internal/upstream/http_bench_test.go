package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkHTTPConnCall compares one tools/call through HTTPConn with the
// same POST made by hand, against an in-process go-sdk server: the
// difference is what the connection adds.
func BenchmarkHTTPConnCall(b *testing.B) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "v0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(ctx context.Context, req *mcp.CallToolRequest, in textIn) (*mcp.CallToolResult, any, error) {
		return textResult(in.Text), nil, nil
	})
	ts := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, nil))
	defer ts.Close()
	url := ts.URL + "/mcp"
	call := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`)

	b.Run("conn", func(b *testing.B) {
		c, err := DialHTTP(context.Background(), HTTPOptions{URL: url, InitParams: json.RawMessage(sessionInit)})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		msg := mustParse(b, call)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Call(context.Background(), msg, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		c, err := DialHTTP(context.Background(), HTTPOptions{URL: url, InitParams: json.RawMessage(sessionInit)})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(call))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("Mcp-Session-Id", c.SessionID())
			req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
