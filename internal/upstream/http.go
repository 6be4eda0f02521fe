package upstream

// Streamable HTTP client connection, both eras:
//
//   - session era (2025-03-26 … 2025-11-25): initialize, Mcp-Session-Id,
//     MCP-Protocol-Version on every later request, a standalone GET stream
//     for unsolicited server messages, resumption of a broken response
//     stream with GET + Last-Event-ID, DELETE on close;
//   - stateless era (2026-07-28): every POST is self-contained (the caller
//     put the protocol version and client capabilities in params._meta);
//     the Conn derives the MCP-Protocol-Version, Mcp-Method and Mcp-Name
//     headers from the body; no GET stream, no resumption, cancellation is
//     closing the response stream.
//
// Each request travels on its own POST; its response is either one JSON
// body or an SSE stream carrying the request's related messages (progress,
// logs, server→client requests) and then the response. Related messages are
// therefore handed to the call's Related callback from the calling goroutine,
// in stream order, before Call returns.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/sse"
)

// HTTPOptions configures DialHTTP.
type HTTPOptions struct {
	URL     string
	Headers map[string]string // extra headers on every request (upstream credentials go here)
	// Client is the HTTP client; nil means a shared tuned default
	// (keep-alive, 64 idle connections per host, cross-origin redirects
	// refused).
	Client *http.Client
	// MaxMessageBytes bounds one server message (a JSON body or one SSE
	// event); 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// InitParams selects the era. Non-nil: session era; Dial sends
	// initialize with these params (raw JSON), then
	// notifications/initialized, keeps Mcp-Session-Id and sends the
	// negotiated MCP-Protocol-Version on every later request. Nil:
	// stateless (2026-07-28); no initialize, each request is
	// self-contained.
	InitParams json.RawMessage
	Logger     *slog.Logger
}

// HTTPConn is a Conn to a Streamable HTTP endpoint.
type HTTPConn struct {
	lifecycle
	url       string
	headers   http.Header // configured, keys canonical; values shared by every request
	client    *http.Client
	maxMsg    int64
	stateless bool

	ctx    context.Context // lives until Close or failure
	nextID atomic.Int64

	pending pendingSet
	params  paramTools // x-mcp-header declarations of the server's tools

	mu         sync.Mutex
	sessionID  string
	version    string   // negotiated (session era) or last seen in _meta (stateless)
	sessionHdr []string // sessionID and version as header values, made once
	versionHdr []string
	initResult json.RawMessage
	closing    bool // no new background goroutines once set

	wg        sync.WaitGroup // background goroutines (GET stream, cancellations)
	closeOnce sync.Once
	closeErr  error
}

var _ Conn = (*HTTPConn)(nil)

// DialHTTP connects to a Streamable HTTP endpoint. In the session era it
// initializes (bounded by ctx) and opens the standalone GET stream; in the
// stateless era it sends nothing.
func DialHTTP(ctx context.Context, o HTTPOptions) (*HTTPConn, error) {
	u, err := parseHTTPURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("upstream http: bad URL %q: %w", o.URL, err)
	}
	c := &HTTPConn{
		url:       u.String(),
		headers:   sharedHeader(o.Headers),
		client:    o.Client,
		lifecycle: newLifecycle(orDiscard(o.Logger).With("upstream", u.Redacted())),
		maxMsg:    orDefaultMax(o.MaxMessageBytes),
		stateless: o.InitParams == nil,
	}
	if c.client == nil {
		c.client = defaultHTTPClient()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if c.stateless {
		return c, nil
	}
	if err := c.initialize(ctx, o.InitParams); err != nil {
		c.Close()
		return nil, err
	}
	// Wait (briefly) until the standalone GET stream is answered, so that
	// unsolicited messages sent right after Dial returns are not missed. A
	// server that holds back the response headers costs at most
	// listenReadyWait.
	ready := make(chan struct{})
	c.mu.Lock()
	c.wg.Add(1)
	c.mu.Unlock()
	go c.listen(ready)
	t := time.NewTimer(listenReadyWait)
	defer t.Stop()
	select {
	case <-ready:
	case <-t.C:
	case <-ctx.Done():
	}
	return c, nil
}

