package config

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// IssuerEmbedded as auth.issuer runs the embedded OAuth 2.1 authorization
// server (docs/identity.md#the-embedded-authorization-server): clients
// register and people sign in at the gateway itself, which signs the
// tokens with auth.signing_key exactly as issuer local does.
const IssuerEmbedded = "embedded"

// Embedded authorization server defaults and limits.
const (
	DefaultASAccessTokenTTL  = 10 * time.Minute
	MinASAccessTokenTTL      = 5 * time.Minute
	MaxASAccessTokenTTL      = 15 * time.Minute
	DefaultASRefreshTokenTTL = 24 * time.Hour
	MaxASRefreshTokenTTL     = 90 * 24 * time.Hour
	DefaultASAdminUser       = "admin"
	MaxASSessionTTL          = 24 * time.Hour
)

// AuthorizationServer is auth.authorization_server: how the embedded
// authorization server registers clients and signs people in.
type AuthorizationServer struct {
	// DynamicRegistration enables RFC 7591 registration at /oauth2/register.
	DynamicRegistration bool
	// ClientIDMetadataDocuments accepts an https URL as client_id, whose
	// JSON document describes the client.
	ClientIDMetadataDocuments bool
	AccessTokenTTL            time.Duration
	RefreshTokenTTL           time.Duration
	// SessionTTL is how long a browser's sign-in is reused by later
	// authorizations; 0 (the default): each one signs in again.
	SessionTTL time.Duration
	// AdminUser and AdminPassword are the local administrator for the
	// first set-up; the password is a secret://NAME reference. No
	// password: no local sign-in.
	AdminUser, AdminPassword string
	// SSO signs people in through the company's identity provider
	// (config/sso.go); nil: not configured.
	SSO *SSO
	// Clients are confidential clients for the client credentials grant
	// (headless agents, CI), by client id.
	Clients map[string]ASClient
	// TokenExchange lists the trusted workload identity issuers whose
	// tokens may be exchanged for gateway tokens (RFC 8693).
	TokenExchange []WorkloadIssuer
	// Store is where its state is shared by replicas (redis://…); empty
	// keeps it in memory (one replica, or sticky sign-in).
	Store, StorePrefix string
}

// DefaultASStorePrefix prefixes the Redis keys of the embedded
// authorization server's state.
const DefaultASStorePrefix = "mcpwarden:as:"

// WorkloadIssuer is one of auth.authorization_server.token_exchange.
type WorkloadIssuer struct {
	Issuer, Audience string
	Subjects, Scopes []string
}

var workloadKeys = []string{"issuer", "audience", "subjects", "scopes"}

// ASClient is one of auth.authorization_server.clients: a secret in the
// secrets backend and the scopes it may ask for.
type ASClient struct {
	Secret string // secret://NAME
	Scopes []string
}

var asClientKeys = []string{"secret", "scopes"}

// asClientIDRe is a configured client's id: distinct from registered
// ones (mcpw_…) and from URLs.
var asClientIDRe = lazyre.New(`^[a-z][a-z0-9._-]{0,63}$`)

var asKeys = []string{"dynamic_registration", "client_id_metadata_documents", "access_token_ttl", "refresh_token_ttl", "admin", "sso", "clients", "token_exchange", "store", "store_prefix", "session_ttl"}
var asAdminKeys = []string{"user", "password"}

// IsEmbedded reports whether the gateway runs its own authorization
// server.
func (a *Auth) IsEmbedded() bool { return a != nil && a.Issuer == IssuerEmbedded }

func (d *decoder) authorizationServer(path string, raw *yaml.Node, a *Auth) {
	s := a.AuthorizationServer
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(asKeys, e.name) {
			d.unknown(p, e, asKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "dynamic_registration":
			s.DynamicRegistration, _ = d.boolean(p, v)
		case "client_id_metadata_documents":
			s.ClientIDMetadataDocuments, _ = d.boolean(p, v)
		case "access_token_ttl":
			s.AccessTokenTTL, _ = d.duration(p, v)
		case "refresh_token_ttl":
			s.RefreshTokenTTL, _ = d.duration(p, v)
		case "sso":
			s.SSO = d.sso(p, v)
		case "clients":
			d.asClients(p, v, s)
		case "token_exchange":
			d.workloadIssuers(p, v, s)
		case "store":
			s.Store, _ = d.str(p, v)
		case "session_ttl":
			s.SessionTTL, _ = d.duration(p, v)
		case "store_prefix":
			s.StorePrefix, _ = d.str(p, v)
		case "admin":
			aes, ok := d.mapping(p, v)
			if !ok {
				continue
			}
			for _, ae := range aes {
				ap := joinKey(p, ae.name)
				if !slices.Contains(asAdminKeys, ae.name) {
					d.unknown(ap, ae, asAdminKeys)
					continue
				}
				av := d.field(ap, ae)
				if av == nil {
					continue
				}
				switch ae.name {
				case "user":
					s.AdminUser, _ = d.str(ap, av)
				case "password":
					s.AdminPassword, _ = d.str(ap, av)
				}
			}
		}
	}
}

