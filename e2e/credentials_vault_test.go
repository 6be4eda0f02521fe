package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient/vaultfake"
)

// The Vault dynamic-secrets broker end to end: the real gateway reads a
// database credential from Vault for a stdio child, the child sees it in
// its environment, and the lease is revoked when the client goes away,
// reaped after a killed gateway, and revoked at shutdown. Vault is a fake
// in this process (vaultfake follows Vault's documented HTTP API; no Vault
// server can be installed here).

var envPeerOut = regexp.MustCompile(`^DB_USER=(v-approle-readonly-\d+) DB_PASSWORD=(\d+)$`)

func callEnv(t *testing.T, s *mcp.ClientSession) string {
	t.Helper()
	res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "env", Arguments: map[string]any{}})
	if err != nil || len(res.Content) == 0 {
		t.Fatalf("env tool: %v %+v", err, res)
	}
	text := res.Content[0].(*mcp.TextContent).Text
	m := envPeerOut.FindStringSubmatch(text)
	if m == nil || m[2] == "0" {
		t.Fatalf("env tool said %q, want DB_USER=v-approle-readonly-N DB_PASSWORD=<length>", text)
	}
	return m[1]
}

// leaseOf finds the fake's live lease of user.
func leaseOf(f *vaultfake.Server, user string) (id string, pw string) {
	for id, l := range f.Leases() {
		if l.Username == user {
			return id, l.Password
		}
	}
	return "", ""
}

func TestCredentialsVault(t *testing.T) {
	peer := dbPeer(t)
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"readonly": true}}
	f.AddToken("hvs.e2e-token")
	srv := httptest.NewServer(f)
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("hvs.e2e-token\n"), 0o600)
	cfg := fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: off
    credentials:
      vault:
        address: %s
        token_file: %s
        role: readonly
        ttl: 5m
        env: {DB_USER: username, DB_PASSWORD: password}
