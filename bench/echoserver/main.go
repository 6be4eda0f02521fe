// Command echoserver is the minimal MCP server used by the mcpwarden load
// benchmark (bench/load). It exposes a single tool, "echo", that takes
// {"text": string} and returns the text unchanged as one text content item.
//
// Usage:
//
//	echoserver                                   # MCP over stdio (newline-delimited JSON-RPC)
//	echoserver -http 127.0.0.1:PORT              # Streamable HTTP at http://127.0.0.1:PORT/mcp
//	echoserver -http 127.0.0.1:PORT -stateless   # same, StreamableHTTPOptions{Stateless: true}
//
// The server is deliberately minimal: no logging, no schema inference or
// validation beyond decoding the one argument, so that the benchmark measures
// transport and relay cost rather than tool work. It also asks the kernel to
// kill it when its parent dies (Linux), so a crashed benchmark or gateway never
// leaves it orphaned.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var inputSchema = json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)

type echoArgs struct {
	Text *string `json:"text"`
}

func echo(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args echoArgs
	if err := json.Unmarshal(req.Params.Arguments, &args); err != nil || args.Text == nil {
		return &mcp.CallToolResult{
			IsError: true,
			Content: []mcp.Content{&mcp.TextContent{Text: `echo: arguments must be {"text": string}`}},
		}, nil
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: *args.Text}}}, nil
}

func newServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "echoserver", Version: "1"}, nil)
	s.AddTool(&mcp.Tool{
		Name:        "echo",
		Description: "Returns the given text unchanged.",
		InputSchema: inputSchema,
	}, echo)
	return s
}

func main() {
	httpAddr := flag.String("http", "", "serve Streamable HTTP on `ADDR` (e.g. 127.0.0.1:8080) at /mcp instead of stdio")
	stateless := flag.Bool("stateless", false, "with -http: stateless mode (StreamableHTTPOptions{Stateless: true})")
	flag.Parse()

	dieWithParent()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	server := newServer()
	if *httpAddr == "" {
		if err := server.Run(ctx, &mcp.StdioTransport{}); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "echoserver:", err)
			os.Exit(1)
		}
		return
	}

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echoserver:", err)
		os.Exit(1)
	}
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: *stateless})
	mux := http.NewServeMux()
	mux.Handle("/mcp", handler)
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "echoserver:", err)
		os.Exit(1)
	}
}
