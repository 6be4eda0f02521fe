package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// Auth modes.
const (
	AuthOAuth = "oauth" // bearer tokens from an external authorization server
	AuthNone  = "none"  // no tokens: a proxy in front authenticates
)

// Auth defaults and limits.
const (
	DefaultClockSkew   = 30 * time.Second
	MaxClockSkew       = 5 * time.Minute
	DefaultGroupsClaim = "groups"
)

// Risk classes a scope may grant (internal/manifest's, which config does
// not import).
var RiskClasses = []string{"read", "write", "destructive", "external"}

// Auth makes serve an OAuth 2.1 resource server (docs/identity.md). Nil
// (no auth key) serves without tokens, which only a loopback listen
// allows.
type Auth struct {
	Mode string // oauth (default) or none
	// Issuer is the authorization server's issuer identifier; Resource
	// this gateway's resource URL, which tokens must name in aud.
	Issuer, Resource string
	Audience         []string // further accepted aud values
	JWKSURL          string   // overrides discovery
	RequiredScopes   []string
	Scopes           map[string]ScopeGrant
	ClockSkew        time.Duration
	GroupsClaim      string
	// SigningKey is where the local issuer's key is (issuer local only):
	// secret://NAME, or the absolute path of a 0600 key file.
	SigningKey string
	// Revocation is the shared revocation store, redis://…; empty keeps
	// revocations in a file in the state directory (one machine).
	Revocation       string
	RevocationPrefix string
	// AuthorizationServer configures issuer: embedded (defaults when the
	// key is left out); asSet records that the key was written.
	AuthorizationServer *AuthorizationServer
	asSet               bool
}

// IssuerLocal as auth.issuer makes the gateway trust tokens it issued
// itself (mcpwarden token issue).
const IssuerLocal = "local"

// DefaultRevocationPrefix prefixes the revocation store's Redis keys and
// channel.
const DefaultRevocationPrefix = "mcpwarden:revoked:"

// IsLocal reports whether the gateway is its own issuer: issuer local
// (tokens from mcpwarden token issue) or embedded (the embedded
// authorization server), both signing with auth.signing_key.
func (a *Auth) IsLocal() bool {
	return a != nil && (a.Issuer == IssuerLocal || a.Issuer == IssuerEmbedded)
}

// ScopeGrant is what one scope allows: calls matching every list it
// sets; "*" matches anything.
type ScopeGrant struct {
	Servers, Tools, Risks []string
}

var (
	authKeys  = []string{"mode", "issuer", "resource", "audience", "jwks_url", "required_scopes", "scopes", "clock_skew", "groups_claim", "signing_key", "revocation", "revocation_prefix", "authorization_server"}
	grantKeys = []string{"servers", "tools", "risks"}
)

func (d *decoder) auth(path string, raw *yaml.Node, cfg *Config) {
	a := &Auth{ClockSkew: DefaultClockSkew, GroupsClaim: DefaultGroupsClaim, RevocationPrefix: DefaultRevocationPrefix,
		AuthorizationServer: defaultAuthorizationServer()}
	cfg.Auth = a
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(authKeys, e.name) {
			d.unknown(p, e, authKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "mode":
			a.Mode, _ = d.str(p, v)
		case "issuer":
			a.Issuer, _ = d.str(p, v)
		case "resource":
			a.Resource, _ = d.str(p, v)
		case "jwks_url":
			a.JWKSURL, _ = d.str(p, v)
		case "groups_claim":
			a.GroupsClaim, _ = d.str(p, v)
		case "signing_key":
			a.SigningKey, _ = d.str(p, v)
		case "revocation":
			a.Revocation, _ = d.str(p, v)
		case "revocation_prefix":
			a.RevocationPrefix, _ = d.str(p, v)
		case "audience":
			a.Audience, _ = d.strList(p, v)
		case "required_scopes":
			a.RequiredScopes, _ = d.strList(p, v)
		case "clock_skew":
			a.ClockSkew, _ = d.duration(p, v)
		case "scopes":
			d.scopes(p, v, a)
		case "authorization_server":
			a.asSet = true
			d.authorizationServer(p, v, a)
		}
	}
}

