// Package authserver is the gateway's embedded OAuth 2.1 authorization
// server (auth.issuer: embedded), built on zitadel/oidc's op package:
// authorization code with PKCE (S256 only), client registration by
// Dynamic Client Registration (RFC 7591) and by Client ID Metadata
// Documents, RFC 8414 metadata, the RFC 9207 iss response parameter,
// refresh tokens rotated on every use with reuse detection, revocation
// (RFC 7009) and introspection (RFC 7662).
//
// Access tokens are JWTs signed with the gateway's signing key (the one
// issuer local uses), with iss = the issuer (the origin of auth.resource),
// aud = auth.resource, the granted scopes, and a jti the revocation store
// can name; internal/authn verifies them with the public key, fetching
// nothing. People sign in through an Authenticator (login.go): the local
// administrator's password here, an upstream identity provider in
// internal/sso.
package authserver

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/time/rate"
)

// Paths, all under the issuer (the gateway's origin).
const (
	PathAuthorize  = "/oauth2/authorize"
	PathCallback   = "/oauth2/authorize/callback"
	PathToken      = "/oauth2/token"
	PathIntrospect = "/oauth2/introspect"
	PathRevoke     = "/oauth2/revoke"
	PathKeys       = "/oauth2/keys"
	PathRegister   = "/oauth2/register"
	PathLogin      = "/oauth2/login"
	PathConsent    = "/oauth2/consent"
	PathLogout     = "/oauth2/logout"
	WellKnownAS    = "/.well-known/oauth-authorization-server"
	WellKnownOIDC  = "/.well-known/openid-configuration"
	WellKnownJWKS  = "/.well-known/jwks.json"
)

// Lifetimes.
const (
	codeTTL    = time.Minute
	requestTTL = 10 * time.Minute
)

// SigningKey is the key tokens are signed with (issuer.Key).
type SigningKey interface {
	KeyID() string
	Algorithm() jose.SignatureAlgorithm
	Private() any
	Public() jose.JSONWebKey
}

// Revoker records a revoked access token id until exp, for every replica
// (internal/revocation through app.Revoker).
type Revoker interface {
	Revoke(ctx context.Context, jti string, exp time.Time) error
}

// Config configures a Server.
type Config struct {
	// Issuer is the issuer identifier: the gateway's origin.
	Issuer string
	// Resource is auth.resource, the audience of every token.
	Resource string
	// Key signs tokens. CurrentKey, when set, is asked for the signing key
	// at each token instead (a rotated key set is followed without a
	// reload), and PublicKeys for the keys the JWKS publishes (the current
	// and retired ones still verifying); Key is then the key at start.
	Key        SigningKey
	CurrentKey func(context.Context) (SigningKey, error)
	PublicKeys func(context.Context) ([]jose.JSONWebKey, error)
	// Scopes are the scopes the server grants (auth.scopes and
	// auth.required_scopes); RequiredScopes are asked for on a client's
	// behalf when it names none.
	Scopes, RequiredScopes []string
	AccessTokenTTL         time.Duration
	RefreshTokenTTL        time.Duration
	// SessionTTL is how long a browser's sign-in is reused by later
	// authorizations (consent is still asked each time); 0: every
	// authorization signs in again.
	SessionTTL time.Duration
	// DynamicRegistration and MetadataDocuments switch the two ways of
	// client registration.
	DynamicRegistration, MetadataDocuments bool
	// Authenticators are the ways to sign in, in the order the login page
	// offers them. None: nobody can sign in (the code flow ends at the
	// login page).
	Authenticators []Authenticator
	// Revoker, when set, receives the ids of access tokens of revoked
	// grants, so that the gateway refuses them on the next call.
	Revoker Revoker
	// Clients are configured confidential clients (the client
	// credentials grant), put into the store at start.
	Clients []*Client
	// Workloads are the trusted workload identity issuers of token
	// exchange (exchange.go); none: the grant is refused.
	Workloads []Workload
	// AllowedHosts are the Host header values served besides the
	// issuer's host and loopback names (DNS rebinding: a page on another
	// site resolving its name to the gateway must not drive the sign-in).
	AllowedHosts []string
	// Store keeps state; nil is a new MemoryStore.
	Store Store
	// Fetch is the client metadata document fetcher; nil fetches over
	// https from public addresses only (see clients.go).
	Fetch *Fetcher
	Log   *slog.Logger
	Now   func() time.Time
}

