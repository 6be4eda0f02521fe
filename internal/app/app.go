// Package app is the composition root: it compiles a configuration into
// the pieces the transports use and swaps them atomically on reload.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/authserver"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/downstream"
	"github.com/mcpwarden/mcpwarden/internal/idletrim"
	"github.com/mcpwarden/mcpwarden/internal/injectguard"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/policy"
	"github.com/mcpwarden/mcpwarden/internal/procs"
	"github.com/mcpwarden/mcpwarden/internal/rawio"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
	"github.com/mcpwarden/mcpwarden/internal/session"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// Version is set by the build.
var Version = "dev"

// NewLogger builds the process logger from the config. Lines are batched
// off the request path; call the returned func before exiting to flush.
func NewLogger(w io.Writer, c config.Log) (*slog.Logger, func()) {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	lw := newLogWriter(w)
	var h slog.Handler = slog.NewJSONHandler(lw, opts)
	if strings.EqualFold(c.Format, "text") {
		h = slog.NewTextHandler(lw, opts)
	}
	return slog.New(&writerHandler{Handler: h, w: lw}), func() { lw.Close() }
}

// writerHandler lets the exchange log find the process log's writer.
type writerHandler struct {
	slog.Handler
	w io.Writer
}

func (h *writerHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &writerHandler{Handler: h.Handler.WithAttrs(as), w: h.w}
}

func (h *writerHandler) WithGroup(name string) slog.Handler {
	return &writerHandler{Handler: h.Handler.WithGroup(name), w: h.w}
}

func writerOf(log *slog.Logger) io.Writer {
	if h, ok := log.Handler().(*writerHandler); ok {
		return h.w
	}
	return nil
}

// chain fixes the order of the interceptor stages. Later capabilities add
// their stages here and nowhere else.
func chain(log *slog.Logger, ms map[string]*manifest.Manifest, pins, authz intercept.Interceptor, pol *policy.Policy, consent intercept.Interceptor, aud *auditing, effects intercept.EffectWatcher) *intercept.Chain {
	return intercept.NewChain(
		aud.stage(observed(exchangeLog(log))),
		// Sees every result the inner stages let through, before audit.
		intercept.Results(ms),
		intercept.Manifests(ms),
		pins,
		// After the manifest stage, which classifies risk; before the
		// stages that read the principal.
		authz,
		intercept.Guards(ms),
		intercept.Policy(pol),
		// Buckets live with the loaded policy: they start full after a reload.
		intercept.RateLimit(pol.Limiter()),
		// Last: a person is asked only about calls everything else allows.
		consent,
		// Innermost: what an allowed call did downstream (credeffects.go).
		intercept.Effects(effects),
	)
}

// loadPolicy compiles the configured policy file, if any.
func loadPolicy(cfg *config.Config) (*policy.Policy, error) {
	if cfg.Policy == "" {
		return nil, nil
	}
	return policy.Load(cfg.Policy)
}

var errManifestKey = errors.New("manifest_key")

// loadManifests loads the capability manifest of every server that names
// one. Any invalid manifest fails the whole configuration.
func loadManifests(cfg *config.Config, log *slog.Logger) (map[string]*manifest.Manifest, error) {
	ms := map[string]*manifest.Manifest{}
	o := manifest.LoadOptions{RequireSigned: cfg.RequireSigned}
	if cfg.ManifestKey != "" {
		b, err := os.ReadFile(cfg.ManifestKey)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errManifestKey, err)
		}
		if o.Key, err = manifest.ParsePublicKey(b); err != nil {
			return nil, fmt.Errorf("%w %s: %w", errManifestKey, cfg.ManifestKey, err)
		}
	}
	for _, s := range cfg.Servers {
		if s.Manifest == "" {
			continue
		}
		m, err := manifest.LoadWith(s.Manifest, o)
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", s.Name, err)
		}
		// Guard settings are read now, not at the first call they refuse.
		if err := intercept.CheckGuards(m); err != nil {
			return nil, fmt.Errorf("server %s: manifest %s: %w", s.Name, s.Manifest, err)
		}
		server := s.Name
		m.Notify = func(tool, reason string) {
			log.Warn("tool quarantined", "server", server, "tool", tool, "reason", reason)
		}
		ms[s.Name] = m
	}
	return ms, nil
}

