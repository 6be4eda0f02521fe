package upstream

// Legacy HTTP+SSE client connection (the 2024-11-05 transport, deprecated
// but still deployed): a GET opens one event stream whose first event,
// "endpoint", names the URL to POST client messages to; every server
// message then arrives as an "event: message" on that one stream.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/sse"
)

// DefaultSSEInitParams are the initialize params DialSSE sends when
// SSEOptions.InitParams is nil.
var DefaultSSEInitParams = json.RawMessage(`{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"mcpwarden","version":"dev"}}`)

// SSEOptions configures DialSSE.
type SSEOptions struct {
	URL     string            // the SSE (GET) URL
	Headers map[string]string // extra headers on every request
	// Client is the HTTP client; nil means the shared tuned default.
	Client *http.Client
	// MaxMessageBytes bounds one server message; 0 means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// InitParams are the initialize params (raw JSON); nil means
	// DefaultSSEInitParams. The transport always initializes.
	InitParams json.RawMessage
	Logger     *slog.Logger
}

// SSEConn is a Conn to a legacy HTTP+SSE endpoint.
type SSEConn struct {
	lifecycle
	sseURL  *url.URL
	headers map[string]string
	client  *http.Client
	maxMsg  int64

	ctx    context.Context // lives until Close or stream loss; carries the GET
	nextID atomic.Int64

	pending pendingSet

	mu         sync.Mutex
	endpoint   string // POST URL, set once from the endpoint event
	initResult json.RawMessage
	closing    bool

	wg        sync.WaitGroup // read loop, cancellations
	closeOnce sync.Once
}

var _ Conn = (*SSEConn)(nil)

// DialSSE opens the event stream, waits for the endpoint event, then
// initializes (initialize + notifications/initialized), all bounded by ctx.
func DialSSE(ctx context.Context, o SSEOptions) (*SSEConn, error) {
	u, err := parseHTTPURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("upstream sse: bad URL %q: %w", o.URL, err)
	}
	c := &SSEConn{
		sseURL:    u,
		headers:   maps.Clone(o.Headers),
		client:    o.Client,
		lifecycle: newLifecycle(orDiscard(o.Logger).With("upstream", u.Redacted())),
		maxMsg:    orDefaultMax(o.MaxMessageBytes),
	}
	if c.client == nil {
		c.client = defaultHTTPClient()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// The GET lives as long as the Conn, but Dial's ctx bounds its start.
	stopDial := context.AfterFunc(ctx, c.cancel)
	defer stopDial()

	req, err := c.newRequest(c.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream sse: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := c.client.Do(req)
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("upstream sse: connecting: %w", ctx.Err())
		}
		return nil, fmt.Errorf("upstream sse: connecting: %w", err)
	}
	if resp.StatusCode != http.StatusOK || mediaType(resp.Header.Get("Content-Type")) != "text/event-stream" {
		b, _ := readLimited(resp.Body, errBodySnippet)
		resp.Body.Close()
		c.Close()
		return nil, fmt.Errorf("upstream sse: connecting: status %d, content type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), snippet(b))
	}
	gotEndpoint := make(chan struct{})
	c.wg.Add(1)
	go c.readLoop(resp.Body, gotEndpoint)

	select {
	case <-gotEndpoint:
	case <-c.done:
		err := c.Err()
		c.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("upstream sse: waiting for the endpoint event: %w", ctx.Err())
		}
		return nil, err
	}
	if !stopDial() {
		// ctx ended right as the endpoint arrived: the GET is being torn down.
		c.Close()
		return nil, fmt.Errorf("upstream sse: %w", ctx.Err())
	}

	params := o.InitParams
	if params == nil {
		params = DefaultSSEInitParams
	}
	if err := c.initialize(ctx, params); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *SSEConn) initialize(ctx context.Context, params json.RawMessage) error {
	res, err := Handshake(ctx, c, params)
	if err != nil {
		return fmt.Errorf("upstream sse: %w", err)
	}
	c.mu.Lock()
	c.initResult = res
	c.mu.Unlock()
	return nil
}

// InitializeResult is the raw result of initialize.
func (c *SSEConn) InitializeResult() json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.initResult
}

// Endpoint is the POST URL the server announced.
func (c *SSEConn) Endpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoint
}

