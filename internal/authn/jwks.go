package authn

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Key cache timing.
const (
	// keysMaxAge is how long a fetched JWKS is used before it is fetched
	// again on the next token: a key the issuer removed stops verifying
	// within this time (or at once when a token with an unknown kid
	// arrives after minRefetch).
	keysMaxAge = 15 * time.Minute
	// minRefetch spaces fetches caused by unknown kids, so a flood of
	// tokens with made-up kids cannot turn the gateway against the issuer.
	minRefetch  = 10 * time.Second
	maxDocBytes = 1 << 20
	maxKeys     = 100
	// sourceMaxAge and sourceMinReload are keysMaxAge and minRefetch for
	// keys read from a KeySource (the gateway's own key set, a local
	// read): a withdrawn key stops verifying within a minute, and a token
	// of a newly rotated key is accepted within a second.
	sourceMaxAge    = time.Minute
	sourceMinReload = time.Second
)

// SourcedKey is a verification key from a KeySource. A NotAfter that is
// set ends the key: from then on it verifies nothing (a rotated-out key
// of the gateway's own issuer, kept until the tokens it signed expire).
type SourcedKey struct {
	jose.JSONWebKey
	NotAfter time.Time
}

// keySet holds the issuer's verification keys.
type keySet struct {
	issuer   string
	override string // configured jwks_url
	static   bool   // keys given in Config.Keys: never fetched
	source   func(context.Context) ([]SourcedKey, error)
	client   *http.Client
	now      func() time.Time
	// onRemove is told the kids a refresh removed, so that tokens cached
	// as verified by them are dropped.
	onRemove func(kids []string)
	bg       atomic.Bool // a background refresh is under way

	snap atomic.Pointer[keySnap]

	fetchMu  sync.Mutex // one fetch at a time; waiters reuse its result
	jwksURI  string     // discovered, under fetchMu
	lastTry  time.Time  // under fetchMu
	lastErr  error      // under fetchMu
	attempts atomic.Int64
}

type keySnap struct {
	keys     []jose.JSONWebKey
	notAfter []time.Time // per key; nil, or zero for a key without end
	fetched  time.Time
}

func newKeySet(issuer, override string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{issuer: issuer, override: override, client: client, now: now}
}

// verify checks jws against the key named kid (any key of a matching
// algorithm when the token names none) and returns the payload, the kid
// of the key that verified it and that key's end (zero: none).
func (ks *keySet) verify(ctx context.Context, jws *jose.JSONWebSignature, kid, alg string) ([]byte, string, time.Time, error) {
	s := ks.snap.Load()
	if s == nil {
		if err := ks.refresh(ctx); err != nil {
			return nil, "", time.Time{}, &Error{Code: ErrInvalidToken, Description: "issuer keys unavailable", Err: err}
		}
		s = ks.snap.Load()
	} else {
		// Stale keys still verify while fresh ones are fetched: requests
		// do not wait on the issuer.
		ks.refreshIfStale(s, ks.now())
	}
	now := ks.now()
	cands := s.match(kid, alg, now)
	if len(cands) == 0 && kid != "" && !ks.static {
		// A new kid: the issuer may have rotated its keys.
		_ = ks.refresh(ctx)
		s = ks.snap.Load()
		cands = s.match(kid, alg, now)
	}
	if len(cands) == 0 {
		return nil, "", time.Time{}, invalid("unknown signing key", fmt.Errorf("kid %q alg %s", kid, alg))
	}
	var lastErr error
	for _, i := range cands {
		payload, err := jws.Verify(s.keys[i].Key)
		if err == nil {
			return payload, s.keys[i].KeyID, s.end(i), nil
		}
		lastErr = err
	}
	return nil, "", time.Time{}, invalid("bad signature", lastErr)
}

// refreshIfStale starts a background refresh of keys older than their
// maximum age, unless one is under way.
func (ks *keySet) refreshIfStale(s *keySnap, now time.Time) {
	maxAge := keysMaxAge
	if ks.source != nil {
		maxAge = sourceMaxAge
	}
	if ks.static || s == nil || now.Sub(s.fetched) <= maxAge || !ks.bg.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer ks.bg.Store(false)
		ks.refreshIfIdle()
	}()
}

// refreshIfIdle refreshes unless a fetch is under way already.
func (ks *keySet) refreshIfIdle() {
	if !ks.fetchMu.TryLock() {
		return
	}
	ks.fetchMu.Unlock()
	_ = ks.refresh(context.Background())
}

// match returns the indexes of the keys that may have signed a token
// naming kid and alg, leaving out keys past their end.
func (s *keySnap) match(kid, alg string, now time.Time) []int {
	if s == nil {
		return nil
	}
	var out []int
	for i, k := range s.keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != alg || !keyFits(k.Key, alg) {
			continue
		}
		if end := s.end(i); !end.IsZero() && !now.Before(end) {
			continue
		}
		out = append(out, i)
		// A token without kid is tried against a few keys only: each try
		// is a signature check, and failures are not cached.
		if kid == "" && len(out) == maxKeylessTries {
			break
		}
	}
	return out
}

func (s *keySnap) end(i int) time.Time {
	if s.notAfter == nil {
		return time.Time{}
	}
	return s.notAfter[i]
}

// live is the keys that verify at now.
func (s *keySnap) live(now time.Time) []jose.JSONWebKey {
	var out []jose.JSONWebKey
	for i, k := range s.keys {
		if end := s.end(i); end.IsZero() || now.Before(end) {
			out = append(out, k)
		}
	}
	return out
}

