// Package session holds the state of one client connection and routes its
// messages: through the interceptor chain to the upstream that owns the
// target, and server messages back to the right client stream. It knows
// neither HTTP nor pipes: downstream transports hand it messages and
// Streams, and a Backend hands it upstream connections.
package session

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// Eras of the protocol, as the client speaks it.
const (
	EraLegacy = "legacy" // initialize + sessions (2024-11-05 … 2025-11-25)
	EraModern = "modern" // stateless, per-request _meta (2026-07-28)
	// EraDual is a stdio client connection, where each request says which
	// era it speaks: a dual-era client probes server/discover and falls
	// back to initialize.
	EraDual = "dual"
)

// MetaProtocolVersion is the _meta key that marks a 2026-07-28 request.
const MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion"

// IsModern reports whether a request carries the 2026-07-28 _meta.
func IsModern(params []byte) bool {
	if params == nil {
		return false
	}
	_, ok := mcpwire.MetaString(params, MetaProtocolVersion)
	return ok
}

// Stream carries messages to the client for one request: related
// notifications and server→client requests (Send), then the final
// response (Reply), which ends it.
type Stream interface {
	Send(msg []byte) error
	Reply(msg []byte) error
}

// Backend supplies upstream connections.
type Backend interface {
	// Servers names the configured upstreams in order.
	Servers() []string
	// Dial opens a connection scoped to one legacy-era client session and
	// completes the MCP handshake with the client's initialize params. It
	// returns the upstream's InitializeResult. unsol builds the receiver of
	// the connection's unsolicited messages; install it before the
	// handshake so that nothing the server says early is lost.
	Dial(ctx context.Context, server string, initParams json.RawMessage, unsol func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, error)
	// Shared returns the connection for stateless (2026-07-28) traffic to
	// server.
	Shared(ctx context.Context, server string) (upstream.Conn, error)
}

// Options shared by every session of a gateway.
type Options struct {
	Backend Backend
	Chain   *intercept.Chain
	Logger  *slog.Logger
	// ServerInfo is the gateway's own identity, used when it answers for
	// several upstreams at once.
	Name, Version string
	// RequestTimeout bounds one request end to end (0: no bound).
	RequestTimeout time.Duration
	// Notifications, when set, may rewrite each server notification
	// before the client gets it (the results stage's secret masking).
	Notifications func(server string, msg *mcpwire.Message) *mcpwire.Message
	// ServerRequests, when set, inspects each server→client request
	// (sampling, elicitation) before the client gets it: it returns the
	// message to send, msg itself or a rewrite, or an error (a
	// *intercept.Denial) that the gateway answers the server with in the
	// client's place.
	ServerRequests func(server string, msg *mcpwire.Message) (*mcpwire.Message, error)
	// ClientAnswers, when set, may rewrite the client's answer to a
	// server→client request of method before the server gets it (the
	// model's text a sampling request asked for).
	ClientAnswers func(server, method string, msg *mcpwire.Message) *mcpwire.Message
	// Hold, when set, is called as a session starts; the func it returns
	// is called once when the session closes. It lets the owner of these
	// options know when no session uses them any more.
	Hold func() (release func())
}

// Session is one client connection (a stdio client, a legacy HTTP session
// or a legacy SSE connection), or one stateless request.
type Session struct {
	opts    *Options
	log     *slog.Logger
	peer    intercept.Peer
	handler intercept.Handler
	multi   bool

	// out receives server messages that belong to no request.
	out func(msg []byte) error

	mu       sync.Mutex
	ups      map[string]*upstreamState // legacy: per-session conns
	inflight map[string]context.CancelFunc
	srvReqs  map[string]srvReq // gateway id → origin of a server→client request
	closed   bool

	reqs    sync.WaitGroup
	release func()
	// initReady is closed when initialize has finished, so that requests a
	// client pipelines behind initialize wait for it instead of failing.
	initReady   chan struct{}
	nextSrvID   atomic.Uint64
	initDone    atomic.Bool
	initPending atomic.Bool
}

