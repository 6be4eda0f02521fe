package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/sandbox"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// backend opens upstream connections for sessions, from one immutable
// config snapshot.
type backend struct {
	names   []string
	servers map[string]config.Server
	maxMsg  int64
	log     *slog.Logger
	hide    []string // gateway paths a sandboxed server must not see
	// audit records what the gateway does to servers that belongs in the
	// audit trail (a sandbox turned off or degraded); nil: nothing.
	audit recorder
	// secrets resolves secret:// values at spawn and connect time
	// (secrets.go); secretsErr is why it could not be opened.
	secrets    secretstore.Backend
	secretsErr error

	mu     sync.Mutex
	shared map[string]*pool
	closed bool
}

func newBackend(cfg *config.Config, log *slog.Logger) *backend {
	b := &backend{servers: map[string]config.Server{}, shared: map[string]*pool{},
		maxMsg: cfg.HTTP.MaxMessageBytes, log: log}
	b.hide = GatewayPaths(cfg)
	b.secrets, b.secretsErr = secretsFor(cfg)
	for _, s := range cfg.Servers {
		b.names = append(b.names, s.Name)
		b.servers[s.Name] = s
	}
	go b.warmBrokers() // creds.go: the reaper runs at start
	return b
}

func (b *backend) Servers() []string { return b.names }

// Dial opens a session-scoped connection and completes the handshake.
func (b *backend) Dial(ctx context.Context, name string, initParams json.RawMessage, unsol func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, error) {
	s, ok := b.servers[name]
	if !ok {
		return nil, nil, fmt.Errorf("app: unknown server %q", name)
	}
	ctx, cancel := context.WithTimeout(ctx, s.StartTimeout)
	defer cancel()
	switch s.Transport {
	case "stdio":
		c, err := b.startStdio(ctx, s, false)
		if err != nil {
			return nil, nil, err
		}
		c.SetUnsolicited(unsol(c))
		res, err := upstream.Handshake(ctx, c, initParams)
		if err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("app: server %q: %w", name, err)
		}
		return c, res, nil
	case "streamable":
		if c, res, ok := b.dialModern(ctx, name, initParams, unsol); ok {
			return c, res, nil
		}
		c, err := b.dialHTTP(ctx, s, false, func(h map[string]string) (upstream.Conn, error) {
			return upstream.DialHTTP(ctx, upstream.HTTPOptions{URL: s.URL, Headers: h,
				MaxMessageBytes: b.maxMsg, InitParams: initParams, Logger: b.log.With("server", name)})
		})
		if err != nil {
			return nil, nil, err
		}
		hc := c.(*upstream.HTTPConn)
		hc.SetUnsolicited(unsol(hc))
		return hc, hc.InitializeResult(), nil
	case "sse":
		c, err := b.dialHTTP(ctx, s, false, func(h map[string]string) (upstream.Conn, error) {
			return upstream.DialSSE(ctx, upstream.SSEOptions{URL: s.URL, Headers: h,
				MaxMessageBytes: b.maxMsg, InitParams: initParams, Logger: b.log.With("server", name)})
		})
		if err != nil {
			return nil, nil, err
		}
		sc := c.(*upstream.SSEConn)
		sc.SetUnsolicited(unsol(sc))
		return sc, sc.InitializeResult(), nil
	}
	return nil, nil, fmt.Errorf("app: server %q: unknown transport %q", name, s.Transport)
}

// legacyVersions are the session-era versions the gateway speaks to clients.
var legacyVersions = []string{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}

// dialModern serves a session-era client from a 2026-07-28 HTTP server
// through the shared stateless connection, so that the server's
// multi-round-trip input requests reach the client as the sampling,
// elicitation and roots requests it knows.
func (b *backend) dialModern(ctx context.Context, name string, initParams json.RawMessage, unsol func(upstream.Conn) func(*mcpwire.Message)) (upstream.Conn, json.RawMessage, bool) {
	c, err := b.Shared(ctx, name)
	if err != nil {
		return nil, nil, false
	}
	b.mu.Lock()
	modern := b.shared[name] != nil && b.shared[name].modern.Load()
	b.mu.Unlock()
	if !modern {
		return nil, nil, false
	}
	bridge := upstream.BridgeModern(nopClose{c}, initParams)
	req, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "server/discover", []byte(`{}`)))
	if err != nil {
		return nil, nil, false
	}
	resp, err := bridge.Call(ctx, req, nil)
	if err != nil || resp.Kind != mcpwire.KindResponse {
		return nil, nil, false
	}
	version, _ := mcpwire.StringMember(initParams, "protocolVersion")
	if !slices.Contains(legacyVersions, version) {
		version = legacyVersions[len(legacyVersions)-1]
	}
	res, err := upstream.InitializeFromDiscover(resp.Result, version)
	if err != nil {
		return nil, nil, false
	}
	bridge.SetUnsolicited(unsol(bridge))
	bridge.Start(resp.Result)
	return bridge, res, true
}

