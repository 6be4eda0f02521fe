// Package sso signs people in through the company's OpenID Connect
// provider (Okta, Entra ID, Google, Keycloak, …) for the embedded
// authorization server: it is a relying party doing the authorization
// code flow with PKCE (S256), state and nonce, verifies the ID token
// and turns the IdP's groups into roles and scopes.
//
// It uses github.com/coreos/go-oidc/v3 for discovery and ID token
// signature checks (with golang.org/x/oauth2 for the code exchange):
// small, single-purpose, and its dependencies (go-jose, x/oauth2) are
// already in the module. zitadel's rp package would couple state and
// PKCE to its own cookie handler; here the pending sign-in is kept
// server side, bound to the browser by a cookie, and every check is
// visible in one place.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mcpwarden/mcpwarden/internal/authserver"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Defaults and limits.
const (
	DefaultGroupsClaim = "groups"
	// PendingTTL is how long a person has at the IdP's sign-in page.
	PendingTTL = 10 * time.Minute
	// maxPending bounds the sign-ins in flight, so unauthenticated
	// requests cannot fill memory.
	maxPending   = 10000
	cookiePrefix = "mcpwarden_sso_"
	httpTimeout  = 10 * time.Second
	defaultSkew  = 30 * time.Second
	discoveryTTL = time.Hour
)

// Signing algorithms accepted for ID tokens: public-key signatures only.
var algorithms = []string{
	oidc.RS256, oidc.RS384, oidc.RS512, oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.ES256, oidc.ES384, oidc.ES512, oidc.EdDSA,
}

// Config configures the relying party.
type Config struct {
	// Issuer is the IdP's issuer URL, compared exactly with its discovery
	// document and the ID tokens' iss.
	Issuer       string
	ClientID     string
	ClientSecret string // resolved from the secrets backend, never logged
	// RedirectURL is the callback registered at the IdP, e.g.
	// https://gateway.example.com/sso/callback.
	RedirectURL string
	// Scopes asked for besides openid (default profile, email).
	Scopes []string
	// GroupsClaim names the claim holding the groups (default groups); a
	// dotted name also finds a nested claim (realm_access.roles).
	GroupsClaim string
	Mapping     Mapping
	// AllowedDomains and AllowedSubjects, when either is set, admit only
	// a listed subject or a verified email in a listed domain.
	AllowedDomains, AllowedSubjects []string
	// Pending keeps the sign-ins in flight; share one across the RPs a
	// reload builds so a sign-in started before it can finish. Nil: the
	// RP's own.
	Pending    *Pending
	ClockSkew  time.Duration // default 30s
	HTTPClient *http.Client  // default: 10s timeout
	Now        func() time.Time
}

// Principal is a person the IdP signed in and the mapping admitted.
type Principal struct {
	Issuer, Subject string // the IdP's iss and sub
	Email           string // empty unless verified
	Name            string // name, else preferred_username
	Groups          []string
	Roles, Scopes   []string // from the mapping, sorted; never empty
}

// Errors a caller may tell apart. Every error from Callback means "not
// signed in".
var (
	ErrState       = errors.New("sso: unknown, expired or already used sign-in state")
	ErrUnreachable = errors.New("sso: identity provider unreachable")
	ErrDenied      = errors.New("sso: sign-in refused")
	// Refusals a person can act on; both also match ErrDenied.
	ErrNoRole     = errors.New("is in no group that maps to a role")
	ErrNotAllowed = errors.New("is not in the allowed domains or subjects")
)

// RP is the relying party. Safe for concurrent use.
type RP struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	found    time.Time
	pending  *Pending
}

// Pending holds the sign-ins in flight, by state. The zero value is not
// usable; make one with NewPending.
type Pending struct {
	mu sync.Mutex
	m  map[string]*pending
}

// NewPending returns an empty set of sign-ins in flight.
func NewPending() *Pending { return &Pending{m: map[string]*pending{}} }

type pending struct {
	requestID, nonce, verifier string
	binding                    [32]byte // SHA-256 of the browser cookie
	expires                    time.Time
}

// New checks cfg; nothing is fetched until the first sign-in.
func New(cfg Config) (*RP, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("sso: no issuer")
	case cfg.ClientID == "":
		return nil, errors.New("sso: no client id")
	case cfg.ClientSecret == "":
		return nil, errors.New("sso: no client secret")
	}
	u, err := url.Parse(cfg.RedirectURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sso: redirect URL %q is not an absolute http(s) URL", cfg.RedirectURL)
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = DefaultGroupsClaim
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile", "email"}
	}
	cfg.Scopes = slices.DeleteFunc(slices.Clone(cfg.Scopes), func(s string) bool { return s == oidc.ScopeOpenID })
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = defaultSkew
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: httpTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Pending == nil {
		cfg.Pending = NewPending()
	}
	return &RP{cfg: cfg, pending: cfg.Pending}, nil
}