// listenReadyWait bounds how long Dial waits for the GET stream's answer.
const listenReadyWait = time.Second

// InitializeResult is the raw result of initialize (session era); nil when
// stateless.
func (c *HTTPConn) InitializeResult() json.RawMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.initResult
}

// SessionID is the Mcp-Session-Id the server assigned ("" if none).
func (c *HTTPConn) SessionID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessionID
}

// ProtocolVersion is the negotiated version (session era) or the last one
// seen in a request's _meta (stateless).
func (c *HTTPConn) ProtocolVersion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

func (c *HTTPConn) initialize(ctx context.Context, params json.RawMessage) error {
	res, err := Handshake(ctx, c, params)
	if err != nil {
		return fmt.Errorf("upstream http: %w", err)
	}
	version, ok := mcpwire.StringMember(res, "protocolVersion")
	if !ok || version == "" {
		return errors.New("upstream http: initialize result has no protocolVersion")
	}
	c.mu.Lock()
	c.setVersion(version)
	c.initResult = res
	c.mu.Unlock()
	return nil
}

// Call sends req with the Conn's own id and waits for the response, which
// is returned with req's id restored byte for byte. A JSON-RPC error that a
// server sends with a 4xx/5xx status is returned as the response.
func (c *HTTPConn) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	if req == nil || req.Kind != mcpwire.KindRequest {
		return nil, errors.New("upstream http: Call needs a request")
	}
	if err := c.closedErr(); err != nil {
		return nil, err
	}
	if req.Method == "tools/call" && c.modern() {
		h, refused, err := c.paramHeaders(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("upstream http: tools/call: %w", err)
		}
		if refused != nil {
			return refused, nil
		}
		ctx = intercept.WithParamHeaders(ctx, h)
	}
	upID := upstreamID(c.nextID.Add(1))
	body := req.WithID(upID)

	callCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	stop := context.AfterFunc(c.ctx, func() { abort(ErrClosed) })
	defer stop()

	pc := newPendingCall(req, upID, related, abort)
	c.pending.add(pc)
	defer func() {
		pc.finish()
		c.pending.remove(pc)
	}()

	resp, err := c.exchange(callCtx, req, body, pc)
	// Closed, or cancelled by the client's notifications/cancelled, while
	// in flight: that wins even if a response slipped in.
	switch cause := context.Cause(callCtx); {
	case errors.Is(cause, ErrClosed):
		if e := c.closedErr(); e != nil {
			return nil, e
		}
		return nil, ErrClosed
	case errors.Is(cause, errCancelledByClient):
		return nil, fmt.Errorf("upstream http: %s: %w", req.Method, errCancelledByClient)
	}
	if err == nil && resp.Kind == mcpwire.KindResponse {
		switch req.Method {
		case "tools/list":
			c.params.learn(resp.Result)
		case "initialize":
			// Every request after initialize carries the version,
			// notifications/initialized included.
			if v, ok := mcpwire.StringMember(resp.Result, "protocolVersion"); ok && v != "" && !c.stateless {
				c.mu.Lock()
				c.setVersion(v)
				c.mu.Unlock()
			}
		}
	}
	if err == nil {
		return resp, nil
	}
	select {
	case m := <-pc.final: // the response came on the GET stream
		return c.restoreID(m, req)
	default:
	}
	if callCtx.Err() == nil {
		return nil, err
	}
	if ctx.Err() != nil {
		// Session era: disconnecting is not cancellation; tell the server.
		// Stateless: closing the response stream was the cancellation.
		if !c.stateless {
			c.sendCancel(upID)
		}
		return nil, ctx.Err()
	}
	return nil, err
}

func (c *HTTPConn) restoreID(m *mcpwire.Message, req *mcpwire.Message) (*mcpwire.Message, error) {
	out, err := withCallerID(m, req.ID)
	if err != nil {
		return nil, fmt.Errorf("upstream http: %s: restoring the id: %w", req.Method, err)
	}
	return out, nil
}

