package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// The embedded authorization server through a real serve: a client
// registers (RFC 7591), the local administrator signs in and grants
// access in the consent page, the code is exchanged with PKCE
// (golang.org/x/oauth2), and the token calls a tool. Revoking the grant
// (RFC 7009) makes its access tokens fail on the very next call, through
// the Redis revocation store; a token bound to an intent calls only the
// tool it named.
func TestEmbeddedAuthorizationServer(t *testing.T) {
	t.Parallel()
	_, prefix := testpeers.Redis(t, "mcpwarden-e2e-as")
	const password = "e2e admin password, long enough"
	keyFile, store, skey := embeddedFiles(t, map[string]string{"admin-pw": password})
	g := startServe(t, fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}/mcp
  signing_key: %q
  revocation: redis://127.0.0.1:6379/0
  revocation_prefix: %q
  required_scopes: [mcp]
  scopes:
    mcp:all: {servers: ["*"]}
  authorization_server:
    admin: {password: "secret://admin-pw"}
`, store, skey, stdioServerYAML(t, "everything"), keyFile, prefix))
	iss := g.Base

	// The resource metadata points at the gateway itself, whose RFC 8414
	// metadata names the endpoints.
	var prm, md map[string]any
	getJSON(t, g.Base+"/.well-known/oauth-protected-resource/mcp", &prm)
	if s, _ := prm["authorization_servers"].([]any); len(s) != 1 || s[0] != iss {
		t.Fatalf("protected resource metadata: %v", prm)
	}
	getJSON(t, iss+"/.well-known/oauth-authorization-server", &md)
	if md["issuer"] != iss || md["registration_endpoint"] != iss+"/oauth2/register" || md["authorization_response_iss_parameter_supported"] != true {
		t.Fatalf("authorization server metadata: %v", md)
	}

	// Dynamic client registration of a native (loopback) client.
	redirect := "http://127.0.0.1:45678/callback"
	resp, err := http.Post(md["registration_endpoint"].(string), "application/json", strings.NewReader(
		`{"client_name":"e2e agent","redirect_uris":["`+redirect+`"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, reg)
	}
	conf := &oauth2.Config{ClientID: reg["client_id"].(string), RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{AuthURL: md["authorization_endpoint"].(string), TokenURL: md["token_endpoint"].(string), AuthStyle: oauth2.AuthStyleInParams}}
	ctx := ctxT(t, 60*time.Second)
	grant := func(scope string) *oauth2.Token {
		t.Helper()
		c := *conf
		c.Scopes = strings.Fields(scope)
		v := oauth2.GenerateVerifier()
		code := browserSignIn(t, iss, password, c.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("resource", g.URL)))
		tok, err := c.Exchange(ctx, code, oauth2.VerifierOption(v), oauth2.SetAuthURLParam("resource", g.URL))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	tok := grant("mcp mcp:all")
	if st, body := callTool(t, g.URL, tok.AccessToken, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call with the granted token: %d %s", st, body)
	}
	// Rotation: the refreshed token works too.
	tok2, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
	if err != nil || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v (rotated: %v)", err, tok2 != nil && tok2.RefreshToken != tok.RefreshToken)
	}
	if st, body := callTool(t, g.URL, tok2.AccessToken, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call with the refreshed token: %d %s", st, body)
	}
	// Revoking the refresh token ends the grant: both access tokens fail
	// on the next call.
	rv, err := http.PostForm(iss+"/oauth2/revoke", url.Values{"token": {tok2.RefreshToken}, "client_id": {conf.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	rv.Body.Close()
	if rv.StatusCode != 200 {
		t.Fatalf("revoke: %d", rv.StatusCode)
	}
	for i, at := range []string{tok.AccessToken, tok2.AccessToken} {
		if st, body := callTool(t, g.URL, at, "test_simple_text"); st != http.StatusUnauthorized || !strings.Contains(body, "revoked") {
			t.Errorf("access token %d of the revoked grant: %d %s", i, st, body)
		}
	}

	// An intent-bound grant calls only the tool it named.
	it := grant("mcp mcp:all intent:everything/test_simple_text")
	if st, body := callTool(t, g.URL, it.AccessToken, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call inside the intent: %d %s", st, body)
	}
	if st, body := callTool(t, g.URL, it.AccessToken, "test_image_content"); !strings.Contains(body, "intent") || strings.Contains(body, `"result"`) {
		t.Fatalf("call outside the intent: %d %s", st, body)
	}

	// mcpwarden token revoke works on the embedded server's tokens too.
	rc := exec.Command(gatewayBin, "token", "revoke", "-c", g.CfgPath, "-")
	rc.Stdin = strings.NewReader(it.AccessToken)
	if out, err := rc.CombinedOutput(); err != nil {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if st, body := callTool(t, g.URL, it.AccessToken, "test_simple_text"); st != http.StatusUnauthorized {
		t.Fatalf("after token revoke: %d %s", st, body)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// callTool is rawCall returning the body.
func callTool(t *testing.T, endpoint, token, tool string) (int, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`
	req, _ := http.NewRequestWithContext(context.Background(), "POST", endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", tool)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

var asHiddenRe = regexp.MustCompile(`name="(id|csrf)" value="([^"]*)"`)

// browserSignIn plays the browser: authorization request, login page,
// the administrator's password, consent; it returns the code the client
// gets (after checking state and the RFC 9207 iss).
func browserSignIn(t *testing.T, iss, password, authURL string) string {
	t.Helper()
	return browserSignInVia(t, iss, password, authURL, nil)
}

// browserSignInVia is browserSignIn through transport tr (nil: default).
func browserSignInVia(t *testing.T, iss, password, authURL string, tr http.RoundTripper) string {
	t.Helper()
	q := browserAuthorize(t, iss, password, authURL, tr)
	if q.Get("state") != "st" || q.Get("iss") != iss || q.Get("code") == "" {
		t.Fatalf("authorization response %v", q)
	}
	return q.Get("code")
}

// browserAuthorize plays the browser and returns the query of the
// authorization response (code, state, iss).
func browserAuthorize(t *testing.T, iss, password, authURL string, tr http.RoundTripper) url.Values {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	q, _ := browserAuthorizeWith(t, iss, password, authURL, &http.Client{Jar: jar, Transport: tr})
	return q
}

// browserAuthorizeWith plays the browser with client c (its cookie jar
// is the browser's); signedIn reports whether it had to sign in (false:
// a sign-in session took it straight to the consent page).
func browserAuthorizeWith(t *testing.T, iss, password, authURL string, c *http.Client) (q url.Values, signedIn bool) {
	t.Helper()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	do := func(method, u string, form url.Values) (*http.Response, string) {
		t.Helper()
		if strings.HasPrefix(u, "/") {
			u = iss + u
		}
		var resp *http.Response
		var err error
		if method == "GET" {
			resp, err = c.Get(u)
		} else {
			resp, err = c.PostForm(u, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	fields := func(body string) url.Values {
		v := url.Values{}
		for _, m := range asHiddenRe.FindAllStringSubmatch(body, -1) {
			v.Set(m[1], m[2])
		}
		return v
	}
	resp, body := do("GET", authURL, nil)
	login := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(login, "/oauth2/login?id=") {
		t.Fatalf("authorize: %d %q %s", resp.StatusCode, login, body)
	}
	flow := login[strings.Index(login, "?id=")+4:]
	resp, body = do("GET", login, nil)
	switch resp.StatusCode {
	case http.StatusSeeOther: // a sign-in session: on to the consent page
	case http.StatusOK:
		signedIn = true
		resp, body = do("GET", "/oauth2/login/password?id="+flow, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("password form: %d %s", resp.StatusCode, body)
		}
		f := fields(body)
		f.Set("user", "admin")
		f.Set("password", password)
		if resp, body = do("POST", "/oauth2/login/password/submit", f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
		}
	default:
		t.Fatalf("login page: %d %s", resp.StatusCode, body)
	}
	resp, body = do("GET", resp.Header.Get("Location"), nil)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(body, "Grant Access") {
		t.Fatalf("consent page: %d %q %s", resp.StatusCode, csp, body)
	}
	f := fields(body)
	f.Set("decision", "grant")
	if resp, body = do("POST", "/oauth2/consent", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %d %s", resp.StatusCode, body)
	}
	resp, body = do("GET", resp.Header.Get("Location"), nil)
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, body)
	}
	return u.Query(), signedIn
}

// rewrite sends requests for the public origin to one of the replicas,
// keeping the Host header: what a load balancer in front does.
type rewrite struct {
	origin string
	to     func() string // base URL of the replica for the next request
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.String(), rw.origin) {
		return http.DefaultTransport.RoundTrip(r)
	}
	u, _ := url.Parse(rw.to() + strings.TrimPrefix(r.URL.String(), rw.origin))
	r2 := r.Clone(r.Context())
	r2.URL = u
	r2.Host = strings.TrimPrefix(rw.origin, "https://")
	return http.DefaultTransport.RoundTrip(r2)
}

// Two replicas behind one public origin, sharing the authorization
// server's state in Redis: every request of the sign-in goes to the
// other replica than the one before, and reuse of a refresh token at one
// is caught at the other.
func TestEmbeddedAuthorizationServerReplicas(t *testing.T) {
	t.Parallel()
	_, prefix := testpeers.Redis(t, "mcpwarden-e2e-asr")
	const password = "e2e replicas password, long enough"
	keyFile, store, skey := embeddedFiles(t, map[string]string{"admin-pw": password})
	const origin = "https://mcp.example.test"
	cfg := fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: %s/mcp
  signing_key: %q
  revocation: redis://127.0.0.1:6379/0
  revocation_prefix: %q
  required_scopes: [mcp]
  scopes:
    mcp:all: {servers: ["*"]}
  authorization_server:
    admin: {password: "secret://admin-pw"}
    store: redis://127.0.0.1:6379/0
    store_prefix: %q
`, store, skey, stdioServerYAML(t, "everything"), origin, keyFile, prefix+"rev:", prefix+"as:")
	a, b := startServe(t, cfg), startServe(t, cfg)
	n := 0
	next := func() string {
		n++
		if n%2 == 0 {
			return b.Base
		}
		return a.Base
	}
	hc := &http.Client{Transport: rewrite{origin: origin, to: next}}
	ctx := context.WithValue(ctxT(t, 60*time.Second), oauth2.HTTPClient, hc)

	redirect := "http://127.0.0.1:45679/callback"
	resp, err := hc.Post(origin+"/oauth2/register", "application/json", strings.NewReader(
		`{"redirect_uris":["`+redirect+`"],"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, reg)
	}
	conf := &oauth2.Config{ClientID: reg["client_id"].(string), RedirectURL: redirect, Scopes: []string{"mcp", "mcp:all"},
		Endpoint: oauth2.Endpoint{AuthURL: origin + "/oauth2/authorize", TokenURL: origin + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	v := oauth2.GenerateVerifier()
	code := browserSignInVia(t, origin, password, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), hc.Transport)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*gateway{a, b} {
		if st, body := callTool(t, g.URL, tok.AccessToken, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
			t.Fatalf("call at %s: %d %s", g.Addr, st, body)
		}
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
	}
	t1, err := refresh(tok.RefreshToken) // at one replica
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refresh(tok.RefreshToken); err == nil { // reused, at the other
		t.Fatal("refresh token reused at the other replica was accepted")
	}
	for _, g := range []*gateway{a, b} {
		if st, _ := callTool(t, g.URL, t1.AccessToken, "test_simple_text"); st != http.StatusUnauthorized {
			t.Errorf("token of the revoked family at %s: %d, want 401", g.Addr, st)
		}
	}
}

// The Go SDK's own OAuth client (auth.AuthorizationCodeHandler) against
// the embedded authorization server: it meets the 401, reads the
// resource and authorization server metadata, registers itself, sends
// the person to sign in (played here), checks state and iss, exchanges
// the code with PKCE and calls a tool, stepping up on 403
// insufficient_scope (with a sign-in session: one sign-in, two consents).
func TestEmbeddedAuthorizationServerGoSDK(t *testing.T) {
	t.Parallel()
	const password = "e2e go-sdk password, long enough"
	keyFile, store, skey := embeddedFiles(t, map[string]string{"admin-pw": password})
	g := startServe(t, fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}/mcp
  signing_key: %q
  required_scopes: [mcp]
  scopes:
    mcp:simple: {tools: [test_simple_text]}
  authorization_server:
    admin: {password: "secret://admin-pw"}
    session_ttl: 8h
`, store, skey, stdioServerYAML(t, "everything"), keyFile))
	redirect := "http://127.0.0.1:45680/callback"
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar} // one browser for both authorizations
	var signIns int
	var asked []string // the scope of each authorization request
	h, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			ClientName: "e2e go-sdk", RedirectURIs: []string{redirect}, GrantTypes: []string{"authorization_code", "refresh_token"},
			TokenEndpointAuthMethod: "none"}},
		RedirectURL:         redirect,
		RequestRefreshToken: true,
		AuthorizationCodeFetcher: func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
			u, err := url.Parse(args.URL)
			if err != nil {
				return nil, err
			}
			asked = append(asked, u.Query().Get("scope"))
			q, signedIn := browserAuthorizeWith(t, g.Base, password, args.URL, browser)
			if signedIn {
				signIns++
			}
			return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e-go-sdk-oauth", Version: "1"}, nil)
	ctx := ctxT(t, 60*time.Second)
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: g.URL, MaxRetries: -1, OAuthHandler: h}, nil)
	if err != nil {
		t.Fatalf("connect with the SDK's OAuth handler: %v", err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text", Arguments: map[string]any{}})
	if err != nil || res.IsError {
		t.Fatalf("tools/call: %v %+v", err, res)
	}
	// First sign-in for what the 401 challenge named (the required scope);
	// the call then needs mcp:simple, the 403 insufficient_scope names it
	// and the SDK steps up with a second sign-in.
	if len(asked) != 2 || !strings.Contains(asked[0], "mcp") || strings.Contains(asked[0], "mcp:simple") || !strings.Contains(asked[1], "mcp:simple") {
		t.Errorf("authorization requests asked for %q, want the required scope then a step-up to mcp:simple", asked)
	}
	// With session_ttl the person signed in once; the step-up only asked
	// for consent.
	if signIns != 1 {
		t.Errorf("signed in %d times, want 1", signIns)
	}
}

// Headless grants through a real serve: a configured CI client with the
// client credentials grant (its secret in the encrypted store), and a
// workload's OIDC token exchanged (RFC 8693; the workload issuer is a
// test issuer with a real JWKS over HTTP). Both tokens call a tool.
func TestEmbeddedAuthorizationServerHeadless(t *testing.T) {
	t.Parallel()
	wi := authntest.New()
	t.Cleanup(wi.Close)
	const ciSecret = "e2e-ci-secret-0123456789abcdef"
	keyFile, store, skey := embeddedFiles(t, map[string]string{"ci-secret": ciSecret})
	g := startServe(t, fmt.Sprintf(`secrets: {file: %q, key_file: %q}
servers:
%sauth:
  issuer: embedded
  resource: http://{{ADDR}}/mcp
  signing_key: %q
  required_scopes: [mcp]
  scopes:
    mcp:simple: {tools: [test_simple_text]}
  authorization_server:
    clients:
      ci-nightly: {secret: "secret://ci-secret", scopes: [mcp, "mcp:simple"]}
    token_exchange:
      - {issuer: %q, audience: "https://gateway.example.test", subjects: ["repo:acme/app:*"], scopes: [mcp, "mcp:simple"]}
`, store, skey, stdioServerYAML(t, "everything"), keyFile, wi.URL))
	ctx := ctxT(t, 30*time.Second)

	cc := clientcredentials.Config{ClientID: "ci-nightly", ClientSecret: ciSecret, TokenURL: g.Base + "/oauth2/token", Scopes: []string{"mcp", "mcp:simple"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	if st, body := callTool(t, g.URL, tok.AccessToken, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call with the client credentials token: %d %s", st, body)
	}
	cc.ClientSecret = "wrong"
	if _, err := cc.Token(ctx); err == nil {
		t.Fatal("wrong client secret accepted")
	}

	exchange := func(sub string) (int, map[string]any) {
		wt := wi.Token(wi.Claims("https://gateway.example.test", sub, ""))
		resp, err := http.PostForm(g.Base+"/oauth2/token", url.Values{
			"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {wt},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}, "scope": {"mcp mcp:simple"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	st, m := exchange("repo:acme/app:ref:refs/heads/main")
	at, _ := m["access_token"].(string)
	if st != 200 || at == "" {
		t.Fatalf("token exchange: %d %v", st, m)
	}
	if st, body := callTool(t, g.URL, at, "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call with the exchanged token: %d %s", st, body)
	}
	if st, m := exchange("repo:acme/other:ref:refs/heads/main"); st == 200 {
		t.Fatalf("a workload outside the allowed subjects got a token: %v", m)
	}

	// A job holding the signing key can still use token issue.
	out, err := exec.Command(gatewayBin, "token", "issue", "-c", g.CfgPath, "--scope", "mcp mcp:simple", "--ttl", "10m").Output()
	if err != nil {
		t.Fatalf("token issue: %v", err)
	}
	if st, body := callTool(t, g.URL, strings.TrimSpace(string(out)), "test_simple_text"); st != 200 || !strings.Contains(body, `"result"`) {
		t.Fatalf("call with a token issue token: %d %s", st, body)
	}
}

// embeddedFiles writes what a gateway with the embedded authorization
// server needs on disk: a new signing key file, and an encrypted secrets
// store (and its key) holding secrets, set through mcpwarden secret set.
func embeddedFiles(t *testing.T, secrets map[string]string) (keyFile, store, storeKey string) {
	t.Helper()
	dir := t.TempDir()
	keyFile = filepath.Join(dir, "token.jwk")
	data, err := issuer.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	store, storeKey = filepath.Join(dir, "secrets.enc"), filepath.Join(dir, "secrets.key")
	for name, value := range secrets {
		cmd := exec.Command(gatewayBin, "secret", "set", "--store", store, "--key-file", storeKey, name)
		cmd.Stdin = strings.NewReader(value)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("secret set %s: %v\n%s", name, err, out)
		}
	}
	return keyFile, store, storeKey
}
