package authn_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
)

const resource = "https://gateway.example.com/mcp"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newValidator(t testing.TB, is *authntest.Issuer, mod ...func(*authn.Config)) (*authn.Validator, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	cfg := authn.Config{Issuer: is.URL, Resource: resource, Now: clk.now}
	for _, m := range mod {
		m(&cfg)
	}
	v, err := authn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v, clk
}

func wantCode(t *testing.T, err error, code, desc string) {
	t.Helper()
	var e *authn.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want authn.Error %s", err, code)
	}
	if e.Code != code || !strings.Contains(e.Description, desc) {
		t.Fatalf("err = %s %q, want %s %q", e.Code, e.Description, code, desc)
	}
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestValidateValidTokens(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			is.Rotate(alg, false)
			v, _ := newValidator(t, is)
			c := is.Claims(resource, "alice", "mcp:read mcp:files")
			c["groups"] = []string{"eng", "ops"}
			p, err := v.Validate(context.Background(), is.Token(c))
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "alice" || p.Issuer != is.URL || p.ClientID != "test-client" ||
				strings.Join(p.Scopes, ",") != "mcp:read,mcp:files" || strings.Join(p.Groups, ",") != "eng,ops" {
				t.Fatalf("principal = %+v", p)
			}
		})
	}
}

func TestValidateClaims(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	v, _ := newValidator(t, is, func(c *authn.Config) {
		c.Audiences = []string{"api://mcpwarden"}
		c.RequiredScopes = []string{"mcp"}
	})
	now := time.Now()
	cases := []struct {
		name       string
		edit       func(map[string]any)
		code, desc string // "" code: valid
	}{
		{"valid", func(map[string]any) {}, "", ""},
		{"aud list with resource", func(c map[string]any) { c["aud"] = []string{"other", resource} }, "", ""},
		{"extra audience", func(c map[string]any) { c["aud"] = "api://mcpwarden" }, "", ""},
		{"scp list", func(c map[string]any) { delete(c, "scope"); c["scp"] = []string{"mcp", "x"} }, "", ""},
		{"azp as client", func(c map[string]any) { delete(c, "client_id"); c["azp"] = "cli" }, "", ""},
		{"expired within skew", func(c map[string]any) { c["exp"] = now.Add(-10 * time.Second).Unix() }, "", ""},
		{"expired", func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }, authn.ErrInvalidToken, "expired"},
		{"no exp", func(c map[string]any) { delete(c, "exp") }, authn.ErrInvalidToken, "no expiry"},
		{"exp string", func(c map[string]any) { c["exp"] = "tomorrow" }, authn.ErrInvalidToken, "malformed claims"},
		{"nbf future", func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() }, authn.ErrInvalidToken, "not valid yet"},
		{"iat future", func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() }, authn.ErrInvalidToken, "future"},
		{"wrong iss", func(c map[string]any) { c["iss"] = "https://evil.example" }, authn.ErrInvalidToken, "wrong issuer"},
		{"iss trailing slash", func(c map[string]any) { c["iss"] = is.URL + "/" }, authn.ErrInvalidToken, "wrong issuer"},
		{"wrong aud", func(c map[string]any) { c["aud"] = "https://other.example.com/mcp" }, authn.ErrInvalidToken, "audience"},
		{"aud string holding the resource after a space", func(c map[string]any) { c["aud"] = "other " + resource }, authn.ErrInvalidToken, "audience"},
		{"aud prefix only", func(c map[string]any) { c["aud"] = "https://gateway.example.com" }, authn.ErrInvalidToken, "audience"},
		{"no aud", func(c map[string]any) { delete(c, "aud") }, authn.ErrInvalidToken, "audience"},
		{"aud number", func(c map[string]any) { c["aud"] = 7 }, authn.ErrInvalidToken, "malformed claims"},
		{"no sub", func(c map[string]any) { delete(c, "sub") }, authn.ErrInvalidToken, "no subject"},
		{"case-variant iss", func(c map[string]any) { delete(c, "iss"); c["ISS"] = is.URL }, authn.ErrInvalidToken, "wrong issuer"},
		{"missing required scope", func(c map[string]any) { c["scope"] = "mcp:read" }, authn.ErrInsufficientScope, "required"},
		{"required scope as substring", func(c map[string]any) { c["scope"] = "mcpx" }, authn.ErrInsufficientScope, "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := is.Claims(resource, "alice", "mcp mcp:read")
			tc.edit(c)
			_, err := v.Validate(context.Background(), is.Token(c))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			wantCode(t, err, tc.code, tc.desc)
		})
	}
}