// readLoop reads the one event stream until it ends. The first event must
// be "endpoint".
func (c *SSEConn) readLoop(body io.ReadCloser, gotEndpoint chan<- struct{}) {
	defer c.wg.Done()
	defer body.Close()
	rd := sse.NewReader(body, maxEvent(c.maxMsg))
	defer rd.Release()
	haveEndpoint := false
	for {
		ev, err := rd.Next()
		if err != nil {
			switch {
			case c.ctx.Err() != nil:
				c.fail(ErrClosed)
			case errors.Is(err, sse.ErrTooLarge):
				c.fail(fmt.Errorf("upstream sse: %w (%d bytes): %w", ErrMessageTooLarge, c.maxMsg, err))
			case err == io.EOF:
				c.fail(errors.New("upstream sse: event stream ended"))
			default:
				c.fail(fmt.Errorf("upstream sse: event stream: %w", err))
			}
			return
		}
		if len(ev.Data) == 0 {
			continue
		}
		if !haveEndpoint {
			if ev.Type != "endpoint" {
				c.fail(fmt.Errorf("upstream sse: first event is %q, want \"endpoint\"", ev.Type))
				return
			}
			if err := c.setEndpoint(string(ev.Data)); err != nil {
				c.fail(err)
				return
			}
			haveEndpoint = true
			close(gotEndpoint)
			continue
		}
		switch ev.Type {
		case "", "message":
		case "endpoint":
			c.log.Warn("ignoring a second endpoint event")
			continue
		default:
			continue
		}
		m, err := mcpwire.Parse(ev.Data)
		if err != nil {
			// Every response travels on this stream: a message we cannot
			// read could be one a call waits for. Fail loudly.
			c.fail(fmt.Errorf("upstream sse: bad message on event stream: %w", err))
			return
		}
		c.dispatch(m)
	}
}

// setEndpoint resolves the endpoint event's URL against the SSE URL and
// refuses another origin: an upstream must not redirect our POSTs (and the
// configured credentials) to another host.
func (c *SSEConn) setEndpoint(data string) error {
	ref, err := url.Parse(strings.TrimSpace(data))
	if err != nil {
		return fmt.Errorf("upstream sse: bad endpoint %q: %w", data, err)
	}
	ep := c.sseURL.ResolveReference(ref)
	if !sameOrigin(ep, c.sseURL) || ep.User != nil {
		return fmt.Errorf("upstream sse: refusing endpoint %q: not the origin of the SSE URL", ep.Redacted())
	}
	ep.Fragment, ep.RawFragment = "", ""
	c.mu.Lock()
	c.endpoint = ep.String()
	c.mu.Unlock()
	return nil
}

// dispatch routes one server message. Everything arrives on one stream, so
// related messages are attributed by content:
//   - a response goes to the call with its (upstream) id;
//   - notifications/progress goes to the call whose params._meta carried
//     that progressToken (unattributed if no call did; dropped if several
//     in-flight calls use the same token);
//   - heuristic: notifications/message and server→client requests go to
//     the in-flight call when there is exactly one, since it is then the
//     only request they can be about; with zero or several calls in
//     flight they cannot be attributed and go to the unsolicited receiver;
//   - everything else (list changes, resource updates, cancellations of
//     server requests, …) goes to the unsolicited receiver.
func (c *SSEConn) dispatch(m *mcpwire.Message) {
	switch {
	case m.IsResponse():
		if pc := c.pending.byUpstream(mcpwire.IDKey(m.ID)); pc != nil && pc.deliverFinal(m) {
			return
		}
		c.log.Warn("dropping a response that matches no call", "id", string(m.ID))
	case m.Method == methodProgress:
		tok, ok := mcpwire.Get(m.Params, "progressToken")
		if !ok {
			c.toUnsolicited(m)
			return
		}
		pc, n := c.pending.byProgressToken(mcpwire.IDKey(tok))
		switch {
		case n == 0:
			c.toUnsolicited(m)
		case n > 1:
			c.log.Warn("dropping progress: several calls use the same progress token", "token", string(tok))
		default:
			pc.deliver(m) // a call that already returned gets no more progress
		}
	case m.Method == methodLog || m.Kind == mcpwire.KindRequest:
		if pc := c.pending.only(); pc != nil && pc.deliver(m) {
			return
		}
		c.toUnsolicited(m)
	default:
		c.toUnsolicited(m)
	}
}

func (c *SSEConn) newRequest(ctx context.Context, method, target string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return req, nil
}

// post sends one message to the endpoint. The server answers 202 (some
// 200). When callerID is set (a request) and the server refuses with a
// JSON-RPC error body, that error is returned as the call's response.
func (c *SSEConn) post(ctx context.Context, body []byte, what string, callerID []byte) (*mcpwire.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()
	return c.send(ctx, body, what, callerID)
}

