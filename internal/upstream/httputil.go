package upstream

// Helpers shared by the Streamable HTTP (http.go) and legacy HTTP+SSE
// (sselegacy.go) client connections.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// DefaultMaxMessageBytes bounds one server message when the options leave
// MaxMessageBytes at zero.
const DefaultMaxMessageBytes = 16 << 20

// ErrSessionExpired means the server answered 404 to a request carrying our
// Mcp-Session-Id: it has forgotten the session. The Conn is done; the owner
// re-creates it (and re-initializes).
var ErrSessionExpired = errors.New("upstream http: session expired (server answered 404)")

// ErrMessageTooLarge is returned when a server message exceeds
// MaxMessageBytes.
var ErrMessageTooLarge = errors.New("upstream: message exceeds the size limit")

// ErrBadResponse is returned when the server's answer to a call is not a
// message the gateway can pass on: one the strict decoder refuses
// (duplicate keys, say) or, over stdio, one over the size limit. The
// server is up; the call fails, the connection stays.
var ErrBadResponse = errors.New("upstream: response refused")

// errCancelledByClient is the cause of a call aborted because the client
// sent notifications/cancelled for it.
var errCancelledByClient = errors.New("upstream: request cancelled by the client")

// errRouted is the cause used to stop reading a call's stream when its
// response arrived elsewhere (on the standalone GET stream).
var errRouted = errors.New("upstream: response arrived on another stream")

// HTTP header names (canonical forms).
const (
	hdrSessionID       = "Mcp-Session-Id"
	hdrProtocolVersion = "Mcp-Protocol-Version"
	hdrMethod          = "Mcp-Method"
	hdrName            = "Mcp-Name"
	hdrParamPrefix     = "Mcp-Param-"
	hdrLastEventID     = "Last-Event-Id"

	// metaProtocolVersion is the _meta key of the modern era's per-request
	// protocol version.
	metaProtocolVersion = "io.modelcontextprotocol/protocolVersion"
	// modernVersion is the first protocol version with the standard
	// Mcp-Method / Mcp-Name headers (versions are dates: they compare as
	// strings).
	modernVersion = "2026-07-28"

	methodCancelled = "notifications/cancelled"
	methodProgress  = "notifications/progress"
	methodLog       = "notifications/message"
)

const (
	// maxResumeAttempts bounds consecutive reconnections of a call's stream
	// that bring no new event.
	maxResumeAttempts = 3
	// maxListenFailures bounds consecutive failed (re)connections of the
	// standalone GET stream before it is given up.
	maxListenFailures = 5
	// closeTimeout bounds what Close sends: notifications/cancelled for the
	// calls in flight, then the DELETE.
	closeTimeout = 2 * time.Second
	// cancelTimeout bounds the notifications/cancelled sent when a caller
	// gives up on a call.
	cancelTimeout = 5 * time.Second
	// errBodySnippet is how much of a non-JSON-RPC error body goes into an
	// error message.
	errBodySnippet = 256
)

var (
	defaultClientOnce sync.Once
	defaultClient     *http.Client
)

// defaultHTTPClient is shared by all Conns that were given no client: one
// connection pool, keep-alive, enough idle connections per host for a busy
// upstream. No overall timeout: streams are long-lived; requests are bound
// by their contexts. Redirects to another origin are refused so that
// configured upstream credentials (Headers) never follow a redirect to a
// different host.
func defaultHTTPClient() *http.Client {
	defaultClientOnce.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 512
		tr.MaxIdleConnsPerHost = 64
		tr.IdleConnTimeout = 90 * time.Second
		defaultClient = &http.Client{Transport: newDirectTransport(tr), CheckRedirect: sameOriginRedirects}
	})
	return defaultClient
}

func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("upstream http: too many redirects")
	}
	if !sameOrigin(req.URL, via[0].URL) {
		return fmt.Errorf("upstream http: refusing redirect to another origin (%s)", req.URL.Redacted())
	}
	return nil
}

