package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// TestCredentialsTokenRevocation: token revocation is a trigger for the
// just-in-time credentials. A session opened with a token of the
// gateway's own issuer gets a PostgreSQL role (real PostgreSQL);
// `mcpwarden token revoke` of that token drops the role, ends the
// session (its next call is refused) and audits the revocation, while a
// session of another token keeps its role. Run with the machine's
// revocation file (no auth.revocation) and with the shared Redis store.
func TestCredentialsTokenRevocation(t *testing.T) {
	admin := e2ePG(t)
	peer := dbPeer(t)
	set := exec.Command(gatewayBin, "secret", "set", "e2e-pg-admin-tokrev")
	set.Stdin = strings.NewReader(e2eAdminDSN + "\n")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
	for _, store := range []string{"file", "redis"} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			revocation := ""
			if store == "redis" {
				url, prefix := testpeers.Redis(t, "mcpwarden-e2e")
				revocation = "  revocation: " + url + "\n  revocation_prefix: \"" + prefix + "\"\n"
			}
			cfg := fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: off
    credentials:
      postgres: {admin_dsn: secret://e2e-pg-admin-tokrev, template: %s, ttl: 5m}
auth:
  issuer: local
  resource: https://mcp.example.test/mcp
  signing_key: %s
  scopes:
    mcp:db: {servers: [db]}
%s`, peer, e2eTemplate, filepath.Join(dir, "token.jwk"), revocation)
			cliCfg := filepath.Join(dir, "cli.yaml")
			if err := os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			mustMcpwarden(t, "", "token", "keygen", "-c", cliCfg)
			g := startServe(t, cfg)
			session := func(tok string) *mcp.ClientSession { return bearerSession(t, g.URL, tok) }
			tok := mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db")
			other := mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db")
			s, s2 := session(tok), session(other)
			role, role2 := callDB(t, s), callDB(t, s2)
			if !roleExists(t, admin, role) || !roleExists(t, admin, role2) {
				t.Fatal("minted roles do not exist while their sessions live")
			}

			out := mustMcpwarden(t, tok, "token", "revoke", "-c", cliCfg, "-")
			if !strings.HasPrefix(out, "revoked ") {
				t.Fatalf("revoke: %q", out)
			}
			revoked := time.Now()
			jti := jtiOf(t, tok)
			// With Redis every listening replica confirms only once the
			// credentials are revoked: the role is gone on return.
			if store == "redis" && roleExists(t, admin, role) {
				t.Fatalf("role %s still exists when token revoke returned", role)
			}
			if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, role) }) {
				t.Fatalf("role %s still exists 10s after its session's token was revoked:\n%s", role, g.Stderr.String())
			}
			t.Logf("%s store: role gone %v after token revoke returned", store, time.Since(revoked).Round(time.Millisecond))
			// The session is over (the gateway ended it: the client sees its
			// stream close), and the token's next call is refused.
			if _, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "db", Arguments: map[string]any{"table": e2eTable}}); err == nil {
				t.Fatal("call on the revoked token's session succeeded")
			}
			if resp := rawCall(t, g.URL, tok, "db"); resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "token revoked") {
				t.Fatalf("revoked token's next call: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			// Audited with the trigger named, and logged.
			want := `"method":"credentials/revoke","server":"db","name":"` + role
			if !waitFor(5*time.Second, func() bool {
				for _, l := range strings.Split(g.Stderr.String(), "\n") {
					if strings.Contains(l, want) && strings.Contains(l, "token "+jti+" revoked") {
						return true
					}
				}
				return false
			}) {
				t.Errorf("no audit record of the revocation naming token %s:\n%s", jti, g.Stderr.String())
			}
			if !waitFor(5*time.Second, func() bool {
				return strings.Contains(g.Stderr.String(), `"token revoked: its sessions ended and their credentials were revoked","revoked":"`+jti+`","sessions":1,"credentials":1`)
			}) {
				t.Errorf("not logged:\n%s", g.Stderr.String())
			}
			// The other token's session and role are untouched.
			if !roleExists(t, admin, role2) {
				t.Fatalf("role %s of another token's session was dropped", role2)
			}
			if got := callDB(t, s2); got != role2 {
				t.Fatalf("other session now uses role %s, want %s", got, role2)
			}

			// --subject: both sessions of one agent end and lose their
			// roles; the other subject's session keeps its role.
			agent := "ci:agent-" + store
			sa := session(mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db", "--subject", agent))
			sb := session(mustMcpwarden(t, "", "token", "issue", "-c", cliCfg, "--scope", "mcp:db", "--subject", agent))
			ra, rb := callDB(t, sa), callDB(t, sb)
			if out := mustMcpwarden(t, "", "token", "revoke", "-c", cliCfg, "--subject", agent); !strings.HasPrefix(out, "revoked every token of "+agent) {
				t.Fatalf("revoke --subject: %q", out)
			}
			if store == "redis" && (roleExists(t, admin, ra) || roleExists(t, admin, rb)) {
				t.Fatal("a role of the revoked subject still exists when token revoke returned")
			}
			for _, r := range []string{ra, rb} {
				if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, r) }) {
					t.Fatalf("role %s still exists 10s after its subject was revoked:\n%s", r, g.Stderr.String())
				}
			}
			if !roleExists(t, admin, role2) {
				t.Fatalf("role %s of another subject was dropped", role2)
			}
			if !waitFor(5*time.Second, func() bool {
				return strings.Contains(g.Stderr.String(), "every token of its subject revoked: role dropped")
			}) {
				t.Errorf("subject revocation not audited:\n%s", g.Stderr.String())
			}
		})
	}
}
