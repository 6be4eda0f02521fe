package sso

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/oauth2-proxy/mockoidc"
)

// The test IdP is github.com/oauth2-proxy/mockoidc: a real OIDC provider
// (discovery, JWKS, authorization and token endpoints, RS256 ID tokens,
// PKCE) run in the test on 127.0.0.1:0. It signs in whichever user is
// queued, so each test queues the person (or the forged claims) it needs.

// user is a mockoidc user whose ID token claims a test can bend.
type user struct {
	sub    string
	claims map[string]any                                       // added to the ID token
	bend   func(c map[string]any, base *mockoidc.IDTokenClaims) // last word on the claims
}

func (u *user) ID() string                        { return u.sub }
func (u *user) Userinfo([]string) ([]byte, error) { return json.Marshal(map[string]any{"sub": u.sub}) }
func (u *user) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	c := jwt.MapClaims{}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	for k, v := range u.claims {
		c[k] = v
	}
	if u.bend != nil {
		u.bend(c, base)
	}
	return c, nil
}

func alice(groups ...any) *user {
	return &user{sub: "alice-123", claims: map[string]any{
		"email": "alice@example.com", "email_verified": true, "name": "Alice Example", "groups": groups,
	}}
}

var mapping = Mapping{Roles: []Role{
	{Name: "admin", Groups: []string{"mcp-admins"}, Scopes: []string{"mcp:admin", "mcp:read"}},
	{Name: "developer", Groups: []string{"engineering", "contractors"}, Scopes: []string{"mcp:read"}},
}}

