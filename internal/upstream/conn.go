// Package upstream talks to MCP servers: stdio children, Streamable HTTP
// endpoints and legacy HTTP+SSE endpoints. Every Conn remaps request ids
// to its own so that many clients can share one server connection, and
// maps them back exactly (raw bytes) on the way out.
package upstream

import (
	"context"
	"errors"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// ErrClosed is returned once a Conn is closed or its server has gone.
var ErrClosed = errors.New("upstream: connection closed")

// Related receives server messages that belong to an in-flight call:
// progress and log notifications and server→client requests. It must not
// block for long; it is called from the connection's read loop or the
// call's response stream.
type Related func(msg *mcpwire.Message)

// SentKey is the context key of a call's Sender: a Conn tells it when a
// request of the call has been written to the server, on the caller's
// goroutine, before it waits for the answer (stdio, plain-http POSTs and
// legacy SSE POSTs; an https upstream's transport does not say).
type SentKey struct{}

// Sender is what SentKey holds.
type Sender interface{ Sent() }

// sent tells ctx's Sender, if any, that the request is written.
func sent(ctx context.Context) {
	if s, ok := ctx.Value(SentKey{}).(Sender); ok {
		s.Sent()
	}
}

// Conn is one logical connection to an MCP server.
type Conn interface {
	// Call sends a request and waits for its final response. The returned
	// message carries the caller's original id (req.ID), byte for byte.
	// Messages the server sends about this request before the response go
	// to related. Cancelling ctx sends notifications/cancelled upstream (or
	// closes the request stream on HTTP) and returns ctx.Err().
	Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error)
	// Notify sends a client notification as is. Cancellation of a call is
	// not a Notify: cancel the Call's ctx and the Conn tells the server with
	// its own id.
	Notify(ctx context.Context, msg *mcpwire.Message) error
	// Respond answers a server→client request; msg.ID is the id the server
	// used (the Conn hands server requests out unmodified).
	Respond(ctx context.Context, msg *mcpwire.Message) error
	// SetUnsolicited installs the receiver of server messages tied to no
	// call (list changes, resource updates, unrelated server requests).
	// Set it before the first Call.
	SetUnsolicited(fn func(msg *mcpwire.Message))
	// Done is closed when the connection ends (child exit, stream loss).
	Done() <-chan struct{}
	// Err says why Done closed.
	Err() error
	Close() error
}
