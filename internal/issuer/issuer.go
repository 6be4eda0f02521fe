// Package issuer makes the gateway its own token issuer for headless
// agents and CI: it signs short-lived, audience-bound access tokens with
// a key the operator keeps in the secrets backend or a 0600 key file, and
// describes the key as a JWKS. Validation is authn's, fed the public key,
// so an issued token passes exactly the checks any other token does.
package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Token lifetimes: short enough that a leaked token is worth little,
// long enough for one CI step.
const (
	MinTTL     = 5 * time.Minute
	MaxTTL     = 15 * time.Minute
	DefaultTTL = 10 * time.Minute
)

// Key is the gateway's signing key.
type Key struct {
	priv jose.JSONWebKey
	sign jose.Signer
}

// Generate makes a new Ed25519 signing key and returns it as a private
// JWK (JSON), the form ParseKey reads and the secrets backend stores.
func Generate() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issuer: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, Algorithm: string(jose.EdDSA), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("issuer: key thumbprint: %w", err)
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return jwk.MarshalJSON()
}

// ParseKey reads a private JWK: Ed25519 (EdDSA) or P-256 (ES256), for
// signing, with a kid. Anything else is refused rather than guessed.
func ParseKey(data []byte) (*Key, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, errors.New("issuer: signing key is not a JWK (make one with mcpwarden token keygen)")
	}
	if jwk.IsPublic() {
		return nil, errors.New("issuer: signing key must be a private key (it is public)")
	}
	alg, err := signingAlg(&jwk)
	if err != nil {
		return nil, fmt.Errorf("issuer: signing key: %w", err)
	}
	jwk.Algorithm = string(alg)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jwk.Key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader(jose.HeaderKey("kid"), jwk.KeyID))
	if err != nil {
		return nil, fmt.Errorf("issuer: signer: %w", err)
	}
	return &Key{priv: jwk, sign: s}, nil
}

// signingAlg checks that k (its public half) is a key the issuer signs
// with, Ed25519 (EdDSA) or P-256 (ES256), for signatures, with a kid, and
// returns its algorithm. Anything else is refused rather than guessed.
func signingAlg(k *jose.JSONWebKey) (jose.SignatureAlgorithm, error) {
	var alg jose.SignatureAlgorithm
	switch pk := k.Public().Key.(type) {
	case ed25519.PublicKey:
		alg = jose.EdDSA
	case *ecdsa.PublicKey:
		if pk.Curve != elliptic.P256() {
			return "", errors.New("only P-256 EC keys (ES256)")
		}
		alg = jose.ES256
	default:
		return "", fmt.Errorf("must be an Ed25519 or P-256 key, not %T", k.Key)
	}
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return "", fmt.Errorf("alg %q does not fit the key (%s)", k.Algorithm, alg)
	}
	if k.Use != "" && k.Use != "sig" {
		return "", fmt.Errorf("use %q, want sig", k.Use)
	}
	if k.KeyID == "" {
		return "", errors.New("no kid")
	}
	return alg, nil
}

// KeyID is the key's kid.
func (k *Key) KeyID() string { return k.priv.KeyID }

// Algorithm is the key's JWS algorithm (EdDSA or ES256).
func (k *Key) Algorithm() jose.SignatureAlgorithm { return jose.SignatureAlgorithm(k.priv.Algorithm) }

// Private is the private key itself, for a signer other than Issue's
// (the embedded authorization server's).
func (k *Key) Private() any { return k.priv.Key }

// Public is the verification key, as a JWKS publishes it.
func (k *Key) Public() jose.JSONWebKey {
	pub := k.priv.Public()
	pub.Use = "sig"
	return pub
}

// IssuerFor is the issuer identifier of a gateway whose resource URL is
// resource: its origin (scheme and host), where the gateway serves its
// RFC 8414 metadata and JWKS.
func IssuerFor(resource string) (string, error) {
	u, err := url.Parse(resource)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("issuer: resource %q is not an absolute URL", resource)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Request is one token to issue.
type Request struct {
	Issuer   string
	Subject  string
	Audience []string // the gateway's resource URL first
	Scopes   []string
	TTL      time.Duration
	Now      time.Time // zero: time.Now
}

// Issued is a signed token and what revoking it needs.
type Issued struct {
	Token  string
	JTI    string
	Expiry time.Time
}

// CheckTTL enforces the lifetime bounds.
func CheckTTL(ttl time.Duration) error {
	if ttl < MinTTL || ttl > MaxTTL {
		return fmt.Errorf("ttl %v is out of bounds: tokens live between %v and %v", ttl, MinTTL, MaxTTL)
	}
	return nil
}

// Issue signs a token: iss, sub, aud, scope, iat, nbf, exp and a random
// 128-bit jti, so each token can be revoked on its own.
func (k *Key) Issue(r Request) (*Issued, error) {
	if err := CheckTTL(r.TTL); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	if r.Issuer == "" || r.Subject == "" || len(r.Audience) == 0 {
		return nil, errors.New("issuer: issuer, subject and audience are required")
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("issuer: jti: %w", err)
	}
	jti := base64.RawURLEncoding.EncodeToString(b[:])
	exp := now.Add(r.TTL)
	var aud any = r.Audience
	if len(r.Audience) == 1 {
		aud = r.Audience[0]
	}
	claims := map[string]any{
		"iss": r.Issuer, "sub": r.Subject, "aud": aud, "scope": strings.Join(r.Scopes, " "),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(), "jti": jti,
		"client_id": "mcpwarden-token-issue",
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("issuer: claims: %w", err)
	}
	jws, err := k.sign.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("issuer: sign: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("issuer: serialize: %w", err)
	}
	return &Issued{Token: tok, JTI: jti, Expiry: time.Unix(exp.Unix(), 0)}, nil
}
