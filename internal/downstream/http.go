package downstream

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/session"
)

// Protocol versions a legacy-era client may ask for.
var legacyVersions = []string{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}

// ModernVersion is the stateless protocol version.
const ModernVersion = "2026-07-28"

// Header names (canonical form).
const (
	hSessionID   = "Mcp-Session-Id"
	hVersion     = "Mcp-Protocol-Version"
	hMethod      = "Mcp-Method"
	hName        = "Mcp-Name"
	hLastEventID = "Last-Event-Id"
)

// MCP error code for a header that disagrees with the body (2026-07-28).
const codeHeaderMismatch = -32020

// HTTPOptions configures the HTTP handler.
type HTTPOptions struct {
	Sessions        func() *session.Options // current options; swapped on reload
	AllowedOrigins  []string                // exact "scheme://host[:port]"
	AllowedHosts    []string                // Host names besides loopback ones
	MaxBodyBytes    int64
	IdleTimeout     time.Duration
	Logger          *slog.Logger
	Ready           func() (ok bool, detail any)
	MessagePath     string // legacy SSE POST path, default /message
	EventBufferSize int    // events kept per stream for resumption
	// Auth returns the token validator in force; nil (or a nil func): no
	// tokens are required.
	Auth func() *authn.Validator
}

// HTTP serves /mcp (Streamable HTTP, both eras), /sse + /message (legacy
// HTTP+SSE), /healthz and /readyz.
type HTTP struct {
	o   HTTPOptions
	log *slog.Logger
	mux *http.ServeMux
	mcp http.HandlerFunc // the mux's handler of MCPPath

	mu       sync.Mutex
	sessions map[string]*httpSession
	closed   bool
	stop     chan struct{}
}

// NewHTTP builds the handler and starts its idle-session reaper; Close
// stops it and ends every session.
func NewHTTP(o HTTPOptions) *HTTP {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 4 << 20
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	if o.MessagePath == "" {
		o.MessagePath = "/message"
	}
	if o.EventBufferSize <= 0 {
		o.EventBufferSize = 512
	}
	h := &HTTP{o: o, log: o.Logger, sessions: map[string]*httpSession{}, stop: make(chan struct{})}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.mux = http.NewServeMux()
	h.mcp = h.guard(h.authenticate(h.serveMCP))
	h.mux.HandleFunc(MCPPath, h.mcp)
	h.mux.HandleFunc("/sse", h.guard(h.authenticate(h.serveSSE)))
	h.mux.HandleFunc(o.MessagePath, h.guard(h.authenticate(h.serveMessage)))
	h.mux.HandleFunc(authn.WellKnownPRM, h.serveMetadata)
	h.mux.HandleFunc(authn.WellKnownPRM+"/", h.serveMetadata)
	h.mux.HandleFunc(authn.WellKnownAS, h.serveIssuer)
	h.mux.HandleFunc(authn.JWKSPath, h.serveIssuer)
	h.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok\n")
	})
	h.mux.HandleFunc("/readyz", h.serveReady)
	go h.reap()
	return h
}

// MCPPath is the Streamable HTTP endpoint.
const MCPPath = "/mcp"

func (h *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == MCPPath {
		// Where the mux would send it, without its lookup: every
		// message of a session comes here, and the lookup allocates.
		h.mcp(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Close ends every session and stops the reaper.
func (h *HTTP) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.stop)
	all := h.sessions
	h.sessions = map[string]*httpSession{}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() { defer wg.Done(); s.close() }()
	}
	wg.Wait()
}