// sameOrigin compares scheme, host and (defaulted) port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("missing host")
	}
	return u, nil
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func orDefaultMax(n int64) int64 {
	if n <= 0 {
		return DefaultMaxMessageBytes
	}
	return n
}

// maxEvent converts a message limit to the sse.Reader's int limit.
func maxEvent(n int64) int {
	if n > int64(int(^uint(0)>>1)) {
		return int(^uint(0) >> 1)
	}
	return int(n)
}

// mediaType returns the lower-cased media type of a Content-Type value.
func mediaType(v string) string {
	switch v {
	case "", "application/json", "text/event-stream":
		return v // the usual values, as ParseMediaType would return them
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		mt, _, _ = strings.Cut(v, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// Header values every request carries, shared (see newRequest).
var (
	valueJSON       = []string{"application/json"}
	valueAcceptPost = []string{"application/json, text/event-stream"}
	valueEventOnly  = []string{"text/event-stream"}
)

// sharedHeader is h with canonical keys and a one-element value slice per
// key, made once for all requests.
func sharedHeader(h map[string]string) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		out[http.CanonicalHeaderKey(k)] = []string{v}
	}
	return out
}

// headerValue is Header.Get for a key already canonical: it skips the
// canonicalisation Get does on every call.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readLimited reads all of r, failing with ErrMessageTooLarge past max
// bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w (%d bytes)", ErrMessageTooLarge, max)
	}
	return b, nil
}

// drainClose reads a little of a finished body so the connection can be
// reused, then closes it.
func drainClose(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 4<<10)
	body.Close()
}

// finishStream is called on a response stream once it has delivered what
// the caller waited for. Servers end the stream right after the final
// response; reading that end lets the connection go back to the pool
// instead of being torn down (which also makes a proxy in between abort
// its upstream read). The wait is bounded: a server that keeps the stream
// open gets it closed after streamDrainWait.
func finishStream(body io.ReadCloser) {
	t := time.AfterFunc(streamDrainWait, func() { body.Close() })
	io.CopyN(io.Discard, body, 64<<10)
	t.Stop()
	body.Close()
}

const streamDrainWait = 100 * time.Millisecond

func snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > errBodySnippet {
		b = b[:errBodySnippet]
	}
	return strconv.Quote(string(b))
}

// encodeHeaderValue encodes a value for an MCP header (Mcp-Name,
// Mcp-Param-*) as SEP-2243 specifies: plain when it is printable ASCII
// without leading or trailing whitespace, otherwise =?base64?<std base64 of
// the UTF-8 bytes>?=. A plain value that itself looks like the sentinel is
// encoded too, so that it is not taken for an encoded one.
func encodeHeaderValue(s string) string {
	if needsBase64(s) {
		return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	}
	return s
}

func needsBase64(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return true
		}
	}
	return strings.HasPrefix(s, "=?base64?") && strings.HasSuffix(s, "?=")
}

// WithParamHeaders returns a context that makes an HTTP Conn add the given
// Mcp-Param-* headers to the request it sends for this context (the
// Streamable HTTP modern era binds tool arguments annotated x-mcp-header to
// such headers; the relay forwards the ones the client sent). Only headers
// whose name starts with Mcp-Param- are used; values are sent as given
// (already encoded).
func WithParamHeaders(ctx context.Context, h http.Header) context.Context {
	return intercept.WithParamHeaders(ctx, h)
}

func addParamHeaders(ctx context.Context, dst http.Header) {
	for k, vs := range intercept.ParamHeaders(ctx) {
		ck := http.CanonicalHeaderKey(k)
		if !strings.HasPrefix(ck, hdrParamPrefix) || len(vs) == 0 {
			continue
		}
		dst[ck] = append([]string(nil), vs...)
	}
}