// CallbackPath is the path of RedirectURL, where Callback must be served.
func (r *RP) CallbackPath() string {
	u, _ := url.Parse(r.cfg.RedirectURL)
	return u.EscapedPath()
}

func (r *RP) ctx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, r.cfg.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, r.cfg.HTTPClient)
}

// discover returns the IdP's provider metadata, fetched on first use and
// again hourly. A failure is returned (and retried on the next sign-in),
// never papered over: no metadata, no sign-in.
func (r *RP) discover(ctx context.Context) (*oidc.Provider, error) {
	r.mu.Lock()
	p, at := r.provider, r.found
	r.mu.Unlock()
	if p != nil && r.cfg.Now().Sub(at) < discoveryTTL {
		return p, nil
	}
	np, err := oidc.NewProvider(r.ctx(ctx), r.cfg.Issuer)
	if err != nil {
		if p != nil {
			return p, nil // keep the metadata held; the keys still verify
		}
		return nil, fmt.Errorf("%w: discovery at %s: %w", ErrUnreachable, r.cfg.Issuer, err)
	}
	var meta struct {
		Methods []string `json:"code_challenge_methods_supported"`
	}
	if err := np.Claims(&meta); err == nil && len(meta.Methods) > 0 && !slices.Contains(meta.Methods, "S256") {
		return nil, fmt.Errorf("sso: %s does not support PKCE with S256", r.cfg.Issuer)
	}
	r.mu.Lock()
	r.provider, r.found = np, r.cfg.Now()
	r.mu.Unlock()
	return np, nil
}

func (r *RP) oauth(p *oidc.Provider) *oauth2.Config {
	ep := p.Endpoint()
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	// Without the list, client_secret_basic is the default (OIDC
	// Discovery). With both, try basic and fall back to post once, as
	// some providers list basic but read only the form.
	p.Claims(&meta)
	basic, post := len(meta.Methods) == 0 || slices.Contains(meta.Methods, "client_secret_basic"), slices.Contains(meta.Methods, "client_secret_post")
	switch {
	case basic && post:
		ep.AuthStyle = oauth2.AuthStyleAutoDetect
	case post:
		ep.AuthStyle = oauth2.AuthStyleInParams
	default:
		ep.AuthStyle = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID: r.cfg.ClientID, ClientSecret: r.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: r.cfg.RedirectURL, Scopes: append([]string{oidc.ScopeOpenID}, r.cfg.Scopes...),
	}
}

// Begin starts a sign-in for the authorization request requestID: it
// sets a cookie binding the sign-in to this browser and returns the
// IdP's authorization URL to redirect to. The IdP must be reachable.
func (r *RP) Begin(ctx context.Context, w http.ResponseWriter, requestID string) (string, error) {
	p, err := r.discover(ctx)
	if err != nil {
		return "", err
	}
	state, nonce, cookie := random(), random(), random()
	verifier := oauth2.GenerateVerifier()
	now := r.cfg.Now()
	ps := r.pending
	ps.mu.Lock()
	if len(ps.m) >= maxPending {
		for s, pd := range ps.m {
			if now.After(pd.expires) {
				delete(ps.m, s)
			}
		}
	}
	if len(ps.m) >= maxPending {
		// Full (a flood of authorization requests): the oldest sign-in
		// makes room, so a flood delays people rather than locking
		// everyone out for PendingTTL.
		var oldest string
		for s, pd := range ps.m {
			if oldest == "" || pd.expires.Before(ps.m[oldest].expires) {
				oldest = s
			}
		}
		delete(ps.m, oldest)
	}
	ps.m[state] = &pending{requestID: requestID, nonce: nonce, verifier: verifier,
		binding: sha256.Sum256([]byte(cookie)), expires: now.Add(PendingTTL)}
	ps.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(state), Value: cookie, Path: r.CallbackPath(), MaxAge: int(PendingTTL / time.Second),
		HttpOnly: true, Secure: strings.HasPrefix(r.cfg.RedirectURL, "https:"),
		// Lax: the IdP's redirect back is a top-level GET from another site.
		SameSite: http.SameSiteLaxMode,
	})
	return r.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Callback finishes a sign-in at the redirect URL: the state must be one
