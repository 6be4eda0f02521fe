// Package authntest is a small OAuth authorization server for tests: it
// publishes OpenID Connect discovery, RFC 8414 metadata and a JWKS over
// real HTTP, and signs access tokens with go-jose. It stands in for an
// external identity provider (no OpenID provider can be reached from the
// test machines); it follows the documented discovery and JWKS formats
// and implements no login or token endpoint.
package authntest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Issuer is a running test authorization server.
type Issuer struct {
	URL string // issuer identifier, http://127.0.0.1:PORT

	srv *httptest.Server

	mu      sync.Mutex
	keys    []key // published; keys[0] signs
	nextKid int
	// OIDC false serves only RFC 8414 metadata; WrongIssuer makes the
	// metadata name another issuer.
	OIDC        atomic.Bool
	WrongIssuer atomic.Bool

	JWKSFetches atomic.Int64
}

type key struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// New starts an issuer with one RS256 key; Close stops it.
func New() *Issuer {
	is := &Issuer{}
	is.OIDC.Store(true)
	is.keys = []key{is.newKey(jose.RS256)}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if !is.OIDC.Load() {
			http.NotFound(w, r)
			return
		}
		is.writeMetadata(w)
	})
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) { is.writeMetadata(w) })
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		is.JWKSFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(is.JWKS())
	})
	is.srv = httptest.NewServer(mux)
	is.URL = is.srv.URL
	return is
}

// Close stops the server.
func (is *Issuer) Close() { is.srv.Close() }

func (is *Issuer) writeMetadata(w http.ResponseWriter) {
	iss := is.URL
	if is.WrongIssuer.Load() {
		iss = "https://evil.example"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              is.URL + "/jwks",
		"authorization_endpoint":                is.URL + "/authorize",
		"token_endpoint":                        is.URL + "/token",
		"response_types_supported":              []string{"code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256", "EdDSA"},
	})
}

func (is *Issuer) newKey(alg jose.SignatureAlgorithm) key {
	is.nextKid++
	k := key{kid: "k" + strconv.Itoa(is.nextKid), alg: alg}
	var err error
	switch alg {
	case jose.RS256:
		k.priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		k.priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, k.priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		panic("authntest: unsupported algorithm " + string(alg))
	}
	if err != nil {
		panic(err)
	}
	return k
}

// JWKS is the published key set.
func (is *Issuer) JWKS() jose.JSONWebKeySet {
	is.mu.Lock()
	defer is.mu.Unlock()
	var set jose.JSONWebKeySet
	for _, k := range is.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	return set
}

// Rotate makes a new signing key of alg. With keepOld the old keys stay
// published (a graceful rotation); without, they are withdrawn.
func (is *Issuer) Rotate(alg jose.SignatureAlgorithm, keepOld bool) string {
	is.mu.Lock()
	defer is.mu.Unlock()
	k := is.newKey(alg)
	if keepOld {
		is.keys = append([]key{k}, is.keys...)
	} else {
		is.keys = []key{k}
	}
	return k.kid
}

// Claims for a token valid now for resource with scope.
func (is *Issuer) Claims(resource, subject, scope string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": is.URL, "sub": subject, "aud": resource, "scope": scope,
		"client_id": "test-client", "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(10 * time.Minute).Unix(), "jti": strconv.FormatInt(now.UnixNano(), 36),
	}
}

// Token signs claims with the current signing key.
func (is *Issuer) Token(claims map[string]any) string {
	is.mu.Lock()
	k := is.keys[0]
	is.mu.Unlock()
	return Sign(claims, k.alg, k.priv, k.kid)
}

// Sign makes a compact JWS of claims with any key (key is a crypto.Signer
// or, for HS*, a []byte secret), naming kid.
func Sign(claims map[string]any, alg jose.SignatureAlgorithm, k any, kid string) string {
	opts := (&jose.SignerOptions{}).WithType("at+jwt")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, opts)
	if err != nil {
		panic(fmt.Sprintf("authntest: signer: %v", err))
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// SigningKey returns the current signing key and its kid.
func (is *Issuer) SigningKey() (crypto.Signer, string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[0].priv, is.keys[0].kid
}