// send is post bounded by ctx only.
func (c *SSEConn) send(ctx context.Context, body []byte, what string, callerID []byte) (*mcpwire.Message, error) {
	req, err := c.newRequest(ctx, http.MethodPost, c.Endpoint(), body)
	if err != nil {
		return nil, fmt.Errorf("upstream sse: %s: %w", what, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		if e := c.closedErr(); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("upstream sse: %s: %w", what, err)
	}
	defer drainClose(resp.Body)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil, nil
	}
	b, _ := readLimited(resp.Body, c.maxMsg)
	if callerID != nil {
		if m := errorReply(b, callerID); m != nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("upstream sse: %s: status %d %s: %s", what, resp.StatusCode, http.StatusText(resp.StatusCode), snippet(b))
}

// Call sends req with the Conn's own id and waits for the response on the
// event stream; it is returned with req's id restored byte for byte.
func (c *SSEConn) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	if req == nil || req.Kind != mcpwire.KindRequest {
		return nil, errors.New("upstream sse: Call needs a request")
	}
	if err := c.closedErr(); err != nil {
		return nil, err
	}
	upID := upstreamID(c.nextID.Add(1))
	body := req.WithID(upID)

	callCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)

	pc := newPendingCall(req, upID, related, abort)
	c.pending.add(pc)
	defer func() {
		pc.finish()
		c.pending.remove(pc)
	}()

	restore := func(m *mcpwire.Message) (*mcpwire.Message, error) {
		out, err := withCallerID(m, req.ID)
		if err != nil {
			return nil, fmt.Errorf("upstream sse: %s: restoring the id: %w", req.Method, err)
		}
		return out, nil
	}

	// aborted says why the call must end without its response: Close, or
	// the client's notifications/cancelled (see Notify); nil otherwise.
	aborted := func() error {
		switch cause := context.Cause(callCtx); {
		case errors.Is(cause, ErrClosed):
			if e := c.closedErr(); e != nil {
				return e
			}
			return ErrClosed
		case errors.Is(cause, errCancelledByClient):
			return fmt.Errorf("upstream sse: %s: %w", req.Method, errCancelledByClient)
		}
		return nil
	}

	// The POST is bound to the caller's ctx and the Conn, not to callCtx:
	// the server answers it at once (202, no body), and net/http recycles
	// a connection whose response has no body before the round trip
	// returns, so cancelling the request at that moment (as a
	// notifications/cancelled from the client would, via abort) can tear
	// down the next request on that connection, with this request's cause.
	refused, err := c.post(ctx, body, req.Method, req.ID)
	if e := aborted(); e != nil {
		return nil, e
	}
	if refused != nil {
		return refused, nil
	}
	if err != nil && callCtx.Err() == nil {
		select {
		case m := <-pc.final: // answered although the POST failed
			return restore(m)
		default:
		}
		return nil, err
	}
	sent(ctx)
	select {
	case m := <-pc.final:
		if e := aborted(); e != nil {
			return nil, e
		}
		return restore(m)
	case <-c.done:
		if e := aborted(); e != nil {
			return nil, e
		}
		select {
		case m := <-pc.final: // the stream was lost right after the response
			return restore(m)
		default:
		}
		return nil, c.closedErr()
	case <-callCtx.Done():
	}
	if e := aborted(); e != nil {
		return nil, e
	}
	// The caller gave up: tell the server, with the upstream id.
	c.sendCancel(upID)
	return nil, ctx.Err()
}

// Notify sends a client notification as is. Cancelling a call is done by
// cancelling its Call's ctx (see Conn). As a safety net, a
// notifications/cancelled handed to Notify is never forwarded with the
// client's id, which could name one of the Conn's own upstream ids: when it
// names exactly one in-flight call, it ends that call and is sent with the
// upstream id; otherwise it is dropped.
func (c *SSEConn) Notify(ctx context.Context, msg *mcpwire.Message) error {
	if msg == nil || msg.Kind != mcpwire.KindNotification {
		return errors.New("upstream sse: Notify needs a notification")
	}
	if err := c.closedErr(); err != nil {
		return err
	}
	if msg.Method != methodCancelled {
		_, err := c.post(ctx, msg.Raw, msg.Method, nil)
		return err
	}
	pc, raw, ok, err := c.pending.cancelTarget(msg)
	if err != nil {
		return fmt.Errorf("upstream sse: %s: %w", msg.Method, err)
	}
	if !ok {
		c.log.Debug("dropping notifications/cancelled for an unknown or ambiguous request id")
		return nil
	}
	pc.abort(errCancelledByClient)
	_, err = c.post(ctx, raw, msg.Method, nil)
	return err
}

// Respond answers a server→client request (msg.ID is the server's id).
func (c *SSEConn) Respond(ctx context.Context, msg *mcpwire.Message) error {
	if msg == nil || !msg.IsResponse() {
		return errors.New("upstream sse: Respond needs a response")
	}
	if err := c.closedErr(); err != nil {
		return err
	}
	_, err := c.post(ctx, msg.Raw, "response", nil)
	return err
}

func (c *SSEConn) sendCancel(upID []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, cancelTimeout)
		defer cancel()
		if _, err := c.post(ctx, cancelledNotification(upID, "request cancelled"), methodCancelled, nil); err != nil {
			c.log.Debug("sending notifications/cancelled", "error", err)
		}
	}()
}

// Close ends in-flight calls (they return ErrClosed at once), tells the
// server with notifications/cancelled for each of them (bounded by 2s:
// closing the stream ends the session, and some servers wait for running
// handlers before they let a session go), then closes the event stream.
func (c *SSEConn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		c.mu.Unlock()
		inflight := c.pending.all()
		for _, pc := range inflight {
			pc.abort(ErrClosed)
		}
		if len(inflight) > 0 && c.closedErr() == nil {
			ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
			var wg sync.WaitGroup
			for _, pc := range inflight {
				wg.Go(func() {
					if _, err := c.send(ctx, cancelledNotification(pc.upID, "connection closed"), methodCancelled, nil); err != nil {
						c.log.Debug("sending notifications/cancelled on close", "error", err)
					}
				})
			}
			wg.Wait()
			cancel()
		}
		c.fail(ErrClosed)
		c.wg.Wait()
	})
	return nil
}
