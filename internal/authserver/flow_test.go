package authserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

const (
	testResource = "https://gateway.example.com/mcp"
	testPassword = "correct horse battery staple"
)

// recRevoker records revocations (the real stores are tested in
// internal/revocation and, end to end, in e2e).
type recRevoker struct {
	mu   sync.Mutex
	jtis map[string]time.Time
}

func (r *recRevoker) Revoke(_ context.Context, jti string, exp time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jtis == nil {
		r.jtis = map[string]time.Time{}
	}
	r.jtis[jti] = exp
	return nil
}

func (r *recRevoker) has(jti string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.jtis[jti]
	return ok
}

type env struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	key    *issuer.Key
	rev    *recRevoker
	skew   atomic.Int64 // added to the server's clock
	val    *authn.Validator
	issuer string
}

func newEnv(t testing.TB, mod func(*Config)) *env {
	t.Helper()
	data, err := issuer.Generate()
	if err != nil {
		t.Fatal(err)
	}
	key, err := issuer.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	iss := "http://" + ts.Listener.Addr().String()
	rev := &recRevoker{}
	e := &env{t: t, ts: ts, key: key, rev: rev, issuer: iss}
	cfg := Config{Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }, Issuer: iss, Resource: testResource, Key: key, Scopes: []string{"mcp:read", "mcp:write"},
		DynamicRegistration: true, MetadataDocuments: true, Revoker: rev,
		Authenticators: []Authenticator{&PasswordAuthenticator{User: "admin", Password: testPassword}}}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	v, err := authn.New(authn.Config{Issuer: iss, Resource: testResource, Keys: []jose.JSONWebKey{key.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.val = srv, v
	return e
}

// browser is a cookie-keeping client that does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) register(body string) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.Post(e.issuer+PathRegister, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (e *env) publicClient(redirect string) string {
	e.t.Helper()
	st, m := e.register(`{"client_name":"Test Agent","redirect_uris":["` + redirect + `"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`)
	if st != http.StatusCreated {
		e.t.Fatalf("register: %d %v", st, m)
	}
	return m["client_id"].(string)
}

func (e *env) oauth(clientID, redirect string, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: e.issuer + PathAuthorize, TokenURL: e.issuer + PathToken, AuthStyle: oauth2.AuthStyleInParams}}
}

var (
	hiddenRe = regexp.MustCompile(`name="(id|csrf)" value="([^"]*)"`)
)

func formFields(t testing.TB, body string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], m[2])
	}
	if v.Get("id") == "" || v.Get("csrf") == "" {
		t.Fatalf("no form fields in page:\n%s", body)
	}
	return v
}

func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func post(t testing.TB, c *http.Client, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (e *env) abs(loc string) string {
	if strings.HasPrefix(loc, "/") {
		return e.issuer + loc
	}
	return loc
}

// signIn follows an authorization URL through login and consent with a
// browser, returning the final redirect to the client.
func (e *env) signIn(c *http.Client, authURL string) *url.URL {
	t := e.t
	t.Helper()
	resp, body := get(t, c, authURL)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	login := e.abs(resp.Header.Get("Location"))
	if !strings.HasPrefix(login, e.issuer+PathLogin+"?id=") {
		t.Fatalf("authorize redirected to %s, not the login page", login)
	}
	resp, body = get(t, c, login)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "/oauth2/login/password?id=") {
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	flow := strings.TrimPrefix(login, e.issuer+PathLogin+"?id=")
	resp, body = get(t, c, e.issuer+PathLogin+"/password?id="+flow)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("password page: %d %s", resp.StatusCode, body)
	}
	f := formFields(t, body)
	f.Set("user", "admin")
	f.Set("password", testPassword)
	resp, body = post(t, c, e.issuer+PathLogin+"/password/submit", f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, c, e.abs(resp.Header.Get("Location")))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Grant Access") {
		t.Fatalf("consent page: %d %s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("consent CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("consent page has script or inline style")
	}
	f = formFields(t, body)
	f.Set("decision", "grant")
	resp, body = post(t, c, e.issuer+PathConsent, f)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, c, e.abs(resp.Header.Get("Location")))
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) code(conf *oauth2.Config, verifier string, opts ...oauth2.AuthCodeOption) (code string, redirect *url.URL) {
	opts = append(opts, oauth2.S256ChallengeOption(verifier))
	u := e.signIn(e.browser(), conf.AuthCodeURL("state-123", opts...))
	q := u.Query()
	if q.Get("state") != "state-123" {
		e.t.Fatalf("state %q", q.Get("state"))
	}
	if q.Get("iss") != e.issuer {
		e.t.Fatalf("RFC 9207 iss = %q, want %q", q.Get("iss"), e.issuer)
	}
	if q.Get("code") == "" {
		e.t.Fatalf("no code: %s", u)
	}
	return q.Get("code"), u
}