func (d *decoder) asClients(path string, raw *yaml.Node, s *AuthorizationServer) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	s.Clients = make(map[string]ASClient, len(es))
	for _, e := range es {
		p := joinKey(path, e.name)
		d.mark(p, e.key)
		var c ASClient
		if ces, ok := d.mapping(p, e.val); ok {
			for _, ce := range ces {
				cp := joinKey(p, ce.name)
				if !slices.Contains(asClientKeys, ce.name) {
					d.unknown(cp, ce, asClientKeys)
					continue
				}
				v := d.field(cp, ce)
				if v == nil {
					continue
				}
				switch ce.name {
				case "secret":
					c.Secret, _ = d.str(cp, v)
				case "scopes":
					c.Scopes, _ = d.strList(cp, v)
				}
			}
		}
		s.Clients[e.name] = c
	}
}

func (d *decoder) workloadIssuers(path string, raw *yaml.Node, s *AuthorizationServer) {
	n := resolve(raw)
	if n == nil || n.Kind != yaml.SequenceNode {
		d.errorf(raw, path, "expected a list of workload issuers, got %s", describe(raw))
		return
	}
	for i, item := range n.Content {
		if !d.count(1) {
			return
		}
		p := joinIndex(path, i)
		d.mark(p, item)
		var w WorkloadIssuer
		if es, ok := d.mapping(p, item); ok {
			for _, e := range es {
				ep := joinKey(p, e.name)
				if !slices.Contains(workloadKeys, e.name) {
					d.unknown(ep, e, workloadKeys)
					continue
				}
				v := d.field(ep, e)
				if v == nil {
					continue
				}
				switch e.name {
				case "issuer":
					w.Issuer, _ = d.str(ep, v)
				case "audience":
					w.Audience, _ = d.str(ep, v)
				case "subjects":
					w.Subjects, _ = d.strList(ep, v)
				case "scopes":
					w.Scopes, _ = d.strList(ep, v)
				}
			}
		}
		s.TokenExchange = append(s.TokenExchange, w)
	}
}

// defaultAuthorizationServer is the section's value when it is left out:
// both registration kinds on (MCP clients need one of them), no local
// administrator.
func defaultAuthorizationServer() *AuthorizationServer {
	return &AuthorizationServer{DynamicRegistration: true, ClientIDMetadataDocuments: true,
		AccessTokenTTL: DefaultASAccessTokenTTL, RefreshTokenTTL: DefaultASRefreshTokenTTL, AdminUser: DefaultASAdminUser,
		StorePrefix: DefaultASStorePrefix}
}