// callPostKey marks the context of a call's own POST with the call's
// Sender, for the plain-http transport to tell once the request is
// written. Other POSTs (notifications, answers to the server) may run on
// any goroutine, and must not.
type callPostKey struct{}

// exchange POSTs one request and reads its response.
func (c *HTTPConn) exchange(ctx context.Context, req *mcpwire.Message, body []byte, pc *pendingCall) (*mcpwire.Message, error) {
	if s, ok := ctx.Value(SentKey{}).(Sender); ok {
		ctx = context.WithValue(ctx, callPostKey{}, s)
	}
	hreq, err := c.newPost(ctx, body, req)
	if err != nil {
		return nil, fmt.Errorf("upstream http: %s: %w", req.Method, err)
	}
	resp, err := c.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("upstream http: %s: %w", req.Method, err)
	}
	if req.Method == "initialize" && !c.stateless {
		c.adoptSession(resp.Header.Get(hdrSessionID))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer drainClose(resp.Body)
		return c.failedStatus(resp, req.Method, req.ID)
	}
	switch ct := mediaType(resp.Header.Get("Content-Type")); ct {
	case "text/event-stream":
		return c.readCallStream(ctx, req, pc, resp.Body)
	case "application/json":
		defer drainClose(resp.Body)
		b, err := readLimited(resp.Body, c.maxMsg)
		if err != nil {
			return nil, fmt.Errorf("upstream http: %s: reading response: %w", req.Method, err)
		}
		m, err := mcpwire.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("upstream http: %s: %w: bad response body: %w", req.Method, ErrBadResponse, err)
		}
		if !answers(m, pc) {
			return nil, fmt.Errorf("upstream http: %s: JSON body is not the response to the request (%s)", req.Method, m.Kind)
		}
		return c.restoreID(m, req)
	default:
		drainClose(resp.Body)
		if resp.StatusCode == http.StatusAccepted || ct == "" {
			return nil, fmt.Errorf("upstream http: %s: server sent no response (status %d)", req.Method, resp.StatusCode)
		}
		return nil, fmt.Errorf("upstream http: %s: unexpected content type %q", req.Method, ct)
	}
}

// answers reports whether m is the response to pc: our id, or an error
// response with a null or missing id (a server that could not read the
// request).
func answers(m *mcpwire.Message, pc *pendingCall) bool {
	if !m.IsResponse() {
		return false
	}
	if mcpwire.IDKey(m.ID) == pc.upKey {
		return true
	}
	return m.Kind == mcpwire.KindError && (m.ID == nil || string(bytes.TrimSpace(m.ID)) == "null")
}

// failedStatus turns a non-2xx answer into the call's result: a JSON-RPC
// error body becomes the response (with the caller's id); 404 with a
// session means the session expired; anything else is a Go error.
func (c *HTTPConn) failedStatus(resp *http.Response, what string, callerID []byte) (*mcpwire.Message, error) {
	if resp.StatusCode == http.StatusNotFound && !c.stateless && c.SessionID() != "" {
		c.log.Info("upstream session expired", "status", resp.StatusCode)
		c.fail(ErrSessionExpired)
		return nil, fmt.Errorf("upstream http: %s: %w", what, ErrSessionExpired)
	}
	b, _ := readLimited(resp.Body, c.maxMsg)
	if callerID != nil {
		if m := errorReply(b, callerID); m != nil {
			return m, nil
		}
	}
	return nil, fmt.Errorf("upstream http: %s: status %d %s: %s", what, resp.StatusCode, http.StatusText(resp.StatusCode), snippet(b))
}

func (c *HTTPConn) adoptSession(sid string) {
	if sid == "" {
		return
	}
	for i := 0; i < len(sid); i++ {
		if sid[i] < 0x21 || sid[i] > 0x7e {
			c.log.Warn("ignoring Mcp-Session-Id with invalid characters")
			return
		}
	}
	c.mu.Lock()
	if c.sessionID == "" {
		c.sessionID, c.sessionHdr = sid, []string{sid}
	}
	c.mu.Unlock()
}

