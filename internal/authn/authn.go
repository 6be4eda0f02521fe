// Package authn makes the gateway an OAuth 2.1 resource server: it
// validates the bearer access tokens clients present (JWTs signed by the
// configured authorization server, keys from its JWKS), maps their scopes
// to what they may call, and describes itself with Protected Resource
// Metadata (RFC 9728). It knows HTTP and JOSE but nothing of MCP framing;
// downstream and intercept adapt it.
package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Defaults and limits.
const (
	DefaultClockSkew = 30 * time.Second
	MaxClockSkew     = 5 * time.Minute
	DefaultGroups    = "groups"
	// maxTokenBytes bounds what is parsed at all: real access tokens are a
	// few KiB.
	maxTokenBytes = 16 << 10
)

// Algorithms are the JWS algorithms accepted: public-key signatures only.
// "none" and the HMAC family (HS*) are never accepted, so a token cannot
// be "signed" with the public key as an HMAC secret.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// Config says which tokens are accepted.
type Config struct {
	// Issuer is the authorization server's issuer identifier, compared
	// exactly with the iss claim and with the issuer its metadata names.
	Issuer string
	// Resource is this gateway's resource identifier (RFC 8707/9728); a
	// token's aud must contain it or one of Audiences.
	Resource  string
	Audiences []string
	// JWKSURL overrides discovery of the issuer's jwks_uri.
	JWKSURL string
	// Keys, when set, are the issuer's keys, never fetched: the gateway's
	// own issuer (auth.issuer local), which also serves them (ServeJWKS).
	Keys []jose.JSONWebKey
	// KeySource, when set (and Keys not), supplies the issuer's keys
	// instead of a JWKS fetch: the gateway's own key set, kept in the
	// secrets backend, which a rotation changes under running replicas.
	// It is read on first use (Warm), again when a token names an unknown
	// kid (at most once a second), and in the background once a minute;
	// a key it no longer lists drops the tokens cached as verified by it.
	KeySource   func(context.Context) ([]SourcedKey, error)
	ClockSkew   time.Duration
	GroupsClaim string // default "groups"
	// Revocations, when set, is consulted for every token: a token
	// without a jti is then refused, and a revoked one is refused even
	// when cached.
	Revocations Revocations
	// RequiredScopes must all be granted for any access at all.
	RequiredScopes []string
	// Scopes maps scope names to what they allow (nil: a valid token
	// allows every call; policy may still restrict).
	Scopes Scopes
	// HTTPClient fetches metadata and keys; nil uses a client with a 10s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Principal is the verified identity behind a token.
type Principal struct {
	Subject  string
	Issuer   string
	ClientID string // client_id, else azp
	Groups   []string
	Scopes   []string
	JTI      string // token id: what revocation names
	Expiry   time.Time
	IssuedAt time.Time // iat; zero when the token has none
}

// Error kinds, as RFC 6750 names them in WWW-Authenticate.
const (
	ErrInvalidRequest    = "invalid_request"
	ErrInvalidToken      = "invalid_token"
	ErrInsufficientScope = "insufficient_scope"
)

// Error is a refused token. Code is the RFC 6750 error code; Description
// is safe to show the client (it names the failed check, never a key or
// the token). Err, when set, is the internal cause for logs.
type Error struct {
	Code        string
	Description string
	Scope       string // insufficient_scope: the scopes needed, space-separated
	Err         error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("authn: %s: %s: %v", e.Code, e.Description, e.Err)
	}
	return fmt.Sprintf("authn: %s: %s", e.Code, e.Description)
}

func (e *Error) Unwrap() error { return e.Err }

func invalid(desc string, err error) *Error {
	return &Error{Code: ErrInvalidToken, Description: desc, Err: err}
}

// Validator checks tokens. It is safe for concurrent use.
type Validator struct {
	cfg      Config
	keys     *keySet
	cache    *tokenCache
	now      func() time.Time
	subjects SubjectRevocations // Revocations, when it revokes by subject too
}