// backoff is the delay before reconnection attempt n (1-based): the
// server's retry value when it gave one, else exponential from 100ms with
// jitter, capped at 5s.
func backoff(n int, serverRetry time.Duration) time.Duration {
	if serverRetry > 0 {
		return serverRetry
	}
	d := 100 * time.Millisecond << min(n-1, 6)
	d = min(d, 5*time.Second)
	return d/2 + rand.N(d/2+1)
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// upstreamID formats the Conn's own request id n.
func upstreamID(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// withCallerID returns m with its id replaced by id (the caller's original
// bytes). An error response without an id member gets one.
func withCallerID(m *mcpwire.Message, id []byte) (*mcpwire.Message, error) {
	if m.ID != nil {
		out := *m
		if out.SetID(id) {
			return &out, nil
		}
	}
	raw, err := mcpwire.Set(m.Raw, "id", id)
	if err != nil {
		return nil, err
	}
	return mcpwire.Parse(raw)
}

// errorReply interprets the body of a failed HTTP exchange: when it is a
// JSON-RPC error response it becomes the call's final response, with the
// caller's id.
func errorReply(body []byte, callerID []byte) *mcpwire.Message {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	m, err := mcpwire.Parse(body)
	if err != nil {
		// Some servers omit the id of an error about an unreadable
		// request; give it the caller's.
		if _, hasID := mcpwire.Get(body, "id"); hasID {
			return nil
		}
		if _, hasErr := mcpwire.Get(body, "error"); !hasErr {
			return nil
		}
		fixed, err2 := mcpwire.Set(body, "id", callerID)
		if err2 != nil {
			return nil
		}
		if m, err = mcpwire.Parse(fixed); err != nil {
			return nil
		}
	}
	if m.Kind != mcpwire.KindError {
		return nil
	}
	out, err := withCallerID(m, callerID)
	if err != nil {
		return nil
	}
	return out
}

// pendingCall is one in-flight Call.
type pendingCall struct {
	upID     []byte // the id sent upstream
	upKey    string // mcpwire.IDKey(upID)
	callerID []byte // the caller's original id bytes
	orgKey   string // mcpwire.IDKey(callerID)
	progress string // IDKey of params._meta.progressToken, "" if none
	related  Related
	abort    context.CancelCauseFunc
	final    chan *mcpwire.Message // buffered(1): response routed from another stream

	mu       sync.Mutex
	finished bool
}

// deliver hands msg to the call's related callback unless the call has
// returned. It reports whether the message was delivered.
func (pc *pendingCall) deliver(msg *mcpwire.Message) bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.finished || pc.related == nil {
		return false
	}
	pc.related(msg)
	return true
}

func (pc *pendingCall) finish() {
	pc.mu.Lock()
	pc.finished = true
	pc.mu.Unlock()
}

// deliverFinal hands the call its response (legacy SSE: every response
// arrives on the one event stream). It reports false if the call already
// has one.
func (pc *pendingCall) deliverFinal(msg *mcpwire.Message) bool {
	select {
	case pc.final <- msg:
		return true
	default:
		return false
	}
}

// route delivers a response that arrived outside the call's own stream
// (Streamable HTTP) and stops the call reading its own.
func (pc *pendingCall) route(msg *mcpwire.Message) bool {
	if !pc.deliverFinal(msg) {
		return false
	}
	pc.abort(errRouted)
	return true
}

// pendingSet indexes in-flight calls by upstream id, caller id and
// progress token.
type pendingSet struct {
	mu         sync.Mutex
	byUp       map[string]*pendingCall
	byOrig     map[string][]*pendingCall
	byProgress map[string][]*pendingCall
}

func (p *pendingSet) add(pc *pendingCall) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byUp == nil {
		p.byUp = map[string]*pendingCall{}
		p.byOrig = map[string][]*pendingCall{}
		p.byProgress = map[string][]*pendingCall{}
	}
	p.byUp[pc.upKey] = pc
	p.byOrig[pc.orgKey] = append(p.byOrig[pc.orgKey], pc)
	if pc.progress != "" {
		p.byProgress[pc.progress] = append(p.byProgress[pc.progress], pc)
	}
}

