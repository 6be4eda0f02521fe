package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// Validate checks c as it will be used to serve: at least one server is
// required. It does not apply defaults, so a Config built in code should
// start from Default and use ServerFromCommand (or set Transport, Pool and
// StartTimeout itself). Problems carry a Path but no position; File is
// c.Source.
func (c *Config) Validate() Problems {
	v := &validator{}
	c.validate(v)
	for i := range v.probs {
		v.probs[i].File = c.Source
	}
	return v.probs
}

type validator struct {
	probs  Problems
	broken map[string]bool // paths whose value the decoder could not read
	// noServersOK accepts a Config without servers: Parse sets it for a
	// file that leaves servers out (run -c FILE uses only log and limits).
	noServersOK bool
}

func (v *validator) addf(path, format string, args ...any) {
	if v.broken[path] {
		return
	}
	v.probs = append(v.probs, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// ok reports whether none of paths failed to decode, i.e. whether a check
// that combines them can trust the values.
func (v *validator) ok(paths ...string) bool {
	for _, p := range paths {
		if v.broken[p] {
			return false
		}
	}
	return true
}

var (
	serverNameRe = lazyre.New(`^[a-z][a-z0-9-]{0,31}$`)
	envKeyRe     = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Headers the gateway sets itself on upstream requests.
var managedHeaders = []string{
	"connection", "content-length", "content-type", "accept", "host", "keep-alive",
	"proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
	"mcp-session-id", "mcp-protocol-version", "last-event-id",
}

func (c *Config) validate(v *validator) {
	if err := checkListen(c.Listen); err != nil {
		v.addf("listen", "%v", err)
	}
	checkEnum(v, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	c.validateManifestSigning(v)
	c.validateConsent(v)
	checkEnum(v, "log.format", c.Log.Format, "json", "text")

	h := &c.HTTP
	for i, o := range h.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			v.addf(joinIndex("http.allowed_origins", i), "%v", err)
		}
	}
	for i, name := range h.AllowedHosts {
		if err := checkHostName(name); err != nil {
			v.addf(joinIndex("http.allowed_hosts", i), "%v", err)
		}
	}
	if h.MaxBodyBytes <= 0 {
		v.addf("http.max_body_bytes", "must be greater than 0, got %d", h.MaxBodyBytes)
	}
	if h.MaxMessageBytes <= 0 {
		v.addf("http.max_message_bytes", "must be greater than 0, got %d", h.MaxMessageBytes)
	}
	if h.SessionIdleTimeout < MinSessionIdle {
		v.addf("http.session_idle_timeout", "must be at least %v, got %v", MinSessionIdle, h.SessionIdleTimeout)
	}
	if h.RequestTimeout <= 0 {
		v.addf("http.request_timeout", "must be greater than 0, got %v", h.RequestTimeout)
	}

	c.Audit.validate(v)
	c.Metrics.validate(v, c.Listen)
	c.Secrets.validate(v)
	c.validateAuth(v)

	if len(c.Servers) == 0 && !(v.noServersOK && c.Servers == nil) {
		v.addf("servers", "at least one server is required")
	}
	seen := map[string]bool{}
	for i := range c.Servers {
		s := &c.Servers[i]
		if seen[s.Name] {
			v.addf(joinKey("servers", s.Name), "duplicate server name")
			continue
		}
		seen[s.Name] = true
		s.validate(v)
	}
}

func (s *Server) validate(v *validator) {
	path := joinKey("servers", s.Name)
	p := func(field string) string { return joinKey(path, field) }

	switch {
	case s.Name == "":
		v.addf(path, "server name is empty")
	case strings.Contains(s.Name, "__"):
		v.addf(path, `invalid server name: "__" is reserved`)
	case !serverNameRe.MatchString(s.Name):
		v.addf(path, "invalid server name %q: use 1-%d characters a-z, 0-9 and -, starting with a letter (it is used as a URI scheme prefix)", s.Name, MaxServerName)
	}

	hasCmd, hasURL := s.Command != nil, s.URL != ""
	presenceKnown := v.ok(p("command"), p("url"))
	// A field of the other kind is reported only when the kind is certain.
	isStdio := presenceKnown && hasCmd && !hasURL
	isHTTP := presenceKnown && hasURL && !hasCmd
	switch {
	case !presenceKnown:
	case hasCmd && hasURL:
		v.addf(path, "command and url are mutually exclusive: a server is either a stdio child (command) or an HTTP endpoint (url)")
	case !hasCmd && !hasURL:
		v.addf(path, "missing command or url: set command for a stdio server or url for an HTTP server")
	}

	// stdio fields
	if hasCmd {
		if len(s.Command) == 0 {
			v.addf(p("command"), "must not be empty: give the program and its arguments, e.g. [npx, -y, package]")
		} else if strings.TrimSpace(s.Command[0]) == "" {
			v.addf(joinIndex(p("command"), 0), "program name is empty")
		}
		for i, a := range s.Command {
			if strings.ContainsRune(a, 0) {
				v.addf(joinIndex(p("command"), i), "contains a NUL byte")
			}
		}
	}
	if s.Env != nil && isHTTP {
		v.addf(p("env"), "only allowed with command (environment of a stdio child)")
	}
	for _, k := range sortedKeys(s.Env) {
		switch {
		case !envKeyRe.MatchString(k):
			v.addf(joinKey(p("env"), k), "invalid environment variable name: use letters, digits and _, not starting with a digit")
		case strings.ContainsRune(s.Env[k], 0):
			v.addf(joinKey(p("env"), k), "value contains a NUL byte")
		}
	}
	s.Sandbox.validate(v, p("sandbox"), isHTTP)
	s.Credentials.validate(v, p("credentials"), isHTTP)
	s.validateSecrets(v, path)
	if strings.ContainsRune(s.Manifest, 0) {
		v.addf(p("manifest"), "contains a NUL byte")
	}
	if s.Cwd != "" {
		switch {
		case isHTTP:
			v.addf(p("cwd"), "only allowed with command (working directory of a stdio child)")
		case strings.ContainsRune(s.Cwd, 0):
			v.addf(p("cwd"), "contains a NUL byte")
		case !filepath.IsAbs(s.Cwd):
			v.addf(p("cwd"), "must be an absolute path, got %q", s.Cwd)
		}
	}

	// HTTP fields
	if hasURL {
		if err := checkUpstreamURL(s.URL); err != nil {
			v.addf(p("url"), "%v", err)
		}
	}
	if s.Headers != nil && isStdio {
		v.addf(p("headers"), "only allowed with url (headers sent to an HTTP server)")
	}
	folded := map[string]string{}
	for _, k := range sortedKeys(s.Headers) {
		hp := joinKey(p("headers"), k)
		lk := strings.ToLower(k)
		switch {
		case !validHeaderName(k):
			v.addf(hp, "invalid header name")
		case slices.Contains(managedHeaders, lk):
			v.addf(hp, "header is set by the gateway and cannot be configured")
		case folded[lk] != "":
			v.addf(hp, "duplicate header: %q and %q differ only in case", folded[lk], k)
		case strings.ContainsAny(s.Headers[k], "\r\n\x00"):
			v.addf(hp, "value contains a line break or NUL byte")
		}
		if folded[lk] == "" {
			folded[lk] = k
		}
	}

	// transport
	tp := p("transport")
	switch s.Transport {
	case TransportStdio, TransportStreamable, TransportSSE:
		if isStdio && s.Transport != TransportStdio {
			v.addf(tp, "%q needs url; a command server uses stdio", s.Transport)
		}
		if isHTTP && s.Transport == TransportStdio {
			v.addf(tp, `"stdio" needs command; for url use "streamable" (default) or "sse"`)
		}
	case "":
		if isStdio || isHTTP {
			v.addf(tp, "is empty: must be stdio, streamable or sse")
		}
	default:
		checkEnum(v, tp, s.Transport, TransportStreamable, TransportSSE, TransportStdio)
	}

	// pool
	if isStdio || !presenceKnown && hasCmd {
		if s.Pool < 1 || s.Pool > MaxPool {
			v.addf(p("pool"), "must be between 1 and %d, got %d", MaxPool, s.Pool)
		}
	} else if s.Pool != 0 && isHTTP {
		v.addf(p("pool"), "only allowed with command (pool of stdio children)")
	}
	if s.StartTimeout <= 0 {
		v.addf(p("start_timeout"), "must be greater than 0, got %v", s.StartTimeout)
	}
}

func checkEnum(v *validator, path, val string, allowed ...string) {
	if slices.Contains(allowed, val) {
		return
	}
	msg := fmt.Sprintf("%q is not one of %s", val, strings.Join(allowed, ", "))
	if s := suggest(val, allowed); s != "" && val != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	v.addf(path, "%s", msg)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkListen(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("must be host:port, e.g. %s, got %q", DefaultListen, s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || port != strconv.Itoa(n) {
		return fmt.Errorf("port must be a number from 0 to 65535, got %q", port)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		return fmt.Errorf("invalid host %q", host)
	}
	return nil
}

// checkOrigin accepts exactly scheme://host[:port], the form browsers send.
func checkOrigin(s string) error {
	if s == "*" || s == "null" {
		return fmt.Errorf("%q is not allowed: list exact origins such as https://app.example.com", s)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		return fmt.Errorf("invalid origin %q: must be scheme://host[:port]", s)
	}
	if u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("invalid origin %q: must be exactly scheme://host[:port], without path, query, credentials or trailing slash", s)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("invalid origin %q: missing host", s)
	}
	if pt := u.Port(); pt != "" {
		if n, err := strconv.Atoi(pt); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid origin %q: bad port", s)
		}
		if u.Scheme == "http" && pt == "80" || u.Scheme == "https" && pt == "443" {
			return fmt.Errorf("origin %q would never match: browsers leave out the default port, write %s://%s", s, u.Scheme, u.Host[:len(u.Host)-len(pt)-1])
		}
	}
	// Origins are compared exactly, and browsers send them in lower case.
	if s != strings.ToLower(s) {
		return fmt.Errorf("origin %q would never match: browsers send origins in lower case, write %q", s, strings.ToLower(s))
	}
	return nil
}

// checkHostName accepts a DNS name or IP address without port.
func checkHostName(s string) error {
	if s == "" {
		return fmt.Errorf("empty host name")
	}
	if net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")) != nil {
		return nil
	}
	if _, _, err := net.SplitHostPort(s); err == nil {
		return fmt.Errorf("invalid host name %q: give the name without a port", s)
	}
	if !validHostname(s) {
		return fmt.Errorf("invalid host name %q: expected a DNS name or IP address, without scheme, port or wildcard", s)
	}
	return nil
}

func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func checkUpstreamURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL: %v", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return fmt.Errorf("invalid URL %q: missing scheme (http:// or https://)", s)
		}
		return fmt.Errorf("unsupported URL scheme %q: use http or https", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: missing host", s)
	}
	if u.User != nil {
		return fmt.Errorf("URL must not contain credentials: send them with headers (e.g. Authorization)")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("URL must not contain a fragment (#...)")
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