// exchangeLog writes each exchange record as one JSON line beside the
// process log: the operator's live view. The audit store keeps the record.
func exchangeLog(log *slog.Logger) func(*intercept.Record) {
	w := writerOf(log)
	if w == nil || !log.Enabled(context.Background(), slog.LevelInfo) {
		return nil
	}
	pool := sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}
	return func(r *intercept.Record) {
		bp := pool.Get().(*[]byte)
		b := append(r.AppendJSON((*bp)[:0]), '\n')
		_, _ = w.Write(b)
		*bp = b
		pool.Put(bp)
	}
}

// snapshot is one compiled configuration. Sessions hold the snapshot they
// started with; a replaced snapshot closes its shared connections once the
// last of them has ended.
type snapshot struct {
	cfg     *config.Config
	backend *backend
	opts    *session.Options
	auth    *authn.Validator   // nil: no tokens required
	as      *authserver.Server // the embedded authorization server, or nil

	mu      sync.Mutex
	live    int
	retired bool
}

func compile(cfg *config.Config, log *slog.Logger, aud *auditing, con *consenting) (*snapshot, error) {
	ms, err := loadManifests(cfg, log)
	if err != nil {
		return nil, err
	}
	pol, err := loadPolicy(cfg)
	if err != nil {
		return nil, err
	}
	av, err := compileAuth(cfg, log)
	if err != nil {
		return nil, err
	}
	as, err := compileAuthServer(cfg, log)
	if err != nil {
		return nil, err
	}
	b := newBackend(cfg, log)
	b.audit = newRecorder(aud, log)
	s := &snapshot{cfg: cfg, backend: b, auth: av, as: as}
	s.opts = &session.Options{
		Backend: b, Chain: chain(log, ms, poisonScan(cfg), authStageFor(av, ms), pol, con.stageOrNil(), aud, b.effectWatcher()), Logger: log, Name: "mcpwarden", Version: Version,
		RequestTimeout: cfg.HTTP.RequestTimeout, Hold: countSessions(s.hold), Notifications: intercept.Notifications(ms),
		ServerRequests: intercept.ServerRequests(ms, log), ClientAnswers: intercept.ClientAnswers(ms, log),
	}
	return s, nil
}

func (s *snapshot) hold() func() {
	s.mu.Lock()
	s.live++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.live--
			done := s.retired && s.live == 0
			s.mu.Unlock()
			if done {
				go s.backend.Close()
			}
		})
	}
}

// retire marks the snapshot replaced, closing it now if nothing uses it.
func (s *snapshot) retire() {
	s.mu.Lock()
	s.retired = true
	done := s.live == 0
	s.mu.Unlock()
	if done {
		s.backend.Close()
	}
}

// readyRevocation is the /readyz entry, beside the servers, of a token
// revocation store that cannot vouch for tokens (not a server name: those
// cannot hold parentheses).
const readyRevocation = "(token revocation)"

// warmEngines compiles the secrets rules and builds the injection
// scanner's tables in the background shortly after the gateway starts:
// every result is scanned, and compiling them (~100 ms of CPU) would
// otherwise fall on the first call. The delay keeps that
// work off the start itself, where it slowed run's first answer by tens of
// milliseconds on two cores. Compiling leaves about 10 MB of garbage
// behind; the heap then returns it to the system at once rather than over
// minutes, so an idle gateway holds about half the memory (docs/performance.md).
// then runs after it: the processor governor (package procs), which starts
// on one processor, so that the compile runs beside the first calls rather
// than taking turns with them; and the idle trim (package idletrim).
func warmEngines(then func()) {
	time.AfterFunc(250*time.Millisecond, func() {
		secrets.Default()
		injectguard.Prepare()
		debug.FreeOSMemory()
		if then != nil {
			then()
		}
	})
}

