package authserver

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
)

// docServer serves client ID metadata documents over TLS on loopback;
// body returns the document for the request path.
func docServer(t *testing.T, body func(id, path string) (int, string)) (*httptest.Server, *tls.Config, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	var base string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		st, b := body(base+r.URL.Path, r.URL.Path)
		if st == http.StatusFound {
			http.Redirect(w, r, b, st)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(b))
	}))
	base = ts.URL
	t.Cleanup(ts.Close)
	return ts, &tls.Config{RootCAs: ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}, &hits
}

func TestClientIDMetadataDocument(t *testing.T) {
	redirect := "http://127.0.0.1:41234/callback"
	ts, tc, hits := docServer(t, func(id, path string) (int, string) {
		switch path {
		case "/client.json":
			return 200, `{"client_id":"` + id + `","client_name":"Doc Agent","redirect_uris":["` + redirect + `"],"grant_types":["authorization_code","refresh_token"]}`
		case "/other-id.json":
			return 200, `{"client_id":"https://evil.example/client.json","redirect_uris":["` + redirect + `"]}`
		case "/big.json":
			return 200, `{"client_id":"` + id + `","redirect_uris":["` + redirect + `"],"x":"` + strings.Repeat("a", maxMetadataBytes) + `"}`
		case "/moved.json":
			return http.StatusFound, "/client.json"
		case "/secret.json":
			return 200, `{"client_id":"` + id + `","redirect_uris":["` + redirect + `"],"token_endpoint_auth_method":"client_secret_basic"}`
		}
		return 404, `{}`
	})
	e := newEnv(t, func(c *Config) { c.Fetch = &Fetcher{AllowLoopback: true, TLS: tc} })
	id := ts.URL + "/client.json"

	conf := e.oauth(id, redirect, "mcp:read")
	v := oauth2.GenerateVerifier()
	code, _ := e.code(conf, v)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.val.Validate(context.Background(), tok.AccessToken)
	if err != nil || p.ClientID != id {
		t.Fatalf("token of a metadata document client: %+v %v", p, err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("document fetched %d times, want once (cached)", n)
	}

	// Refusals: the authorization request answers 400 (no redirect to an
	// unverified client).
	verifier := oauth2.GenerateVerifier()
	try := func(clientID, redirectURI string) int {
		q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"mcp:read"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
		resp, _ := e.authorize(q)
		if resp.StatusCode == http.StatusFound && !strings.Contains(resp.Header.Get("Location"), PathLogin) {
			t.Errorf("%s: redirected to %s", clientID, resp.Header.Get("Location"))
		}
		return resp.StatusCode
	}
	if st := try(id, "http://127.0.0.1:41234/elsewhere"); st != http.StatusBadRequest {
		t.Errorf("redirect not in the document: %d", st)
	}
	for _, bad := range []string{
		ts.URL + "/other-id.json", // names another client_id
		ts.URL + "/big.json",      // over the size limit
		ts.URL + "/moved.json",    // redirects are not followed
		ts.URL + "/secret.json",   // a document client has no secret
		ts.URL + "/missing.json",  // 404
		ts.URL + "/client.json?x", // query
		ts.URL + "/",              // no path
		ts.URL + "/a/../client.json",
		strings.Replace(id, "https://", "http://", 1), // plain http
	} {
		if st := try(bad, redirect); st != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, st)
		}
	}

	// Without the loopback allowance (production), the gateway does not
	// fetch from loopback or private addresses.
	prod := newEnv(t, nil)
	before := hits.Load()
	q := url.Values{"client_id": {id}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"mcp:read"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	if resp, _ := prod.authorize(q); resp.StatusCode != http.StatusBadRequest || hits.Load() != before {
		t.Errorf("loopback document fetched in production mode: %d", resp.StatusCode)
	}
	// Switched off: URL client ids are unknown.
	off := newEnv(t, func(c *Config) { c.MetadataDocuments = false; c.Fetch = &Fetcher{AllowLoopback: true, TLS: tc} })
	if resp, _ := off.authorize(q); resp.StatusCode != http.StatusBadRequest || hits.Load() != before {
		t.Errorf("metadata documents switched off, yet: %d", resp.StatusCode)
	}
}