type upstreamState struct {
	conn upstream.Conn
	init json.RawMessage
	err  error
}

type srvReq struct {
	conn           upstream.Conn
	id             json.RawMessage
	server, method string
}

// New makes a session. out delivers unsolicited server messages; it may
// be nil for stateless requests, which have none.
func New(opts *Options, peer intercept.Peer, out func([]byte) error) *Session {
	s := &Session{
		opts:      opts,
		log:       opts.Logger,
		peer:      peer,
		multi:     len(opts.Backend.Servers()) > 1,
		out:       out,
		ups:       make(map[string]*upstreamState),
		inflight:  make(map[string]context.CancelFunc),
		srvReqs:   make(map[string]srvReq),
		initReady: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if out != nil {
		s.peer.Notify = out
	}
	s.handler = opts.Chain.Then(s.route)
	if opts.Hold != nil {
		s.release = opts.Hold()
	}
	return s
}

// Peer returns the session's client description.
func (s *Session) Peer() *intercept.Peer { return &s.peer }

// SetProtocolVersion records the negotiated version.
func (s *Session) setVersion(v string) {
	s.mu.Lock()
	s.peer.ProtocolVersion = v
	s.mu.Unlock()
}

// ProtocolVersion is the version negotiated at initialize.
func (s *Session) ProtocolVersion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peer.ProtocolVersion
}

// Initialized reports whether initialize completed.
func (s *Session) Initialized() bool { return s.initDone.Load() }

// Handle processes one client message. Requests block until their final
// response was sent on stream; run them on their own goroutine where
// requests must proceed concurrently.
func (s *Session) Handle(ctx context.Context, msg *mcpwire.Message, stream Stream) {
	switch msg.Kind {
	case mcpwire.KindRequest:
		s.handleRequest(ctx, msg, stream)
	case mcpwire.KindNotification:
		s.handleNotification(ctx, msg)
	case mcpwire.KindResponse, mcpwire.KindError:
		s.handleResponse(ctx, msg)
	}
}

// Go starts a request on its own goroutine. The request is registered
// first, so a cancellation that follows it on the wire finds it.
func (s *Session) Go(ctx context.Context, msg *mcpwire.Message, stream Stream) {
	if msg.Method == "initialize" {
		s.initPending.Store(true)
	}
	r := s.register(ctx, msg, stream)
	s.reqs.Add(1)
	spawn(r)
}

// run serves a request started with Go, on a worker.
func (r *request) run() {
	defer r.s.reqs.Done()
	defer r.done()
	r.s.serveRequest(r)
}

// Wait blocks until every request started with Go has finished.
func (s *Session) Wait() { s.reqs.Wait() }

// request is one client request from its registration to its reply: its
// context, and the exchange the chain sees with the copy of the peer and
// the record that exchange points to. They are one allocation because
// they live exactly as long as each other. Nothing in it is ever reused:
// a record, reply or context that anything still holds after the call
// keeps the whole request alive, as their own allocations were before.
type request struct {
	// Context is the request's own (cancelled by done). The request is
	// the context the chain gets: it adds the client stream as a value.
	context.Context
	s      *Session
	msg    *mcpwire.Message
	stream Stream
	key    string
	cancel context.CancelFunc

	peer intercept.Peer
	x    intercept.Exchange
	rec  intercept.Record
	// relay is the first forward of x's state (route.go).
	relay    relay
	relaying atomic.Bool
}

// Value adds what context.WithValue(ctx, streamKey{}, stream) and
// (requestKey{}, r) would, without allocating contexts for them.
func (r *request) Value(key any) any {
	switch key.(type) {
	case streamKey:
		return r.stream
	case requestKey:
		return r
	}
	return r.Context.Value(key)
}