// Server is the embedded authorization server, an http.Handler for the
// paths above.
type Server struct {
	cfg      Config
	store    Store
	provider *op.Provider
	storage  *storage
	mux      *http.ServeMux
	log      *slog.Logger
	now      func() time.Time
	login    *loginPages
	wl       workloads

	issuerHost string
	// configured are the ids of Config.Clients: a configured client the
	// configuration no longer names (a reload, or a shared store written
	// by an older configuration) is unknown.
	configured map[string]bool
	regMu      sync.Mutex
	regIPs     map[string]*rate.Limiter
	regAll     *rate.Limiter
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("authserver: issuer %q must be an origin (scheme and host)", cfg.Issuer)
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	if cfg.Resource == "" || cfg.Key == nil {
		return nil, errors.New("authserver: resource and signing key are required")
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = 10 * time.Minute
	}
	if cfg.RefreshTokenTTL == 0 {
		cfg.RefreshTokenTTL = 24 * time.Hour
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.Fetch == nil {
		cfg.Fetch = &Fetcher{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Log, now: cfg.Now, issuerHost: strings.ToLower(u.Hostname()), configured: map[string]bool{},
		regAll: rate.NewLimiter(rate.Every(time.Second), regGlobalBurst)}
	for _, c := range cfg.Clients {
		if c.SecretHash == "" || isMetadataClientID(c.ID) {
			return nil, fmt.Errorf("authserver: configured client %q needs a secret and a plain id", c.ID)
		}
		cp := *c
		cp.Configured = true
		if err := cfg.Store.PutClient(context.Background(), &cp); err != nil {
			return nil, err
		}
		s.configured[c.ID] = true
	}
	s.storage = &storage{s: s}
	ck, err := derivedKey(cfg.Key, "mcpwarden authserver code encryption")
	if err != nil {
		return nil, err
	}
	opts := []op.Option{
		op.WithCustomAuthEndpoint(op.NewEndpoint(PathAuthorize)),
		op.WithCustomTokenEndpoint(op.NewEndpoint(PathToken)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(PathIntrospect)),
		op.WithCustomRevocationEndpoint(op.NewEndpoint(PathRevoke)),
		op.WithCustomKeysEndpoint(op.NewEndpoint(PathKeys)),
		op.WithAccessTokenVerifierOpts(op.WithSupportedAccessTokenSigningAlgorithms(string(jose.EdDSA), string(jose.ES256))),
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(string(jose.EdDSA), string(jose.ES256))),
	}
	if u.Scheme == "http" {
		// Only a loopback issuer can be http: config validation refuses
		// any other (tests and local development).
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(&op.Config{
		CryptoKey:             ck,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       cfg.Scopes,
	}, s.storage, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("authserver: %w", err)
	}
	s.provider = p
	s.login, err = newLoginPages(s)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(PathAuthorize, s.authorize(p))
	mux.Handle(PathCallback, s.withIss(p))
	mux.Handle(PathToken, s.token(p))
	mux.Handle(PathIntrospect, p)
	mux.Handle(PathRevoke, p)
	mux.Handle(PathKeys, p)
	mux.Handle(WellKnownJWKS, http.HandlerFunc(s.serveJWKS))
	mux.HandleFunc(WellKnownAS, s.serveMetadata)
	mux.HandleFunc(WellKnownOIDC, s.serveMetadata)
	mux.HandleFunc(PathRegister, s.serveRegister)
	mux.Handle(PathLogin, s.login)
	mux.Handle(PathLogin+"/", s.login)
	mux.Handle(PathConsent, s.login)
	mux.Handle(PathLogout, s.login)
	s.mux = mux
	return s, nil
}

// Paths lists the paths the server answers, for a mux in front of it.
func Paths() []string {
	return []string{"/oauth2/", WellKnownAS, WellKnownOIDC, WellKnownJWKS}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, "Forbidden: host not allowed", http.StatusForbidden)
		return
	}
	if ms, ok := s.store.(*MemoryStore); ok {
		ms.maybeSweep()
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) hostAllowed(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if name == "localhost" || isLoopbackHost(name) || name == s.issuerHost {
		return true
	}
	for _, a := range s.cfg.AllowedHosts {
		if strings.EqualFold(a, name) || strings.EqualFold(a, host) {
			return true
		}
	}
	return false
}

// Registration limits: per client address 10 at once then one a minute,
// and 100 at once then one a second overall, so open registration
// cannot fill the store.
const (
	regPerIPBurst  = 10
	regGlobalBurst = 100
	maxRegIPs      = 10000
)

// registerBudget returns the address's limiter and whether both it and
// the overall one have a registration left; a registration made spends
// one of each.
func (s *Server) registerBudget(r *http.Request) (*rate.Limiter, bool) {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	s.regMu.Lock()
	if s.regIPs == nil || len(s.regIPs) >= maxRegIPs {
		s.regIPs = map[string]*rate.Limiter{}
	}
	l, ok := s.regIPs[ip]
	if !ok {
		l = rate.NewLimiter(rate.Every(time.Minute), regPerIPBurst)
		s.regIPs[ip] = l
	}
	s.regMu.Unlock()
	return l, l.Tokens() >= 1 && s.regAll.Tokens() >= 1
}

// derivedKey is a 32-byte key for label, derived from the signing key:
// every replica holding the key derives the same one.
func derivedKey(k SigningKey, label string) ([32]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private())
	if err != nil {
		return [32]byte{}, fmt.Errorf("authserver: signing key: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(der)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, nil
}

// Metadata is the RFC 8414 document (also served as OpenID Connect
// discovery: the same issuer, the same endpoints).
func (s *Server) Metadata() map[string]any {
	is := s.cfg.Issuer
	md := map[string]any{
		"issuer":                                         is,
		"authorization_endpoint":                         is + PathAuthorize,
		"token_endpoint":                                 is + PathToken,
		"jwks_uri":                                       is + PathKeys,
		"revocation_endpoint":                            is + PathRevoke,
		"introspection_endpoint":                         is + PathIntrospect,
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"grant_types_supported":                          s.grantTypes(),
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"none", "client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":     []string{"none", "client_secret_basic", "client_secret_post"},
		"introspection_endpoint_auth_methods_supported":  []string{"client_secret_basic", "client_secret_post"},
		"authorization_response_iss_parameter_supported": true,
		"client_id_metadata_document_supported":          s.cfg.MetadataDocuments,
		"scopes_supported":                               s.scopesSupported(),
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{string(jose.EdDSA), string(jose.ES256)},
		"resource_indicators_supported":                  true,
	}
	if s.cfg.DynamicRegistration {
		md["registration_endpoint"] = is + PathRegister
	}
	return md
}

func (s *Server) grantTypes() []string {
	g := []string{"authorization_code", "refresh_token", "client_credentials"}
	if len(s.cfg.Workloads) > 0 {
		g = append(g, GrantTokenExchange)
	}
	return g
}

func (s *Server) scopesSupported() []string {
	out := slices.Clone(s.cfg.Scopes)
	return append(out, "offline_access")
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusOK, s.Metadata(), true)
}

// serveJWKS serves the public key at the path issuer local used, so
// verifiers configured for it keep working.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	keys, err := s.publicKeys(r.Context())
	if err != nil {
		http.Error(w, "keys unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: keys}, true)
}

// currentKey is the key to sign with now.
func (s *Server) currentKey(ctx context.Context) (SigningKey, error) {
	if s.cfg.CurrentKey != nil {
		return s.cfg.CurrentKey(ctx)
	}
	return s.cfg.Key, nil
}

// publicKeys are the keys the JWKS publishes.
func (s *Server) publicKeys(ctx context.Context) ([]jose.JSONWebKey, error) {
	if s.cfg.PublicKeys != nil {
		return s.cfg.PublicKeys(ctx)
	}
	return []jose.JSONWebKey{s.cfg.Key.Public()}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any, public bool) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if public {
		h.Set("Cache-Control", "max-age=300")
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// oauthError writes an OAuth error response (RFC 6749 §5.2 form).
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc}, false)
}