const maxKeylessTries = 3

// keyFits reports whether key is of the kind alg verifies with.
func keyFits(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return k.Curve == elliptic.P256()
		case "ES384":
			return k.Curve == elliptic.P384()
		case "ES512":
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// refresh fetches the JWKS (or reads the KeySource), unless that was
// tried within minRefetch (then it returns that try's error). Concurrent
// callers wait for the one fetch. On failure the keys already held are
// kept.
func (ks *keySet) refresh(ctx context.Context) error {
	if ks.static {
		return nil
	}
	ks.fetchMu.Lock()
	defer ks.fetchMu.Unlock()
	now := ks.now()
	spacing := minRefetch
	if ks.source != nil {
		spacing = sourceMinReload
	}
	if !ks.lastTry.IsZero() && now.Sub(ks.lastTry) < spacing {
		return ks.lastErr
	}
	ks.lastTry = now
	ks.attempts.Add(1)
	var next *keySnap
	var err error
	if ks.source != nil {
		next, err = ks.read(ctx)
	} else {
		var keys []jose.JSONWebKey
		if keys, err = ks.fetch(ctx); err == nil {
			next = &keySnap{keys: keys}
		}
	}
	ks.lastErr = err
	if err != nil {
		return err
	}
	next.fetched = now
	old := ks.snap.Swap(next)
	if old != nil && ks.onRemove != nil {
		var gone []string
		for _, k := range old.keys {
			if !slices.ContainsFunc(next.keys, func(n jose.JSONWebKey) bool { return n.KeyID == k.KeyID }) {
				gone = append(gone, k.KeyID)
			}
		}
		if len(gone) > 0 {
			ks.onRemove(gone)
		}
	}
	return nil
}

// read takes the keys of the KeySource, public signature keys only.
func (ks *keySet) read(ctx context.Context) (*keySnap, error) {
	keys, err := ks.source(ctx)
	if err != nil {
		return nil, fmt.Errorf("authn: keys: %w", err)
	}
	s := &keySnap{}
	for _, k := range keys {
		if !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") || len(s.keys) == maxKeys {
			continue
		}
		s.keys = append(s.keys, k.JSONWebKey)
		s.notAfter = append(s.notAfter, k.NotAfter)
	}
	if len(s.keys) == 0 {
		return nil, errors.New("authn: keys: no usable public signing key")
	}
	return s, nil
}

func (ks *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	// The fetch outlives a client that went away: its result serves the
	// next requests too.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	uri := ks.override
	if uri == "" {
		uri = ks.jwksURI
	}
	if uri == "" {
		var err error
		if uri, err = ks.discover(ctx); err != nil {
			return nil, err
		}
		ks.jwksURI = uri
	}
	body, err := ks.get(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("authn: jwks: %w", err)
	}
	return parseJWKS(body)
}

// parseJWKS keeps the usable public signature keys of a JWKS and skips
// the rest (symmetric keys, encryption keys, kinds go-jose cannot read),
// so that one odd key does not take the others down.
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("authn: jwks: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if len(keys) == maxKeys {
			break
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("authn: jwks: no usable public signing key")
	}
	return keys, nil
}

// discover finds the issuer's jwks_uri from OpenID Connect discovery or,
// failing that, RFC 8414 authorization server metadata. The metadata must
// name exactly the configured issuer.
func (ks *keySet) discover(ctx context.Context) (string, error) {
	var errs []error
	for _, u := range MetadataURLs(ks.issuer) {
		body, err := ks.get(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var md struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := json.Unmarshal(body, &md); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u, err))
			continue
		}
		if md.Issuer != ks.issuer {
			errs = append(errs, fmt.Errorf("%s names issuer %q, not %q", u, md.Issuer, ks.issuer))
			continue
		}
		if err := CheckEndpoint(md.JWKSURI); err != nil {
			errs = append(errs, fmt.Errorf("%s: jwks_uri: %w", u, err))
			continue
		}
		return md.JWKSURI, nil
	}
	return "", fmt.Errorf("authn: discovery: %w", errors.Join(errs...))
}

// MetadataURLs are where an issuer's metadata is looked for, in order:
// OpenID Connect discovery (issuer + /.well-known/openid-configuration)
// and RFC 8414 (/.well-known/oauth-authorization-server inserted before
// the issuer's path).
func MetadataURLs(issuer string) []string {
	out := []string{strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
	if u, err := url.Parse(issuer); err == nil {
		path := strings.TrimSuffix(u.EscapedPath(), "/")
		u.Path, u.RawPath = "", ""
		out = append(out, u.String()+"/.well-known/oauth-authorization-server"+path)
	}
	return out
}

func (ks *keySet) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	if len(body) > maxDocBytes {
		return nil, fmt.Errorf("%s: document larger than %d bytes", u, maxDocBytes)
	}
	return body, nil
}

// CheckEndpoint accepts an https URL, or an http URL on a loopback host
// (a provider on the same machine, as in development and tests).
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("invalid URL %q", s)
	}
	if u.User != nil || u.Fragment != "" {
		return fmt.Errorf("URL %q must not carry credentials or a fragment", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("URL %q must use https (http only on a loopback host)", s)
	}
	return fmt.Errorf("URL %q must use https", s)
}

// IsLoopbackHost reports whether host (a name or IP, without port) is
// this machine only: localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