func TestCheckRedirectURI(t *testing.T) {
	good := []string{"https://app.example/cb", "http://127.0.0.1:8080/cb", "http://[::1]/cb", "http://localhost/cb",
		"com.example.app:/oauth2redirect", "cursor://anysphere.cursor-retrieval/oauth/callback", "https://app.example/cb?x=1"}
	bad := []string{"", "/cb", "cb", "http://app.example/cb", "http://127.0.0.1.evil.example/cb", "http://localhost.evil.example/cb",
		"javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://app.example/cb#f",
		"https://u:p@app.example/cb", "https:///cb", "https://app.example/cb\n", "https://app.example/<script>", "vbscript:x",
		"http://0.0.0.0/cb", "http://[::]/cb", "ws://127.0.0.1/cb", strings.Repeat("a", 3000)}
	for _, s := range good {
		if err := checkRedirectURI(s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
	for _, s := range bad {
		if err := checkRedirectURI(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseClientMetadata(f *testing.F) {
	for _, s := range []string{
		`{"redirect_uris":["https://app.example/cb"]}`,
		`{"client_id":"https://c.example/x","redirect_uris":["http://127.0.0.1/cb"],"grant_types":["authorization_code","refresh_token"]}`,
		`{"redirect_uris":["javascript:alert(1)"]}`,
		`{"redirect_uris":["com.example:/x"],"token_endpoint_auth_method":"client_secret_post"}`,
		`{"redirect_uris":["https://a/b"],"grant_types":["client_credentials"]}`,
		`{"redirect_uris":"https://a/b"}`,
		`{"redirect_uris":["https://a/b"]}{}`,
		`null`, `[]`, `{"client_name":"\u0000\u001b[31m"}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, document bool) {
		m, err := ParseClientMetadata(data, document)
		if err != nil {
			return
		}
		if len(m.RedirectURIs) == 0 || len(m.RedirectURIs) > maxRedirectURIs {
			t.Fatalf("accepted %d redirect URIs", len(m.RedirectURIs))
		}
		for _, r := range m.RedirectURIs {
			if err := checkRedirectURI(r); err != nil {
				t.Fatalf("accepted redirect %q: %v", r, err)
			}
			u, _ := url.Parse(r)
			if s := strings.ToLower(u.Scheme); s == "javascript" || s == "data" || s == "file" || (s == "http" && !isLoopbackHost(u.Hostname())) {
				t.Fatalf("accepted redirect %q", r)
			}
		}
		for _, g := range m.GrantTypes {
			if g != "authorization_code" && g != "refresh_token" {
				t.Fatalf("accepted grant type %q", g)
			}
		}
		if document && m.TokenEndpointAuthMethod != "" && m.TokenEndpointAuthMethod != "none" {
			t.Fatalf("document with auth method %q", m.TokenEndpointAuthMethod)
		}
		for _, c := range m.ClientName {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control character in client name %q", m.ClientName)
			}
		}
	})
}

func TestHostAndRegistrationLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AllowedHosts = []string{"gw.internal"} })
	for host, want := range map[string]int{"evil.example": 403, "gw.internal": 200, "127.0.0.1": 200, "localhost:1": 200} {
		req, _ := http.NewRequest(http.MethodGet, e.issuer+WellKnownAS, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	n := 0
	for i := 0; i < regPerIPBurst+5; i++ {
		if st, _ := e.register(`{"redirect_uris":["https://app.example/cb"]}`); st == http.StatusCreated {
			n++
		} else if st != http.StatusTooManyRequests {
			t.Fatalf("registration %d: %d", i, st)
		}
	}
	if n != regPerIPBurst {
		t.Errorf("%d registrations from one address accepted at once, want %d", n, regPerIPBurst)
	}
}

func FuzzCheckMetadataURL(f *testing.F) {
	for _, s := range []string{"https://c.example/client.json", "https://c.example/", "https://c.example/a/../b", "https://u@c.example/x",
		"https://c.example/x?y", "https://c.example/x#f", "http://c.example/x", "https://c.example/%2e%2e/x", "https:///x", "https://c.example/./x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := checkMetadataURL(s, false)
		if err != nil {
			return
		}
		if u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") ||
			u.Path == "" || u.Path == "/" {
			t.Fatalf("accepted %q", s)
		}
		for seg := range strings.SplitSeq(u.Path, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("accepted dot segment in %q", s)
			}
		}
	})
}