// guard checks Origin and Host before anything else: a browser page on
// another origin, or a DNS-rebound name, must not reach a local server.
func (h *HTTP) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && !h.originAllowed(o) {
			http.Error(w, "Forbidden: origin not allowed", http.StatusForbidden)
			return
		}
		if !h.hostAllowed(r.Host) {
			http.Error(w, "Forbidden: host not allowed", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

func (h *HTTP) originAllowed(origin string) bool {
	if slices.Contains(h.o.AllowedOrigins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return isLoopbackName(u.Hostname())
}

func (h *HTTP) hostAllowed(host string) bool {
	name := host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		name = hn
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if isLoopbackName(name) {
		return true
	}
	for _, a := range h.o.AllowedHosts {
		if strings.EqualFold(a, name) || strings.EqualFold(a, host) {
			return true
		}
	}
	return false
}

func isLoopbackName(name string) bool {
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (h *HTTP) serveReady(w http.ResponseWriter, r *http.Request) {
	ok, detail := true, any(nil)
	if h.o.Ready != nil {
		ok, detail = h.o.Ready()
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	writeJSON(w, map[string]any{"ready": ok, "servers": detail})
}

func (h *HTTP) serveMCP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		h.post(w, r)
	case http.MethodGet:
		h.get(w, r)
	case http.MethodDelete:
		h.delete(w, r)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	}
}

func (h *HTTP) readBody(w http.ResponseWriter, r *http.Request) (*mcpwire.Message, bool) {
	if ct := headerValue(r.Header, "Content-Type"); ct != "" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			http.Error(w, "Unsupported Media Type: Content-Type must be application/json", http.StatusUnsupportedMediaType)
			return nil, false
		}
	}
	body, err := readSized(http.MaxBytesReader(w, r.Body, h.o.MaxBodyBytes), r.ContentLength, h.o.MaxBodyBytes)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeRPCError(w, http.StatusRequestEntityTooLarge, nil, intercept.CodeInvalidRequest,
				fmt.Sprintf("request body exceeds %d bytes", h.o.MaxBodyBytes))
			return nil, false
		}
		http.Error(w, "Bad Request: cannot read body", http.StatusBadRequest)
		return nil, false
	}
	msg, err := mcpwire.Parse(body)
	if err != nil {
		// Refused before it is an exchange, and audited all the same.
		peer := intercept.Peer{Transport: "http", RemoteAddr: r.RemoteAddr, Principal: principal(r)}
		reply := session.RecordRefusal(r.Context(), h.o.Sessions(), peer, body, err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(reply)
		return nil, false
	}
	return msg, true
}

// readSized reads all of body. When the request declared a length of at
// most presizeMax (and max), the buffer is made that size at once:
// io.ReadAll grows from 512 bytes by doubling, twice a large message's
// size in all. A larger declared length is not trusted with memory before
// the bytes arrive. The limit is body's own (http.MaxBytesReader); a body
// longer than declared still reads to its end.
func readSized(body io.Reader, declared, max int64) ([]byte, error) {
	if declared <= 0 || declared > min(max, presizeMax) {
		return io.ReadAll(body)
	}
	b := make([]byte, 0, declared+1) // +1: EOF is seen without growing
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than declared: grow
		}
	}
}

// presizeMax bounds what readSized allocates for a declared length before
// the body arrives: a client (past authentication) that declares a length
// and sends nothing holds at most this much per request.
const presizeMax = 128 << 10

// accepts reports which response forms the client takes.
func accepts(r *http.Request) (jsonOK, sseOK bool) {
	a := headerValue(r.Header, "Accept")
	switch a {
	case "application/json, text/event-stream", "text/event-stream, application/json":
		return true, true // what clients send: no need to parse it
	}
	for _, part := range strings.Split(a, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "application/json":
			jsonOK = true
		case "text/event-stream":
			sseOK = true
		case "*/*", "application/*":
			jsonOK = true
		}
	}
	return jsonOK, sseOK
}

func (h *HTTP) post(w http.ResponseWriter, r *http.Request) {
	jsonOK, sseOK := accepts(r)
	if !jsonOK || !sseOK {
		http.Error(w, "Not Acceptable: Accept must list application/json and text/event-stream", http.StatusNotAcceptable)
		return
	}
	msg, ok := h.readBody(w, r)
	if !ok {
		return
	}
	if !checkHeaders(w, r, msg) {
		return
	}
	if sid := headerValue(r.Header, hSessionID); sid != "" {
		hs := h.lookup(sid)
		if hs == nil || !owns(r, hs) {
			writeRPCError(w, http.StatusNotFound, msg.ID, intercept.CodeInvalidRequest, "session not found")
			return
		}
		if v := headerValue(r.Header, hVersion); v != "" && !slices.Contains(legacyVersions, v) {
			writeRPCError(w, http.StatusBadRequest, msg.ID, intercept.CodeInvalidRequest, "unsupported MCP-Protocol-Version "+v)
			return
		}
		h.postLegacy(w, r, hs, msg)
		return
	}
	if msg.Method == "initialize" {
		h.initialize(w, r, msg)
		return
	}
	if session.IsModern(msg.Params) || headerValue(r.Header, hVersion) >= ModernVersion {
		h.postModern(w, r, msg)
		return
	}
	writeRPCError(w, http.StatusBadRequest, msg.ID, intercept.CodeInvalidRequest, "Bad Request: Mcp-Session-Id header is required")
}

