package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
