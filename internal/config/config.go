// Package config loads the gateway's YAML configuration strictly: unknown
// keys, wrong types, duplicate keys and semantic mistakes are all errors,
// and every problem in a file is reported at once with its file:line:col
// and YAML path, so that one edit-validate cycle fixes them all.
package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults.
const (
	DefaultListen             = "127.0.0.1:8080"
	DefaultLogLevel           = "info"
	DefaultLogFormat          = "json"
	DefaultMaxBodyBytes       = 4 << 20
	DefaultMaxMessageBytes    = 4 << 20
	DefaultSessionIdleTimeout = 10 * time.Minute
	DefaultRequestTimeout     = 5 * time.Minute
	DefaultPool               = 1
	DefaultStartTimeout       = 30 * time.Second
)

// Limits.
const (
	MaxPool         = 64
	MaxServerName   = 32
	MinSessionIdle  = time.Second
	maxFileSize     = 1 << 20 // bytes of YAML accepted by Parse and Load
	maxNodes        = 100_000 // YAML nodes visited, aliases counted at every use
	maxProblemsShow = 200     // Problems beyond this are summarised in one line
)

// Transports.
const (
	TransportStdio      = "stdio"
	TransportStreamable = "streamable"
	TransportSSE        = "sse"
)

// Config is the whole gateway configuration.
type Config struct {
	Listen  string
	Log     Log
	HTTP    HTTP
	Servers []Server // in file order
	Audit   Audit
	// Metrics is the Prometheus endpoint of serve; off unless set.
	Metrics Metrics
	// RequireSigned refuses a server manifest without a valid signature
	// by ManifestKey (a PEM Ed25519 public key file, absolute).
	RequireSigned bool
	ManifestKey   string
	// Policy is the CEL policy file (docs/manifest.md#policy), absolute;
	// "" = no policy.
	Policy string
	// PinStore is the trust-on-first-use pin file for servers without a
	// manifest (docs/manifest.md#trust-on-first-use); "" = none. Only
	// mcpwarden run sets it (--pins), to a file in the state directory.
	PinStore string
	// Secrets is where secret://NAME values come from (docs/credentials.md).
	Secrets Secrets
	// Auth requires OAuth bearer tokens on the HTTP endpoint
	// (docs/identity.md); nil: none, allowed only on a loopback listen.
	Auth *Auth
	// Consent is the Grant Access window (docs/consent.md).
	Consent Consent
	Source  string // file it was loaded from; "" when built in code
}

// Log configures the gateway's own logging.
type Log struct {
	Level  string // debug, info, warn, error
	Format string // json, text
}

// HTTP configures the downstream (client-facing) HTTP endpoint.
type HTTP struct {
	// AllowedOrigins are Origin header values accepted in addition to
	// loopback origins, each exactly scheme://host[:port].
	AllowedOrigins []string
	// AllowedHosts are Host header names accepted in addition to loopback
	// names and the listen host.
	AllowedHosts       []string
	MaxBodyBytes       int64 // largest request body accepted
	MaxMessageBytes    int64 // largest single JSON-RPC message relayed either way
	SessionIdleTimeout time.Duration
	RequestTimeout     time.Duration
}

// Server is one upstream MCP server: a stdio child (Command) or an HTTP
// endpoint (URL).
type Server struct {
	Name string

	// stdio
	Command []string
	Env     map[string]string
	Cwd     string

	// HTTP
	URL     string
	Headers map[string]string

	// Transport is "stdio", "streamable" or "sse"; Parse and
	// ServerFromCommand always fill it.
	Transport string
	// Pool is the number of children kept for stateless traffic (stdio
	// only; 0 for URL servers).
	Pool         int
	StartTimeout time.Duration

	// Manifest is the capability manifest file (docs/manifest.md), made
	// absolute against the config file's directory; "" = none, and the
	// server is relayed without manifest checks.
	Manifest string
	// Sandbox confines a stdio child; on (strict) unless `sandbox: off`.
	Sandbox Sandbox
	// Credentials minted for each child (docs/credentials.md).
	Credentials Credentials
}

// Default returns the built-in defaults. It has no servers, so it does not
// pass Validate until at least one is added.
func Default() *Config {
	return &Config{
		Listen: DefaultListen,
		Log:    Log{Level: DefaultLogLevel, Format: DefaultLogFormat},
		HTTP: HTTP{
			MaxBodyBytes:       DefaultMaxBodyBytes,
			MaxMessageBytes:    DefaultMaxMessageBytes,
			SessionIdleTimeout: DefaultSessionIdleTimeout,
			RequestTimeout:     DefaultRequestTimeout,
		},
		Audit: defaultAudit(),
	}
}

// ServerFromCommand builds a stdio server with defaults applied, for the
// command-line quick form (serve -- CMD ARGS). argv is copied.
func ServerFromCommand(name string, argv []string) Server {
	s := Server{Name: name, Command: slices.Clone(argv)}
	if s.Command == nil {
		s.Command = []string{}
	}
	s.applyDefaults(serverSet{})
	return s
}

// Server returns the server called name.
func (c *Config) Server(name string) (*Server, bool) {
	for i := range c.Servers {
		if c.Servers[i].Name == name {
			return &c.Servers[i], true
		}
	}
	return nil, false
}

// serverSet records which fields a file set explicitly, so that defaults
// never overwrite an explicit (possibly invalid) value.
type serverSet struct {
	transport, pool, startTimeout bool
}

func (s *Server) applyDefaults(set serverSet) {
	hasCmd, hasURL := s.Command != nil, s.URL != ""
	if !set.transport && s.Transport == "" {
		switch {
		case hasCmd && !hasURL:
			s.Transport = TransportStdio
		case hasURL && !hasCmd:
			s.Transport = TransportStreamable
		}
	}
	if !set.pool && s.Pool == 0 && hasCmd && !hasURL {
		s.Pool = DefaultPool
	}
	if !set.startTimeout && s.StartTimeout == 0 {
		s.StartTimeout = DefaultStartTimeout
	}
}

// Problem is one thing wrong with a configuration. Line and Col are
// 1-based and zero when unknown (for example for a Config built in code).
type Problem struct {
	File      string
	Line, Col int
	Path      string // YAML path such as servers.files.command[0]; "" for the whole file
	Msg       string
}

// String formats the problem as "file:line:col: path: msg", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in a configuration. It is the error
// returned by Parse and Load for an invalid file; use errors.As to get it.
type Problems []Problem

// Error returns one line per problem, ordered by position.
func (ps Problems) Error() string {
	sorted := slices.Clone(ps)
	sortProblems(sorted)
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}

// finish sorts problems and caps how many are returned.
func finish(ps Problems) Problems {
	sortProblems(ps)
	if len(ps) > maxProblemsShow {
		rest := len(ps) - maxProblemsShow
		last := ps[maxProblemsShow-1]
		ps = append(ps[:maxProblemsShow:maxProblemsShow], Problem{
			File: last.File, Line: last.Line, Col: last.Col,
			Msg: fmt.Sprintf("too many problems; %d more not shown", rest),
		})
	}
	return ps
}