// checkHeaders enforces that routing headers agree with the body: policy
// is decided from the body, so a proxy or server that routes by header
// must see the same thing.
func checkHeaders(w http.ResponseWriter, r *http.Request, msg *mcpwire.Message) bool {
	if m := headerValue(r.Header, hMethod); m != "" && m != msg.Method {
		writeRPCError(w, http.StatusBadRequest, msg.ID, codeHeaderMismatch, fmt.Sprintf("Mcp-Method header %q does not match the body method %q", m, msg.Method))
		return false
	}
	if hn := r.Header[hName]; len(hn) > 0 {
		want := ""
		switch msg.Method {
		case "tools/call", "prompts/get":
			want, _ = mcpwire.StringMember(msg.Params, "name")
		case "resources/read":
			want, _ = mcpwire.StringMember(msg.Params, "uri")
		}
		got, err := decodeHeaderValue(hn[0])
		if len(hn) > 1 || err != nil || got != want {
			writeRPCError(w, http.StatusBadRequest, msg.ID, codeHeaderMismatch, "Mcp-Name header does not match the body")
			return false
		}
	}
	return true
}

// paramHeaders collects the request's Mcp-Param-* headers, which an HTTP
// upstream receives with the same request.
func paramHeaders(h http.Header) map[string][]string {
	var out map[string][]string
	for k, vs := range h {
		if strings.HasPrefix(k, "Mcp-Param-") && len(vs) > 0 {
			if out == nil {
				out = map[string][]string{}
			}
			out[k] = vs
		}
	}
	return out
}

// decodeHeaderValue undoes the =?base64?…?= form used for non-ASCII values.
func decodeHeaderValue(v string) (string, error) {
	if strings.HasPrefix(v, "=?base64?") && strings.HasSuffix(v, "?=") {
		b, err := base64.StdEncoding.DecodeString(v[len("=?base64?") : len(v)-2])
		return string(b), err
	}
	return v, nil
}