// Begin issued to this browser, unused and not expired; the code is
// exchanged with the PKCE verifier; the ID token must verify (signature,
// iss, aud, azp, exp, iat, nonce) and the person must pass the
// allow-lists and earn at least one role. It returns the authorization
// request the sign-in was for; on any error, nobody is signed in.
func (r *RP) Callback(ctx context.Context, req *http.Request) (requestID string, _ *Principal, _ error) {
	q := req.URL.Query()
	state := q.Get("state")
	ps := r.pending
	ps.mu.Lock()
	pd, ok := ps.m[state]
	if ok {
		delete(ps.m, state) // one use, whatever the outcome
	}
	ps.mu.Unlock()
	if !ok || state == "" || r.cfg.Now().After(pd.expires) {
		return "", nil, ErrState
	}
	c, err := req.Cookie(cookieName(state))
	if err != nil {
		return pd.requestID, nil, fmt.Errorf("%w: no sign-in cookie (another browser?)", ErrState)
	}
	if sum := sha256.Sum256([]byte(c.Value)); subtle.ConstantTimeCompare(sum[:], pd.binding[:]) != 1 {
		return pd.requestID, nil, fmt.Errorf("%w: sign-in cookie does not match", ErrState)
	}
	if e := q.Get("error"); e != "" {
		return pd.requestID, nil, fmt.Errorf("%w: the identity provider answered %s: %.200s", ErrDenied, e, q.Get("error_description"))
	}
	code := q.Get("code")
	if code == "" {
		return pd.requestID, nil, fmt.Errorf("%w: no code", ErrDenied)
	}
	if iss := q.Get("iss"); iss != "" && iss != r.cfg.Issuer {
		// RFC 9207: a response from another issuer (mix-up attack).
		return pd.requestID, nil, fmt.Errorf("%w: response from issuer %q", ErrDenied, iss)
	}
	p, err := r.exchange(ctx, code, pd.verifier, pd.nonce)
	return pd.requestID, p, err
}

func (r *RP) exchange(ctx context.Context, code, verifier, nonce string) (*Principal, error) {
	prov, err := r.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := r.oauth(prov).Exchange(r.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The description is the IdP's text; some echo what was sent.
			d := strings.ReplaceAll(re.ErrorDescription, r.cfg.ClientSecret, "[secret]")
			return nil, fmt.Errorf("%w: code exchange: %s %.200s", ErrDenied, re.ErrorCode, d)
		}
		return nil, fmt.Errorf("%w: code exchange: %w", ErrUnreachable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no id_token in the token response", ErrDenied)
	}
	return r.verify(ctx, prov, raw, nonce)
}

// verify checks an ID token and maps its claims.
func (r *RP) verify(ctx context.Context, prov *oidc.Provider, raw, nonce string) (*Principal, error) {
	now := r.cfg.Now()
	// The provider's key set is kept with it (fetched again on an
	// unknown key id), through the RP's HTTP client.
	v := prov.Verifier(&oidc.Config{
		ClientID: r.cfg.ClientID, SupportedSigningAlgs: algorithms,
		Now: func() time.Time { return now.Add(-r.cfg.ClockSkew) },
	})
	it, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: id token: %w", ErrDenied, err)
	}
	var payload json.RawMessage
	if err := it.Claims(&payload); err != nil {
		return nil, fmt.Errorf("%w: id token: %w", ErrDenied, err)
	}
	c, err := parseClaims(payload, r.cfg.GroupsClaim)
	if err != nil {
		return nil, fmt.Errorf("%w: id token: %w", ErrDenied, err)
	}
	switch {
	case subtle.ConstantTimeCompare([]byte(it.Nonce), []byte(nonce)) != 1:
		return nil, fmt.Errorf("%w: id token: nonce does not match this sign-in (replayed token?)", ErrDenied)
	case it.Subject == "":
		return nil, fmt.Errorf("%w: id token: no sub", ErrDenied)
	case strings.HasPrefix(it.Subject, authserver.LocalSubjectPrefix):
		return nil, fmt.Errorf("%w: id token: subject %q is in the local administrators' namespace", ErrDenied, it.Subject)
	case len(it.Audience) > 1 && c.Azp != r.cfg.ClientID, c.Azp != "" && c.Azp != r.cfg.ClientID:
		// OIDC Core 3.1.3.7: several audiences need azp, and it must be us.
		return nil, fmt.Errorf("%w: id token: authorized party %q is not this client", ErrDenied, c.Azp)
	case c.Iat == 0 || time.Unix(c.Iat, 0).After(now.Add(r.cfg.ClockSkew)):
		return nil, fmt.Errorf("%w: id token: iat missing or in the future", ErrDenied)
	}
	if !allowed(c, r.cfg.AllowedDomains, r.cfg.AllowedSubjects) {
		return nil, fmt.Errorf("%w: %s %w", ErrDenied, it.Subject, ErrNotAllowed)
	}
	roles, scopes := r.cfg.Mapping.Map(c.Groups)
	if len(roles) == 0 {
		return nil, fmt.Errorf("%w: %s %w", ErrDenied, it.Subject, ErrNoRole)
	}
	p := &Principal{Issuer: it.Issuer, Subject: it.Subject, Name: c.Name, Groups: c.Groups, Roles: roles, Scopes: scopes}
	if c.EmailVerified {
		p.Email = c.Email
	}
	return p, nil
}

// cookieName is per sign-in, so two sign-ins in one browser (two tabs)
// do not overwrite each other's binding.
func cookieName(state string) string {
	if len(state) > 12 {
		state = state[:12]
	}
	return cookiePrefix + state
}

func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