// Serve runs the HTTP gateway until ctx is done. reload, when not nil,
// delivers new configurations; an invalid one never reaches it.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, reload <-chan *config.Config) error {
	warmEngines(func() { procs.Govern(ctx, log); go idletrim.Watch(ctx, log) })
	var cur atomic.Pointer[snapshot]
	enableMetrics(cfg.Metrics)     // before the chain is compiled: its stages report to it
	defer startTracing(ctx, log)() // stopped last: flushes the spans of the last sessions
	aud, err := openAudit(cfg.Audit, cfg.Secrets, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Closed last: sessions ending on shutdown still write their records.
	defer aud.Close()
	if aud == nil {
		log.Warn("audit store off: exchanges are only logged; set audit.store to keep a tamper-evident record")
	}
	con, err := openConsent(cfg, aud, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	first, err := compile(cfg, log, aud, con)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cur.Store(first)
	h := downstream.NewHTTP(downstream.HTTPOptions{
		Sessions:       func() *session.Options { return cur.Load().opts },
		AllowedOrigins: cfg.HTTP.AllowedOrigins,
		AllowedHosts:   slices.Concat(cfg.HTTP.AllowedHosts, []string{listenHost(cfg.Listen)}, resourceHost(cfg.Auth)),
		Auth:           func() *authn.Validator { return cur.Load().auth },
		MaxBodyBytes:   cfg.HTTP.MaxBodyBytes,
		IdleTimeout:    cfg.HTTP.SessionIdleTimeout,
		Logger:         log,
		Ready: func() (bool, any) {
			snap := cur.Load()
			health := snap.backend.Health()
			ok := false
			for _, v := range health {
				ok = ok || v == "ok"
			}
			// A replica that cannot vouch for tokens yet (its revocation
			// store is not subscribed) refuses every one: not ready.
			if snap.auth != nil && snap.auth.Config().Revocations != nil {
				if _, err := snap.auth.Config().Revocations.Local(""); err != nil {
					health = maps.Clone(health)
					health[readyRevocation] = "unavailable: " + err.Error()
					ok = false
				}
			}
			return ok, health
		},
	})
	// A revoked token's sessions end here (tokencreds.go).
	defer addSessionEnder(h.EndTokenSessions)()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	stopMetrics, err := serveMetrics(cfg.Metrics, log, func() map[string]string { return cur.Load().backend.Health() }, aud)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer stopMetrics()
	var handler http.Handler = asHandler(func() *authserver.Server { return cur.Load().as }, h)
	if con != nil {
		con.listening(ln.Addr().String())
		mux := http.NewServeMux()
		mux.Handle(consentPath, con.page)
		mux.Handle("/", handler)
		handler = mcpFirst(handler, mux)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	log.Info("mcpwarden listening", "addr", ln.Addr().String(), "endpoint", "http://"+ln.Addr().String()+"/mcp",
		"servers", cur.Load().backend.names, "version", Version)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(rawio.Listener(ln)) }()

	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		h.Close() // ends every session, which closes retired snapshots
		cur.Load().backend.Close()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return fmt.Errorf("serve: %w", err)
		case nc := <-reload:
			if nc == nil {
				continue
			}
			// New sessions get the new servers; live sessions keep the
			// connections they have until they end.
			ns, err := compile(nc, log, aud, con) // the store is opened once; audit changes need a restart
			if err != nil {
				log.Error("configuration reload refused; the running one stays", "err", err)
				continue
			}
			cur.Swap(ns).retire()
			log.Info("configuration reloaded", "servers", cur.Load().backend.names)
			if nc.Listen != cfg.Listen {
				log.Warn("listen address changes take effect on restart", "listen", cfg.Listen)
			}
			if !reflect.DeepEqual(nc.Consent, cfg.Consent) {
				log.Warn("consent changes take effect on restart")
			}
			if !reflect.DeepEqual(nc.Audit, cfg.Audit) {
				log.Warn("audit changes take effect on restart; records still go to the store opened at start", "store", cfg.Audit.Store)
			}
		}
	}
}