// streamState is what survives a reconnection of an event stream.
type streamState struct {
	lastID     string
	retry      time.Duration // server's retry field; 0 when none
	progressed bool          // an event with an id arrived since last reset
}

// fatalStreamError ends a stream without reconnection.
type fatalStreamError struct{ err error }

func (e fatalStreamError) Error() string { return e.err.Error() }
func (e fatalStreamError) Unwrap() error { return e.err }

// pump reads messages from an event stream and passes them to handle until
// handle returns true (nil error), the stream ends (io.EOF) or fails.
func (c *HTTPConn) pump(body io.Reader, st *streamState, handle func(*mcpwire.Message) bool) error {
	rd := sse.NewReader(body, maxEvent(c.maxMsg))
	defer func() {
		if r := rd.Retry(); r > 0 {
			st.retry = time.Duration(r) * time.Millisecond
		}
		rd.Release()
	}()
	for {
		ev, err := rd.Next()
		if err != nil {
			if errors.Is(err, sse.ErrTooLarge) {
				return fatalStreamError{fmt.Errorf("%w (%d bytes): %w", ErrMessageTooLarge, c.maxMsg, err)}
			}
			return err
		}
		if ev.HasID {
			st.lastID = ev.ID
			st.progressed = true
		}
		if len(ev.Data) == 0 || (ev.Type != "" && ev.Type != "message") {
			continue // priming event, or an event that carries no message
		}
		m, err := mcpwire.Parse(ev.Data)
		if err != nil {
			return fatalStreamError{fmt.Errorf("bad message on event stream: %w", err)}
		}
		if handle(m) {
			return nil
		}
	}
}

// readCallStream reads a call's SSE response stream: related messages go to
// the call, in order; the response with our id ends it. A stream that
// breaks before the response is resumed (session era, when the server gave
// event ids) with GET + Last-Event-ID.
func (c *HTTPConn) readCallStream(ctx context.Context, req *mcpwire.Message, pc *pendingCall, body io.ReadCloser) (*mcpwire.Message, error) {
	var final *mcpwire.Message
	handle := func(m *mcpwire.Message) bool {
		if m.IsResponse() {
			if answers(m, pc) {
				final = m
				return true
			}
			if other := c.pending.byUpstream(mcpwire.IDKey(m.ID)); other != nil && other.route(m) {
				return false // a server that mixed up its streams
			}
			c.log.Warn("dropping a response that matches no call", "id", string(m.ID))
			return false
		}
		if !pc.deliver(m) {
			c.toUnsolicited(m)
		}
		return false
	}
	var st streamState
	failures := 0
	for {
		err := c.pump(body, &st, handle)
		if final != nil {
			finishStream(body)
			return c.restoreID(final, req)
		}
		body.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var fatal fatalStreamError
		if errors.As(err, &fatal) {
			return nil, fmt.Errorf("upstream http: %s: %w", req.Method, err)
		}
		if c.stateless || st.lastID == "" {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("upstream http: %s: response stream ended before the response: %w", req.Method, err)
		}
		if st.progressed {
			failures = 0
			st.progressed = false
		}
		c.log.Debug("resuming response stream", "method", req.Method, "last_event_id", st.lastID, "error", err)
		body, err = c.resume(ctx, req.Method, &st, &failures)
		if err != nil {
			return nil, err
		}
	}
}