func TestValidateForgedTokens(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	v, _ := newValidator(t, is)
	good := is.Token(is.Claims(resource, "alice", "mcp"))
	parts := strings.Split(good, ".")
	priv, kid := is.SigningKey()
	pubDER, _ := x509.MarshalPKIXPublicKey(priv.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	claims := is.Claims(resource, "mallory", "mcp")

	cases := []struct{ name, token, desc string }{
		{"alg none", b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(claims) + ".", "algorithm"},
		{"alg none with kid", b64(map[string]string{"alg": "none", "kid": kid}) + "." + b64(claims) + ".", "algorithm"},
		{"HS256 with the public key as secret (PEM)", authntest.Sign(claims, jose.HS256, pubPEM, kid), "algorithm"},
		{"HS256 with the public key as secret (DER)", authntest.Sign(claims, jose.HS256, pubDER, kid), "algorithm"},
		{"tampered payload", parts[0] + "." + b64(claims) + "." + parts[2], "bad signature"},
		{"signature of another key, same kid", authntest.Sign(claims, jose.RS256, other, kid), "bad signature"},
		{"alg header changed to PS256", b64(map[string]string{"alg": "PS256", "kid": kid}) + "." + parts[1] + "." + parts[2], "signing key"},
		{"unknown kid", authntest.Sign(claims, jose.RS256, other, "nope"), "unknown signing key"},
		{"no kid, foreign key", authntest.Sign(claims, jose.RS256, other, ""), "bad signature"},
		{"no kid, algorithm of no published key", authntest.Sign(claims, jose.ES256, mustEC(), ""), "unknown signing key"},
		{"stripped signature", parts[0] + "." + parts[1] + ".", "signature"},
		{"two parts", parts[0] + "." + parts[1], "malformed"},
		{"JSON serialization", `{"payload":"` + parts[1] + `","signatures":[]}`, "malformed"},
		{"garbage", "not-a-jwt", "malformed"},
		{"huge", strings.Repeat("a", 20<<10), "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Validate(context.Background(), tc.token)
			wantCode(t, err, authn.ErrInvalidToken, tc.desc)
		})
	}
	// The genuine token still passes after all that, and so does one
	// signed by the issuer without naming its key.
	if _, err := v.Validate(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Validate(context.Background(), authntest.Sign(is.Claims(resource, "alice", "mcp"), jose.RS256, priv, "")); err != nil {
		t.Fatalf("token without kid: %v", err)
	}
}

func mustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func TestKeyRotation(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	v, clk := newValidator(t, is)
	ctx := context.Background()
	oldTok := is.Token(is.Claims(resource, "alice", "mcp"))
	if _, err := v.Validate(ctx, oldTok); err != nil {
		t.Fatal(err)
	}
	if n := is.JWKSFetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
	// The issuer rotates: the new kid is unknown, so the JWKS is fetched
	// again at once and the new token verifies.
	clk.add(11 * time.Second)
	is.Rotate(jose.ES256, false)
	if _, err := v.Validate(ctx, is.Token(is.Claims(resource, "alice", "mcp"))); err != nil {
		t.Fatalf("token of the rotated key: %v", err)
	}
	if n := is.JWKSFetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2", n)
	}
	// Made-up kids do not each cause a fetch: at most one per 10s.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for i := range 20 {
		tok := authntest.Sign(is.Claims(resource, "mallory", "mcp"), jose.ES256, other, "made-up-"+string(rune('a'+i)))
		_, err := v.Validate(ctx, tok)
		wantCode(t, err, authn.ErrInvalidToken, "unknown signing key")
	}
	if n := is.JWKSFetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after unknown kids within 10s, want 2", n)
	}
	clk.add(11 * time.Second)
	_, _ = v.Validate(ctx, authntest.Sign(is.Claims(resource, "m", "mcp"), jose.ES256, other, "made-up-z"))
	if n := is.JWKSFetches.Load(); n != 3 {
		t.Fatalf("JWKS fetched %d times, want 3", n)
	}
	// A withdrawn key stops verifying new tokens once the cached key set
	// is older than its maximum age (15 minutes): the first token after
	// that still verifies with the stale keys while they are fetched
	// again in the background, later ones do not.
	priv, kid := is.SigningKey()
	is.Rotate(jose.EdDSA, false)
	clk.add(16 * time.Minute)
	later := func(scope string) map[string]any {
		c := is.Claims(resource, "alice", scope)
		c["iat"], c["nbf"], c["exp"] = clk.now().Unix(), clk.now().Unix(), clk.now().Add(10*time.Minute).Unix()
		return c
	}
	if _, err := v.Validate(ctx, authntest.Sign(later("mcp"), jose.ES256, priv, kid)); err != nil {
		t.Fatalf("stale keys during the refresh: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		_, err = v.Validate(ctx, authntest.Sign(later("mcp2"), jose.ES256, priv, kid))
		if err != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantCode(t, err, authn.ErrInvalidToken, "unknown signing key")
}

func TestDiscovery(t *testing.T) {
	t.Run("RFC 8414 only", func(t *testing.T) {
		is := authntest.New()
		defer is.Close()
		is.OIDC.Store(false)
		v, _ := newValidator(t, is)
		if _, err := v.Validate(context.Background(), is.Token(is.Claims(resource, "a", ""))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("metadata names another issuer", func(t *testing.T) {
		is := authntest.New()
		defer is.Close()
		is.WrongIssuer.Store(true)
		v, _ := newValidator(t, is)
		err := v.Warm(context.Background())
		if err == nil || !strings.Contains(err.Error(), "names issuer") {
			t.Fatalf("Warm = %v", err)
		}
		_, err = v.Validate(context.Background(), is.Token(is.Claims(resource, "a", "")))
		wantCode(t, err, authn.ErrInvalidToken, "keys unavailable")
	})
	t.Run("jwks_url override", func(t *testing.T) {
		is := authntest.New()
		defer is.Close()
		is.OIDC.Store(false)
		is.WrongIssuer.Store(true) // discovery would fail
		v, _ := newValidator(t, is, func(c *authn.Config) { c.JWKSURL = is.URL + "/jwks" })
		if _, err := v.Validate(context.Background(), is.Token(is.Claims(resource, "a", ""))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("issuer down", func(t *testing.T) {
		is := authntest.New()
		is.Close()
		v, _ := newValidator(t, is)
		_, err := v.Validate(context.Background(), is.Token(is.Claims(resource, "a", "")))
		wantCode(t, err, authn.ErrInvalidToken, "keys unavailable")
	})
}

func TestJWKSSkipsUnusableKeys(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	// A JWKS with a symmetric key under the signing key's kid, an
	// encryption key and an unknown kty, beside the real key.
	set := is.JWKS()
	raw, _ := json.Marshal(set)
	var doc map[string][]json.RawMessage
	_ = json.Unmarshal(raw, &doc)
	_, kid := is.SigningKey()
	doc["keys"] = append([]json.RawMessage{
		json.RawMessage(`{"kty":"oct","kid":"` + kid + `","k":"c2VjcmV0","alg":"HS256"}`),
		json.RawMessage(`{"kty":"weird","kid":"x"}`),
	}, doc["keys"]...)
	body, _ := json.Marshal(doc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	v, _ := newValidator(t, is, func(c *authn.Config) { c.JWKSURL = srv.URL })
	if _, err := v.Validate(context.Background(), is.Token(is.Claims(resource, "a", ""))); err != nil {
		t.Fatal(err)
	}
	hs := authntest.Sign(is.Claims(resource, "m", ""), jose.HS256, []byte("0123456789abcdef0123456789abcdef"), kid)
	_, err := v.Validate(context.Background(), hs)
	wantCode(t, err, authn.ErrInvalidToken, "algorithm")
}

func TestBearerToken(t *testing.T) {
	cases := []struct {
		header []string
		token  string
		code   string
	}{
		{[]string{"Bearer abc.def.ghi"}, "abc.def.ghi", ""},
		{[]string{"bearer abc"}, "abc", ""},
		{nil, "", authn.ErrInvalidRequest},
		{[]string{"Basic dXNlcjpwYXNz"}, "", authn.ErrInvalidRequest},
		{[]string{"Bearer"}, "", authn.ErrInvalidRequest},
		{[]string{"Bearer "}, "", authn.ErrInvalidToken},
		{[]string{"Bearer a b"}, "", authn.ErrInvalidToken},
		{[]string{"Bearer a", "Bearer b"}, "", authn.ErrInvalidRequest},
		{[]string{"Bearerabc"}, "", authn.ErrInvalidRequest},
	}
	for _, tc := range cases {
		h := http.Header{}
		for _, v := range tc.header {
			h.Add("Authorization", v)
		}
		tok, err := authn.BearerToken(h)
		switch {
		case tc.code == "" && (err != nil || tok != tc.token):
			t.Errorf("%q: got %q, %v", tc.header, tok, err)
		case tc.code != "" && (err == nil || err.Code != tc.code):
			t.Errorf("%q: got %q, %v; want %s", tc.header, tok, err, tc.code)
		}
	}
}

func TestMetadataAndChallenge(t *testing.T) {
	v, err := authn.New(authn.Config{Issuer: "https://idp.example.com", Resource: resource,
		RequiredScopes: []string{"mcp"}, Scopes: authn.Scopes{"mcp:read": {Risks: []string{"read"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	if err := json.Unmarshal(v.Metadata(), &md); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(md)
	want := `{"authorization_servers":["https://idp.example.com"],"bearer_methods_supported":["header"],"resource":"https://gateway.example.com/mcp","resource_name":"mcpwarden","scopes_supported":["mcp","mcp:read"]}`
	if string(got) != want {
		t.Errorf("metadata = %s\nwant %s", got, want)
	}
	if u := authn.MetadataURL(resource); u != "https://gateway.example.com/.well-known/oauth-protected-resource/mcp" {
		t.Errorf("MetadataURL = %s", u)
	}
	if p := authn.MetadataPaths(resource); strings.Join(p, " ") != "/.well-known/oauth-protected-resource /.well-known/oauth-protected-resource/mcp" {
		t.Errorf("MetadataPaths = %v", p)
	}
	for _, tc := range []struct {
		err  *authn.Error
		want string
	}{
		{&authn.Error{Code: authn.ErrInvalidRequest, Description: "missing bearer token"},
			`Bearer scope="mcp", resource_metadata="https://gateway.example.com/.well-known/oauth-protected-resource/mcp"`},
		{&authn.Error{Code: authn.ErrInvalidToken, Description: "token expired"},
			`Bearer error="invalid_token", error_description="token expired", resource_metadata="https://gateway.example.com/.well-known/oauth-protected-resource/mcp"`},
		{v.InsufficientScope("mcp:files"),
			`Bearer error="insufficient_scope", error_description="token lacks the scope this call needs", scope="mcp mcp:files", resource_metadata="https://gateway.example.com/.well-known/oauth-protected-resource/mcp"`},
	} {
		if got := v.Challenge(tc.err); got != tc.want {
			t.Errorf("Challenge:\n got %s\nwant %s", got, tc.want)
		}
	}
}

func TestMetadataURLs(t *testing.T) {
	got := authn.MetadataURLs("https://idp.example.com/tenant/1")
	want := []string{
		"https://idp.example.com/tenant/1/.well-known/openid-configuration",
		"https://idp.example.com/.well-known/oauth-authorization-server/tenant/1",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("MetadataURLs = %v", got)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://idp.example.com/keys": true,
		"http://127.0.0.1:8080/keys":   true,
		"http://localhost/keys":        true,
		"http://[::1]:1/k":             true,
		"http://idp.example.com/keys":  false,
		"ftp://idp.example.com/keys":   false,
		"https://u:p@idp.example.com/": false,
		"/keys":                        false,
		"https://idp.example.com/#x":   false,
	} {
		if err := authn.CheckEndpoint(s); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

// Keys are never fetched over plain http from a non-loopback host, not
// even through a redirect.
func TestJWKSRedirectToHTTP(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://keys.example.com/jwks", http.StatusFound)
	}))
	defer srv.Close()
	v, _ := newValidator(t, is, func(c *authn.Config) { c.JWKSURL = srv.URL })
	err := v.Warm(context.Background())
	if err == nil || !strings.Contains(err.Error(), "must use https") {
		t.Fatalf("Warm = %v", err)
	}
}