// New builds a validator. It does not contact the issuer: keys are
// fetched on first use (Warm fetches them ahead).
func New(cfg Config) (*Validator, error) {
	if cfg.Issuer == "" || cfg.Resource == "" {
		return nil, errors.New("authn: issuer and resource are required")
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = DefaultGroups
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, via []*http.Request) error {
			// Keys only over https (or loopback http), redirects included.
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return CheckEndpoint(r.URL.String())
		}}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ks := newKeySet(cfg.Issuer, cfg.JWKSURL, cfg.HTTPClient, now)
	if len(cfg.Keys) > 0 {
		ks.static = true
		ks.snap.Store(&keySnap{keys: cfg.Keys, fetched: now()})
	} else {
		ks.source = cfg.KeySource
	}
	v := &Validator{
		cfg:   cfg,
		keys:  ks,
		cache: newTokenCache(defaultCacheSize),
		now:   now,
	}
	ks.onRemove = v.cache.dropKIDs
	v.subjects, _ = cfg.Revocations.(SubjectRevocations)
	return v, nil
}

// Config returns the validator's configuration.
func (v *Validator) Config() *Config { return &v.cfg }

// Warm discovers the issuer's keys now, so that the first request does
// not wait for them.
func (v *Validator) Warm(ctx context.Context) error {
	return v.keys.refresh(ctx)
}

// Validate checks a bearer token and returns its principal. The checks:
// size, compact JWS with an accepted algorithm, signature by a key of the
// issuer's JWKS (an unknown kid refetches the JWKS, at most once per
// minRefetch), iss exactly the issuer, aud containing the resource (or a
// configured audience), exp (required) and nbf/iat within the clock skew,
// a subject, and RequiredScopes. A token seen before is answered from a
// cache keyed by its SHA-256 until it expires, and, with Revocations,
// only while its jti is not revoked.
func (v *Validator) Validate(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, &Error{Code: ErrInvalidRequest, Description: "missing bearer token"}
	}
	if len(token) > maxTokenBytes {
		return nil, invalid("token too large", nil)
	}
	now := v.now()
	sum := cacheKey(token)
	rev := v.cfg.Revocations
	if e, ok := v.cache.entry(sum, now); ok {
		// A cached token does not reach the keys: keep them fresh here too,
		// so a withdrawn key's tokens are dropped.
		v.keys.refreshIfStale(v.keys.snap.Load(), now)
		if rev != nil {
			if err := v.checkCached(ctx, sum, e, rev); err != nil {
				return nil, err
			}
		}
		return e.p, v.checkRequired(e.p)
	}
	p, kid, keyEnd, err := v.verify(ctx, token, now)
	if err != nil {
		return nil, err
	}
	var epoch uint64
	var subKey string
	if rev != nil {
		if v.subjects != nil {
			subKey = SubjectKey(p.Issuer, p.Subject)
		}
		// The epoch is read before the store is asked, so a reconnect
		// during the check makes the next hit ask again.
		epoch = rev.Epoch()
		if err := v.checkNew(ctx, p, rev, subKey); err != nil {
			return nil, err
		}
	}
	v.cache.putKey(sum, p, epoch, kid, keyEnd, subKey)
	return p, v.checkRequired(p)
}