func (s *Session) register(ctx context.Context, msg *mcpwire.Message, stream Stream) *request {
	r := &request{s: s, msg: msg, stream: stream, key: mcpwire.IDKey(msg.ID)}
	if s.opts.RequestTimeout > 0 {
		r.Context, r.cancel = context.WithTimeout(ctx, s.opts.RequestTimeout)
	} else {
		r.Context, r.cancel = context.WithCancel(ctx)
	}
	s.mu.Lock()
	s.inflight[r.key] = r.cancel
	s.mu.Unlock()
	return r
}

// done cancels the request's context and forgets it.
func (r *request) done() {
	r.cancel()
	r.s.mu.Lock()
	delete(r.s.inflight, r.key)
	r.s.mu.Unlock()
}

func (s *Session) handleRequest(ctx context.Context, msg *mcpwire.Message, stream Stream) {
	r := s.register(ctx, msg, stream)
	defer r.done()
	s.serveRequest(r)
}

func (s *Session) serveRequest(r *request) {
	msg, stream := r.msg, r.stream
	start := time.Now()
	// The exchange gets a copy taken under the lock: initialize sets the
	// negotiated version while requests pipelined behind it already run.
	s.mu.Lock()
	r.peer = s.peer
	s.mu.Unlock()
	peer := &r.peer
	if peer.Era == EraDual {
		peer.Era = EraLegacy
		if IsModern(msg.Params) {
			peer.Era = EraModern
		}
	}
	// The id's text is mostly the key it was registered under already
	// (IDKey keeps an id without whitespace or escapes as it is).
	rpcID := r.key
	if rpcID != string(msg.ID) {
		rpcID = string(msg.ID)
	}
	r.rec = intercept.Record{
		ID: newID(), Time: start, Session: s.peer.SessionID, Era: peer.Era,
		Transport: s.peer.Transport, RPCID: rpcID, Method: msg.Method,
		ReqBytes: len(msg.Raw),
	}
	// Facts stay nil until a stage records one (manifest.go makes the
	// map): most exchanges record none.
	r.x = intercept.Exchange{Peer: peer, Msg: msg, Method: msg.Method, Record: &r.rec}
	x := &r.x
	var ctx context.Context = r
	s.resolve(x)
	reply, err := s.handler(ctx, x)
	var out []byte
	switch {
	case err != nil:
		out = errorReply(msg.ID, err)
	case reply == nil || reply.Msg == nil:
		out = mcpwire.NewError(msg.ID, intercept.CodeInternalError, "gateway: no response", nil)
	default:
		out = reply.Msg.Raw
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// Cancelled by the client: the spec says send no response.
		return
	}
	if err := stream.Reply(out); err != nil {
		s.log.Debug("client stream gone before the response", "err", err, "method", msg.Method)
	}
}

// errorReply maps an error to the JSON-RPC error the client sees. This is
// the one place a denial becomes wire bytes.
func errorReply(id json.RawMessage, err error) []byte {
	if d, ok := intercept.AsDenial(err); ok {
		code := d.Code
		if code == 0 {
			code = intercept.CodeDenied
		}
		var data []byte
		if d.ID != "" || d.Rule != "" {
			m := map[string]any{"rule": d.Rule, "audit_id": d.ID}
			if d.RetryAfter > 0 {
				m["retry_after_seconds"] = math.Ceil(d.RetryAfter.Seconds()*10) / 10
			}
			if d.Scope != "" {
				m["scope"] = d.Scope
			}
			switch {
			case d.ElicitID != "":
				m["elicitations"] = []map[string]string{{"mode": "url", "elicitationId": d.ElicitID, "url": d.Link, "message": d.Public}}
			case d.Link != "":
				m["url"] = d.Link
			}
			data, _ = json.Marshal(m)
		}
		return mcpwire.NewError(id, code, d.Public, data)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return mcpwire.NewError(id, intercept.CodeInternalError, "gateway: upstream timed out", nil)
	}
	return mcpwire.NewError(id, intercept.CodeInternalError, "gateway: upstream failed", nil)
}