`, peer, srv.URL, tokenFile)

	g := startServe(t, cfg)
	s := sdkSession(t, g.URL)
	start := time.Now()
	user := callEnv(t, s)
	t.Logf("first call with a Vault mint: %v", time.Since(start))
	lease, password := leaseOf(f, user)
	if lease == "" {
		t.Fatalf("no live lease for %s: %v", user, f.Leases())
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), `"credential minted"`) }) {
		t.Errorf("mint not logged:\n%s", g.Stderr.String())
	}

	// The client goes away: the child ends and the lease is revoked.
	s.Close()
	if !waitFor(10*time.Second, func() bool { return slices.Contains(f.Revoked(), lease) }) {
		t.Fatalf("lease %s not revoked 10s after the session ended", lease)
	}
	for _, m := range []string{`"method":"credentials/mint","server":"db","name":"` + lease, `"method":"credentials/revoke","server":"db","name":"` + lease} {
		if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), m) }) {
			t.Errorf("no audit record %s", m)
		}
	}

	// The server crashes mid-call: its lease is revoked.
	sc := sdkSession(t, g.URL)
	crashed, _ := leaseOf(f, callEnv(t, sc))
	_, _ = sc.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "env", Arguments: map[string]any{"crash": "1"}})
	if !waitFor(10*time.Second, func() bool { return slices.Contains(f.Revoked(), crashed) }) {
		t.Fatalf("lease %s survived its server's crash", crashed)
	}
	sc.Close()

	// A killed gateway's lease is revoked by the next start's reaper.
	s2 := sdkSession(t, g.URL)
	left, _ := leaseOf(f, callEnv(t, s2))
	g.Kill()
	if slices.Contains(f.Revoked(), left) {
		t.Fatal("a killed gateway revoked its lease")
	}
	g2 := startServe(t, cfg)
	if !waitFor(10*time.Second, func() bool { return slices.Contains(f.Revoked(), left) }) {
		t.Fatalf("lease %s of the killed gateway not revoked 10s after the next start:\n%s", left, g2.Stderr.String())
	}

	// Shutdown revokes what is live.
	s3 := sdkSession(t, g2.URL)
	last, _ := leaseOf(f, callEnv(t, s3))
	g2.Stop()
	if !slices.Contains(f.Revoked(), last) {
		t.Errorf("lease %s survived a clean gateway shutdown", last)
	}
	if n := len(f.Leases()); n != 0 {
		t.Errorf("%d leases still live in Vault", n)
	}
	for _, gw := range []*gateway{g, g2} {
		if strings.Contains(gw.Stderr.String(), password) {
			t.Error("a Vault password is in the gateway log")
		}
	}
}

// TestCredentialsVaultUnavailable: a Vault error fails the spawn with a
// clear error and leaves no lease.
func TestCredentialsVaultUnavailable(t *testing.T) {
	peer := dbPeer(t)
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"readonly": true}}
	f.AddToken("hvs.e2e-token")
	srv := httptest.NewServer(f)
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("hvs.e2e-token\n"), 0o600)
	g := startServe(t, fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: off
    credentials:
      vault: {address: %s, token_file: %s, role: nosuch, env: {DB_USER: username, DB_PASSWORD: password}}
`, peer, srv.URL, tokenFile))
	// The session cannot start without its server's credential.
	c := newRawClient(t, g.URL)
	r := c.post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e-raw","version":"1"}}}`, nil)
	if m := r.final(t); m.Error == nil || !strings.Contains(m.Error.Message, `server "db" is unavailable`) {
		t.Fatalf("initialize without the server's credential: %s", r)
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), "unknown role: nosuch") }) {
		t.Errorf("the Vault error is not in the log:\n%s", g.Stderr.String())
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), `"rule":"credentials.unavailable"`) }) {
		t.Errorf("no audit record of the failed mint:\n%s", g.Stderr.String())
	}
	if n := len(f.Leases()); n != 0 {
		t.Errorf("%d leases left after a failed mint", n)
	}
}

// TestCredentialsVaultJWT: the gateway logs in to Vault with the JWT/OIDC
// method, the JWT read from a file at each login (a projected workload
// token, rotated under it), and the lease of a session opened with one of
// the gateway's own tokens is revoked when that token is revoked.
func TestCredentialsVaultJWT(t *testing.T) {
	peer := dbPeer(t)
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"readonly": true}, JWTRole: "mcpwarden-gw"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	jwtFile := filepath.Join(dir, "vault-jwt")
	os.WriteFile(jwtFile, []byte("eyJ.workload-1.sig\n"), 0o600)
	f.AcceptJWT("eyJ.workload-1.sig")
	cfg := fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: off
    credentials:
      vault:
        address: %s
        jwt_role: mcpwarden-gw
        jwt_file: %s
        role: readonly
        env: {DB_USER: username, DB_PASSWORD: password}
auth:
  issuer: local
  resource: https://mcp.example.test/mcp
  signing_key: %s
  scopes:
    mcp:db: {servers: [db]}
