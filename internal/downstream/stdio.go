// Package downstream is the client-facing side of the gateway: MCP over
// the gateway's own stdin/stdout, Streamable HTTP (both protocol eras) and
// the legacy HTTP+SSE transport. It decodes strictly, hands messages to a
// session and writes what the session answers; it knows nothing of
// upstream servers.
package downstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/linereader"
	"github.com/mcpwarden/mcpwarden/internal/linewriter"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/session"
)

// StdioOptions configures ServeStdio.
type StdioOptions struct {
	Sessions        *session.Options
	MaxMessageBytes int
	// OnSession, when set, sees the session before the first message.
	OnSession func(*session.Session)
	Logger    *slog.Logger
}

// ServeStdio speaks MCP on r and w (newline-delimited JSON-RPC) until r
// ends and every request read has been answered, or ctx is done. Requests
// run concurrently so that a slow tool call does not hold up pings or
// cancellation.
func ServeStdio(ctx context.Context, r io.Reader, w io.Writer, o StdioOptions) error {
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 4 << 20
	}
	out := &lineWriter{w: linewriter.New(w)}
	sess := session.New(o.Sessions, intercept.Peer{Era: session.EraDual, Transport: "stdio"}, out.Send)
	defer sess.Close()
	if o.OnSession != nil {
		o.OnSession(sess)
	}

	defer sess.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Read and dispatch on this goroutine: notifications are handled in
	// order, requests are started on their own goroutines.
	done := make(chan error, 1)
	go func() {
		br := linereader.NewReader(r)
		for {
			line, err := linereader.Read(br, o.MaxMessageBytes)
			// AsType, not As: As's target would be allocated per line.
			if tl, ok := errors.AsType[*linereader.TooLongError](err); ok {
				// Answer the request by its id when it can be found, so
				// the client's call fails now instead of timing out.
				id, method := mcpwire.RecoverID(tl.Head, tl.Tail)
				if !method {
					id = nil
				}
				_ = out.Send(mcpwire.NewError(id, intercept.CodeInvalidRequest,
					fmt.Sprintf("message exceeds %d bytes", o.MaxMessageBytes), nil))
				continue
			}
			if len(line) > 0 && ctx.Err() == nil {
				dispatch(ctx, sess, out, line)
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-done:
		if errors.Is(err, io.EOF) {
			// End of input is the client's goodbye, not a cancellation
			// (printf … | mcpwarden run -- server): answer what it
			// already asked before the deferred cancel. A signal or the
			// server's exit still cancels through ctx.
			sess.Wait()
			return nil
		}
		return fmt.Errorf("downstream stdio: read: %w", err)
	}
}

func dispatch(ctx context.Context, sess *session.Session, out *lineWriter, line []byte) {
	msg, err := mcpwire.Parse(line)
	if err != nil {
		_ = out.Send(sess.Refuse(ctx, line, err))
		return
	}
	if msg.Kind == mcpwire.KindRequest {
		sess.Go(ctx, msg, out)
		return
	}
	sess.Handle(ctx, msg, out)
}

// lineWriter is the session.Stream of a stdio client: everything goes to
// stdout, one message per line.
type lineWriter struct{ w *linewriter.Writer }

func (l *lineWriter) Send(msg []byte) error { return l.w.Write(msg) }

func (l *lineWriter) Reply(msg []byte) error { return l.Send(msg) }