func (b *backend) startStdio(ctx context.Context, s config.Server, multiplexed bool) (*upstream.StdioConn, error) {
	// secret:// values are read now, for this child only, and never logged.
	resolved, err := b.resolve(ctx, s.Env)
	if err != nil {
		return nil, fmt.Errorf("app: server %q: env: %w", s.Name, err)
	}
	s.Env = resolved
	// Just-in-time credentials (creds.go): minted for this child only and
	// revoked when it ends (bindGrant below).
	grant, err := b.mintFor(ctx, &s)
	if err != nil {
		return nil, err
	}
	o := sandboxOptions(s)
	o.Logger = b.log.With("server", s.Name)
	if !o.Off && s.Sandbox.Profile == "" && o.Profile != "" {
		b.log.Info("sandbox profile chosen from the command", "server", s.Name, "profile", o.Profile,
			"network_allow", o.AllowNet, "writable", o.Writable)
	}
	var env []string
	if o.Off {
		b.log.Warn("sandbox is off for this server: it runs with the gateway's privileges and environment", "server", s.Name)
		b.audit.record(event{Method: "sandbox/off", Server: s.Name, Reason: "sandbox: off in the configuration; the server runs with the gateway's privileges and environment"})
		env = os.Environ()
		keys := make([]string, 0, len(s.Env))
		for k := range s.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+s.Env[k])
		}
	} else {
		env = sandbox.Env(o, s.Env)
	}
	prepare := func(cmd *exec.Cmd) error {
		_, err := sandbox.Prepare(o, cmd, b.hide, func(feature, why string) {
			b.log.Warn("sandbox degraded: starting without a protection allow_degraded names", "server", s.Name, "feature", feature, "reason", why)
			b.audit.record(event{Method: "sandbox/degraded", Server: s.Name, Reason: "started without " + feature + " (allowed by allow_degraded): " + why})
		})
		if err != nil {
			b.log.Error("sandbox: server not started", "server", s.Name, "err", err)
		}
		return err
	}
	if o.Off {
		prepare = nil
	}
	c, err := upstream.StartStdio(ctx, upstream.StdioOptions{
		Command: s.Command, Env: env, Dir: s.Cwd, Name: s.Name,
		MaxMessageBytes: int(b.maxMsg), Multiplexed: multiplexed, Logger: b.log,
		Prepare: prepare,
	})
	b.bindGrant(ctx, grant, c, err, multiplexed)
	if err != nil && !errors.Is(err, sandbox.ErrUnavailable) {
		if why := sandbox.ExplainStart(o, err); why != err {
			b.log.Error("sandbox: server not started", "server", s.Name, "err", why)
			err = why
		}
	}
	if err != nil && !o.Off && errors.Is(err, sandbox.ErrUnavailable) {
		b.audit.record(event{Method: "sandbox/refused", Server: s.Name, Deny: true, Rule: "sandbox.unavailable", Reason: err.Error()})
	}
	return c, err
}

// GatewayPaths are the gateway's own files a sandboxed server must not
// see even when a path it is shown contains them: the config, the state
// directory, the audit store and the signing and verification keys.
func GatewayPaths(cfg *config.Config) []string {
	var ps []string
	rel := func(p string) string {
		if p != "" && !filepath.IsAbs(p) && cfg.Source != "" {
			p = filepath.Join(filepath.Dir(cfg.Source), p)
		}
		return p
	}
	if cfg.Source != "" {
		ps = append(ps, cfg.Source)
	}
	if dir, err := StateDir(); err == nil {
		ps = append(ps, dir)
	}
	if store, ok := strings.CutPrefix(cfg.Audit.Store, "sqlite:"); ok {
		store, _, _ = strings.Cut(store, "?")
		ps = append(ps, rel(store))
	}
	for _, p := range []string{cfg.Audit.KeyPath(), cfg.ManifestKey} {
		if p != "" {
			ps = append(ps, rel(p))
		}
	}
	return ps
}

