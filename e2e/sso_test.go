package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
)

// The company IdP of these tests is github.com/oauth2-proxy/mockoidc, a
// real OpenID Connect provider (discovery, JWKS, authorization and token
// endpoints with PKCE, RS256 ID tokens) run inside the test process on
// 127.0.0.1:0. mockoidc signs in whoever is queued without a page of its
// own, so idpSignIn puts a sign-in page in front of its authorization
// endpoint: the browser types a user name and clicks "Sign in", and the
// page queues that person's claims before mockoidc answers.

// idpUser is a person the test IdP knows.
type idpUser struct {
	sub, email, name string
	groups           []string
}

var idpUsers = map[string]idpUser{
	"alice":   {"alice-7f3a", "alice@example.com", "Alice Example", []string{"engineering", "design"}},
	"mallory": {"mallory-01", "mallory@example.com", "Mallory", []string{"design"}}, // in no mapped group
}

func (u idpUser) mock() *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: u.sub, Email: u.email, EmailVerified: true, PreferredUsername: u.name, Groups: u.groups}
}

var idpPage = template.Must(template.New("idp").Parse(`<!doctype html><html><head><title>Test IdP</title></head><body>
<h1>Test IdP sign-in</h1>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label>User <input id="username" name="username"></label>
<button id="signin" type="submit">Sign in</button>
</form></body></html>`))

// testIdP starts the IdP with its sign-in page; signIns counts the
// people who signed in there.
type testIdP struct {
	*mockoidc.MockOIDC
	mu      sync.Mutex
	signIns []string
}

func startIdP(t *testing.T) *testIdP {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	idp := &testIdP{MockOIDC: m}
	m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != mockoidc.AuthorizationEndpoint {
				next.ServeHTTP(w, r)
				return
			}
			if r.Method == http.MethodGet {
				params := map[string]string{}
				for k := range r.URL.Query() {
					params[k] = r.URL.Query().Get(k)
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				idpPage.Execute(w, map[string]any{"Action": mockoidc.AuthorizationEndpoint, "Params": params})
				return
			}
			r.ParseForm()
			u, ok := idpUsers[r.PostForm.Get("username")]
			if !ok {
				http.Error(w, "unknown user", http.StatusForbidden)
				return
			}
			idp.mu.Lock()
			idp.signIns = append(idp.signIns, u.sub)
			idp.mu.Unlock()
			m.QueueUser(u.mock())
			next.ServeHTTP(w, r)
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return idp
}

// ssoGateway starts serve with the embedded authorization server, SSO
// through idp, its client secret in the encrypted store and a signing
// key made by token keygen.
func ssoGateway(t *testing.T, idp *testIdP) *gateway {
	t.Helper()
	dir := t.TempDir()
	store, key := filepath.Join(dir, "secrets.enc"), filepath.Join(dir, "secrets.key")
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(gatewayBin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mcpwarden %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(idp.ClientSecret, "secret", "set", "--store", store, "--key-file", key, "sso-client")
	cfg := fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}/mcp
  signing_key: %q
  required_scopes: [mcp]
  scopes:
    mcp:simple: {tools: [test_simple_text]}
  authorization_server:
    sso:
      issuer: %s
      client_id: %s
      client_secret: secret://sso-client
      scopes: [profile, email, groups]
      roles:
        developer: {groups: [engineering], scopes: [mcp, "mcp:simple"]}
`, store, key, stdioServerYAML(t, "everything"), filepath.Join(dir, "token.jwk"), idp.Issuer(), idp.ClientID)
	cli := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cli, []byte("listen: 127.0.0.1:8080\n"+strings.ReplaceAll(cfg, "{{ADDR}}", "127.0.0.1:8080")), 0o600); err != nil {
		t.Fatal(err)
	}
	run("", "token", "keygen", "-c", cli)
	return startServe(t, cfg)
}

// mcpClient is an MCP client's side of OAuth: registered by DCR, with
// its redirect URI served here to catch the code.
type mcpClient struct {
	id, redirect, verifier, state string
	codes                         chan url.Values
}

func registerClient(t *testing.T, g *gateway) *mcpClient {
	t.Helper()
	c := &mcpClient{codes: make(chan url.Values, 4)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" { // the browser's /favicon.ico
			http.NotFound(w, r)
			return
		}
		c.codes <- r.URL.Query()
		fmt.Fprint(w, `<!doctype html><p id="done">You may close this window.</p>`)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c.redirect = "http://" + ln.Addr().String() + "/callback"
	body, _ := json.Marshal(map[string]any{"client_name": "e2e agent", "redirect_uris": []string{c.redirect},
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"}, "token_endpoint_auth_method": "none"})
	resp, err := http.Post(g.Base+"/oauth2/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg struct {
		ClientID string `json:"client_id"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &reg) != nil || reg.ClientID == "" {
		t.Fatalf("dynamic client registration: %s %s", resp.Status, b)
	}
	c.id = reg.ClientID
	return c
}