// resourceKey carries the request's resource parameters (RFC 8707) to
// CreateAuthRequest.
type resourceKey struct{}

// modeKey carries the response_mode asked for.
type modeKey struct{}

// authorize checks what op does not before handing the request to it:
// only the code flow, in the query response mode, and resource
// parameters that name this gateway. A request without scope asks for
// the required scopes.
func (s *Server) authorize(next http.Handler) http.Handler {
	return s.withIss(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "invalid request", http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodGet && strings.TrimSpace(r.Form.Get("scope")) == "" {
			q := r.URL.Query()
			q.Set("scope", strings.Join(s.defaultScopes(), " "))
			r.URL.RawQuery = q.Encode()
			r.Form = nil
			if err := r.ParseForm(); err != nil {
				http.Error(w, "invalid request", http.StatusBadRequest)
				return
			}
		}
		// op would answer in the mode asked for (fragment, form_post);
		// the refusal goes back in the query instead.
		mode := r.Form.Get("response_mode")
		if mode != "" {
			q := r.URL.Query()
			q.Del("response_mode")
			r.URL.RawQuery = q.Encode()
			r.Form.Del("response_mode")
		}
		ctx := context.WithValue(r.Context(), resourceKey{}, r.Form["resource"])
		ctx = context.WithValue(ctx, modeKey{}, mode)
		next.ServeHTTP(w, r.WithContext(ctx))
	}))
}

