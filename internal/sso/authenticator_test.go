package sso

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/mcpwarden/mcpwarden/internal/authserver"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

// asEnv is the embedded authorization server with single sign-on
// through a mockoidc IdP, served on 127.0.0.1:0, driven by a
// cookie-keeping HTTP client that follows redirects by hand (the real
// browser is in e2e/sso_test.go).
type asEnv struct {
	t        *testing.T
	idp      *mockoidc.MockOIDC
	issuer   string
	client   *http.Client
	clientID string // of the last signIn
}

const (
	testVerifier = "a-verifier-of-forty-three-characters-or-more-1234"
	testRedirect = "http://127.0.0.1:1/cb"
)

const asResource = "https://gateway.example.com/mcp"

func newASEnv(t *testing.T) *asEnv {
	t.Helper()
	m := idp(t)
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
	rp := newRP(t, m, func(c *Config) { c.RedirectURL = iss + CallbackPath })
	a, err := NewAuthenticator(rp, "Sign in with the test IdP", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{Issuer: iss, Resource: asResource, Key: key,
		Scopes: []string{"mcp:read", "mcp:admin"}, DynamicRegistration: true, Authenticators: []authserver.Authenticator{a}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	return &asEnv{t: t, idp: m, issuer: iss,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (e *asEnv) get(u string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.issuer + u
	}
	resp, err := e.client.Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (e *asEnv) follow(u string, want int) (string, string) {
	e.t.Helper()
	resp, body := e.get(u)
	if resp.StatusCode != want {
		e.t.Fatalf("GET %s: %d, want %d\n%s", u, resp.StatusCode, want, body)
	}
	return resp.Header.Get("Location"), body
}

var (
	ssoLinkRe = regexp.MustCompile(`href="(/oauth2/login/sso\?id=[^"]+)"`)
	fieldRe   = regexp.MustCompile(`name="(id|csrf)" value="([^"]*)"`)
)

// signIn runs one authorization request through the IdP as u and, when
// the sign-in succeeds, through consent; it returns the code (or "")
// and the last page.
func (e *asEnv) signIn(u mockoidc.User, scope string) (code, page string) {
	t := e.t
	t.Helper()
	redirect := testRedirect
	body := `{"client_name":"Agent","redirect_uris":["` + redirect + `"],"token_endpoint_auth_method":"none"}`
	resp, err := http.Post(e.issuer+authserver.PathRegister, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	e.clientID = reg.ClientID
	sum := sha256.Sum256([]byte(testVerifier))
	login, _ := e.follow(e.issuer+authserver.PathAuthorize+"?"+url.Values{
		"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {redirect}, "scope": {scope},
		"state": {"s1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}.Encode(), http.StatusFound)
	_, page = e.follow(login, http.StatusOK)
	link := ssoLinkRe.FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("login page offers no single sign-on:\n%s", page)
	}
	toIdP, _ := e.follow(strings.ReplaceAll(link[1], "&amp;", "&"), http.StatusFound)
	if !strings.HasPrefix(toIdP, e.idp.AuthorizationEndpoint()) {
		t.Fatalf("sso went to %s, not the IdP", toIdP)
	}
	e.idp.QueueUser(u)
	back, _ := e.follow(toIdP, http.StatusFound)
	resp, page = e.get(back)
	if resp.StatusCode != http.StatusSeeOther {
		return "", page // refused
	}
	_, page = e.follow(resp.Header.Get("Location"), http.StatusOK)
	f := url.Values{"decision": {"grant"}}
	for _, m := range fieldRe.FindAllStringSubmatch(page, -1) {
		f.Set(m[1], m[2])
	}
	resp, err = e.client.PostForm(e.issuer+authserver.PathConsent, f)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	final, _ := e.follow(resp.Header.Get("Location"), http.StatusFound)
	fu, _ := url.Parse(final)
	return fu.Query().Get("code"), page
}

// token exchanges code and returns the access token's claims.
func (e *asEnv) token(code string) map[string]any {
	e.t.Helper()
	resp, err := http.PostForm(e.issuer+authserver.PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "client_id": {e.clientID}, "code_verifier": {testVerifier}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	parts := strings.Split(tr.AccessToken, ".")
	if len(parts) != 3 {
		e.t.Fatalf("token exchange: %s, no JWT", resp.Status)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestAuthenticator: single sign-on plugged into the embedded
// authorization server: the person the IdP signs in reaches the consent
// page under their name, and a person in no mapped group gets the
// refusal page, no code.
func TestAuthenticator(t *testing.T) {
	t.Parallel()
	e := newASEnv(t)
	// A developer asks for mcp:admin too: the consent page and the
	// token offer only what the developer role grants.
	code, page := e.signIn(alice("engineering"), "mcp:read mcp:admin")
	if code == "" || !strings.Contains(page, "Alice Example (alice-123)") || !strings.Contains(page, "mcp:read") || strings.Contains(page, "mcp:admin") {
		t.Fatalf("no code, or the consent page does not name the person and only their scope:\n%s", page)
	}
	c := e.token(code)
	if c["sub"] != "alice-123" || c["idp"] != e.idp.Issuer() || c["scope"] != "mcp:read" || fmt.Sprint(c["groups"]) != "[developer]" {
		t.Errorf("access token claims %v", c)
	}
	// An admin gets both.
	code, _ = e.signIn(alice("mcp-admins"), "mcp:read mcp:admin")
	if c := e.token(code); c["scope"] != "mcp:admin mcp:read" && c["scope"] != "mcp:read mcp:admin" {
		t.Errorf("admin's scopes %v", c["scope"])
	}
	code, page = e.signIn(alice("design"), "mcp:read")
	if code != "" || !strings.Contains(page, "no group that may use this gateway") {
		t.Errorf("person without a role: code %q, page:\n%s", code, page)
	}
	// A subject in the local administrator's namespace is never a
	// federated person.
	code, page = e.signIn(&user{sub: "local:admin", claims: map[string]any{"groups": []string{"mcp-admins"}}}, "mcp:read")
	if code != "" || !strings.Contains(page, "could not be completed") {
		t.Errorf("local: subject: code %q, page:\n%s", code, page)
	}
}