// resume reopens a broken stream with GET + Last-Event-ID.
func (c *HTTPConn) resume(ctx context.Context, method string, st *streamState, failures *int) (io.ReadCloser, error) {
	for {
		*failures++
		if *failures > maxResumeAttempts {
			return nil, fmt.Errorf("upstream http: %s: response stream lost; gave up resuming after %d attempts", method, maxResumeAttempts)
		}
		if err := sleepCtx(ctx, backoff(*failures, st.retry)); err != nil {
			return nil, err
		}
		resp, err := c.get(ctx, st.lastID)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			c.log.Debug("resumption failed", "method", method, "error", err)
			continue
		}
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode <= 299 && mediaType(resp.Header.Get("Content-Type")) == "text/event-stream":
			return resp.Body, nil
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
			defer drainClose(resp.Body)
			if resp.StatusCode == http.StatusMethodNotAllowed {
				return nil, fmt.Errorf("upstream http: %s: response stream lost and the server does not support resumption (405)", method)
			}
			_, err := c.failedStatus(resp, method, nil)
			return nil, err
		default:
			c.log.Debug("resumption refused", "method", method, "status", resp.StatusCode)
			drainClose(resp.Body)
		}
	}
}

// listen keeps the standalone GET stream open (session era) and hands its
// messages to the unsolicited receiver.
func (c *HTTPConn) listen(ready chan struct{}) {
	defer c.wg.Done()
	var readyOnce sync.Once
	signal := func() { readyOnce.Do(func() { close(ready) }) }
	defer signal()
	var st streamState
	failures := 0
	for {
		if failures > 0 {
			if failures > maxListenFailures {
				c.log.Warn("giving up the standalone GET stream", "failures", failures-1)
				return
			}
			if sleepCtx(c.ctx, backoff(failures, st.retry)) != nil {
				return
			}
		}
		next, err := c.listenOnce(&st, signal)
		if !next {
			if err != nil {
				c.log.Warn("standalone GET stream ended; not listening", "error", err)
			}
			return
		}
		if err != nil {
			c.log.Debug("GET stream failed", "error", err)
		}
		if st.progressed {
			failures = 1
		} else {
			failures++
		}
	}
}

// listenOnce opens the GET stream once and reads it until it ends. next
// says whether to reconnect.
func (c *HTTPConn) listenOnce(st *streamState, signal func()) (next bool, err error) {
	resp, err := c.get(c.ctx, st.lastID)
	signal()
	if c.ctx.Err() != nil {
		if err == nil {
			resp.Body.Close()
		}
		return false, nil
	}
	if err != nil {
		return true, err
	}
	switch {
	case resp.StatusCode == http.StatusMethodNotAllowed:
		drainClose(resp.Body)
		c.log.Debug("server offers no standalone GET stream (405)")
		return false, nil
	case resp.StatusCode == http.StatusNotFound && c.SessionID() != "":
		c.failedStatus(resp, "GET stream", nil)
		drainClose(resp.Body)
		return false, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		drainClose(resp.Body)
		return true, fmt.Errorf("status %d", resp.StatusCode)
	case mediaType(resp.Header.Get("Content-Type")) != "text/event-stream":
		drainClose(resp.Body)
		return false, fmt.Errorf("not an event stream (Content-Type %q)", resp.Header.Get("Content-Type"))
	}
	st.progressed = false
	err = c.pump(resp.Body, st, c.handleListen)
	resp.Body.Close()
	if c.ctx.Err() != nil {
		return false, nil
	}
	var fatal fatalStreamError
	if errors.As(err, &fatal) {
		return false, err
	}
	return true, err
}

func (c *HTTPConn) handleListen(m *mcpwire.Message) bool {
	if m.IsResponse() {
		// A server should answer on the request's own stream; accept a
		// response here for an in-flight call anyway.
		if pc := c.pending.byUpstream(mcpwire.IDKey(m.ID)); pc != nil && pc.route(m) {
			return false
		}
		c.log.Warn("dropping a response that matches no call", "id", string(m.ID))
		return false
	}
	c.toUnsolicited(m)
	return false
}

// newRequest builds a request with the configured and session headers.
// Keys go into the map already canonical (Header.Set canonicalises each
// time) and constant values share one slice: every call builds a request.
// net/http only reads a request's header values, and an Add on a shared
// slice copies it (its capacity is its length).
func (c *HTTPConn) newRequest(ctx context.Context, method string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url, rd)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(c.headers)+6)
	for k, v := range c.headers {
		h[k] = v
	}
	req.Header = h
	if !c.stateless {
		c.mu.Lock()
		sid, ver := c.sessionHdr, c.versionHdr
		c.mu.Unlock()
		if sid != nil {
			h[hdrSessionID] = sid
		}
		if ver != nil {
			h[hdrProtocolVersion] = ver
		}
	}
	return req, nil
}

