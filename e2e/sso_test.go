package e2e

import (
	"bufio"
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
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
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
	down    atomic.Bool // the token endpoint drops every connection
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
			if r.URL.Path == mockoidc.TokenEndpoint && idp.down.Load() {
				panic(http.ErrAbortHandler) // the connection drops: unreachable
			}
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
func ssoGateway(t *testing.T, idp *testIdP, scopes, roles string) *gateway {
	g, _ := ssoGatewayConfig(t, idp, scopes, roles)
	return g
}

// ssoGatewayConfig is ssoGateway, with a function that renders the
// configuration again with other scopes and roles (for a reload).
func ssoGatewayConfig(t *testing.T, idp *testIdP, scopes, roles string) (*gateway, func(scopes, roles string) string) {
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
	render := func(scopes, roles string) string {
		return fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}/mcp
  signing_key: %q
  required_scopes: [mcp]
  scopes: %s
  authorization_server:
    sso:
      issuer: %s
      client_id: %s
      client_secret: secret://sso-client
      scopes: [profile, email, groups]
      roles: %s
`, store, key, stdioServerYAML(t, "everything"), filepath.Join(dir, "token.jwk"), scopes, idp.Issuer(), idp.ClientID, roles)
	}
	cfg := render(scopes, roles)
	cli := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cli, []byte("listen: 127.0.0.1:8080\n"+strings.ReplaceAll(cfg, "{{ADDR}}", "127.0.0.1:8080")), 0o600); err != nil {
		t.Fatal(err)
	}
	run("", "token", "keygen", "-c", cli)
	return startServe(t, cfg), render
}

// mcpClient is an MCP client's side of OAuth: registered by DCR, with
// its redirect URI served here to catch the code.
type mcpClient struct {
	id, redirect, verifier, state string
	codes                         chan url.Values
}

// callbackServer serves a client's redirect URI on 127.0.0.1:0 and
// hands over the query of each redirect.
func callbackServer(t *testing.T) (string, chan url.Values) {
	t.Helper()
	codes := make(chan url.Values, 4)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" { // the browser's /favicon.ico
			http.NotFound(w, r)
			return
		}
		codes <- r.URL.Query()
		fmt.Fprint(w, `<!doctype html><p id="done">You may close this window.</p>`)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/callback", codes
}

func registerClient(t *testing.T, g *gateway) *mcpClient {
	t.Helper()
	c := &mcpClient{}
	c.redirect, c.codes = callbackServer(t)
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

// code waits for the authorization server's redirect back to the client
// and returns its code, once the redirect carries the client's state and
// the gateway as issuer (RFC 9207).
func (c *mcpClient) code(t *testing.T, g *gateway) string {
	t.Helper()
	var q url.Values
	select {
	case q = <-c.codes:
	case <-time.After(30 * time.Second):
		t.Fatal("no redirect back to the client")
	}
	if q.Get("state") != c.state || q.Get("code") == "" || q.Get("iss") != g.Base {
		t.Fatalf("redirect back: %v (state %q, issuer %s)", q, c.state, g.Base)
	}
	return q.Get("code")
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

// ssoPage drives headless Chromium (as in consent_test.go) through the
// gateway's login page and the test IdP.
type ssoPage struct{ *page }

var (
	ssoLink  = chromedp.CSS(`a[href*="/oauth2/login/sso"]`)
	ssoGrant = chromedp.CSS(`button[value="grant"]`)
)

func ssoBrowser(t *testing.T) ssoPage { return ssoPage{browser(t)} }

func (b ssoPage) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("browser: %s: %v (at %s)", what, err, loc)
	}
}

// signIn opens an authorization request, chooses single sign-on on the
// gateway's login page and signs in as user on the IdP's page.
func (b ssoPage) signIn(authorizeURL, user string) {
	b.t.Helper()
	b.run("open the authorization request", chromedp.Navigate(authorizeURL))
	b.run("choose single sign-on", chromedp.WaitVisible(ssoLink), chromedp.Click(ssoLink))
	b.run("sign in at the IdP", chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.Click(chromedp.CSS("#signin")))
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
	g := ssoGateway(t, idp, `{"mcp:simple": {tools: [test_simple_text]}}`, `{developer: {groups: [engineering], scopes: [mcp, "mcp:simple"]}}`)
	c := registerClient(t, g)
	b := ssoBrowser(t)
	signIn := func(user string) { b.signIn(c.authorizeURL(g, "mcp mcp:simple"), user) }
	run, text, grant := b.run, b.text, ssoGrant

	signIn("alice")
	run("consent page", chromedp.WaitVisible(grant))
	page := text("main")
	if !strings.Contains(page, "Alice Example") || !strings.Contains(page, "e2e agent") || !strings.Contains(page, "mcp:simple") {
		t.Errorf("consent page does not say who signed in, for which client and what scope:\n%s", page)
	}
	run("grant access", chromedp.Click(grant), chromedp.WaitVisible(chromedp.CSS("#done")))
	tok := c.token(t, g, c.code(t, g))

	// The first MCP call with the token.
	if resp := rawCall(t, g.URL, tok, "test_simple_text"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first MCP call: %s", resp.Status)
	}
	if !audited(g, "alice-7f3a") {
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
	if strings.Join(idp.signIns, ",") != "alice-7f3a,mallory-01" {
		t.Errorf("IdP sign-ins %v", idp.signIns)
	}
	idp.mu.Unlock()

	// The IdP goes down: the gateway says so and signs nobody in (its
	// metadata is still held, so this is the code exchange failing).
	run("open the authorization request", chromedp.Navigate(c.authorizeURL(g, "mcp mcp:simple")))
	run("choose single sign-on", chromedp.WaitVisible(ssoLink), chromedp.Click(ssoLink))
	run("IdP page", chromedp.WaitVisible(chromedp.CSS("#username")), chromedp.SendKeys(chromedp.CSS("#username"), "alice"))
	// Shut the token endpoint only: the sign-in form's post still reaches
	// the IdP, the gateway's exchange of the code does not.
	idp.down.Store(true)
	run("sign in at the IdP", chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("main")))
	if page = text("main"); !strings.Contains(page, "cannot be reached") {
		t.Errorf("IdP down: page\n%s", page)
	}
	select {
	case q := <-c.codes:
		t.Errorf("a code while the IdP was down: %v", q)
	case <-time.After(time.Second):
	}
}

// audited waits for the audit record of an allowed test_simple_text
// call by subject, with a token of the gateway's own issuer and a client
// id it registered.
func audited(g *gateway, subject string) bool {
	return waitFor(10*time.Second, func() bool {
		for _, line := range strings.Split(g.Stderr.String(), "\n") {
			var r struct {
				Method, Name, Subject, Issuer, Decision string
				ClientID                                string `json:"client_id"`
			}
			if json.Unmarshal([]byte(line), &r) == nil && r.Method == "tools/call" && r.Name == "test_simple_text" &&
				r.Subject == subject && r.Issuer == g.Base && r.Decision == "allow" && strings.HasPrefix(r.ClientID, "mcpw_") {
				return true
			}
		}
		return false
	})
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

// TestSSOTypeScriptOAuth: the TypeScript SDK's own OAuth client
// (testdata/tsoauth.mjs) against serve with the embedded authorization
// server: 401 → discovery of the authorization server → dynamic
// registration → the authorization URL, which Chromium follows through
// single sign-on at the test IdP and Grant Access → the code back to the
// SDK → token exchange with PKCE → a tools/call that succeeds, audited
// under the federated subject.
func TestSSOTypeScriptOAuth(t *testing.T) {
	t.Parallel()
	idp := startIdP(t)
	// The SDK asks for the scope of the 401 challenge (required_scopes),
	// so here mcp itself grants the tool.
	g := ssoGateway(t, idp, `{mcp: {tools: [test_simple_text]}}`, `{developer: {groups: [engineering], scopes: [mcp]}}`)
	redirect, codes := callbackServer(t)
	script, err := filepath.Abs(filepath.Join("testdata", "tsoauth.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 120*time.Second)
	cmd := exec.CommandContext(ctx, testpeers.Node(t), script, g.URL, redirect)
	cmd.Env = append(os.Environ(), "MCP_SDK_DIR="+testpeers.NodeModule(t, "@modelcontextprotocol/sdk"))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // a script still waiting for the code ends
		cmd.Wait()
	}()
	out := bufio.NewScanner(stdout)
	out.Buffer(nil, 1<<20)
	next := func(v any) {
		t.Helper()
		if !out.Scan() {
			t.Fatalf("tsoauth.mjs ended: %v\n%s", cmd.Wait(), tail(stderr.String(), 3000))
		}
		if err := json.Unmarshal(out.Bytes(), v); err != nil {
			t.Fatalf("tsoauth.mjs printed %q: %v", out.Text(), err)
		}
	}
	var a struct{ Authorize string }
	next(&a)
	u, err := url.Parse(a.Authorize)
	if err != nil || !strings.HasPrefix(a.Authorize, g.Base+"/oauth2/authorize?") || u.Query().Get("code_challenge_method") != "S256" ||
		u.Query().Get("resource") != g.URL {
		t.Fatalf("the SDK's authorization URL %q", a.Authorize)
	}

	b := ssoBrowser(t)
	b.signIn(a.Authorize, "alice")
	b.run("grant access", chromedp.WaitVisible(ssoGrant), chromedp.Click(ssoGrant), chromedp.WaitVisible(chromedp.CSS("#done")))
	var q url.Values
	select {
	case q = <-codes:
	case <-time.After(30 * time.Second):
		t.Fatal("no redirect back to the SDK's redirect URI")
	}
	if q.Get("state") != u.Query().Get("state") || q.Get("code") == "" || q.Get("iss") != g.Base {
		t.Fatalf("redirect back %v for state %q", q, u.Query().Get("state"))
	}
	fmt.Fprintln(stdin, q.Get("code"))

	var r struct {
		Call struct {
			Content []struct{ Type, Text string }
			IsError bool
		}
		Scope string
	}
	next(&r)
	if r.Call.IsError || len(r.Call.Content) == 0 || r.Call.Content[0].Text == "" || !strings.Contains(r.Scope, "mcp") {
		t.Fatalf("call through the SDK: %+v", r)
	}
	if !audited(g, "alice-7f3a") {
		t.Errorf("no audit record of the SDK client's call under the federated subject:\n%s", tail(g.Stderr.String(), 3000))
	}
}

// TestSSOReload: a sign-in in progress at the IdP when the configuration
// is reloaded finishes after it, under the new role mapping.
func TestSSOReload(t *testing.T) {
	t.Parallel()
	idp := startIdP(t)
	scopes := `{"mcp:simple": {tools: [test_simple_text]}}`
	g, render := ssoGatewayConfig(t, idp, scopes, `{developer: {groups: [engineering], scopes: [mcp]}}`)
	c := registerClient(t, g)
	b := ssoBrowser(t)
	b.run("open the authorization request", chromedp.Navigate(c.authorizeURL(g, "mcp mcp:simple")))
	b.run("choose single sign-on", chromedp.WaitVisible(ssoLink), chromedp.Click(ssoLink))
	b.run("IdP page", chromedp.WaitVisible(chromedp.CSS("#username")), chromedp.SendKeys(chromedp.CSS("#username"), "alice"))

	g.WriteConfig(render(scopes, `{operator: {groups: [design], scopes: [mcp, "mcp:simple"]}}`))
	if !waitFor(20*time.Second, func() bool { return strings.Contains(g.Stderr.String(), "configuration reloaded") }) {
		t.Fatalf("no reload:\n%s", tail(g.Stderr.String(), 3000))
	}
	b.run("sign in at the IdP", chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(ssoGrant))
	b.run("grant access", chromedp.Click(ssoGrant), chromedp.WaitVisible(chromedp.CSS("#done")))
	claims := jwtClaims(t, c.token(t, g, c.code(t, g)))
	if fmt.Sprint(claims["groups"]) != "[operator]" || claims["scope"] != "mcp mcp:simple" {
		t.Errorf("token after the reload: groups %v, scope %v", claims["groups"], claims["scope"])
	}
}