func (s *Session) handleNotification(ctx context.Context, msg *mcpwire.Message) {
	switch msg.Method {
	case "notifications/initialized":
		// Backend.Dial completed the handshake with each upstream already.
		return
	case "notifications/cancelled":
		reqID, ok := mcpwire.Get(msg.Params, "requestId")
		if !ok {
			return
		}
		s.mu.Lock()
		cancel := s.inflight[mcpwire.IDKey(reqID)]
		s.mu.Unlock()
		if cancel != nil {
			cancel() // the upstream Conn tells the server with its own id
		}
		return
	}
	// Everything else goes to every upstream of the session (roots list
	// changes, progress on server→client requests, …).
	era := s.peer.Era
	if era == EraDual {
		era = EraLegacy
		if !s.initDone.Load() || IsModern(msg.Params) {
			era = EraModern
		}
	}
	for _, name := range s.opts.Backend.Servers() {
		conn, err := s.conn(ctx, era, name)
		if err != nil {
			continue
		}
		if err := conn.Notify(ctx, msg); err != nil {
			s.log.Debug("notify upstream failed", "server", name, "err", err)
		}
	}
}

// handleResponse returns a client's answer to a server→client request to
// the server that asked, with the server's own id.
func (s *Session) handleResponse(ctx context.Context, msg *mcpwire.Message) {
	s.mu.Lock()
	r, ok := s.srvReqs[mcpwire.IDKey(msg.ID)]
	delete(s.srvReqs, mcpwire.IDKey(msg.ID))
	s.mu.Unlock()
	if !ok {
		s.log.Debug("client answered an unknown request", "id", string(msg.ID))
		return
	}
	if s.opts.ClientAnswers != nil {
		msg = s.opts.ClientAnswers(r.server, r.method, msg)
	}
	fwd := *msg
	fwd.Raw = msg.WithID(r.id)
	fwd.ID = r.id
	if err := r.conn.Respond(ctx, &fwd); err != nil {
		s.log.Debug("respond upstream failed", "err", err)
	}
}

// fromServer prepares a server message for the client: server→client
// requests get a gateway id (so answers find their server), resource URIs
// get the server prefix when several servers share the session. It
// returns nil, and the refusal, for a server→client request the gateway
// refused: the server has its error answer already, and the client gets
// nothing.
func (s *Session) fromServer(server string, conn upstream.Conn, msg *mcpwire.Message) ([]byte, *intercept.Denial) {
	if s.opts.Notifications != nil && msg.Kind == mcpwire.KindNotification {
		msg = s.opts.Notifications(server, msg)
	}
	if s.opts.ServerRequests != nil && msg.Kind == mcpwire.KindRequest {
		m, err := s.opts.ServerRequests(server, msg)
		if err != nil {
			d, ok := intercept.AsDenial(err)
			if !ok {
				d = &intercept.Denial{Rule: "gateway.server_request", Code: intercept.CodeInternalError, Public: "gateway: " + err.Error()}
			}
			s.log.Warn("server request refused", "server", server, "method", msg.Method, "rule", d.Rule, "reason", d.Public)
			if resp, perr := mcpwire.Parse(mcpwire.NewError(msg.ID, d.Code, d.Public, nil)); perr == nil {
				_ = conn.Respond(context.Background(), resp)
			}
			return nil, d
		}
		msg = m
	}
	raw := msg.Raw
	if s.multi {
		raw = s.prefixNotification(server, msg)
	}
	if msg.Kind != mcpwire.KindRequest {
		return raw, nil
	}
	id := msg.ID
	if s.multi {
		id = strconv.AppendQuote(nil, "mw-"+strconv.FormatUint(s.nextSrvID.Add(1), 10))
		m := *msg
		m.Raw = raw
		raw = m.WithID(id)
	}
	s.mu.Lock()
	s.srvReqs[mcpwire.IDKey(id)] = srvReq{conn: conn, id: msg.ID, server: server, method: msg.Method}
	s.mu.Unlock()
	return raw, nil
}