func TestCodeFlowWithPKCE(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:41234/callback"
	id := e.publicClient(redirect)
	conf := e.oauth(id, redirect, "mcp:read")
	verifier := oauth2.GenerateVerifier()
	code, u := e.code(conf, verifier, oauth2.SetAuthURLParam("resource", testResource))
	if got := u.Scheme + "://" + u.Host + u.Path; got != redirect {
		t.Fatalf("redirected to %s", got)
	}
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", testResource))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token for a client registered for refresh_token")
	}
	if ttl := time.Until(tok.Expiry); ttl < 9*time.Minute || ttl > 11*time.Minute {
		t.Errorf("token lives %v, want about 10m", ttl)
	}
	p, err := e.val.Validate(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatalf("the gateway's validator refuses the token: %v", err)
	}
	if p.Subject != "local:admin" || p.Issuer != e.issuer || p.ClientID != id || !slices.Equal(p.Scopes, []string{"mcp:read"}) || p.JTI == "" {
		t.Fatalf("principal %+v", p)
	}
	// The code is spent.
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("code accepted twice")
	}
	// ...and its second use revoked what the first one got.
	if !e.rev.has(p.JTI) {
		t.Error("the access token of a code used twice was not revoked")
	}
}

func TestMetadata(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{WellKnownAS, WellKnownOIDC} {
		resp, body := get(t, http.DefaultClient, e.issuer+p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
		var md map[string]any
		if err := json.Unmarshal([]byte(body), &md); err != nil {
			t.Fatal(err)
		}
		if md["issuer"] != e.issuer || md["token_endpoint"] != e.issuer+PathToken || md["registration_endpoint"] != e.issuer+PathRegister ||
			md["authorization_response_iss_parameter_supported"] != true || md["client_id_metadata_document_supported"] != true {
			t.Errorf("%s: %v", p, md)
		}
		if m, _ := json.Marshal(md["code_challenge_methods_supported"]); string(m) != `["S256"]` {
			t.Errorf("code_challenge_methods_supported %s", m)
		}
	}
	resp, body := get(t, http.DefaultClient, e.issuer+PathKeys)
	var set jose.JSONWebKeySet
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &set) != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
		t.Fatalf("jwks: %d %s", resp.StatusCode, body)
	}
}

// authorizeStatus sends an authorization request and returns the
// response: the login redirect when accepted.
func (e *env) authorize(q url.Values) (*http.Response, string) {
	return get(e.t, e.browser(), e.issuer+PathAuthorize+"?"+q.Encode())
}

func TestAuthorizeRefusals(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:41234/callback"
	id := e.publicClient(redirect)
	verifier := oauth2.GenerateVerifier()
	base := func() url.Values {
		return url.Values{"client_id": {id}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"mcp:read"},
			"state": {"s"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	}
	resp, _ := e.authorize(base())
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), PathLogin) {
		t.Fatalf("benign request: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cases := []struct {
		name     string
		mod      func(url.Values)
		redirect bool // the error goes back to the client (with iss)
		want     string
	}{
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, true, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain"); q.Set("code_challenge", verifier) }, true, "invalid_request"},
		{"PKCE without method", func(q url.Values) { q.Del("code_challenge_method") }, true, "invalid_request"},
		{"wrong resource", func(q url.Values) { q.Set("resource", "https://other.example.com/mcp") }, true, "invalid_target"},
		{"second resource", func(q url.Values) { q["resource"] = []string{testResource, "https://evil.example/"} }, true, "invalid_target"},
		{"implicit", func(q url.Values) { q.Set("response_type", "token") }, true, "unauthorized_client"},
		{"fragment mode", func(q url.Values) { q.Set("response_mode", "fragment") }, true, "invalid_request"},
		{"redirect mismatch", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:41234/other") }, false, ""},
		{"redirect other host", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/callback") }, false, ""},
		{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }, false, ""},
		{"malformed intent", func(q url.Values) { q.Set("scope", "mcp:read intent:Files/../x") }, true, "invalid_scope"},
		{"prompt none", func(q url.Values) { q.Set("prompt", "none") }, true, "login_required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := base()
			tc.mod(q)
			resp, body := e.authorize(q)
			loc := resp.Header.Get("Location")
			if !tc.redirect {
				if resp.StatusCode != http.StatusBadRequest || loc != "" {
					t.Fatalf("want a 400 without redirect, got %d %q %s", resp.StatusCode, loc, body)
				}
				return
			}
			u, _ := url.Parse(loc)
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, redirect) || u.Query().Get("error") != tc.want || u.Query().Get("iss") != e.issuer {
				t.Fatalf("want a redirect with error %s and iss, got %d %q %s", tc.want, resp.StatusCode, loc, body)
			}
		})
	}
	// A loopback redirect may change its port (RFC 8252 §7.3), nothing else.
	q := base()
	q.Set("redirect_uri", "http://127.0.0.1:5555/callback")
	if resp, _ := e.authorize(q); resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), PathLogin) {
		t.Fatalf("loopback port change refused: %d", resp.StatusCode)
	}
}