func (c *HTTPConn) get(ctx context.Context, lastEventID string) (*http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, nil)
	if err != nil {
		return nil, err
	}
	req.Header["Accept"] = valueEventOnly
	if lastEventID != "" {
		req.Header.Set(hdrLastEventID, lastEventID)
	}
	return c.client.Do(req)
}

// newPost builds the POST carrying msg (whose bytes, possibly rewritten,
// are body). Stateless: MCP-Protocol-Version comes from the message's
// _meta (or the last one seen, for notifications and responses without
// one), and requests and notifications get Mcp-Method and, for tools/call,
// prompts/get and resources/read, Mcp-Name.
func (c *HTTPConn) newPost(ctx context.Context, body []byte, msg *mcpwire.Message) (*http.Request, error) {
	req, err := c.newRequest(ctx, http.MethodPost, body)
	if err != nil {
		return nil, err
	}
	req.Header["Content-Type"] = valueJSON
	req.Header["Accept"] = valueAcceptPost
	ver := headerValue(req.Header, hdrProtocolVersion)
	if c.stateless {
		var vh []string
		c.mu.Lock()
		if v, ok := mcpwire.MetaString(msg.Params, metaProtocolVersion); ok && v != "" {
			c.setVersion(v)
		}
		ver, vh = c.version, c.versionHdr
		c.mu.Unlock()
		if vh != nil {
			req.Header[hdrProtocolVersion] = vh
		}
	}
	if msg.Method != "" && (c.stateless || ver >= modernVersion) {
		req.Header.Set(hdrMethod, encodeHeaderValue(msg.Method))
		if name, ok := mcpName(msg.Method, msg.Params); ok {
			req.Header.Set(hdrName, encodeHeaderValue(name))
		}
		addParamHeaders(ctx, req.Header)
	}
	return req, nil
}

// setVersion records the protocol version; c.mu is held.
func (c *HTTPConn) setVersion(v string) {
	if v != c.version {
		c.version, c.versionHdr = v, []string{v}
	}
}