func (p *pendingSet) remove(pc *pendingCall) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byUp[pc.upKey] == pc {
		delete(p.byUp, pc.upKey)
	}
	p.byOrig[pc.orgKey] = removeCall(p.byOrig[pc.orgKey], pc)
	if len(p.byOrig[pc.orgKey]) == 0 {
		delete(p.byOrig, pc.orgKey)
	}
	if pc.progress != "" {
		p.byProgress[pc.progress] = removeCall(p.byProgress[pc.progress], pc)
		if len(p.byProgress[pc.progress]) == 0 {
			delete(p.byProgress, pc.progress)
		}
	}
}

func removeCall(list []*pendingCall, pc *pendingCall) []*pendingCall {
	for i, x := range list {
		if x == pc {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func (p *pendingSet) byUpstream(key string) *pendingCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byUp[key]
}

// byCaller returns the call with this caller id when exactly one is in
// flight (several clients may share a Conn and use the same ids).
func (p *pendingSet) byCaller(key string) (*pendingCall, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.byOrig[key]
	if len(l) != 1 {
		return nil, len(l)
	}
	return l[0], 1
}

func (p *pendingSet) byProgressToken(key string) (*pendingCall, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.byProgress[key]
	if len(l) != 1 {
		return nil, len(l)
	}
	return l[0], 1
}

// all returns the in-flight calls.
func (p *pendingSet) all() []*pendingCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*pendingCall, 0, len(p.byUp))
	for _, pc := range p.byUp {
		out = append(out, pc)
	}
	return out
}

// only returns the single in-flight call, or nil when there are zero or
// several.
func (p *pendingSet) only() *pendingCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.byUp) != 1 {
		return nil
	}
	for _, pc := range p.byUp {
		return pc
	}
	return nil
}

// newPendingCall prepares the bookkeeping of a call whose upstream id is
// upID.
func newPendingCall(req *mcpwire.Message, upID []byte, related Related, abort context.CancelCauseFunc) *pendingCall {
	pc := &pendingCall{
		upID:     upID,
		upKey:    mcpwire.IDKey(upID),
		callerID: req.ID,
		orgKey:   mcpwire.IDKey(req.ID),
		related:  related,
		abort:    abort,
		final:    make(chan *mcpwire.Message, 1),
	}
	if meta := mcpwire.Meta(req.Params); meta != nil {
		if tok, ok := mcpwire.Get(meta, "progressToken"); ok {
			pc.progress = mcpwire.IDKey(tok)
		}
	}
	return pc
}

// cancelTarget finds the in-flight call a client's notifications/cancelled
// names and returns the notification rewritten to the upstream id. ok is
// false when the id names no call of this Conn or several (ambiguous): such
// a notification must not be forwarded as is, since the client's id could
// collide with one of the Conn's own upstream ids and cancel somebody
// else's request.
func (p *pendingSet) cancelTarget(msg *mcpwire.Message) (pc *pendingCall, raw []byte, ok bool, err error) {
	rid, found := mcpwire.Get(msg.Params, "requestId")
	if !found {
		return nil, nil, false, nil
	}
	pc, n := p.byCaller(mcpwire.IDKey(rid))
	if n != 1 {
		return nil, nil, false, nil
	}
	raw, err = mcpwire.SetPath(msg.Raw, []string{"params", "requestId"}, pc.upID)
	if err != nil {
		return nil, nil, false, err
	}
	return pc, raw, true, nil
}

// cancelledNotification builds notifications/cancelled for upstream id upID.
func cancelledNotification(upID []byte, reason string) []byte {
	params := make([]byte, 0, 64)
	params = append(params, `{"requestId":`...)
	params = append(params, upID...)
	params = append(params, `,"reason":`...)
	params = strconv.AppendQuote(params, reason)
	params = append(params, '}')
	return mcpwire.NewNotification(methodCancelled, params)
}