func (d *decoder) scopes(path string, raw *yaml.Node, a *Auth) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	a.Scopes = make(map[string]ScopeGrant, len(es))
	for _, e := range es {
		p := joinKey(path, e.name)
		d.mark(p, e.key)
		var g ScopeGrant
		if ges, ok := d.mapping(p, e.val); ok {
			for _, ge := range ges {
				gp := joinKey(p, ge.name)
				if !slices.Contains(grantKeys, ge.name) {
					d.unknown(gp, ge, grantKeys)
					continue
				}
				v := d.field(gp, ge)
				if v == nil {
					continue
				}
				l, _ := d.strList(gp, v)
				switch ge.name {
				case "servers":
					g.Servers = l
				case "tools":
					g.Tools = l
				case "risks":
					g.Risks = l
				}
			}
		}
		a.Scopes[e.name] = g
	}
}

// validateAuth checks the auth section and that a listen address other
// than loopback has one: without tokens, anyone who reaches the port can
// use every server.
func (c *Config) validateAuth(v *validator) {
	a := c.Auth
	if a == nil {
		if host, _, err := net.SplitHostPort(c.Listen); err == nil && checkListen(c.Listen) == nil && v.ok("listen") && !loopbackListen(host) {
			v.addf("listen", "%s is not a loopback address, and there is no auth section: anyone who can reach it could use every server. "+
				"Set auth.issuer and auth.resource to require OAuth tokens (docs/identity.md), or auth: {mode: none} if a proxy in front of mcpwarden authenticates every request", c.Listen)
		}
		return
	}
	switch a.Mode {
	case AuthNone:
		if a.Issuer != "" || a.Resource != "" || a.JWKSURL != "" || len(a.Audience) > 0 || len(a.RequiredScopes) > 0 || len(a.Scopes) > 0 ||
			a.SigningKey != "" || a.Revocation != "" || a.asSet {
			v.addf("auth.mode", "mode none takes no other auth keys: tokens are not checked")
		}
		return
	case "", AuthOAuth:
	default:
		checkEnum(v, "auth.mode", a.Mode, AuthOAuth, AuthNone)
		return
	}
	switch {
	case a.Issuer == "":
		v.addf("auth.issuer", "required: the issuer identifier of the authorization server, e.g. https://idp.example.com, local for tokens from mcpwarden token issue, or embedded for the gateway's own authorization server")
	case a.IsLocal():
		c.validateLocalIssuer(v)
	default:
		if err := checkAuthURL(a.Issuer, true); err != nil {
			v.addf("auth.issuer", "%v", err)
		}
		if a.SigningKey != "" {
			v.addf("auth.signing_key", "only with issuer: local (an external issuer signs its own tokens)")
		}
	}
	c.validateAuthorizationServer(v, a.asSet)
	if a.Revocation != "" {
		if err := checkRevocationURL(a.Revocation); err != nil {
			v.addf("auth.revocation", "%v", err)
		}
	}
	if a.RevocationPrefix == "" || strings.ContainsAny(a.RevocationPrefix, " \t\r\n*?[]") {
		v.addf("auth.revocation_prefix", "must be a non-empty key prefix without spaces or glob characters")
	}
	if a.Resource == "" {
		v.addf("auth.resource", "required: this gateway's public URL as clients use it, e.g. https://gateway.example.com/mcp")
	} else if err := checkAuthURL(a.Resource, false); err != nil {
		v.addf("auth.resource", "%v", err)
	}
	if a.JWKSURL != "" {
		if err := checkAuthURL(a.JWKSURL, false); err != nil {
			v.addf("auth.jwks_url", "%v", err)
		}
	}
	for i, s := range a.Audience {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "\x00\r\n") {
			v.addf(joinIndex("auth.audience", i), "must be a non-empty value without line breaks")
		}
	}
	for i, s := range a.RequiredScopes {
		if err := checkScopeName(s); err != nil {
			v.addf(joinIndex("auth.required_scopes", i), "%v", err)
		}
	}
	if a.ClockSkew < 0 || a.ClockSkew > MaxClockSkew {
		v.addf("auth.clock_skew", "must be between 0s and %v, got %v", MaxClockSkew, a.ClockSkew)
	}
	if strings.TrimSpace(a.GroupsClaim) == "" {
		v.addf("auth.groups_claim", "must not be empty")
	}
	for _, name := range slices.Sorted(maps.Keys(a.Scopes)) {
		p := joinKey("auth.scopes", name)
		if err := checkScopeName(name); err != nil {
			v.addf(p, "%v", err)
		}
		g := a.Scopes[name]
		if len(g.Servers)+len(g.Tools)+len(g.Risks) == 0 && v.ok(joinKey(p, "servers"), joinKey(p, "tools"), joinKey(p, "risks")) {
			v.addf(p, `grants nothing: set servers, tools or risks (servers: ["*"] grants everything)`)
		}
		for i, s := range g.Servers {
			if _, ok := c.Server(s); !ok && s != "*" && c.Servers != nil {
				v.addf(joinIndex(joinKey(p, "servers"), i), "no server named %q", s)
			}
		}
		for i, s := range g.Tools {
			if s == "" {
				v.addf(joinIndex(joinKey(p, "tools"), i), "empty tool name")
			}
		}
		for i, s := range g.Risks {
			if s != "*" && !slices.Contains(RiskClasses, s) {
				v.addf(joinIndex(joinKey(p, "risks"), i), "unknown risk class %q (read, write, destructive, external)", s)
			}
		}
	}
}