// authorizeURL is the authorization request the client opens in the
// person's browser (PKCE S256, state, resource).
func (c *mcpClient) authorizeURL(g *gateway, scope string) string {
	var b [32]byte
	rand.Read(b[:])
	c.verifier = base64.RawURLEncoding.EncodeToString(b[:])
	rand.Read(b[:16])
	c.state = base64.RawURLEncoding.EncodeToString(b[:16])
	sum := sha256.Sum256([]byte(c.verifier))
	return g.Base + "/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {c.id}, "redirect_uri": {c.redirect}, "scope": {scope},
		"state": {c.state}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "resource": {g.URL},
	}.Encode()
}

func (c *mcpClient) token(t *testing.T, g *gateway, code string) string {
	t.Helper()
	resp, err := http.PostForm(g.Base+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect},
		"client_id": {c.id}, "code_verifier": {c.verifier}, "resource": {g.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var tr struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &tr) != nil || tr.AccessToken == "" {
		t.Fatalf("token exchange: %s %s", resp.Status, b)
	}
	return tr.AccessToken
}

// TestSSOBrowserFlow: an MCP client's authorization request in real
// headless Chromium → the gateway's login page → the company IdP's
// sign-in page → back to the gateway → the "Grant Access" page → the
// client's redirect URI with a code → token exchange with PKCE → the
// first MCP call through serve succeeds, and the audit record names the
// federated person. A person in no mapped group is refused at the
// gateway and gets no code.
func TestSSOBrowserFlow(t *testing.T) {
	t.Parallel()
	idp := startIdP(t)
	g := ssoGateway(t, idp)
	c := registerClient(t, g)
	b := browser(t)

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b.ctx, steps...); err != nil {
			loc, _ := chromedp.Run(b.ctx, chromedp.Location())
			t.Fatalf("browser: %s: %v (at %s)", what, err, loc)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return s
	}
	sso, grant := chromedp.CSS(`a[href*="/oauth2/login/sso"]`), chromedp.CSS(`button[value="grant"]`)
	signIn := func(user string) {
		t.Helper()
		run("open the authorization request", chromedp.Navigate(c.authorizeURL(g, "mcp mcp:simple")))
		// The gateway's login page offers single sign-on; the IdP's page
		// follows.
		run("choose single sign-on", chromedp.WaitVisible(sso), chromedp.Click(sso))
		run("sign in at the IdP", chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.Click(chromedp.CSS("#signin")))
	}

	signIn("alice")
	run("consent page", chromedp.WaitVisible(grant))
	page := text("main")
	if !strings.Contains(page, "Alice Example") || !strings.Contains(page, "e2e agent") || !strings.Contains(page, "mcp:simple") {
		t.Errorf("consent page does not say who signed in, for which client and what scope:\n%s", page)
	}
	run("grant access", chromedp.Click(grant), chromedp.WaitVisible(chromedp.CSS("#done")))
	var q url.Values
	select {
	case q = <-c.codes:
	case <-time.After(30 * time.Second):
		t.Fatal("no redirect back to the client")
	}
	if q.Get("state") != c.state || q.Get("code") == "" || q.Get("iss") != g.Base {
		t.Fatalf("redirect back: %v (state %q, issuer %s)", q, c.state, g.Base)
	}
	tok := c.token(t, g, q.Get("code"))

	// The first MCP call with the token.
	if resp := rawCall(t, g.URL, tok, "test_simple_text"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first MCP call: %s", resp.Status)
	}
	if !waitFor(10*time.Second, func() bool {
		for _, line := range strings.Split(g.Stderr.String(), "\n") {
			var r struct{ Method, Name, Subject, Issuer, Decision string }
			if json.Unmarshal([]byte(line), &r) == nil && r.Method == "tools/call" && r.Name == "test_simple_text" &&
				r.Subject == "alice-7f3a" && r.Issuer == g.Base && r.Decision == "allow" {
				return true
			}
		}
		return false
	}) {
		t.Errorf("no audit record with the federated subject:\n%s", tail(g.Stderr.String(), 4000))
	}
	// The token says where the person came from and their roles.
	claims := jwtClaims(t, tok)
	if claims["sub"] != "alice-7f3a" || claims["idp"] != idp.Issuer() || fmt.Sprint(claims["groups"]) != "[developer]" {
		t.Errorf("token claims %v", claims)
	}

	// Mallory's groups map to no role: the gateway says so, no code.
	signIn("mallory")
	run("refusal page", chromedp.WaitVisible(chromedp.CSS("main")))
	page = text("main")
	if !strings.Contains(page, "no group that may use this gateway") {
		t.Errorf("refusal page:\n%s", page)
	}
	select {
	case q := <-c.codes:
		t.Errorf("a code for a person without a role: %v", q)
	case <-time.After(time.Second):
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	if strings.Join(idp.signIns, ",") != "alice-7f3a,mallory-01" {
		t.Errorf("IdP sign-ins %v", idp.signIns)
	}
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(errors.Join(errors.New("token payload"), err))
	}
	return m
}