func TestTokenRefusals(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:41234/callback"
	id := e.publicClient(redirect)
	conf := e.oauth(id, redirect, "mcp:read")
	ctx := context.Background()

	t.Run("wrong verifier", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("wrong verifier accepted")
		}
	})
	t.Run("no verifier", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		if _, err := conf.Exchange(ctx, code); err == nil {
			t.Fatal("exchange without verifier accepted")
		}
	})
	t.Run("wrong resource", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		_, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v), oauth2.SetAuthURLParam("resource", "https://other.example/mcp"))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_target" {
			t.Fatalf("want invalid_target, got %v", err)
		}
	})
	t.Run("redirect mismatch", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		other := *conf
		other.RedirectURL = "http://127.0.0.1:41234/other"
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
			t.Fatal("redirect_uri mismatch accepted")
		}
	})
	t.Run("another client", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		other := *conf
		other.ClientID = e.publicClient(redirect)
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
			t.Fatal("code of another client accepted")
		}
	})
	t.Run("expired code", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		e.skew.Store(int64(codeTTL + time.Second))
		defer e.skew.Store(0)
		if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
			t.Fatal("expired code accepted")
		}
	})
	t.Run("made-up code", func(t *testing.T) {
		if _, err := conf.Exchange(ctx, "bm90IGEgY29kZQ", oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("made-up code accepted")
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:41234/callback"
	id := e.publicClient(redirect)
	conf := e.oauth(id, redirect, "mcp:read", "mcp:write")
	v := oauth2.GenerateVerifier()
	code, _ := e.code(conf, v)
	ctx := context.Background()
	t0, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
	}
	t1, err := refresh(t0.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if t1.RefreshToken == "" || t1.RefreshToken == t0.RefreshToken {
		t.Fatal("refresh token not rotated")
	}
	p1, err := e.val.Validate(ctx, t1.AccessToken)
	if err != nil || p1.Subject != "local:admin" || !slices.Equal(p1.Scopes, []string{"mcp:read", "mcp:write"}) {
		t.Fatalf("refreshed token: %+v %v", p1, err)
	}
	t2, err := refresh(t1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	p0, _ := e.val.Validate(ctx, t0.AccessToken)
	p2, _ := e.val.Validate(ctx, t2.AccessToken)
	// Reuse of the first refresh token: refused, and the family ends.
	if _, err := refresh(t0.RefreshToken); err == nil {
		t.Fatal("used refresh token accepted again")
	}
	for _, p := range []*authn.Principal{p0, p1, p2} {
		if !e.rev.has(p.JTI) {
			t.Errorf("access token %s of the family not revoked after reuse", p.JTI)
		}
	}
	if _, err := refresh(t2.RefreshToken); err == nil {
		t.Fatal("the family's newest refresh token still works after a reuse")
	}
}

func TestRevocationAndIntrospection(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "https://app.example.com/cb"
	st, m := e.register(`{"redirect_uris":["` + redirect + `"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"client_secret_basic"}`)
	if st != http.StatusCreated || m["client_secret"] == "" {
		t.Fatalf("register confidential: %d %v", st, m)
	}
	conf := e.oauth(m["client_id"].(string), redirect, "mcp:read")
	conf.ClientSecret = m["client_secret"].(string)
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	v := oauth2.GenerateVerifier()
	code, _ := e.code(conf, v)
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.val.Validate(ctx, tok.AccessToken)

	introspect := func(token string, auth bool) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+PathIntrospect, strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth {
			req.SetBasicAuth(conf.ClientID, conf.ClientSecret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if st, _ := introspect(tok.AccessToken, false); st != http.StatusUnauthorized {
		t.Errorf("unauthenticated introspection: %d", st)
	}
	if st, out := introspect(tok.AccessToken, true); st != 200 || out["active"] != true || out["scope"] != "mcp:read" || out["sub"] != "local:admin" {
		t.Fatalf("introspection: %d %v", st, out)
	}
	revoke := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+PathRevoke, strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(conf.ClientID, conf.ClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Revoking the refresh token ends the grant: its access token is
	// sent to the revocation store and is inactive.
	if st := revoke(tok.RefreshToken); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	if !e.rev.has(p.JTI) {
		t.Fatal("access token of the revoked grant not sent to the revocation store")
	}
	if _, out := introspect(tok.AccessToken, true); out["active"] != false {
		t.Fatalf("revoked grant's token still active: %v", out)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err == nil {
		t.Fatal("revoked refresh token still works")
	}
	if st := revoke("not-a-token"); st != 200 {
		t.Errorf("revoking an unknown token: %d, want 200 (RFC 7009 §2.2)", st)
	}
}

func TestRevokeAccessToken(t *testing.T) {
	e := newEnv(t, nil)
	redirect := "http://127.0.0.1:41234/callback"
	id := e.publicClient(redirect)
	conf := e.oauth(id, redirect, "mcp:read")
	v := oauth2.GenerateVerifier()
	code, _ := e.code(conf, v)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.val.Validate(context.Background(), tok.AccessToken)
	other := e.publicClient(redirect)
	form := func(cid string) int {
		resp, err := http.PostForm(e.issuer+PathRevoke, url.Values{"token": {tok.AccessToken}, "client_id": {cid}, "token_type_hint": {"access_token"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := form(other); st == 200 && e.rev.has(p.JTI) {
		t.Fatal("another client revoked the token")
	}
	if st := form(id); st != 200 || !e.rev.has(p.JTI) {
		t.Fatalf("revoke access token: %d, recorded %v", st, e.rev.has(p.JTI))
	}
}

func TestDynamicRegistration(t *testing.T) {
	e := newEnv(t, nil)
	bad := []string{
		`{}`,
		`{"redirect_uris":[]}`,
		`{"redirect_uris":["http://evil.example/cb"]}`,
		`{"redirect_uris":["javascript:alert(1)"]}`,
		`{"redirect_uris":["https://app.example/cb#frag"]}`,
		`{"redirect_uris":["https://user:pw@app.example/cb"]}`,
		`{"redirect_uris":["/relative"]}`,
		`{"redirect_uris":["https://app.example/cb"],"grant_types":["client_credentials"]}`,
		`{"redirect_uris":["https://app.example/cb"],"grant_types":["implicit"]}`,
		`{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}`,
		`{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}`,
		`{"redirect_uris":["https://app.example/cb"],"scope":"admin:everything"}`,
		`{"redirect_uris":["https://app.example/cb"]} trailing`,
		`[1,2]`,
	}
	for _, b := range bad {
		if st, m := e.register(b); st != http.StatusBadRequest || m["error"] == nil {
			t.Errorf("%s: %d %v", b, st, m)
		}
	}
	good := []string{
		`{"redirect_uris":["https://app.example/cb"]}`,
		`{"redirect_uris":["http://localhost:3000/cb","http://[::1]/cb"],"client_name":"x"}`,
		`{"redirect_uris":["com.example.app:/oauth"],"unknown_member":true}`,
		`{"redirect_uris":["https://app.example/cb"],"scope":"mcp:read intent:files/read_file"}`,
	}
	for _, b := range good {
		if st, m := e.register(b); st != http.StatusCreated || m["client_id"] == "" || m["client_secret"] != nil {
			t.Errorf("%s: %d %v", b, st, m)
		}
	}
	resp, err := http.Post(e.issuer+PathRegister, "text/plain", strings.NewReader(good[0]))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("non-JSON registration: %d", resp.StatusCode)
	}
	resp, err = http.Post(e.issuer+PathRegister, "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), 64<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized registration: %d", resp.StatusCode)
	}

	off := newEnv(t, func(c *Config) { c.DynamicRegistration = false })
	if st, _ := off.register(good[0]); st != http.StatusNotFound {
		t.Errorf("registration switched off answers %d", st)
	}
	var md map[string]any
	_, body := get(t, http.DefaultClient, off.issuer+WellKnownAS)
	_ = json.Unmarshal([]byte(body), &md)
	if _, ok := md["registration_endpoint"]; ok {
		t.Error("metadata names a registration endpoint that is off")
	}
}

func TestClientCredentials(t *testing.T) {
	const secret = "ci-secret-0123456789abcdef0123456789"
	e := newEnv(t, func(c *Config) {
		c.Clients = []*Client{{ID: "ci-nightly", SecretHash: HashSecret(secret), GrantTypes: []string{"client_credentials"}, Scopes: []string{"mcp:read"}}}
	})
	ctx := context.Background()
	cc := func(id, sec string, scopes ...string) (*oauth2.Token, error) {
		c := clientcredentials.Config{ClientID: id, ClientSecret: sec, TokenURL: e.issuer + PathToken, Scopes: scopes}
		return c.Token(ctx)
	}
	tok, err := cc("ci-nightly", secret, "mcp:read", "intent:files/read_file")
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.val.Validate(ctx, tok.AccessToken)
	if err != nil || p.Subject != "ci-nightly" || p.ClientID != "ci-nightly" || strings.Join(p.Scopes, " ") != "mcp:read intent:files/read_file" {
		t.Fatalf("client credentials token: %+v %v", p, err)
	}
	if tok.RefreshToken != "" {
		t.Error("client credentials gave a refresh token")
	}
	// The configuration drops the client (a reload with the same store):
	// it is unknown from then on.
	st := e.srv.store
	later := newEnv(t, func(c *Config) { c.Store = st })
	if _, err := (&clientcredentials.Config{ClientID: "ci-nightly", ClientSecret: secret, TokenURL: later.issuer + PathToken, Scopes: []string{"mcp:read"}}).Token(ctx); err == nil {
		t.Error("a client removed from the configuration still gets tokens")
	}
	for name, try := range map[string]func() error{
		"wrong secret":      func() error { _, err := cc("ci-nightly", secret+"x", "mcp:read"); return err },
		"scope not allowed": func() error { _, err := cc("ci-nightly", secret, "mcp:write"); return err },
		"no scope":          func() error { _, err := cc("ci-nightly", secret); return err },
		"registered client": func() error {
			_, m := e.register(`{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}`)
			_, err := cc(m["client_id"].(string), m["client_secret"].(string), "mcp:read")
			return err
		},
	} {
		if try() == nil {
			t.Errorf("%s: token issued", name)
		}
	}
}

// A rotated key is followed without a new server: tokens are signed with
// the current key, and the JWKS publishes every verifying key.
func TestKeyFollowing(t *testing.T) {
	data, _ := issuer.Generate()
	k2, err := issuer.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	var rotated atomic.Bool
	var k1 *issuer.Key
	e := newEnv(t, func(c *Config) {
		k1 = c.Key.(*issuer.Key)
		c.CurrentKey = func(context.Context) (SigningKey, error) {
			if rotated.Load() {
				return k2, nil
			}
			return k1, nil
		}
		c.PublicKeys = func(context.Context) ([]jose.JSONWebKey, error) {
			return []jose.JSONWebKey{k1.Public(), k2.Public()}, nil
		}
	})
	redirect := "http://127.0.0.1:41234/callback"
	conf := e.oauth(e.publicClient(redirect), redirect, "mcp:read")
	kidOf := func() string {
		v := oauth2.GenerateVerifier()
		code, _ := e.code(conf, v)
		tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSignedCompact(tok.AccessToken, authn.Algorithms)
		if err != nil {
			t.Fatal(err)
		}
		return jws.Signatures[0].Header.KeyID
	}
	if kid := kidOf(); kid != k1.KeyID() {
		t.Fatalf("signed with %s, want %s", kid, k1.KeyID())
	}
	rotated.Store(true)
	if kid := kidOf(); kid != k2.KeyID() {
		t.Fatalf("after rotation signed with %s, want %s", kid, k2.KeyID())
	}
	_, body := get(t, http.DefaultClient, e.issuer+PathKeys)
	var set jose.JSONWebKeySet
	if json.Unmarshal([]byte(body), &set) != nil || len(set.Key(k1.KeyID())) != 1 || len(set.Key(k2.KeyID())) != 1 {
		t.Fatalf("jwks after rotation: %s", body)
	}
}