// postModern serves one stateless (2026-07-28) message.
func (h *HTTP) postModern(w http.ResponseWriter, r *http.Request, msg *mcpwire.Message) {
	metaV, _ := mcpwire.MetaString(msg.Params, session.MetaProtocolVersion)
	if hv := headerValue(r.Header, hVersion); msg.Kind == mcpwire.KindRequest && hv != metaV {
		writeRPCError(w, http.StatusBadRequest, msg.ID, codeHeaderMismatch,
			fmt.Sprintf("MCP-Protocol-Version header %q does not match _meta protocol version %q", hv, metaV))
		return
	}
	if msg.Kind == mcpwire.KindRequest && headerValue(r.Header, hMethod) == "" {
		writeRPCError(w, http.StatusBadRequest, msg.ID, codeHeaderMismatch, "Mcp-Method header is required")
		return
	}
	sess := session.New(h.o.Sessions(), intercept.Peer{Era: session.EraModern, Transport: "http", RemoteAddr: r.RemoteAddr, ProtocolVersion: metaV, Principal: principal(r)}, nil)
	defer sess.Close()
	if msg.Kind != mcpwire.KindRequest {
		sess.Handle(r.Context(), msg, nil)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	// Closing the request stream is how a 2026-07-28 client cancels, so the
	// request lives exactly as long as the HTTP request.
	st := newPostStream(w, nil, "", false)
	r = h.watchScope(r, st)
	ctx := intercept.WithParamHeaders(r.Context(), paramHeaders(r.Header))
	session.Spawn(func() {
		sess.Handle(ctx, msg, st)
		st.es.end()
	})
	st.serve(r)
}

// initialize starts a legacy session. The session id is handed out only
// once the handshake succeeded.
func (h *HTTP) initialize(w http.ResponseWriter, r *http.Request, msg *mcpwire.Message) {
	if msg.Kind != mcpwire.KindRequest {
		writeRPCError(w, http.StatusBadRequest, nil, intercept.CodeInvalidRequest, "initialize must be a request")
		return
	}
	hs := h.newSession(r, "http")
	if hs == nil {
		http.Error(w, "Service Unavailable: shutting down", http.StatusServiceUnavailable)
		return
	}
	st := newPostStream(w, nil, "", false)
	hs.sess.Handle(context.WithoutCancel(r.Context()), msg, st)
	st.es.end()
	if hs.sess.Initialized() && !st.hasError() {
		w.Header().Set(hSessionID, hs.id)
	} else {
		h.drop(hs.id)
	}
	st.serve(r)
}

func (h *HTTP) postLegacy(w http.ResponseWriter, r *http.Request, hs *httpSession, msg *mcpwire.Message) {
	hs.touch()
	if msg.Kind != mcpwire.KindRequest {
		hs.sess.Handle(r.Context(), msg, nil)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if msg.Method == "initialize" {
		writeRPCError(w, http.StatusBadRequest, msg.ID, intercept.CodeInvalidRequest, "session is already initialized")
		return
	}
	// Disconnecting is not cancelling in this era: the request runs on, and
	// its events stay replayable with Last-Event-ID.
	es := hs.newStream()
	st := newPostStream(w, es, hs.id, true)
	r = h.watchScope(r, st)
	hs.busy.Add(1)
	ctx := context.WithoutCancel(r.Context())
	session.Spawn(func() {
		defer hs.busy.Add(-1)
		hs.sess.Handle(ctx, msg, st)
		es.end()
		hs.touch()
	})
	st.serve(r)
}

func (h *HTTP) get(w http.ResponseWriter, r *http.Request) {
	sid := headerValue(r.Header, hSessionID)
	if sid == "" {
		if headerValue(r.Header, hVersion) >= ModernVersion {
			w.Header().Set("Allow", "POST")
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		http.Error(w, "Bad Request: Mcp-Session-Id header is required", http.StatusBadRequest)
		return
	}
	if _, sseOK := accepts(r); !sseOK {
		http.Error(w, "Not Acceptable: Accept must list text/event-stream", http.StatusNotAcceptable)
		return
	}
	hs := h.lookup(sid)
	if hs == nil || !owns(r, hs) {
		http.Error(w, "Not Found: session not found", http.StatusNotFound)
		return
	}
	hs.touch()
	if last := headerValue(r.Header, hLastEventID); last != "" {
		es, seq, ok := hs.findStream(last)
		if !ok {
			http.Error(w, "Bad Request: unknown Last-Event-ID", http.StatusBadRequest)
			return
		}
		es.attach(w, r, seq, hs)
		return
	}
	es := hs.get
	if !es.claim() {
		http.Error(w, "Conflict: a GET stream is already open for this session", http.StatusConflict)
		return
	}
	defer es.release()
	es.attach(w, r, -1, hs)
}

func (h *HTTP) delete(w http.ResponseWriter, r *http.Request) {
	sid := headerValue(r.Header, hSessionID)
	if sid == "" {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Bad Request: Mcp-Session-Id header is required", http.StatusBadRequest)
		return
	}
	if hs := h.lookup(sid); hs == nil || !owns(r, hs) || !h.drop(sid) {
		http.Error(w, "Not Found: session not found", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *HTTP) newSession(r *http.Request, transport string) *httpSession {
	hs := &httpSession{id: randomID(), bufSize: h.o.EventBufferSize, streams: map[string]*eventStream{}}
	hs.touch()
	hs.get = newEventStream("g", h.o.EventBufferSize)
	peer := intercept.Peer{SessionID: hs.id, Era: session.EraLegacy, Transport: transport, RemoteAddr: r.RemoteAddr, Principal: principal(r)}
	hs.sess = session.New(h.o.Sessions(), peer, hs.unsolicited)
	hs.usedToken(peer.Principal.TokenID)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		go hs.close()
		return nil
	}
	h.sessions[hs.id] = hs
	return hs
}

func (h *HTTP) lookup(id string) *httpSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[id]
}

func (h *HTTP) drop(id string) bool {
	h.mu.Lock()
	hs := h.sessions[id]
	delete(h.sessions, id)
	h.mu.Unlock()
	if hs == nil {
		return false
	}
	hs.close()
	return true
}

// reap ends sessions nobody has used for IdleTimeout: clients often never
// send DELETE, and each session may own a child process.
func (h *HTTP) reap() {
	every := h.o.IdleTimeout / 4
	every = max(every, 250*time.Millisecond)
	every = min(every, 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			var idle []string
			h.mu.Lock()
			for id, hs := range h.sessions {
				if hs.idle(now, h.o.IdleTimeout) {
					idle = append(idle, id)
				}
			}
			h.mu.Unlock()
			for _, id := range idle {
				h.log.Info("session expired", "session", id, "idle_timeout", h.o.IdleTimeout)
				h.drop(id)
			}
		}
	}
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeRPCError(w http.ResponseWriter, status int, id []byte, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(mcpwire.NewError(id, code, message, nil))
}

// Response header values set on every answer. They are shared: a
// response's header is copied when it is written (WriteHeader clones it),
// and nothing writes into a value slice.
var (
	valueJSON        = []string{"application/json"}
	valueEventStream = []string{"text/event-stream"}
	valueNoCache     = []string{"no-cache"}
	valueNo          = []string{"no"}
)

// headerValue is http.Header.Get for a key already in canonical form (the
// h* constants): it skips the canonicalisation that Get does on every
// call, a measurable part of each POST's instructions.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
