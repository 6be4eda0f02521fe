package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// TestTokenIssueRevokeReplicas runs two real gateways as replicas behind
// one public URL: the same local issuer key (a 0600 file) and the same
// Redis revocation store under a prefix of this run's own. A token from
// `mcpwarden token issue` works on both; after `mcpwarden token revoke`
// the next call on BOTH gets 401, while another token keeps working.
// Needs Redis on 127.0.0.1:6379 (.ci/run starts it).
func TestTokenIssueRevokeReplicas(t *testing.T) {
	t.Parallel()
	_, prefix := testpeers.Redis(t, "mcpwarden-e2e")
	dir := t.TempDir()
	key := filepath.Join(dir, "token.jwk")
	cfg := "servers:\n" + stdioServerYAML(t, "everything") + `auth:
  issuer: local
  resource: https://mcp.example.test/mcp
  signing_key: ` + key + `
  revocation: redis://127.0.0.1:6379/0
  revocation_prefix: "` + prefix + `"
  required_scopes: [mcp]
  scopes:
    mcp:simple: {tools: [test_simple_text]}
`
	cliCfg := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	mcpwarden := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(gatewayBin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return strings.TrimSpace(out.String()), errb.String(), cmd.ProcessState.ExitCode()
	}

	// A gateway without its key does not start; keygen makes it (0600)
	// and refuses to replace it.
	if _, e, code := mcpwarden("", "token", "issue", "-c", cliCfg, "--scope", "mcp"); code == 0 || !strings.Contains(e, "token keygen") {
		t.Fatalf("issue without a key: %d %s", code, e)
	}
	if _, e, code := mcpwarden("", "token", "keygen", "-c", cliCfg); code != 0 {
		t.Fatalf("keygen: %d %s", code, e)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if _, e, code := mcpwarden("", "token", "keygen", "-c", cliCfg); code == 0 || !strings.Contains(e, "exists already") {
		t.Fatalf("second keygen: %d %s", code, e)
	}

	a, b := startServe(t, cfg), startServe(t, cfg)

	// The gateway publishes itself as the issuer: RFC 8414 metadata and
	// the public key, never the private part.
	resp, err := http.Get(a.Base + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if md["issuer"] != "https://mcp.example.test" || md["jwks_uri"] != "https://mcp.example.test/.well-known/jwks.json" {
		t.Fatalf("issuer metadata: %v", md)
	}
	resp, err = http.Get(b.Base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct{ Keys []map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if len(jwks.Keys) != 1 || jwks.Keys[0]["kty"] != "OKP" || jwks.Keys[0]["d"] != nil {
		t.Fatalf("jwks: %v", jwks)
	}

	// Refusals of token issue: ttl bounds, unknown scope.
	for _, args := range [][]string{
		{"--scope", "mcp", "--ttl", "30m"},
		{"--scope", "mcp", "--ttl", "1m"},
		{"--scope", "mcp mcp:admin"},
	} {
		if out, e, code := mcpwarden("", append([]string{"token", "issue", "-c", cliCfg}, args...)...); code == 0 || out != "" {
			t.Errorf("issue %v: exit %d, printed %q (%s)", args, code, out, e)
		}
	}

	tok, e, code := mcpwarden("", "token", "issue", "-c", cliCfg, "--scope", "mcp mcp:simple", "--ttl", "10m", "--subject", "ci:e2e")
	if code != 0 || strings.Count(tok, ".") != 2 {
		t.Fatalf("issue: %d %q %s", code, tok, e)
	}
	other, _, _ := mcpwarden("", "token", "issue", "-c", cliCfg, "--scope", "mcp mcp:simple")
	call := func(g *gateway, token string) int {
		return rawCall(t, g.URL, token, "everything__test_simple_text").StatusCode
	}
	for name, g := range map[string]*gateway{"a": a, "b": b} {
		if s := call(g, tok); s != 200 {
			t.Fatalf("replica %s: issued token got %d", name, s)
		}
		// Cached now: the revocation must reach the cache.
		if s := call(g, tok); s != 200 {
			t.Fatalf("replica %s: second call %d", name, s)
		}
		if s := call(g, other); s != 200 {
			t.Fatalf("replica %s: other token got %d", name, s)
		}
	}

	// Revoke (the token on stdin, out of the process list); the very next
	// call on each replica is refused.
	if out, e, code := mcpwarden(tok, "token", "revoke", "-c", cliCfg, "-"); code != 0 || !strings.HasPrefix(out, "revoked ") {
		t.Fatalf("revoke: %d %q %s", code, out, e)
	}
	for name, g := range map[string]*gateway{"a": a, "b": b} {
		resp := rawCall(t, g.URL, tok, "everything__test_simple_text")
		if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "token revoked") {
			t.Fatalf("replica %s after revoke: %d %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if s := call(g, other); s != 200 {
			t.Fatalf("replica %s: unrevoked token got %d", name, s)
		}
	}
	// A replica started after the revocation refuses the token too (it
	// finds it in Redis).
	c := startServe(t, cfg)
	if s := call(c, tok); s != 401 {
		t.Fatalf("late replica: revoked token got %d", s)
	}
	if s := call(c, other); s != 200 {
		t.Fatalf("late replica: other token got %d", s)
	}
	// Revoking by jti (as token issue printed it) works the same way.
	jti := jtiOf(t, other)
	if out, e, code := mcpwarden("", "token", "revoke", "-c", cliCfg, "--jti", jti); code != 0 {
		t.Fatalf("revoke --jti: %d %q %s", code, out, e)
	}
	for name, g := range map[string]*gateway{"a": a, "b": b, "c": c} {
		if s := call(g, other); s != 401 {
			t.Fatalf("replica %s: token revoked by jti got %d", name, s)
		}
	}
	// Not a token of this gateway: nothing is recorded.
	if _, e, code := mcpwarden("", "token", "revoke", "-c", cliCfg, "eyJhbGciOiJub25lIn0.e30."); code == 0 {
		t.Fatalf("revoked a foreign token: %s", e)
	}

	// Key rotation with overlap, under running replicas: a token of the
	// old key, then keygen --rotate; the new key's token works on every
	// replica at once (no reload), the old key's too, and both keys are
	// published. --withdraw removes the old key (it stops within a minute
	// in running replicas; a replica started now refuses it at once).
	before, _, _ := mcpwarden("", "token", "issue", "-c", cliCfg, "--scope", "mcp mcp:simple")
	time.Sleep(1100 * time.Millisecond) // replicas read the set again at most once a second
	out, e, code := mcpwarden("", "token", "keygen", "-c", cliCfg, "--rotate")
	if code != 0 || !strings.HasPrefix(out, "new signing key ") {
		t.Fatalf("keygen --rotate: %d %q %s", code, out, e)
	}
	after, _, _ := mcpwarden("", "token", "issue", "-c", cliCfg, "--scope", "mcp mcp:simple")
	for name, g := range map[string]*gateway{"a": a, "b": b, "c": c} {
		if s := call(g, after); s != 200 {
			t.Fatalf("replica %s: new key's token got %d", name, s)
		}
		if s := call(g, before); s != 200 {
			t.Fatalf("replica %s: old key's token during the overlap got %d", name, s)
		}
	}
	resp, err = http.Get(a.Base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	jwks.Keys = nil
	_ = json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if len(jwks.Keys) != 2 || jwks.Keys[0]["d"] != nil || jwks.Keys[1]["d"] != nil {
		t.Fatalf("jwks during the overlap: %v", jwks)
	}
	oldKid, _ := jwks.Keys[1]["kid"].(string)
	if _, e, code := mcpwarden("", "token", "keygen", "-c", cliCfg, "--withdraw", oldKid); code != 0 {
		t.Fatalf("keygen --withdraw %s: %d %s", oldKid, code, e)
	}
	d := startServe(t, cfg)
	if s := call(d, before); s != 401 {
		t.Fatalf("replica started after the withdrawal: old key's token got %d", s)
	}
	if s := call(d, after); s != 200 {
		t.Fatalf("replica started after the withdrawal: new key's token got %d", s)
	}
}

// jtiOf reads a token's jti (unverified: the gateway checks it).
func jtiOf(t *testing.T, tok string) string {
	parts := strings.Split(tok, ".")
	var c struct {
		JTI string `json:"jti"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(raw, &c) != nil || c.JTI == "" {
		t.Fatalf("no jti in %q", tok)
	}
	return c.JTI
}

// TestTokenRevocationStoreDown: a replica whose revocation store cannot
// be reached refuses every token (fail closed), with a reason the client
// can read; the gateway itself stays up.
func TestTokenRevocationStoreDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close() // nothing listens there now
	dir := t.TempDir()
	key := filepath.Join(dir, "token.jwk")
	cfg := "servers:\n" + stdioServerYAML(t, "everything") + `auth:
  issuer: local
  resource: https://mcp.example.test/mcp
  signing_key: ` + key + `
  revocation: redis://` + dead + `/0
`
	cliCfg := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gatewayBin, "token", "keygen", "-c", cliCfg).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v %s", err, out)
	}
	out, err := exec.Command(gatewayBin, "token", "issue", "-c", cliCfg, "--scope", "").Output()
	if err == nil {
		t.Fatalf("issued a token without scopes: %s", out)
	}
	// Not ready while the store is down (TestReadyWaitsForRevocation).
	g := startServe(t, cfg+"  scopes:\n    mcp:all: {servers: [\"*\"]}\n", serveOpts{notReady: true})
	if err := os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg+"  scopes:\n    mcp:all: {servers: [\"*\"]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := exec.Command(gatewayBin, "token", "issue", "-c", cliCfg, "--scope", "mcp:all").Output()
	if err != nil {
		t.Fatal(err)
	}
	resp := rawCall(t, g.URL, strings.TrimSpace(string(tok)), "everything__test_simple_text")
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "revocation status unavailable") {
		t.Fatalf("store down: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// Revoking fails loudly too: nothing could be recorded.
	if out, err := exec.Command(gatewayBin, "token", "revoke", "-c", cliCfg, strings.TrimSpace(string(tok))).CombinedOutput(); err == nil {
		t.Fatalf("revoke with the store down succeeded: %s", out)
	}
}

// TestReadyWaitsForRevocation: a replica whose revocation store cannot
// vouch for tokens (Redis unreachable) refuses every token, so /readyz
// says 503 and names the store, rather than sending traffic its way.
func TestReadyWaitsForRevocation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := "servers:\n" + stdioServerYAML(t, "everything") + `auth:
  issuer: local
  resource: https://mcp.example.test/mcp
  signing_key: ` + filepath.Join(dir, "token.jwk") + `
  revocation: redis://127.0.0.1:1/0
`
	cliCfg := filepath.Join(dir, "cli.yaml")
	if err := os.WriteFile(cliCfg, []byte("listen: 127.0.0.1:8080\n"+cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gatewayBin, "token", "keygen", "-c", cliCfg).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v %s", err, out)
	}
	g := startServe(t, cfg, serveOpts{notReady: true})
	resp, err := http.Get(g.Base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"(token revocation)":"unavailable: `) {
		t.Fatalf("/readyz with an unreachable revocation store: %d %s", resp.StatusCode, body)
	}
}