func listenHost(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// Run relays MCP between stdin/stdout and one stdio server, started at
// once so that it boots while the client does.
func Run(ctx context.Context, cfg *config.Config, server config.Server, in io.Reader, out io.Writer, log *slog.Logger) error {
	warmEngines(func() { procs.Govern(ctx, log); go idletrim.Watch(ctx, log) })
	defer startTracing(ctx, log)()
	ms, err := loadManifests(&config.Config{Servers: []config.Server{server},
		RequireSigned: cfg.RequireSigned, ManifestKey: cfg.ManifestKey}, log)
	if err != nil {
		return err
	}
	pol, err := loadPolicy(cfg)
	if err != nil {
		return err
	}
	pins, err := openPins(cfg, server, log)
	if err != nil {
		return err
	}
	b := newBackend(cfg, log)
	// The child starts before the audit store opens (it boots meanwhile):
	// what it records waits for the store.
	var early []event
	b.audit = func(e event) { early = append(early, e) }
	conn, err := b.startStdio(ctx, server, false)
	aud, aerr := openAudit(cfg.Audit, cfg.Secrets, log)
	if aerr == nil {
		defer aud.Close()
		rec := newRecorder(aud, log)
		for _, e := range early { // a refused start is audited too
			rec.record(e)
		}
		b.audit = rec
	}
	if err != nil {
		return err
	}
	if aerr != nil {
		conn.Close()
		return aerr
	}
	rb := &runBackend{names: []string{server.Name}, conn: conn}
	opts := &session.Options{Backend: rb, Chain: chain(log, ms, pins, authStage(nil), pol, (*consenting)(nil).stageOrNil(), aud, b.effectWatcher()), Logger: log, Name: "mcpwarden", Version: Version,
		RequestTimeout: cfg.HTTP.RequestTimeout, Notifications: intercept.Notifications(ms),
		ServerRequests: intercept.ServerRequests(ms, log), ClientAnswers: intercept.ClientAnswers(ms, log)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-conn.Done():
			if ctx.Err() == nil {
				log.Info("server exited; closing", "reason", conn.Err())
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	if f, ok := in.(*os.File); ok {
		pf, restore := pollable(f)
		defer restore()
		in = pf
	}
	if f, ok := out.(*os.File); ok {
		pf, restore := pollable(f)
		defer restore()
		out = pf
	}
	err = downstream.ServeStdio(ctx, rawio.Reader(in), rawio.Writer(out), downstream.StdioOptions{
		Sessions: opts, MaxMessageBytes: int(cfg.HTTP.MaxMessageBytes), Logger: log,
		OnSession: func(s *session.Session) { conn.SetUnsolicited(s.Unsolicited(server.Name, conn)) },
	})
	cancel()
	conn.Close()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// runBackend serves one client with one pre-started child.
type runBackend struct {
	names []string // the one server; Servers hands out this slice, read-only, as backend's does
	conn  *upstream.StdioConn
}

// Servers runs on every request: it returns the one slice rather than a
// new one each time.
func (r *runBackend) Servers() []string { return r.names }

func (r *runBackend) Dial(ctx context.Context, name string, params json.RawMessage, unsol func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, error) {
	r.conn.SetUnsolicited(unsol(r.conn))
	res, err := upstream.Handshake(ctx, r.conn, params)
	if err != nil {
		return nil, nil, fmt.Errorf("app: server %q: %w", name, err)
	}
	return nopClose{r.conn}, res, nil
}

func (r *runBackend) Shared(ctx context.Context, name string) (upstream.Conn, error) {
	return r.conn, nil
}

// nopClose leaves the child to Run: a session ending is not the child's end.
type nopClose struct{ upstream.Conn }

func (nopClose) Close() error { return nil }
