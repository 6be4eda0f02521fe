package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// bearer adds a fixed Authorization header, as a client that obtained a
// token out of band does.
type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// bearerSession connects a go-sdk client to endpoint with tok as its
// bearer token and closes the session when the test ends.
func bearerSession(t *testing.T, endpoint, tok string) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e-" + t.Name(), Version: "1"}, nil)
	s, err := c.Connect(ctxT(t, 30*time.Second), &mcp.StreamableClientTransport{Endpoint: endpoint, MaxRetries: -1,
		HTTPClient: &http.Client{Transport: bearer{tok, http.DefaultTransport}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// headerSpy is a reverse proxy in front of an upstream MCP server that
// remembers the Authorization headers it was sent.
type headerSpy struct {
	mu    sync.Mutex
	n     int
	auths []string
}

func (s *headerSpy) start(t *testing.T, upstream string) string {
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.FlushInterval = -1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.n++
		if a := r.Header.Get("Authorization"); a != "" {
			s.auths = append(s.auths, a)
		}
		s.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path
}

// TestOAuthResourceServer runs the real gateway with auth on, in front of
// a stdio everything-server and an HTTP one (behind a proxy that records
// Authorization headers), with tokens from a test issuer over real HTTP.
func TestOAuthResourceServer(t *testing.T) {
	t.Parallel()
	is := authntest.New()
	t.Cleanup(is.Close)
	spy := &headerSpy{}
	remote := spy.start(t, everythingHTTP(t))
	g := startServe(t, fmt.Sprintf(`servers:
%s  remote:
    url: %s
    headers: {X-Upstream-Key: gateway-own}
auth:
  issuer: %s
  resource: http://{{ADDR}}/mcp
  required_scopes: [mcp]
  scopes:
    mcp:all: {servers: ["*"]}
    mcp:simple: {tools: [test_simple_text]}
`, stdioServerYAML(t, "everything"), remote, is.URL))
	res := g.Base + "/mcp"
	prm := g.Base + "/.well-known/oauth-protected-resource/mcp"
	token := func(aud, scope string) string { return is.Token(is.Claims(aud, "alice", scope)) }

	t.Run("no token", func(t *testing.T) {
		resp, err := http.Post(g.URL, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := `Bearer scope="mcp", resource_metadata="` + prm + `"`
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != want {
			t.Fatalf("%d %q, want 401 %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), want)
		}
		// The go-sdk's OAuth helpers read the challenge and the metadata.
		chs, err := oauthex.ParseWWWAuthenticate(resp.Header.Values("WWW-Authenticate"))
		if err != nil || len(chs) != 1 || chs[0].Scheme != "bearer" || chs[0].Params["resource_metadata"] != prm {
			t.Fatalf("go-sdk ParseWWWAuthenticate: %+v %v", chs, err)
		}
		gp, err := oauthex.GetProtectedResourceMetadata(ctxT(t, 10*time.Second), prm, res, nil)
		if err != nil || len(gp.AuthorizationServers) != 1 || gp.AuthorizationServers[0] != is.URL {
			t.Fatalf("go-sdk GetProtectedResourceMetadata: %+v %v", gp, err)
		}
		resp, err = http.Get(prm)
		if err != nil {
			t.Fatal(err)
		}
		var md struct {
			Resource      string   `json:"resource"`
			Servers       []string `json:"authorization_servers"`
			Scopes        []string `json:"scopes_supported"`
			BearerMethods []string `json:"bearer_methods_supported"`
		}
		err = json.NewDecoder(resp.Body).Decode(&md)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || md.Resource != res || len(md.Servers) != 1 || md.Servers[0] != is.URL ||
			strings.Join(md.Scopes, " ") != "mcp mcp:all mcp:simple" || strings.Join(md.BearerMethods, ",") != "header" {
			t.Fatalf("metadata: %d %+v %v", resp.StatusCode, md, err)
		}
	})

	connect := func(t *testing.T, tok string) (*mcp.ClientSession, error) {
		c := mcp.NewClient(&mcp.Implementation{Name: "e2e-oauth", Version: "1"}, nil)
		return c.Connect(ctxT(t, 30*time.Second), &mcp.StreamableClientTransport{Endpoint: g.URL, MaxRetries: -1,
			HTTPClient: &http.Client{Transport: bearer{tok, http.DefaultTransport}}}, nil)
	}

	t.Run("go-sdk client with a good token", func(t *testing.T) {
		cs, err := connect(t, token(res, "mcp mcp:all"))
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		ctx := ctxT(t, 30*time.Second)
		tools, err := cs.ListTools(ctx, nil)
		if err != nil || len(tools.Tools) < 10 {
			t.Fatalf("tools/list: %v (%d tools)", err, len(tools.Tools))
		}
		for _, name := range []string{"everything__test_simple_text", "remote__test_simple_text"} {
			r, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name})
			if err != nil || r.IsError || len(r.Content) == 0 {
				t.Fatalf("%s: %v %+v", name, err, r)
			}
		}
		spy.mu.Lock()
		defer spy.mu.Unlock()
		if spy.n == 0 || len(spy.auths) != 0 {
			t.Fatalf("upstream saw %d requests, Authorization headers %q: the client's token must never be forwarded", spy.n, spy.auths)
		}
	})

	t.Run("wrong audience", func(t *testing.T) {
		_, err := connect(t, token("http://elsewhere.example/mcp", "mcp mcp:all"))
		if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
			t.Fatalf("connect with a token for another resource: %v", err)
		}
	})

	t.Run("expired token", func(t *testing.T) {
		c := is.Claims(res, "alice", "mcp mcp:all")
		c["exp"] = time.Now().Add(-time.Hour).Unix()
		if _, err := connect(t, is.Token(c)); err == nil {
			t.Fatal("connect with an expired token succeeded")
		}
	})

	t.Run("insufficient scope", func(t *testing.T) {
		cs, err := connect(t, token(res, "mcp mcp:simple"))
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		ctx := ctxT(t, 30*time.Second)
		if r, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "everything__test_simple_text"}); err != nil || r.IsError {
			t.Fatalf("granted tool: %v %+v", err, r)
		}
		_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "everything__test_image_content"})
		if err == nil || !strings.Contains(err.Error(), `needs scope "mcp:all"`) || !strings.Contains(err.Error(), "Forbidden") {
			t.Fatalf("tool outside the scope: %v", err)
		}
		// The session survives the refusal, and lists show what the
		// scopes grant: test_simple_text on both servers.
		tools, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatalf("tools/list after the refusal: %v", err)
		}
		var names []string
		for _, tl := range tools.Tools {
			names = append(names, tl.Name)
		}
		if strings.Join(names, " ") != "everything__test_simple_text remote__test_simple_text" {
			t.Fatalf("tools/list with scope mcp:simple: %v (meta %v)", names, tools.Meta)
		}
		// Raw: 403 with the step-up challenge.
		resp := rawCall(t, g.URL, token(res, "mcp mcp:simple"), "everything__test_image_content")
		if resp.StatusCode != 403 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) ||
			!strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="mcp mcp:all"`) {
			t.Fatalf("raw call: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})

	t.Run("TypeScript SDK OAuth discovery", func(t *testing.T) {
		script, _ := filepath.Abs(filepath.Join("testdata", "tsdiscover.mjs"))
		out := runNode(t, []string{"MCP_SDK_DIR=" + testpeers.NodeModule(t, "@modelcontextprotocol/sdk")}, testpeers.Node(t), script, g.URL)
		var got map[string]any
		if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		want := map[string]any{"status": float64(401), "resourceMetadataUrl": prm, "scope": "mcp",
			"authorizationServer": is.URL, "issuer": is.URL, "resource": res}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v", k, got[k], v)
			}
		}
	})

	t.Run("TypeScript SDK client", func(t *testing.T) {
		// One server, so that the script's unprefixed names resolve.
		g1 := startServe(t, fmt.Sprintf("servers:\n%sauth: {issuer: %q, resource: 'http://{{ADDR}}/mcp'}\n",
			stdioServerYAML(t, "everything"), is.URL))
		script, _ := filepath.Abs(filepath.Join("testdata", "tsclient.mjs"))
		for _, mode := range []string{"http", "sse"} {
			url := g1.URL
			if mode == "sse" {
				url = g1.Base + "/sse"
			}
			out := runNode(t, []string{"MCP_SDK_DIR=" + testpeers.NodeModule(t, "@modelcontextprotocol/sdk"), "MCP_BEARER=" + token(g1.URL, "")},
				testpeers.Node(t), script, mode, url)
			var r tsResult
			if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil || len(r.Tools) < 10 || r.Call == nil {
				t.Fatalf("%s: %v\n%s", mode, err, out)
			}
		}
	})
}

// rawCall sends a stateless (2026-07-28) tools/call with token.
func rawCall(t *testing.T, endpoint, token, tool string) *http.Response {
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`
	req, _ := http.NewRequest("POST", endpoint, strings.NewReader(body))
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
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Auth follows a configuration reload: switched on, requests without a
// token are refused from then on; switched off again, they pass.
func TestOAuthReload(t *testing.T) {
	t.Parallel()
	is := authntest.New()
	t.Cleanup(is.Close)
	plain := "servers:\n" + stdioServerYAML(t, "everything")
	g := startServe(t, plain)
	status := func() int {
		resp, err := http.Post(g.URL, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := status(); s == 401 {
		t.Fatalf("without auth: %d", s)
	}
	g.WriteConfig(plain + fmt.Sprintf("auth: {issuer: %q, resource: 'http://{{ADDR}}/mcp'}\n", is.URL))
	if !waitFor(10*time.Second, func() bool { return status() == 401 }) {
		t.Fatal("auth switched on by a reload: requests without a token still pass")
	}
	g.WriteConfig(plain)
	if !waitFor(10*time.Second, func() bool { return status() != 401 }) {
		t.Fatal("auth switched off by a reload: requests still refused")
	}
}