// Unsolicited returns the receiver for server messages tied to no
// request, for a connection the session did not dial itself.
func (s *Session) Unsolicited(server string, conn upstream.Conn) func(*mcpwire.Message) {
	return s.unsolicited(server, conn)
}

// unsolicited delivers a server message tied to no request.
func (s *Session) unsolicited(server string, conn upstream.Conn) func(*mcpwire.Message) {
	return func(msg *mcpwire.Message) {
		raw, _ := s.fromServer(server, conn, msg)
		if raw == nil {
			return // refused; the server has its answer
		}
		if s.out == nil {
			if msg.Kind == mcpwire.KindRequest {
				refuse(conn, msg, "the client cannot receive server requests outside a call")
			}
			return
		}
		if err := s.out(raw); err != nil && msg.Kind == mcpwire.KindRequest {
			// Nobody can answer: fail the server's request rather than let
			// it wait forever.
			refuse(conn, msg, "the client has no open stream")
		}
	}
}

// refuse answers a server→client request with an error on the client's
// behalf.
func refuse(conn upstream.Conn, req *mcpwire.Message, why string) {
	resp, err := mcpwire.Parse(mcpwire.NewError(req.ID, intercept.CodeMethodNotFound, "gateway: "+why, nil))
	if err == nil {
		_ = conn.Respond(context.Background(), resp)
	}
}

// conn returns the upstream connection this session uses for server.
func (s *Session) conn(ctx context.Context, era, server string) (upstream.Conn, error) {
	if era == EraModern {
		c, err := s.opts.Backend.Shared(ctx, server)
		if err != nil {
			return nil, unavailable(server, err)
		}
		return c, nil
	}
	if s.initPending.Load() || s.initDone.Load() {
		select {
		case <-s.initReady:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	st := s.ups[server]
	s.mu.Unlock()
	if st == nil {
		return nil, &intercept.Denial{Rule: "session.not-initialized", Code: intercept.CodeInvalidRequest, Public: "session is not initialized"}
	}
	if st.err != nil {
		return nil, unavailable(server, st.err)
	}
	select {
	case <-st.conn.Done():
		return nil, unavailable(server, st.conn.Err())
	default:
	}
	return st.conn, nil
}

func unavailable(server string, err error) error {
	if errors.Is(err, upstream.ErrBadResponse) {
		// The server is up; its answer is what the gateway cannot pass on.
		return &intercept.Denial{Rule: "upstream.bad_response", Code: intercept.CodeInternalError,
			Public: fmt.Sprintf("server %q sent a response the gateway refused", server), Detail: fmt.Sprint(err)}
	}
	return &intercept.Denial{Rule: "upstream.unavailable", Code: intercept.CodeUnavailable,
		Public: fmt.Sprintf("server %q is unavailable", server), Detail: fmt.Sprint(err)}
}

// Close ends the session and every connection it owns.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	ups := s.ups
	s.ups = map[string]*upstreamState{}
	for _, cancel := range s.inflight {
		cancel()
	}
	release := s.release
	s.mu.Unlock()
	if release != nil {
		defer release()
	}
	var wg sync.WaitGroup
	for _, st := range ups {
		if st.conn != nil {
			wg.Add(1)
			go func() { defer wg.Done(); st.conn.Close() }()
		}
	}
	wg.Wait()
}

// streamKey finds the request's client stream in its context.
type streamKey struct{}

// requestKey finds the *request in its context.
type requestKey struct{}

// newID names an audit record. The runtime's ChaCha8 generator is seeded
// from the OS and needs no system call per record.
func newID() string {
	var b [12]byte
	u, v := rand.Uint64(), rand.Uint32()
	for i := range 8 {
		b[i] = byte(u >> (8 * i))
	}
	for i := range 4 {
		b[8+i] = byte(v >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}