func idp(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

func newRP(t *testing.T, m *mockoidc.MockOIDC, edit func(*Config)) *RP {
	t.Helper()
	c := Config{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/sso/callback", Scopes: []string{"profile", "email", "groups"},
		Mapping: mapping}
	if edit != nil {
		edit(&c)
	}
	rp, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// browser plays the person's browser: Begin sets a cookie and names the
// IdP's URL; the IdP redirects back with code and state.
type browser struct {
	cookie   *http.Cookie
	callback *url.URL
}

func begin(t *testing.T, rp *RP, requestID string) *browser {
	t.Helper()
	rec := httptest.NewRecorder()
	to, err := rp.Begin(context.Background(), rec, requestID)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Name, cookiePrefix) || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode || cs[0].Path != "/sso/callback" {
		t.Fatalf("cookie %+v", cs)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		!strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("authorization URL lacks PKCE, nonce, state or openid: %s", to)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("IdP answered %s without a redirect", resp.Status)
	}
	return &browser{cookie: cs[0], callback: loc}
}

func (b *browser) finish(rp *RP) (string, *Principal, error) {
	req := httptest.NewRequest("GET", b.callback.String(), nil)
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	return rp.Callback(context.Background(), req)
}

func signIn(t *testing.T, m *mockoidc.MockOIDC, rp *RP, u mockoidc.User) (*Principal, error) {
	t.Helper()
	m.QueueUser(u)
	id, p, err := begin(t, rp, "req-1").finish(rp)
	if id != "req-1" {
		t.Errorf("request id %q", id)
	}
	return p, err
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	p, err := signIn(t, m, rp, alice("engineering", "design"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Principal{Issuer: m.Issuer(), Subject: "alice-123", Email: "alice@example.com", Name: "Alice Example",
		Groups: []string{"engineering", "design"}, Roles: []string{"developer"}, Scopes: []string{"mcp:read"}}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("principal (-want +got):\n%s", d)
	}
	// Two roles; the scopes merge.
	p, err = signIn(t, m, rp, alice("mcp-admins", "contractors"))
	if err != nil || !slices.Equal(p.Roles, []string{"admin", "developer"}) || !slices.Equal(p.Scopes, []string{"mcp:admin", "mcp:read"}) {
		t.Errorf("admin: %+v %v", p, err)
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	cases := map[string]func(b *browser){
		"forged state": func(b *browser) {
			q := b.callback.Query()
			st := q.Get("state")
			first := "A"
			if st[0] == 'A' { // the forgery must differ from the real state
				first = "B"
			}
			q.Set("state", first+st[1:])
			b.callback.RawQuery = q.Encode()
		},
		"no state": func(b *browser) {
			q := b.callback.Query()
			q.Del("state")
			b.callback.RawQuery = q.Encode()
		},
		"no cookie (another browser)": func(b *browser) { b.cookie = nil },
		"another sign-in's cookie": func(b *browser) {
			c := *b.cookie
			first := "x"
			if c.Value[0] == 'x' { // the altered cookie must differ
				first = "y"
			}
			c.Value = first + c.Value[1:]
			b.cookie = &c
		},
	}
	for name, bend := range cases {
		m.QueueUser(alice("engineering"))
		b := begin(t, rp, "req-1")
		bend(b)
		if _, p, err := b.finish(rp); !errors.Is(err, ErrState) || p != nil {
			t.Errorf("%s: %v %+v, want ErrState", name, err, p)
		}
	}
	// A state is used once: the same callback again is refused even
	// after a good sign-in.
	m.QueueUser(alice("engineering"))
	b := begin(t, rp, "req-2")
	if _, _, err := b.finish(rp); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.finish(rp); !errors.Is(err, ErrState) {
		t.Errorf("replayed callback: %v", err)
	}
	// Expired: a clock past the pending sign-in's life.
	now := time.Now()
	rp2 := newRP(t, m, func(c *Config) { c.Now = func() time.Time { return now } })
	m.QueueUser(alice("engineering"))
	b = begin(t, rp2, "req-3")
	now = now.Add(PendingTTL + time.Second)
	if _, _, err := b.finish(rp2); !errors.Is(err, ErrState) {
		t.Errorf("expired state: %v", err)
	}
	// An error answer from the IdP signs nobody in.
	b = begin(t, rp, "req-4")
	b.callback.RawQuery = url.Values{"state": {b.callback.Query().Get("state")}, "error": {"access_denied"}}.Encode()
	if _, _, err := b.finish(rp); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("IdP error: %v", err)
	}
	// A response naming another issuer (RFC 9207 mix-up) is refused.
	m.QueueUser(alice("engineering"))
	b = begin(t, rp, "req-5")
	q := b.callback.Query()
	q.Set("iss", "https://evil.example")
	b.callback.RawQuery = q.Encode()
	if _, _, err := b.finish(rp); !errors.Is(err, ErrDenied) {
		t.Errorf("other iss: %v", err)
	}
}

// TestIDToken: ID tokens the IdP (or someone in the middle) bent are
// refused; a benign look-alike passes.
func TestIDToken(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	set := func(k string, v any) func(map[string]any, *mockoidc.IDTokenClaims) {
		return func(c map[string]any, _ *mockoidc.IDTokenClaims) { c[k] = v }
	}
	now := time.Now()
	cases := []struct {
		name string
		bend func(map[string]any, *mockoidc.IDTokenClaims)
		want string // in the error; "" passes
	}{
		{"wrong nonce", set("nonce", "another-sign-in"), "nonce"},
		{"no nonce", func(c map[string]any, _ *mockoidc.IDTokenClaims) { delete(c, "nonce") }, "nonce"},
		{"expired", set("exp", now.Add(-time.Hour).Unix()), "expired"},
		{"expired within skew", set("exp", now.Add(-10*time.Second).Unix()), ""},
		{"foreign audience", set("aud", []string{"another-client"}), "audience"},
		{"several audiences without azp", set("aud", []string{m.ClientID, "another-client"}), "authorized party"},
		{"several audiences, azp us", func(c map[string]any, _ *mockoidc.IDTokenClaims) {
			c["aud"], c["azp"] = []string{m.ClientID, "another-client"}, m.ClientID
		}, ""},
		{"azp another client", set("azp", "another-client"), "authorized party"},
		{"other issuer", set("iss", "https://evil.example"), "different provider"},
		{"iat in the future", set("iat", now.Add(time.Hour).Unix()), "iat"},
		{"no iat", func(c map[string]any, _ *mockoidc.IDTokenClaims) { delete(c, "iat") }, "iat"},
		{"groups not strings", set("groups", []any{"engineering", 7}), "groups"},
		{"groups an object", set("groups", map[string]any{"engineering": true}), "groups"},
		{"groups a single string", set("groups", "engineering"), ""},
		{"groups null", set("groups", nil), "no group"},
		{"subject of a local administrator", set("sub", "local:admin"), "local administrators' namespace"},
		{"subject merely containing local:", set("sub", "user-local:admin"), ""},
	}
	for _, c := range cases {
		u := alice("engineering")
		u.bend = c.bend
		p, err := signIn(t, m, rp, u)
		if c.want == "" {
			if err != nil || p == nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), c.want) || p != nil {
			t.Errorf("%s: %v (principal %+v), want ErrDenied naming %q", c.name, err, p, c.want)
		}
	}
}

// TestForeignKey: an ID token signed by a key the IdP does not publish
// is refused, even with every claim right.
func TestForeignKey(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	prov, err := rp.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	other, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := jwt.MapClaims{"iss": m.Issuer(), "aud": m.ClientID, "sub": "alice-123", "nonce": "n",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "groups": []string{"mcp-admins"}}
	for name, kp := range map[string]*mockoidc.Keypair{"foreign key": other, "IdP's key": m.Keypair} {
		raw, err := kp.SignJWT(claims)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rp.verify(context.Background(), prov, raw, "n")
		if (name == "foreign key") != (err != nil) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// alg none and HS256 (the public key as an HMAC secret) are never
	// accepted.
	for _, m := range []jwt.SigningMethod{jwt.SigningMethodNone, jwt.SigningMethodHS256} {
		key := any([]byte("public-key-bytes"))
		if m == jwt.SigningMethodNone {
			key = jwt.UnsafeAllowNoneSignatureType
		}
		raw, err := jwt.NewWithClaims(m, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.verify(context.Background(), prov, raw, "n"); err == nil {
			t.Errorf("%s token accepted", m.Alg())
		}
	}
}

func TestMappingAndAllowLists(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	for _, groups := range [][]any{{"Engineering"}, {"engineering "}, {"design"}, {}} {
		if p, err := signIn(t, m, rp, alice(groups...)); !errors.Is(err, ErrDenied) || !errors.Is(err, ErrNoRole) {
			t.Errorf("groups %q: %v %+v, want refused (no role)", groups, err, p)
		}
	}
	// Nested claim (Keycloak realm roles).
	rpk := newRP(t, m, func(c *Config) { c.GroupsClaim = "realm_access.roles" })
	u := alice()
	u.claims["realm_access"] = map[string]any{"roles": []string{"mcp-admins"}}
	if p, err := signIn(t, m, rpk, u); err != nil || !slices.Equal(p.Roles, []string{"admin"}) {
		t.Errorf("nested claim: %+v %v", p, err)
	}

	rpd := newRP(t, m, func(c *Config) {
		c.AllowedDomains, c.AllowedSubjects = []string{"Example.com"}, []string{"bob-7"}
	})
	cases := []struct {
		name string
		u    *user
		ok   bool
	}{
		{"verified email in the domain", alice("engineering"), true},
		{"listed subject without email", &user{sub: "bob-7", claims: map[string]any{"groups": []string{"engineering"}}}, true},
		{"unverified email", &user{sub: "eve", claims: map[string]any{"email": "eve@example.com", "email_verified": false, "groups": []string{"engineering"}}}, false},
		{"subdomain", &user{sub: "eve", claims: map[string]any{"email": "eve@evil.example.com", "email_verified": true, "groups": []string{"engineering"}}}, false},
		{"look-alike domain", &user{sub: "eve", claims: map[string]any{"email": "eve@example.com.evil", "email_verified": true, "groups": []string{"engineering"}}}, false},
		{"two at signs", &user{sub: "eve", claims: map[string]any{"email": "eve@example.com@evil.test", "email_verified": true, "groups": []string{"engineering"}}}, false},
	}
	for _, c := range cases {
		p, err := signIn(t, m, rpd, c.u)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotAllowed)) || c.ok != (p != nil) {
			t.Errorf("%s: %+v %v, want ok=%v", c.name, p, err, c.ok)
		}
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rp, err := New(Config{Issuer: "http://" + addr + "/oidc", ClientID: "c", ClientSecret: "s",
		RedirectURL: "http://127.0.0.1:1/sso/callback", Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if to, err := rp.Begin(context.Background(), rec, "r"); !errors.Is(err, ErrUnreachable) || to != "" || len(rec.Result().Cookies()) != 0 {
		t.Errorf("begin with the IdP down: %q %v", to, err)
	} else if !strings.Contains(err.Error(), addr) {
		t.Errorf("error does not name the IdP: %v", err)
	}

	// The IdP goes away between the redirect and the callback: the code
	// cannot be exchanged, nobody is signed in.
	m := idp(t)
	rp = newRP(t, m, nil)
	m.QueueUser(alice("engineering"))
	b := begin(t, rp, "r")
	m.Shutdown()
	if _, p, err := b.finish(rp); !errors.Is(err, ErrUnreachable) || p != nil {
		t.Errorf("callback with the IdP down: %v %+v", err, p)
	}

	// Discovery naming another issuer.
	m2 := idp(t)
	rp = newRP(t, m2, func(c *Config) { c.Issuer += "/" })
	if _, err := rp.Begin(context.Background(), httptest.NewRecorder(), "r"); err == nil || !strings.Contains(err.Error(), "did not match") {
		t.Errorf("issuer mismatch: %v", err)
	}
}

// TestKeyRotation: after the IdP rotates its signing key, the next
// sign-in verifies (the key set is fetched again for the unknown key id).
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	if _, err := signIn(t, m, rp, alice("engineering")); err != nil {
		t.Fatal(err)
	}
	kp, err := mockoidc.RandomKeypair(2048)
	if err != nil {
		t.Fatal(err)
	}
	m.Keypair = kp
	if _, err := signIn(t, m, rp, alice("engineering")); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
}

// TestTwoTabs: two sign-ins started in one browser both finish.
func TestTwoTabs(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	m.QueueUser(alice("engineering"))
	b1 := begin(t, rp, "tab-1")
	m.QueueUser(alice("mcp-admins"))
	b2 := begin(t, rp, "tab-2")
	for _, c := range []struct {
		b    *browser
		id   string
		role string
	}{{b2, "tab-2", "admin"}, {b1, "tab-1", "developer"}} {
		// The browser sends every cookie of the path.
		req := httptest.NewRequest("GET", c.b.callback.String(), nil)
		req.AddCookie(b1.cookie)
		req.AddCookie(b2.cookie)
		id, p, err := rp.Callback(context.Background(), req)
		if err != nil || id != c.id || !slices.Equal(p.Roles, []string{c.role}) {
			t.Errorf("%s: %v %v %+v", c.id, err, id, p)
		}
	}
}

// TestPendingFull: a flood of started sign-ins pushes out the oldest,
// never locks out the next person.
func TestPendingFull(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, nil)
	for range maxPending {
		if _, err := rp.Begin(context.Background(), httptest.NewRecorder(), "flood"); err != nil {
			t.Fatal(err)
		}
	}
	m.QueueUser(alice("engineering"))
	if id, p, err := begin(t, rp, "person").finish(rp); err != nil || id != "person" || p == nil {
		t.Fatalf("sign-in after a flood: %v", err)
	}
	if n := len(rp.pending.m); n != maxPending-1 {
		t.Errorf("%d pending, want %d", n, maxPending-1)
	}
}

func TestClientSecretNotLeaked(t *testing.T) {
	t.Parallel()
	m := idp(t)
	rp := newRP(t, m, func(c *Config) { c.ClientSecret = "wrong-" + m.ClientSecret })
	m.QueueUser(alice("engineering"))
	_, p, err := begin(t, rp, "r").finish(rp)
	if !errors.Is(err, ErrDenied) || p != nil {
		t.Fatalf("wrong client secret: %v", err)
	}
	if strings.Contains(err.Error(), m.ClientSecret) {
		t.Errorf("error carries the secret: %v", err)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	good := Config{Issuer: "https://idp.example", ClientID: "c", ClientSecret: "s", RedirectURL: "https://gw.example/sso/callback"}
	if rp, err := New(good); err != nil || rp.CallbackPath() != "/sso/callback" {
		t.Fatalf("%v", err)
	}
	for _, bend := range []func(*Config){
		func(c *Config) { c.Issuer = "" }, func(c *Config) { c.ClientID = "" }, func(c *Config) { c.ClientSecret = "" },
		func(c *Config) { c.RedirectURL = "/sso/callback" }, func(c *Config) { c.RedirectURL = "javascript:x" },
	} {
		c := good
		bend(&c)
		if _, err := New(c); err == nil {
			t.Errorf("accepted %+v", c)
		}
	}
}
