package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/oauth2"
)

// startFlow registers a client and follows an authorization request to
// the password form, returning the browser, the flow and its form.
func (e *env) startFlow(c *http.Client, scope string) (string, url.Values) {
	t := e.t
	t.Helper()
	redirect := "http://127.0.0.1:41234/callback"
	conf := e.oauth(e.publicClient(redirect), redirect, strings.Fields(scope)...)
	resp, _ := get(t, c, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	login := e.abs(resp.Header.Get("Location"))
	get(t, c, login)
	flow := strings.TrimPrefix(login, e.issuer+PathLogin+"?id=")
	_, body := get(t, c, e.issuer+PathLogin+"/password?id="+flow)
	return flow, formFields(t, body)
}

func TestPasswordSignIn(t *testing.T) {
	e := newEnv(t, nil)
	c := e.browser()
	flow, f := e.startFlow(c, "mcp:read")
	submit := func(c *http.Client, f url.Values, user, pw string) int {
		g := url.Values{}
		for k, v := range f {
			g[k] = v
		}
		g.Set("user", user)
		g.Set("password", pw)
		resp, _ := post(t, c, e.issuer+PathLogin+"/password/submit", g)
		return resp.StatusCode
	}
	// Another browser (no binding cookie), and a missing CSRF token.
	if st := submit(e.browser(), f, "admin", testPassword); st == http.StatusSeeOther {
		t.Fatal("sign-in from another browser accepted")
	}
	nocsrf := url.Values{"id": {flow}}
	if st := submit(c, nocsrf, "admin", testPassword); st == http.StatusSeeOther {
		t.Fatal("sign-in without the CSRF token accepted")
	}
	for _, tc := range [][2]string{{"admin", "wrong"}, {"root", testPassword}, {"admin", ""}, {"Admin", testPassword}} {
		if st := submit(c, f, tc[0], tc[1]); st != http.StatusUnauthorized {
			t.Errorf("%q/%q: %d, want 401", tc[0], tc[1], st)
		}
	}
	// Fifth failure, then the address is out of attempts: even the right
	// password waits.
	submit(c, f, "admin", "wrong")
	if st := submit(c, f, "admin", testPassword); st != http.StatusTooManyRequests {
		t.Errorf("after 5 failures: %d, want 429", st)
	}
}

func TestPasswordCheck(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("s3cret-pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		stored, user, pw string
		ok               bool
	}{
		{"s3cret-pass", "admin", "s3cret-pass", true},
		{"s3cret-pass", "admin", "s3cret-pas", false},
		{"s3cret-pass", "admin", "s3cret-pass ", false},
		{string(h), "admin", "s3cret-pass", true},
		{string(h), "admin", string(h), false}, // the hash is not the password
		{string(h), "admin", "wrong", false},
		{"s3cret-pass", "admin2", "s3cret-pass", false},
	} {
		p := &PasswordAuthenticator{User: "admin", Password: tc.stored}
		p.init()
		if got := p.check(tc.user, tc.pw); got != tc.ok {
			t.Errorf("stored %q, %q/%q: %v", tc.stored, tc.user, tc.pw, got)
		}
	}
}

func TestConsent(t *testing.T) {
	e := newEnv(t, nil)
	signIn := func(scope string) (*http.Client, string, string) {
		c := e.browser()
		flow, f := e.startFlow(c, scope)
		f.Set("user", "admin")
		f.Set("password", testPassword)
		resp, _ := post(t, c, e.issuer+PathLogin+"/password/submit", f)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", resp.StatusCode)
		}
		_, body := get(t, c, e.abs(resp.Header.Get("Location")))
		return c, flow, body
	}
	c, flow, body := signIn("mcp:read intent:files/read_file")
	if !strings.Contains(body, "files / read_file") || !strings.Contains(body, "mcp:read") {
		t.Errorf("consent page does not show the scopes and the intent:\n%s", body)
	}
	f := formFields(t, body)
	// Another browser, a wrong token, another origin: refused.
	for name, try := range map[string]func() int{
		"other browser": func() int {
			g := url.Values{"id": {flow}, "csrf": f["csrf"], "decision": {"grant"}}
			resp, _ := post(t, e.browser(), e.issuer+PathConsent, g)
			return resp.StatusCode
		},
		"wrong token": func() int {
			g := url.Values{"id": {flow}, "csrf": {"x" + f.Get("csrf")}, "decision": {"grant"}}
			resp, _ := post(t, c, e.issuer+PathConsent, g)
			return resp.StatusCode
		},
		"cross origin": func() int {
			g := url.Values{"id": {flow}, "csrf": f["csrf"], "decision": {"grant"}}
			req, _ := http.NewRequest(http.MethodPost, e.issuer+PathConsent, strings.NewReader(g.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		},
	} {
		if st := try(); st == http.StatusSeeOther {
			t.Errorf("%s: consent accepted", name)
		}
	}
	// Deny: the client hears access_denied, with state and iss.
	f.Set("decision", "deny")
	resp, _ := post(t, c, e.issuer+PathConsent, f)
	u, _ := url.Parse(resp.Header.Get("Location"))
	if q := u.Query(); resp.StatusCode != http.StatusSeeOther || q.Get("error") != "access_denied" || q.Get("state") != "st" || q.Get("iss") != e.issuer {
		t.Fatalf("deny: %d %s", resp.StatusCode, u)
	}
	// The flow is over: its callback gives no code.
	resp, _ = get(t, c, e.issuer+PathCallback+"?id="+flow)
	if strings.Contains(resp.Header.Get("Location"), "code=") {
		t.Fatal("a denied flow produced a code")
	}
	// The callback of a flow not consented to gives no code either.
	c2, flow2, _ := signIn("mcp:read")
	resp, _ = get(t, c2, e.issuer+PathCallback+"?id="+flow2)
	if strings.Contains(resp.Header.Get("Location"), "code=") {
		t.Fatal("a flow without consent produced a code")
	}
}

// A browser that signed in is not asked again by later authorizations
// (consent still is), unless prompt=login, max_age or a sign-out say so;
// another browser is.
func TestSignInSession(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SessionTTL = 8 * time.Hour })
	redirect := "http://127.0.0.1:41234/callback"
	conf := e.oauth(e.publicClient(redirect), redirect, "mcp:read")
	c := e.browser()
	e.signIn(c, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	// where the login link of a new authorization leads in browser b
	next := func(b *http.Client, opts ...oauth2.AuthCodeOption) (int, string) {
		opts = append(opts, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		resp, _ := get(t, b, conf.AuthCodeURL("st", opts...))
		resp, body := get(t, b, e.abs(resp.Header.Get("Location")))
		return resp.StatusCode, resp.Header.Get("Location") + body
	}
	if st, where := next(c); st != http.StatusSeeOther || !strings.HasPrefix(where, PathConsent) {
		t.Fatalf("same browser: %d %.200s, want the consent page", st, where)
	}
	for name, try := range map[string]func() (int, string){
		"other browser": func() (int, string) { return next(e.browser()) },
		"prompt=login":  func() (int, string) { return next(c, oauth2.SetAuthURLParam("prompt", "login")) },
		"max_age=0":     func() (int, string) { return next(c, oauth2.SetAuthURLParam("max_age", "0")) },
	} {
		if st, where := try(); st != http.StatusOK || !strings.Contains(where, "/oauth2/login/password?id=") {
			t.Errorf("%s: %d %.200s, want the sign-in page", name, st, where)
		}
	}
	if st, _ := next(c, oauth2.SetAuthURLParam("max_age", "3600")); st != http.StatusSeeOther {
		t.Errorf("max_age=3600 after a fresh sign-in: %d, want the session reused", st)
	}
	// A session past max_age is not reused.
	e.skew.Store(int64(2 * time.Minute))
	if st, _ := next(c, oauth2.SetAuthURLParam("max_age", "60")); st != http.StatusOK {
		t.Errorf("max_age=60, signed in 2 minutes ago: %d, want the sign-in page", st)
	}
	e.skew.Store(0)
	// Signing out ends it; a cross-site sign-out is refused.
	req, _ := http.NewRequest(http.MethodPost, e.issuer+PathLogout, nil)
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-out: %v %v", resp, err)
	}
	if resp, _ := post(t, c, e.issuer+PathLogout, url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if st, _ := next(c); st != http.StatusOK {
		t.Errorf("after sign-out: %d, want the sign-in page", st)
	}
	// Sessions off (the default).
	off := newEnv(t, nil)
	conf = off.oauth(off.publicClient(redirect), redirect, "mcp:read")
	c = off.browser()
	off.signIn(c, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	resp, _ := get(t, c, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if resp, _ = get(t, c, off.abs(resp.Header.Get("Location"))); resp.StatusCode != http.StatusOK {
		t.Errorf("sessions off: %d, want the sign-in page", resp.StatusCode)
	}
}
