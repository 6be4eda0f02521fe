package downstream

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/session"
)

const (
	initBody = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	callBody = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{}}}`
)

type authFront struct {
	t    *testing.T
	is   *authntest.Issuer
	url  string // gateway base URL
	res  string
	h    *HTTP
	mu   sync.Mutex
	seen []intercept.Principal // principals the chain saw
}

func newAuthFront(t *testing.T, auth bool) *authFront {
	is := authntest.New()
	t.Cleanup(is.Close)
	f := &authFront{t: t, is: is}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var v *authn.Validator
	spy := intercept.Func{N: "spy", F: func(ctx context.Context, x *intercept.Exchange, next intercept.Handler) (*intercept.Reply, error) {
		f.mu.Lock()
		f.seen = append(f.seen, x.Peer.Principal)
		f.mu.Unlock()
		return next(ctx, x)
	}}
	var scopes authn.Scopes
	if auth {
		scopes = authn.Scopes{"mcp:read": {Risks: []string{"read"}}, "mcp:s": {Servers: []string{"s"}}}
	}
	opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}},
		Chain: intercept.NewChain(intercept.Authz(scopes, []string{"mcp"}, nil), spy), Logger: log, Name: "mcpwarden", Version: "t"}
	h := NewHTTP(HTTPOptions{Sessions: func() *session.Options { return opts }, Logger: log,
		Auth: func() *authn.Validator { return v }})
	t.Cleanup(h.Close)
	f.h = h
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	f.url, f.res = srv.URL, srv.URL+"/mcp"
	if auth {
		var err error
		v, err = authn.New(authn.Config{Issuer: is.URL, Resource: f.res, RequiredScopes: []string{"mcp"}, Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *authFront) token(sub, scope string) string {
	return f.is.Token(f.is.Claims(f.res, sub, scope))
}

func (f *authFront) do(method, path, token string, hdr map[string]string, body string) (*http.Response, string) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestHTTPAuthChallenge(t *testing.T) {
	f := newAuthFront(t, true)
	prm := f.url + "/.well-known/oauth-protected-resource/mcp"
	for _, tc := range []struct {
		name, method, path, token, want string
	}{
		{"no token", "POST", "/mcp", "", `Bearer scope="mcp", resource_metadata="` + prm + `"`},
		{"no token on /sse", "GET", "/sse", "", `resource_metadata="` + prm + `"`},
		{"no token on /message", "POST", "/message?sessionId=x", "", `resource_metadata="` + prm + `"`},
		{"garbage token", "POST", "/mcp", "abc", `error="invalid_token", error_description="malformed token or unaccepted algorithm"`},
		{"wrong audience", "POST", "/mcp", f.is.Token(f.is.Claims("https://other.example/mcp", "alice", "mcp")), `error="invalid_token", error_description="token is not for this resource (audience)"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := f.do(tc.method, tc.path, tc.token, nil, initBody)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.want) {
				t.Fatalf("status %d, WWW-Authenticate %q; want 401 with %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tc.want)
			}
		})
	}
	// Missing a required scope: 403 before anything runs.
	resp, _ := f.do("POST", "/mcp", f.token("alice", "mcp:read"), nil, initBody)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Fatalf("without required scope: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// Metadata, at both paths; health stays open.
	for _, p := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		resp, body := f.do("GET", p, "", nil, "")
		var md map[string]any
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &md) != nil || md["resource"] != f.res ||
			md["authorization_servers"].([]any)[0] != f.is.URL {
			t.Fatalf("GET %s: %d %s", p, resp.StatusCode, body)
		}
	}
	if resp, _ := f.do("GET", "/.well-known/oauth-protected-resource/other", "", nil, ""); resp.StatusCode != 404 {
		t.Errorf("metadata for another path: %d", resp.StatusCode)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp, _ := f.do("GET", p, "", nil, ""); resp.StatusCode != 200 {
			t.Errorf("%s without token: %d", p, resp.StatusCode)
		}
	}
}

func TestHTTPAuthSessions(t *testing.T) {
	f := newAuthFront(t, true)
	alice, bob := f.token("alice", "mcp mcp:s"), f.token("bob", "mcp mcp:s")
	resp, body := f.do("POST", "/mcp", alice, nil, initBody)
	sid := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != 200 || sid == "" {
		t.Fatalf("initialize: %d %s", resp.StatusCode, body)
	}
	hdr := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
	if resp, body := f.do("POST", "/mcp", alice, hdr, callBody); resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("call: %d %s", resp.StatusCode, body)
	}
	// Another principal holding the session id gets nowhere.
	if resp, _ := f.do("POST", "/mcp", bob, hdr, callBody); resp.StatusCode != 404 {
		t.Errorf("bob posting to alice's session: %d", resp.StatusCode)
	}
	if resp, _ := f.do("GET", "/mcp", bob, hdr, ""); resp.StatusCode != 404 {
		t.Errorf("bob opening alice's GET stream: %d", resp.StatusCode)
	}
	if resp, _ := f.do("DELETE", "/mcp", bob, hdr, ""); resp.StatusCode != 404 {
		t.Errorf("bob deleting alice's session: %d", resp.StatusCode)
	}
	// A new token of alice's with fewer scopes, same session: the call is
	// refused for its scope, with a step-up challenge.
	narrow := f.token("alice", "mcp mcp:read")
	resp, body = f.do("POST", "/mcp", narrow, hdr, callBody)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope", error_description="token lacks the scope this call needs", scope="mcp mcp:s"`) ||
		!strings.Contains(body, `"code":-32001`) || !strings.Contains(body, `needs scope \"mcp:s\"`) || !strings.Contains(body, `"scope":"mcp mcp:s"`) {
		t.Fatalf("narrow token: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	if resp, _ := f.do("DELETE", "/mcp", alice, hdr, ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("alice deleting her session: %d", resp.StatusCode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 || f.seen[0].Subject != "alice" || f.seen[0].Issuer != f.is.URL || f.seen[0].ClientID != "test-client" {
		t.Errorf("chain saw %+v", f.seen)
	}
}