// defaultScopes is what a client that names no scope gets: the required
// scopes, else openid (a token that reaches only what needs no scope;
// the gateway's 403 then names the scope to ask for).
func (s *Server) defaultScopes() []string {
	if len(s.cfg.RequiredScopes) > 0 {
		return s.cfg.RequiredScopes
	}
	return []string{oidc.ScopeOpenID}
}

// token checks the resource parameters of a token request (RFC 8707 §2.2:
// invalid_target for any other resource) before op handles it.
func (s *Server) token(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				oauthError(w, http.StatusBadRequest, "invalid_request", "cannot parse the form")
				return
			}
			for _, res := range r.PostForm["resource"] {
				if res != s.cfg.Resource {
					oauthError(w, http.StatusBadRequest, "invalid_target", "this server issues tokens only for "+s.cfg.Resource)
					return
				}
			}
			if r.PostForm.Get("grant_type") == GrantTokenExchange {
				s.exchange(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// withIss adds the RFC 9207 iss parameter to every authorization
// response op sends to a client's redirect URI (codes and errors alike);
// redirects to the server's own pages are left alone.
func (s *Server) withIss(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&issWriter{ResponseWriter: w, issuer: s.cfg.Issuer}, r)
	})
}

type issWriter struct {
	http.ResponseWriter
	issuer string
	done   bool
}

func (w *issWriter) WriteHeader(code int) {
	if w.done {
		return
	}
	w.done = true
	if code >= 300 && code < 400 {
		if loc := w.Header().Get("Location"); loc != "" && !strings.HasPrefix(loc, w.issuer+"/") {
			if u, err := url.Parse(loc); err == nil {
				q := u.Query()
				if q.Get("iss") == "" && (q.Has("code") || q.Has("error")) {
					q.Set("iss", w.issuer)
					u.RawQuery = q.Encode()
					w.Header().Set("Location", u.String())
				}
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *issWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// revokeGrant ends a grant and sends its live access tokens to the
// revocation store.
func (s *Server) revokeGrant(ctx context.Context, grant, why string) {
	jtis, err := s.store.RevokeGrant(ctx, grant)
	if err != nil {
		s.log.Error("authserver: revoking a grant failed", "grant", grant, "err", err)
		return
	}
	s.log.Info("authserver: grant revoked", "reason", why, "access_tokens", len(jtis))
	if s.cfg.Revoker == nil {
		return
	}
	for jti, exp := range jtis {
		if err := s.cfg.Revoker.Revoke(ctx, jti, exp); err != nil {
			s.log.Error("authserver: access token of a revoked grant not recorded as revoked", "jti", jti, "err", err)
		}
	}
}