// modern reports whether requests carry the 2026-07-28 headers.
func (c *HTTPConn) modern() bool {
	if c.stateless {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version >= modernVersion
}

// mcpName is the Mcp-Name header value for the methods that carry one.
func mcpName(method string, params json.RawMessage) (string, bool) {
	switch method {
	case "tools/call", "prompts/get":
		return mcpwire.StringMember(params, "name")
	case "resources/read":
		return mcpwire.StringMember(params, "uri")
	}
	return "", false
}

// postOneWay POSTs a notification or response; the server answers 202
// (some 200 or 204). It is abandoned when the Conn ends.
func (c *HTTPConn) postOneWay(ctx context.Context, body []byte, msg *mcpwire.Message, what string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()
	return c.sendOneWay(ctx, body, msg, what)
}

// sendOneWay is postOneWay bounded by ctx only.
func (c *HTTPConn) sendOneWay(ctx context.Context, body []byte, msg *mcpwire.Message, what string) error {
	req, err := c.newPost(ctx, body, msg)
	if err != nil {
		return fmt.Errorf("upstream http: %s: %w", what, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if e := c.closedErr(); e != nil {
			return e
		}
		return fmt.Errorf("upstream http: %s: %w", what, err)
	}
	defer drainClose(resp.Body)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	_, err = c.failedStatus(resp, what, nil)
	return err
}

// Notify sends a client notification as is. Cancelling a call is done by
// cancelling its Call's ctx (see Conn). As a safety net, a
// notifications/cancelled handed to Notify is never forwarded with the
// client's id, which could name one of the Conn's own upstream ids: when it
// names exactly one in-flight call, it ends that call and is sent with the
// upstream id (session era; in the stateless era closing the call's stream
// is the cancellation); otherwise it is dropped.
func (c *HTTPConn) Notify(ctx context.Context, msg *mcpwire.Message) error {
	if msg == nil || msg.Kind != mcpwire.KindNotification {
		return errors.New("upstream http: Notify needs a notification")
	}
	if err := c.closedErr(); err != nil {
		return err
	}
	if msg.Method != methodCancelled {
		return c.postOneWay(ctx, msg.Raw, msg, msg.Method)
	}
	pc, raw, ok, err := c.pending.cancelTarget(msg)
	if err != nil {
		return fmt.Errorf("upstream http: %s: %w", msg.Method, err)
	}
	if !ok {
		c.log.Debug("dropping notifications/cancelled for an unknown or ambiguous request id")
		return nil
	}
	if c.stateless {
		pc.abort(errCancelledByClient)
		return nil
	}
	pc.abort(errCancelledByClient)
	return c.postOneWay(ctx, raw, msg, msg.Method)
}

// Respond answers a server→client request (msg.ID is the server's id).
func (c *HTTPConn) Respond(ctx context.Context, msg *mcpwire.Message) error {
	if msg == nil || !msg.IsResponse() {
		return errors.New("upstream http: Respond needs a response")
	}
	if err := c.closedErr(); err != nil {
		return err
	}
	return c.postOneWay(ctx, msg.Raw, msg, "response")
}

// sendCancel tells the server (session era) that the caller gave up on the
// request with upstream id upID. It runs in the background, bounded by
// cancelTimeout and by Close.
func (c *HTTPConn) sendCancel(upID []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		raw := cancelledNotification(upID, "request cancelled")
		msg, err := mcpwire.Parse(raw)
		if err != nil {
			c.log.Error("building notifications/cancelled", "error", err)
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, cancelTimeout)
		defer cancel()
		if err := c.postOneWay(ctx, raw, msg, methodCancelled); err != nil {
			c.log.Debug("sending notifications/cancelled", "error", err)
		}
	}()
}

// Close ends in-flight calls (they return ErrClosed at once) and stops the
// GET stream. In the session era it then tells the server: a
// notifications/cancelled for each call that was in flight (dropping a
// response stream is not cancellation, and some servers wait for running
// handlers before ending a session) and a DELETE of the session (404 and
// 405 are fine), all bounded by 2s.
func (c *HTTPConn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		sid := c.sessionID
		c.mu.Unlock()
		expired := errors.Is(c.Err(), ErrSessionExpired)
		inflight := c.pending.all()
		for _, pc := range inflight {
			pc.abort(ErrClosed)
		}
		c.fail(ErrClosed)
		if !c.stateless && sid != "" && !expired {
			ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
			c.cancelAll(ctx, inflight)
			c.closeErr = c.deleteSession(ctx)
			cancel()
		}
		c.wg.Wait()
	})
	return c.closeErr
}

// cancelAll sends notifications/cancelled for calls, in parallel.
func (c *HTTPConn) cancelAll(ctx context.Context, calls []*pendingCall) {
	var wg sync.WaitGroup
	for _, pc := range calls {
		if pc.upKey == "" {
			continue
		}
		raw := cancelledNotification(pc.upID, "connection closed")
		msg, err := mcpwire.Parse(raw)
		if err != nil {
			continue
		}
		wg.Go(func() {
			if err := c.sendOneWay(ctx, raw, msg, methodCancelled); err != nil {
				c.log.Debug("sending notifications/cancelled on close", "error", err)
			}
		})
	}
	wg.Wait()
}

func (c *HTTPConn) deleteSession(ctx context.Context) error {
	req, err := c.newRequest(ctx, http.MethodDelete, nil)
	if err != nil {
		return fmt.Errorf("upstream http: DELETE session: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("upstream http: DELETE session: %w", err)
	}
	drainClose(resp.Body)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299,
		resp.StatusCode == http.StatusNotFound,
		resp.StatusCode == http.StatusMethodNotAllowed:
		return nil
	}
	return fmt.Errorf("upstream http: DELETE session: status %d", resp.StatusCode)
}
