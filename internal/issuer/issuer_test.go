package issuer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

const resource = "https://gw.example.com/mcp"

func newKey(t testing.TB) *issuer.Key {
	t.Helper()
	data, err := issuer.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := issuer.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func validator(t testing.TB, k *issuer.Key, now func() time.Time) *authn.Validator {
	t.Helper()
	iss, err := issuer.IssuerFor(resource)
	if err != nil {
		t.Fatal(err)
	}
	v, err := authn.New(authn.Config{Issuer: iss, Resource: resource, Keys: []jose.JSONWebKey{k.Public()}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIssueValidateRoundTrip(t *testing.T) {
	k := newKey(t)
	v := validator(t, k, nil)
	is, err := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "ci:build", Audience: []string{resource},
		Scopes: []string{"mcp:read", "mcp:write"}, TTL: issuer.DefaultTTL})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Validate(context.Background(), is.Token)
	if err != nil {
		t.Fatalf("issued token refused: %v", err)
	}
	if p.Subject != "ci:build" || p.JTI != is.JTI || strings.Join(p.Scopes, " ") != "mcp:read mcp:write" || p.Issuer != "https://gw.example.com" {
		t.Fatalf("principal %+v", p)
	}
	if d := time.Until(is.Expiry); d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("expiry in %v, want 10m", d)
	}
	// Another key's token, the wrong audience, an expired token: refused.
	other := newKey(t)
	bad, _ := other.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{resource}, TTL: issuer.MinTTL})
	wrongAud, _ := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{"https://other.example.com/mcp"}, TTL: issuer.MinTTL})
	old, _ := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{resource}, TTL: issuer.MinTTL, Now: time.Now().Add(-time.Hour)})
	wrongIss, _ := k.Issue(issuer.Request{Issuer: "https://evil.example.com", Subject: "x", Audience: []string{resource}, TTL: issuer.MinTTL})
	for name, tok := range map[string]string{"other key": bad.Token, "audience": wrongAud.Token, "expired": old.Token, "issuer": wrongIss.Token} {
		var ae *authn.Error
		if _, err := v.Validate(context.Background(), tok); !errors.As(err, &ae) || ae.Code != authn.ErrInvalidToken {
			t.Errorf("%s: got %v, want invalid_token", name, err)
		}
	}
	// Each token gets its own jti.
	again, _ := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "ci:build", Audience: []string{resource}, TTL: issuer.MinTTL})
	if again.JTI == is.JTI || len(again.JTI) < 20 {
		t.Fatalf("jti %q after %q", again.JTI, is.JTI)
	}
}

func TestTTLBounds(t *testing.T) {
	k := newKey(t)
	for _, ttl := range []time.Duration{0, -time.Minute, time.Minute, 5*time.Minute - time.Second, 15*time.Minute + time.Second, 24 * time.Hour} {
		if _, err := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{resource}, TTL: ttl}); err == nil {
			t.Errorf("ttl %v accepted", ttl)
		}
	}
	for _, ttl := range []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute} {
		if _, err := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{resource}, TTL: ttl}); err != nil {
			t.Errorf("ttl %v refused: %v", ttl, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	jwk := func(key any, kid, alg string) []byte {
		b, err := (&jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg}).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good, _ := issuer.Generate()
	for name, c := range map[string]struct {
		data []byte
		ok   bool
	}{
		"ed25519":      {good, true},
		"es256":        {jwk(ec, "k1", "ES256"), true},
		"public only":  {jwk(ec.Public(), "k1", "ES256"), false},
		"p384":         {jwk(ec384, "k1", ""), false},
		"rsa":          {jwk(rk, "k1", "RS256"), false},
		"no kid":       {jwk(ec, "", "ES256"), false},
		"alg mismatch": {jwk(ec, "k1", "EdDSA"), false},
		"not json":     {[]byte("-----BEGIN PRIVATE KEY-----"), false},
		"empty":        {nil, false},
		"symmetric":    {[]byte(`{"kty":"oct","k":"c2VjcmV0","kid":"a"}`), false},
	} {
		_, err := issuer.ParseKey(c.data)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", name, err, c.ok)
		}
	}
	// An ES256 key issues tokens the validator accepts too.
	k, err := issuer.ParseKey(jwk(ec, "k1", "ES256"))
	if err != nil {
		t.Fatal(err)
	}
	is, err := k.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "x", Audience: []string{resource}, TTL: issuer.MinTTL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := validator(t, k, nil).Validate(context.Background(), is.Token); err != nil {
		t.Fatal(err)
	}
}

func TestIssuerFor(t *testing.T) {
	for in, want := range map[string]string{
		"https://gw.example.com/mcp":      "https://gw.example.com",
		"http://127.0.0.1:8080/a/b":       "http://127.0.0.1:8080",
		"https://gw.example.com:8443/mcp": "https://gw.example.com:8443",
	} {
		if got, err := issuer.IssuerFor(in); err != nil || got != want {
			t.Errorf("%s: %q %v", in, got, err)
		}
	}
	if _, err := issuer.IssuerFor("/mcp"); err == nil {
		t.Error("relative resource accepted")
	}
}