func (v *Validator) checkRequired(p *Principal) error {
	var missing []string
	for _, s := range v.cfg.RequiredScopes {
		if !slices.Contains(p.Scopes, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return &Error{Code: ErrInsufficientScope, Description: "token lacks required scopes",
			Scope: strings.Join(v.cfg.RequiredScopes, " ")}
	}
	return nil
}

// verify checks the token, returning its principal, the kid of the key
// that verified it and the end of that key (zero: none).
func (v *Validator) verify(ctx context.Context, token string, now time.Time) (*Principal, string, time.Time, error) {
	jws, err := jose.ParseSignedCompact(token, Algorithms)
	if err != nil {
		return nil, "", time.Time{}, invalid("malformed token or unaccepted algorithm", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, "", time.Time{}, invalid("malformed token", nil)
	}
	hdr := jws.Signatures[0].Header
	payload, kid, end, err := v.keys.verify(ctx, jws, hdr.KeyID, hdr.Algorithm)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	p, err := v.checkClaims(payload, now)
	return p, kid, end, err
}

func (v *Validator) checkClaims(payload []byte, now time.Time) (*Principal, error) {
	c, err := parseClaims(payload, v.cfg.GroupsClaim)
	if err != nil {
		return nil, invalid("malformed claims", err)
	}
	if c.iss != v.cfg.Issuer {
		return nil, invalid("wrong issuer", fmt.Errorf("iss %q", c.iss))
	}
	if !slices.Contains(c.aud, v.cfg.Resource) && !slices.ContainsFunc(c.aud, func(a string) bool {
		return slices.Contains(v.cfg.Audiences, a)
	}) {
		return nil, invalid("token is not for this resource (audience)", fmt.Errorf("aud %q", c.aud))
	}
	skew := v.cfg.ClockSkew
	switch {
	case c.exp == nil:
		return nil, invalid("token has no expiry", nil)
	case !now.Before(c.exp.Add(skew)):
		return nil, invalid("token expired", nil)
	case c.nbf != nil && now.Add(skew).Before(*c.nbf):
		return nil, invalid("token not valid yet", nil)
	case c.iat != nil && now.Add(skew).Before(*c.iat):
		return nil, invalid("token issued in the future", nil)
	case c.sub == "":
		return nil, invalid("token has no subject", nil)
	}
	p := &Principal{Subject: c.sub, Issuer: c.iss, ClientID: c.clientID, Groups: c.groups,
		Scopes: c.scopes, JTI: c.jti, Expiry: c.exp.Add(skew)}
	if c.iat != nil {
		p.IssuedAt = *c.iat
	}
	return p, nil
}

type claims struct {
	iss, sub, clientID, jti string
	aud, scopes             []string
	groups                  []string
	exp, nbf, iat           *time.Time
}

// parseClaims reads the claims used here, by exact name (encoding/json
// would match struct fields case-insensitively). Other claims are ignored.
func parseClaims(payload []byte, groupsClaim string) (*claims, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the claims")
	}
	c := &claims{}
	var err error
	str := func(name string) string {
		raw, ok := m[name]
		if !ok || err != nil {
			return ""
		}
		var s string
		if e := json.Unmarshal(raw, &s); e != nil {
			err = fmt.Errorf("claim %s: not a string", name)
		}
		return s
	}
	c.iss, c.sub, c.jti = str("iss"), str("sub"), str("jti")
	c.clientID = str("client_id")
	if c.clientID == "" {
		c.clientID = str("azp")
	}
	if err != nil {
		return nil, err
	}
	// aud is one value or a list (RFC 7519): a string is never split.
	if c.aud, err = ClaimStrings(m["aud"], ""); err != nil {
		return nil, fmt.Errorf("claim aud: %w", err)
	}
	// scope is a space-separated string (RFC 8693, RFC 9068); scp, used by
	// some providers, a list or a string.
	if raw, ok := m["scope"]; ok {
		c.scopes, err = ClaimStrings(raw, " ")
	} else if raw, ok := m["scp"]; ok {
		c.scopes, err = ClaimStrings(raw, " ")
	}
	if err != nil {
		return nil, fmt.Errorf("claim scope: %w", err)
	}
	if raw, ok := m[groupsClaim]; ok {
		if c.groups, err = ClaimStrings(raw, ""); err != nil {
			return nil, fmt.Errorf("claim %s: %w", groupsClaim, err)
		}
	}
	for name, dst := range map[string]**time.Time{"exp": &c.exp, "nbf": &c.nbf, "iat": &c.iat} {
		raw, ok := m[name]
		if !ok {
			continue
		}
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return nil, fmt.Errorf("claim %s: not a number", name)
		}
		f, e := n.Float64()
		if e != nil || f < 0 || f > 1e11 {
			return nil, fmt.Errorf("claim %s: out of range", name)
		}
		t := time.Unix(int64(f), 0)
		*dst = &t
	}
	return c, nil
}

// ClaimStrings decodes a claim that is a JSON string (split on sep when
// sep is not "") or a list of strings; null or absent is empty. Token
// claims such as aud, scope and groups come in either form.
func ClaimStrings(raw json.RawMessage, sep string) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if sep == "" {
			return []string{s}, nil
		}
		return strings.Fields(s), nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, errors.New("not a string or a list of strings")
	}
	return l, nil
}

// BearerToken extracts the token of an Authorization: Bearer header. The
// scheme is case-insensitive (RFC 7235); a token in the query string or
// body is never looked at (OAuth 2.1 forbids the query form).
func BearerToken(h http.Header) (string, *Error) {
	vals := h.Values("Authorization")
	if len(vals) == 0 {
		return "", &Error{Code: ErrInvalidRequest, Description: "missing bearer token"}
	}
	if len(vals) > 1 {
		return "", &Error{Code: ErrInvalidRequest, Description: "more than one Authorization header"}
	}
	scheme, tok, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", &Error{Code: ErrInvalidRequest, Description: "Authorization must use the Bearer scheme"}
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" || strings.ContainsAny(tok, " \t,") {
		return "", invalid("malformed bearer token", nil)
	}
	return tok, nil
}