func sandboxOptions(s config.Server) sandbox.Options {
	c := s.Sandbox
	o := sandbox.Options{Off: c.Off, Profile: c.Profile, Writable: c.Writable, ReadOnly: c.ReadOnly,
		AllowNet: c.AllowNet, Env: c.Env, AllowDegraded: c.AllowDegraded}
	if o.Off || len(s.Command) == 0 {
		return o
	}
	// With no profile configured, the everyday launches must keep working
	// (npx -y @scope/server DIR, uvx server): the package launcher gets its
	// profile and may reach only its registry.
	if c.Profile == "" {
		launch, ok := launchers[filepath.Base(s.Command[0])]
		if ok {
			o.Profile = launch.profile
			if len(o.AllowNet) == 0 {
				o.AllowNet = launch.registries
			}
		}
	}
	// Directories named on the command line are what the operator gave the
	// server (server-filesystem DIR): without writable directories in the
	// config they are bound in writable, so the server sees the host's
	// directory rather than an empty private one.
	if len(c.Writable) == 0 {
		for _, a := range s.Command[1:] {
			if autoWritable(a) {
				o.Writable = append(o.Writable, filepath.Clean(a))
			}
		}
	}
	return o
}

type launcher struct {
	profile    string
	registries []string
}

var launchers = map[string]launcher{
	"npx":     {"node", []string{"registry.npmjs.org"}},
	"npm":     {"node", []string{"registry.npmjs.org"}},
	"node":    {"node", nil},
	"uvx":     {"python", []string{"pypi.org", "files.pythonhosted.org"}},
	"uv":      {"python", []string{"pypi.org", "files.pythonhosted.org"}},
	"python":  {"python", nil},
	"python3": {"python", nil},
}

// autoWritable reports whether a command-line argument names an existing
// directory that may be bound in writable: absolute, and not the root or
// a system tree.
func autoWritable(arg string) bool {
	if !filepath.IsAbs(arg) {
		return false
	}
	p := filepath.Clean(arg)
	if p == "/" {
		return false
	}
	for _, sys := range []string{"/proc", "/sys", "/dev", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/run", "/var/run"} {
		if p == sys || strings.HasPrefix(p, sys+"/") {
			return false
		}
	}
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Shared returns a connection for stateless traffic: a stdio pool member,
// or a stateless HTTP connection.
func (b *backend) Shared(ctx context.Context, name string) (upstream.Conn, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, upstream.ErrClosed
	}
	p := b.shared[name]
	if p == nil {
		s, ok := b.servers[name]
		if !ok {
			b.mu.Unlock()
			return nil, fmt.Errorf("app: unknown server %q", name)
		}
		p = &pool{b: b, s: s, conns: make([]upstream.Conn, max(s.Pool, 1))}
		b.shared[name] = p
	}
	b.mu.Unlock()
	return p.get(ctx)
}

// pool keeps the shared connections of one server and replaces dead ones.
type pool struct {
	b       *backend
	s       config.Server
	mu      sync.Mutex
	conns   []upstream.Conn
	next    atomic.Uint32
	lastErr error
	lastTry time.Time
	modern  atomic.Bool // the server speaks 2026-07-28 on its shared connections
}

func (p *pool) get(ctx context.Context) (upstream.Conn, error) {
	i := int(p.next.Add(1)) % len(p.conns)
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.conns[i]
	if c != nil {
		select {
		case <-c.Done():
			c = nil
		default:
			return c, nil
		}
	}
	// Do not respawn a crashing server on every request.
	if p.lastErr != nil && time.Since(p.lastTry) < time.Second {
		return nil, p.lastErr
	}
	p.lastTry = time.Now()
	c, err := p.dial(ctx)
	p.lastErr = err
	if err != nil {
		return nil, err
	}
	p.conns[i] = c
	return c, nil
}