// validateAuthorizationServer checks auth.authorization_server, which only
// issuer: embedded takes.
func (c *Config) validateAuthorizationServer(v *validator, set bool) {
	a := c.Auth
	if !a.IsEmbedded() {
		if set {
			v.addf("auth.authorization_server", "only with issuer: embedded")
		}
		return
	}
	s := a.AuthorizationServer
	const p = "auth.authorization_server"
	if s.AccessTokenTTL < MinASAccessTokenTTL || s.AccessTokenTTL > MaxASAccessTokenTTL {
		v.addf(p+".access_token_ttl", "must be between %v and %v, got %v", MinASAccessTokenTTL, MaxASAccessTokenTTL, s.AccessTokenTTL)
	}
	if s.RefreshTokenTTL < time.Minute || s.RefreshTokenTTL > MaxASRefreshTokenTTL {
		v.addf(p+".refresh_token_ttl", "must be between 1m and %v, got %v", MaxASRefreshTokenTTL, s.RefreshTokenTTL)
	}
	if strings.TrimSpace(s.AdminUser) == "" || strings.ContainsAny(s.AdminUser, " \t\r\n\x00") {
		v.addf(p+".admin.user", "must be a non-empty name without spaces")
	}
	switch pw := s.AdminPassword; {
	case pw == "":
	case strings.HasPrefix(pw, "secret://"):
		if !secretNameRe.MatchString(strings.TrimPrefix(pw, "secret://")) {
			v.addf(p+".admin.password", "invalid secret name in %q", pw)
		}
	default:
		v.addf(p+".admin.password", "a password is never written into the config: store it with mcpwarden secret set NAME and write secret://NAME")
	}
	if s.SSO != nil {
		c.validateSSO(v, s.SSO)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Clients)) {
		cp := joinKey(p+".clients", id)
		c := s.Clients[id]
		if !asClientIDRe.MatchString(id) || strings.HasPrefix(id, "mcpw_") {
			v.addf(cp, "client id must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter, and not start with mcpw_")
		}
		switch {
		case c.Secret == "":
			v.addf(cp+".secret", "required: secret://NAME holding the client secret")
		case !strings.HasPrefix(c.Secret, "secret://"):
			v.addf(cp+".secret", "a client secret is never written into the config: store it with mcpwarden secret set NAME and write secret://NAME")
		case !secretNameRe.MatchString(strings.TrimPrefix(c.Secret, "secret://")):
			v.addf(cp+".secret", "invalid secret name in %q", c.Secret)
		}
		if len(c.Scopes) == 0 && v.ok(cp+".scopes") {
			v.addf(cp+".scopes", "required: the scopes this client may ask for")
		}
		for i, sc := range c.Scopes {
			if _, ok := a.Scopes[sc]; !ok && !slices.Contains(a.RequiredScopes, sc) {
				v.addf(joinIndex(cp+".scopes", i), "scope %q is not defined in auth.scopes or auth.required_scopes", sc)
			}
		}
	}
	if s.SessionTTL < 0 || s.SessionTTL > MaxASSessionTTL {
		v.addf(p+".session_ttl", "must be between 0s (off) and %v, got %v", MaxASSessionTTL, s.SessionTTL)
	}
	if s.Store != "" {
		if err := checkRevocationURL(s.Store); err != nil {
			v.addf(p+".store", "%v", err)
		}
	}
	if s.StorePrefix == "" || strings.ContainsAny(s.StorePrefix, " \t\r\n*?[]") {
		v.addf(p+".store_prefix", "must be a non-empty key prefix without spaces or glob characters")
	}
	seen := map[string]bool{}
	for i, w := range s.TokenExchange {
		wp := joinIndex(p+".token_exchange", i)
		if w.Issuer == "" {
			v.addf(wp+".issuer", "required: the workload tokens' iss, e.g. https://token.actions.githubusercontent.com")
		} else if err := checkAuthURL(w.Issuer, true); err != nil {
			v.addf(wp+".issuer", "%v", err)
		} else if seen[w.Issuer] {
			v.addf(wp+".issuer", "issuer %s is listed twice", w.Issuer)
		}
		seen[w.Issuer] = true
		if strings.TrimSpace(w.Audience) == "" {
			v.addf(wp+".audience", "required: the aud the workload tokens must carry (what the job asks its platform for)")
		}
		if len(w.Subjects) == 0 && v.ok(wp+".subjects") {
			v.addf(wp+".subjects", "required: the subjects allowed, exactly or as a prefix ending in *")
		}
		for j, sub := range w.Subjects {
			if strings.TrimSpace(sub) == "" || sub == "*" {
				v.addf(joinIndex(wp+".subjects", j), "must name subjects (a bare * would let every job of the issuer in)")
			}
		}
		if len(w.Scopes) == 0 && v.ok(wp+".scopes") {
			v.addf(wp+".scopes", "required: the scopes such a job may ask for")
		}
		for j, sc := range w.Scopes {
			if _, ok := a.Scopes[sc]; !ok && !slices.Contains(a.RequiredScopes, sc) {
				v.addf(joinIndex(wp+".scopes", j), "scope %q is not defined in auth.scopes or auth.required_scopes", sc)
			}
		}
	}
	if !s.DynamicRegistration && !s.ClientIDMetadataDocuments && len(s.Clients) == 0 {
		v.addf(p, "no way for clients to register: enable dynamic_registration or client_id_metadata_documents")
	}
}