// validateLocalIssuer checks issuer: local: the key is named, never
// inlined (validation refuses plaintext secrets in the config).
func (c *Config) validateLocalIssuer(v *validator) {
	a := c.Auth
	if a.JWKSURL != "" {
		v.addf("auth.jwks_url", "not with issuer: local (the gateway has its own keys)")
	}
	k := a.SigningKey
	switch {
	case k == "":
		v.addf("auth.signing_key", "required with issuer: local: secret://NAME (the secrets backend) or the absolute path of a 0600 key file; make the key with mcpwarden token keygen")
	case strings.HasPrefix(k, "secret://"):
		if !secretNameRe.MatchString(strings.TrimPrefix(k, "secret://")) {
			v.addf("auth.signing_key", "invalid secret name in %q", k)
		}
	case strings.HasPrefix(strings.TrimSpace(k), "{") || strings.HasPrefix(k, "-----"):
		v.addf("auth.signing_key", "a key is never written into the config: store it with mcpwarden token keygen and refer to it as secret://NAME or a key file path")
	case !filepath.IsAbs(k):
		v.addf("auth.signing_key", "must be secret://NAME or an absolute key file path, got %q", k)
	}
}

var secretNameRe = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// checkRevocationURL accepts redis:// or rediss:// with a host.
func checkRevocationURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0")
	}
	if u.User != nil {
		if _, hasPw := u.User.Password(); hasPw {
			return fmt.Errorf("must not carry a password in the config; restrict the Redis by network or ACL user without a password in the URL")
		}
	}
	return nil
}

// loopbackListen reports whether a listen host binds this machine only.
// An empty host is every interface; a name other than localhost may
// resolve anywhere.
func loopbackListen(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAuthURL accepts an absolute https URL, or http on a loopback host
// (development and tests). An issuer may not carry a query.
func checkAuthURL(s string, issuer bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("invalid URL %q: must be absolute, e.g. https://idp.example.com", s)
	}
	if u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("URL %q must not carry credentials or a fragment", s)
	}
	if issuer && (u.RawQuery != "" || u.ForceQuery) {
		return fmt.Errorf("issuer %q must not carry a query", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopbackListen(strings.TrimSuffix(u.Hostname(), ".")) {
			return nil
		}
	}
	return fmt.Errorf("URL %q must use https (http only on a loopback host)", s)
}

// checkScopeName accepts an RFC 6749 scope token: printable ASCII without
// space, double quote or backslash.
func checkScopeName(s string) error {
	if s == "" {
		return fmt.Errorf("empty scope name")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("invalid scope name %q: printable ASCII without spaces, quotes or backslashes", s)
		}
	}
	return nil
}