// dial opens one shared connection. A server that does not speak
// 2026-07-28 is bridged: stateless requests go to a session the gateway
// initializes itself on first use.
func (p *pool) dial(ctx context.Context) (upstream.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, p.s.StartTimeout)
	defer cancel()
	log := p.b.log.With("server", p.s.Name)
	const bridging = "server does not speak 2026-07-28; bridging stateless clients to a gateway-initialized session"
	switch p.s.Transport {
	case "stdio":
		sc, err := p.b.startStdio(ctx, p.s, true)
		if err != nil {
			return nil, err
		}
		sc.SetUnsolicited(stateless(sc, log))
		if probeModern(ctx, sc) {
			return sc, nil
		}
		log.Info(bridging)
		// The bridge calls this under its own lock; a failed handshake is
		// tried again on the next request rather than remembered forever.
		initialized := false
		return upstream.BridgeLegacy(sc, func(ctx context.Context) (upstream.Conn, error) {
			if !initialized {
				if _, err := upstream.Handshake(ctx, sc, gatewayInit()); err != nil {
					return nil, fmt.Errorf("app: server %q: %w", p.s.Name, err)
				}
				initialized = true
			}
			return sc, nil
		}), nil
	case "streamable":
		c, err := p.b.dialHTTP(ctx, p.s, true, func(h map[string]string) (upstream.Conn, error) {
			return upstream.DialHTTP(ctx, upstream.HTTPOptions{URL: p.s.URL, Headers: h,
				MaxMessageBytes: p.b.maxMsg, Logger: log})
		})
		if err != nil {
			return nil, err
		}
		hc := c.(*upstream.HTTPConn)
		hc.SetUnsolicited(stateless(hc, log))
		if probeModern(ctx, hc) {
			p.modern.Store(true)
			return hc, nil
		}
		log.Info(bridging)
		return upstream.BridgeLegacy(hc, p.sessionDialer(log)), nil
	case "sse":
		return upstream.BridgeLegacy(nil, p.sessionDialer(log)), nil
	}
	return nil, fmt.Errorf("app: server %q: unknown transport %q", p.s.Name, p.s.Transport)
}

// sessionDialer opens a gateway-initialized session on an HTTP server.
func (p *pool) sessionDialer(log *slog.Logger) func(context.Context) (upstream.Conn, error) {
	return func(ctx context.Context) (upstream.Conn, error) {
		c, err := p.b.dialHTTP(ctx, p.s, true, func(h map[string]string) (upstream.Conn, error) {
			if p.s.Transport == "sse" {
				return upstream.DialSSE(ctx, upstream.SSEOptions{URL: p.s.URL, Headers: h,
					MaxMessageBytes: p.b.maxMsg, Logger: log, InitParams: gatewayInit()})
			}
			return upstream.DialHTTP(ctx, upstream.HTTPOptions{URL: p.s.URL, Headers: h,
				MaxMessageBytes: p.b.maxMsg, Logger: log, InitParams: gatewayInit()})
		})
		if err != nil {
			return nil, err
		}
		c.SetUnsolicited(stateless(c, log))
		return c, nil
	}
}

// stateless receives what a shared connection's server sends outside any
// call. Nobody can answer a server→client request there: it is refused at
// once rather than left to time out.
func stateless(c upstream.Conn, log *slog.Logger) func(*mcpwire.Message) {
	return func(m *mcpwire.Message) {
		if m.Kind != mcpwire.KindRequest {
			log.Debug("shared upstream sent a notification tied to no request; dropped", "method", m.Method)
			return
		}
		resp, err := mcpwire.Parse(mcpwire.NewError(m.ID, -32601,
			"gateway: no client can answer "+m.Method+" on a shared 2026-07-28 connection", nil))
		if err == nil {
			_ = c.Respond(context.Background(), resp)
		}
	}
}

func gatewayInit() json.RawMessage {
	return json.RawMessage(`{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcpwarden","version":"` + Version + `"}}`)
}

// probeModern asks the server whether it speaks 2026-07-28.
func probeModern(ctx context.Context, c upstream.Conn) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "server/discover", []byte(`{"_meta":{"io.modelcontextprotocol/protocolVersion":"`+upstream.ModernVersion+`","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"mcpwarden","version":"`+Version+`"}}}`)))
	if err != nil {
		return false
	}
	resp, err := c.Call(ctx, req, nil)
	return err == nil && upstream.IsModernCapable(resp)
}

// Health reports, per server, whether its shared connections are up.
func (b *backend) Health() map[string]string {
	out := map[string]string{}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.names {
		out[n] = "ok"
		if p := b.shared[n]; p != nil {
			p.mu.Lock()
			if p.lastErr != nil {
				out[n] = "unavailable: " + p.lastErr.Error()
			}
			p.mu.Unlock()
		}
	}
	return out
}

func (b *backend) Close() {
	b.mu.Lock()
	b.closed = true
	pools := b.shared
	b.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pools {
		p.mu.Lock()
		for _, c := range p.conns {
			if c != nil {
				wg.Add(1)
				go func() { defer wg.Done(); c.Close() }()
			}
		}
		p.mu.Unlock()
	}
	wg.Wait()
}
