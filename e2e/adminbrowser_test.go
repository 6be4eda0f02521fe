package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// needChromium skips a browser test where Chromium is not installed (CI
// installs it: there these tests run).
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("Chromium is not installed at %s (apt-get install chromium): %v", chromium, err)
	}
}

// adminGateway starts serve with the embedded authorization server whose
// only way to sign in is the local administrator, with password kept in
// the encrypted secrets store (never in the configuration). Its
// auth.resource is http://ADDR/mcp.
func adminGateway(t *testing.T, password, scopes string) *gateway {
	return adminGatewayAt(t, password, scopes, "/mcp")
}

// adminGatewayAt is adminGateway with auth.resource http://ADDR +
// resourcePath.
func adminGatewayAt(t *testing.T, password, scopes, resourcePath string) *gateway {
	t.Helper()
	keyFile, store, skey := embeddedFiles(t, map[string]string{"admin-pw": password})
	return startServe(t, fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}%s
  signing_key: %q
  required_scopes: [mcp]
  scopes: %s
  authorization_server:
    admin: {password: "secret://admin-pw"}
`, store, skey, stdioServerYAML(t, "everything"), resourcePath, keyFile, scopes))
}

var (
	adminLink     = chromedp.CSS(`a[href*="/oauth2/login/password"]`)
	adminUser     = chromedp.CSS(`input[name="user"]`)
	adminPassword = chromedp.CSS(`input[name="password"]`)
	adminSubmit   = chromedp.CSS(`form button[type="submit"]`)
)

// adminSignIn types user and password into the gateway's password page
// (already open in b) and sends it.
func (b ssoPage) adminSignIn(user, password string) {
	b.t.Helper()
	b.run("choose the local administrator", chromedp.WaitVisible(adminLink), chromedp.Click(adminLink))
	b.run("type user and password", chromedp.WaitVisible(adminPassword),
		chromedp.SendKeys(adminUser, user), chromedp.SendKeys(adminPassword, password), chromedp.Click(adminSubmit))
}

// TestAdminPasswordBrowser: the local administrator's password sign-in
// in real headless Chromium. A wrong password shows the error on the
// form again and yields no code; then the right password (from the
// secrets store) → "Grant Access" → the client's redirect URI with a
// code and RFC 9207 iss → token exchange with PKCE → the first MCP call
// succeeds, audited under local:admin.
func TestAdminPasswordBrowser(t *testing.T) {
	t.Parallel()
	needChromium(t)
	const password = "e2e browser admin password, long enough"
	g := adminGateway(t, password, `{"mcp:simple": {tools: [test_simple_text]}}`)
	c := registerClient(t, g)
	b := ssoBrowser(t)

	b.run("open the authorization request", chromedp.Navigate(c.authorizeURL(g, "mcp mcp:simple")))
	b.adminSignIn("admin", "not the password")
	// Wait for the answer's text: the old form's fields are visible
	// until the browser has the new page.
	b.run("the error", until(`document.body.innerText.includes("Wrong user or password.")`), chromedp.WaitVisible(adminPassword))
	grants, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('button[value="grant"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if grants != 0 {
		t.Error("a wrong password reached the consent page")
	}
	select {
	case q := <-c.codes:
		t.Fatalf("a code after a wrong password: %v", q)
	case <-time.After(time.Second):
	}

	// The form again (empty: the page keeps nothing typed), now with the
	// right password.
	b.run("type the right password", chromedp.SendKeys(adminUser, "admin"), chromedp.SendKeys(adminPassword, password), chromedp.Click(adminSubmit))
	b.run("consent page", chromedp.WaitVisible(ssoGrant))
	page := b.text("main")
	if !strings.Contains(page, "admin (local:admin)") || !strings.Contains(page, "e2e agent") || !strings.Contains(page, "mcp:simple") {
		t.Errorf("consent page does not say who signed in, for which client and what scope:\n%s", page)
	}
	b.run("grant access", chromedp.Click(ssoGrant), chromedp.WaitVisible(chromedp.CSS("#done")))
	code := c.code(t, g)
	tok := c.token(t, g, code)
	if claims := jwtClaims(t, tok); claims["sub"] != "local:admin" || claims["scope"] != "mcp mcp:simple" || claims["aud"] == nil {
		t.Errorf("token claims %v", claims)
	}
	if st, body := callTool(t, g.URL, tok, "test_simple_text"); st != http.StatusOK || !strings.Contains(body, `"result"`) {
		t.Fatalf("first MCP call: %d %s", st, body)
	}
	if !audited(g, "local:admin") {
		t.Errorf("no audit record of the call under local:admin:\n%s", tail(g.Stderr.String(), 4000))
	}
	// The code was for one use.
	resp, err := http.PostForm(g.Base+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect},
		"client_id": {c.id}, "code_verifier": {c.verifier}, "resource": {g.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("the code was exchanged twice")
	}
}