func TestHTTPAuthModern(t *testing.T) {
	f := newAuthFront(t, true)
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`
	hdr := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
	if resp, out := f.do("POST", "/mcp", f.token("alice", "mcp mcp:s"), hdr, body); resp.StatusCode != 200 || !strings.Contains(out, `"ok"`) {
		t.Fatalf("modern call: %d %s", resp.StatusCode, out)
	}
	if resp, out := f.do("POST", "/mcp", f.token("alice", "mcp mcp:read"), hdr, body); resp.StatusCode != 403 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="mcp mcp:s"`) {
		t.Fatalf("modern call without scope: %d %s", resp.StatusCode, out)
	}
}

func TestHTTPAuthOff(t *testing.T) {
	f := newAuthFront(t, false)
	if resp, body := f.do("POST", "/mcp", "", nil, initBody); resp.StatusCode != 200 {
		t.Fatalf("initialize without auth: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("GET", "/.well-known/oauth-protected-resource", "", nil, ""); resp.StatusCode != 404 {
		t.Errorf("metadata without auth: %d", resp.StatusCode)
	}
}

// The legacy SSE transport: the stream needs a token, and its message
// endpoint takes posts only from the principal that opened it.
func TestHTTPAuthSSE(t *testing.T) {
	f := newAuthFront(t, true)
	alice, bob := f.token("alice", "mcp mcp:s"), f.token("bob", "mcp mcp:s")
	req, _ := http.NewRequest("GET", f.url+"/sse", nil)
	req.Header.Set("Authorization", "Bearer "+alice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	_, after, ok := strings.Cut(string(buf[:n]), "data: ")
	if resp.StatusCode != 200 || !ok {
		t.Fatalf("GET /sse: %d %q", resp.StatusCode, buf[:n])
	}
	endpoint := strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
	if r, _ := f.do("POST", endpoint, bob, nil, initBody); r.StatusCode != 404 {
		t.Errorf("bob posting to alice's SSE session: %d", r.StatusCode)
	}
	if r, _ := f.do("POST", endpoint, "", nil, initBody); r.StatusCode != 401 {
		t.Errorf("posting without a token: %d", r.StatusCode)
	}
	if r, _ := f.do("POST", endpoint, alice, nil, initBody); r.StatusCode != 202 {
		t.Errorf("alice posting to her SSE session: %d", r.StatusCode)
	}
}

// A revoked token's sessions end: the one it opened and one it was used
// on later; a subject key ends every session of that subject and no
// other's.
func TestHTTPEndTokenSessions(t *testing.T) {
	f := newAuthFront(t, true)
	tok := func(sub, jti string) string {
		c := f.is.Claims(f.res, sub, "mcp mcp:s")
		c["jti"] = jti
		return f.is.Token(c)
	}
	open := func(token string) map[string]string {
		resp, body := f.do("POST", "/mcp", token, nil, initBody)
		sid := resp.Header.Get("Mcp-Session-Id")
		if resp.StatusCode != 200 || sid == "" {
			t.Fatalf("initialize: %d %s", resp.StatusCode, body)
		}
		return map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
	}
	call := func(token string, hdr map[string]string) int {
		resp, _ := f.do("POST", "/mcp", token, hdr, callBody)
		return resp.StatusCode
	}
	a1, a2, a3, b1 := tok("alice", "j-a1"), tok("alice", "j-a2"), tok("alice", "j-a3"), tok("bob", "j-b1")
	s1, s2, s3 := open(a1), open(a3), open(b1)
	if call(a2, s1) != 200 { // a refreshed token on the same session
		t.Fatal("call with a2")
	}
	if n := f.h.EndTokenSessions("j-a2"); n != 1 {
		t.Fatalf("ended %d sessions for j-a2, want 1 (the one it was used on)", n)
	}
	if c := call(a1, s1); c != 404 {
		t.Fatalf("ended session answered %d", c)
	}
	if call(a3, s2) != 200 || call(b1, s3) != 200 {
		t.Fatal("other sessions ended")
	}
	if n := f.h.EndTokenSessions("j-unknown"); n != 0 {
		t.Fatalf("ended %d sessions for an unknown token", n)
	}
	if n := f.h.EndTokenSessions(authn.SubjectKey(f.is.URL, "alice")); n != 1 {
		t.Fatalf("ended %d sessions of alice, want 1", n)
	}
	if call(a3, s2) != 404 || call(b1, s3) != 200 {
		t.Fatal("subject key ended the wrong sessions")
	}
}
