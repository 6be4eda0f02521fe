package authserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
)

// Token exchange (RFC 8693) of a workload's OIDC token, signed by a
// test issuer with a real JWKS over HTTP (authntest).
func TestTokenExchange(t *testing.T) {
	wi := authntest.New()
	t.Cleanup(wi.Close)
	other := authntest.New()
	t.Cleanup(other.Close)
	const aud = "https://gateway.example.com"
	e := newEnv(t, func(c *Config) {
		c.Workloads = []Workload{{Issuer: wi.URL, Audience: aud, Subjects: []string{"repo:acme/app:ref:refs/heads/main", "ci:nightly-*", "local:*"},
			Scopes: []string{"mcp:read"}}}
	})
	exchange := func(form url.Values) (int, map[string]any) {
		t.Helper()
		resp, err := http.PostForm(e.issuer+PathToken, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	form := func(tok, scope string) url.Values {
		return url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {tok}, "subject_token_type": {TokenTypeJWT},
			"scope": {scope}, "resource": {testResource}}
	}
	good := wi.Token(wi.Claims(aud, "repo:acme/app:ref:refs/heads/main", ""))
	st, m := exchange(form(good, "mcp:read intent:files/read_file"))
	if st != 200 || m["issued_token_type"] != TokenTypeAccess || m["token_type"] != "Bearer" {
		t.Fatalf("exchange: %d %v", st, m)
	}
	p, err := e.val.Validate(context.Background(), m["access_token"].(string))
	if err != nil || p.Subject != "repo:acme/app:ref:refs/heads/main" || strings.Join(p.Scopes, " ") != "mcp:read intent:files/read_file" || p.JTI == "" ||
		time.Until(p.Expiry) > 11*time.Minute {
		t.Fatalf("exchanged token: %+v %v", p, err)
	}
	if st, _ := exchange(form(wi.Token(wi.Claims(aud, "ci:nightly-42", "")), "mcp:read")); st != 200 {
		t.Errorf("prefix subject: %d", st)
	}

	expired := wi.Claims(aud, "ci:nightly-1", "")
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	for name, f := range map[string]url.Values{
		"other issuer":        form(other.Token(other.Claims(aud, "repo:acme/app:ref:refs/heads/main", "")), "mcp:read"),
		"forged iss":          form(other.Token(map[string]any{"iss": wi.URL, "sub": "ci:nightly-1", "aud": aud, "exp": time.Now().Add(time.Hour).Unix()}), "mcp:read"),
		"wrong audience":      form(wi.Token(wi.Claims("https://other.example", "ci:nightly-1", "")), "mcp:read"),
		"expired":             form(wi.Token(expired), "mcp:read"),
		"subject not allowed": form(wi.Token(wi.Claims(aud, "repo:acme/other:ref:refs/heads/main", "")), "mcp:read"),
		// The patterns allow it; the local administrators' namespace does not.
		"local subject":     form(wi.Token(wi.Claims(aud, "local:admin", "")), "mcp:read"),
		"scope not allowed": form(good, "mcp:write"),
		"no scope":          form(good, ""),
		"not a JWT":         form("abc", "mcp:read"),
		"unsigned":          form("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "mcp:read"),
		"wrong resource":    func() url.Values { f := form(good, "mcp:read"); f.Set("resource", "https://x.example/mcp"); return f }(),
		"actor token":       func() url.Values { f := form(good, "mcp:read"); f.Set("actor_token", good); return f }(),
		"refresh token asked": func() url.Values {
			f := form(good, "mcp:read")
			f.Set("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token")
			return f
		}(),
		"no subject token type": func() url.Values { f := form(good, "mcp:read"); f.Del("subject_token_type"); return f }(),
	} {
		if st, m := exchange(f); st == 200 || m["access_token"] != nil {
			t.Errorf("%s: %d %v", name, st, m)
		}
	}
	// Not configured: refused.
	off := newEnv(t, nil)
	resp, err := http.PostForm(off.issuer+PathToken, form(good, "mcp:read"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Error("token exchange without trusted issuers succeeded")
	}
}

func TestMetadataGrantTypes(t *testing.T) {
	for _, tc := range []struct {
		wl   []Workload
		want bool
	}{{nil, false}, {[]Workload{{Issuer: "https://ci.example"}}, true}} {
		e := newEnv(t, func(c *Config) { c.Workloads = tc.wl })
		var md map[string]any
		_, body := get(t, http.DefaultClient, e.issuer+WellKnownAS)
		if err := json.Unmarshal([]byte(body), &md); err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(fmt.Sprint(md["grant_types_supported"]), GrantTokenExchange)
		if got != tc.want {
			t.Errorf("workloads %v: grant_types_supported %v", tc.wl, md["grant_types_supported"])
		}
	}
}