`, peer, srv.URL, jwtFile, filepath.Join(dir, "token.jwk"))
	cliCfg := filepath.Join(dir, "cli.yaml")
	os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg), 0o600)
	mustMcpwarden(t, "", "token", "keygen", "-c", cliCfg)
	g := startServe(t, cfg)
	session := func(tok string) *mcp.ClientSession { return bearerSession(t, g.URL, tok) }
	tok := mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db")
	lease, _ := leaseOf(f, callEnv(t, session(tok)))
	if lease == "" || f.Logins.Load() != 1 {
		t.Fatalf("lease %q after %d jwt logins", lease, f.Logins.Load())
	}
	// The workload's token is rotated and Vault's token revoked: the next
	// mint logs in again with the file's new JWT.
	os.WriteFile(jwtFile, []byte("eyJ.workload-2.sig"), 0o600)
	f.AcceptJWT("eyJ.workload-2.sig")
	f.RejectJWT("eyJ.workload-1.sig")
	f.ClearTokens()
	if l, _ := leaseOf(f, callEnv(t, session(mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db")))); l == "" || f.Logins.Load() != 2 {
		t.Fatalf("after the JWT rotated: lease %q, %d logins\n%s", l, f.Logins.Load(), g.Stderr.String())
	}
	// Token revocation revokes the first session's lease.
	mustMcpwarden(t, tok, "token", "revoke", "-c", cliCfg, "-")
	if !waitFor(10*time.Second, func() bool { return slices.Contains(f.Revoked(), lease) }) {
		t.Fatalf("lease %s not revoked 10s after its session's token was:\n%s", lease, g.Stderr.String())
	}
	if strings.Contains(g.Stderr.String(), "workload-") {
		t.Error("a JWT is in the gateway log")
	}
}

// TestCredentialsVaultHTTPHeader: for an HTTP upstream, a dynamic secret
// goes into a header of one connection's requests (never to the client):
// the client's own session connection gets its lease, revoked when the
// session ends; the shared connection the gateway keeps for stateless
// traffic gets another, revoked at shutdown.
func TestCredentialsVaultHTTPHeader(t *testing.T) {
	t.Parallel()
	up := everythingHTTPMode(t, false)
	target, _ := url.Parse(up)
	var mu sync.Mutex
	seen := map[string]bool{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("X-Db-Token")] = true
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	// Closed after the gateway (cleanups run last first): Close waits for
	// the gateway's open streams.
	t.Cleanup(rec.Close)
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"readonly": true}}
	f.AddToken("hvs.e2e-token")
	vs := httptest.NewServer(f)
	t.Cleanup(vs.Close)
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("hvs.e2e-token\n"), 0o600)
	g := startServe(t, fmt.Sprintf(`servers:
  api:
    url: %s%s
    credentials:
      vault:
        address: %s
        token_file: %s
        role: readonly
        headers: {X-Db-Token: "{{username}}:{{password}}"}
`, rec.URL, target.Path, vs.URL, tokenFile))

	s := sdkSession(t, g.URL)
	if _, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "test_simple_text", Arguments: map[string]any{}}); err != nil {
		t.Fatalf("call through the minted header: %v", err)
	}
	// The session's lease, and the shared connection's unless that
	// connection has already been replaced.
	leases := f.Leases()
	if len(leases) == 0 || len(leases) > 2 {
		t.Fatalf("%d live leases, want the session's (and the shared connection's): %v", len(leases), leases)
	}
	var passwords []string
	mu.Lock()
	for id, l := range leases {
		if !seen[l.Username+":"+l.Password] {
			t.Errorf("lease %s: its header never reached the upstream (saw %d values)", id, len(seen))
		}
		passwords = append(passwords, l.Password)
	}
	mu.Unlock()
	s.Close()
	var ended string
	if !waitFor(10*time.Second, func() bool {
		for id := range leases {
			if slices.Contains(f.Revoked(), id) {
				ended = id
				return true
			}
		}
		return false
	}) {
		t.Fatal("no lease revoked 10s after the session ended")
	}
	if n := len(f.Leases()); n != len(leases)-1 {
		t.Errorf("%d leases live after the session ended, want %d", n, len(leases)-1)
	}
	if !waitFor(2*time.Second, func() bool {
		return strings.Contains(g.Stderr.String(), `"method":"credentials/revoke","server":"api","name":"`+ended)
	}) {
		t.Errorf("no credentials/revoke record for %s", ended)
	}
	g.Stop()
	if n := len(f.Leases()); n != 0 {
		t.Errorf("%d leases live after shutdown", n)
	}
	for _, pw := range passwords {
		if strings.Contains(g.Stderr.String(), pw) {
			t.Error("a Vault password is in the gateway log")
		}
	}
}
