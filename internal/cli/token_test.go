package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// token keygen, --rotate, keys and --withdraw through the command line.
func TestTokenKeyRotationCommands(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gw.yaml")
	os.WriteFile(cfg, []byte(`servers: {a: {command: [x]}}
auth:
  issuer: local
  resource: https://gw.example.com/mcp
  signing_key: `+filepath.Join(dir, "token.jwk")+`
  scopes: {mcp:read: {risks: [read]}}
`), 0o600)
	if _, e, code := secretCLI(t, "", "token", "keygen", "-c", cfg, "--rotate"); code == 0 {
		t.Fatalf("rotated without a key: %s", e)
	}
	o, e, code := secretCLI(t, "", "token", "keygen", "-c", cfg)
	first := regexp.MustCompile(`made signing key (\S+) `).FindStringSubmatch(o)
	if code != 0 || first == nil {
		t.Fatalf("keygen: %d %s%s", code, o, e)
	}
	if _, e, code := secretCLI(t, "", "token", "keygen", "-c", cfg); code == 0 || !strings.Contains(e, "--rotate") {
		t.Fatalf("second keygen: %d %s", code, e)
	}
	o, e, code = secretCLI(t, "", "token", "keygen", "-c", cfg, "--rotate")
	m := regexp.MustCompile(`new signing key (\S+) in .*; the previous key (\S+) verifies until `).FindStringSubmatch(o)
	if code != 0 || m == nil || m[2] != first[1] || m[1] == first[1] {
		t.Fatalf("rotate: %d %s%s", code, o, e)
	}
	o, _, code = secretCLI(t, "", "token", "keys", "-c", cfg)
	lines := strings.Split(strings.TrimSpace(o), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "current  "+m[1]+"  EdDSA") || !strings.HasPrefix(lines[1], "retired  "+first[1]+"  EdDSA  verifies until ") {
		t.Fatalf("keys: %d\n%s", code, o)
	}
	if _, _, code := secretCLI(t, "", "token", "keygen", "-c", cfg, "--rotate", "--withdraw", first[1]); code != 2 {
		t.Fatalf("--rotate with --withdraw: exit %d, want 2", code)
	}
	if _, e, code := secretCLI(t, "", "token", "keygen", "-c", cfg, "--withdraw", m[1]); code == 0 || !strings.Contains(e, "current signing key") {
		t.Fatalf("withdrew the current key: %d %s", code, e)
	}
	if _, e, code := secretCLI(t, "", "token", "keygen", "-c", cfg, "--withdraw", first[1]); code != 0 {
		t.Fatalf("withdraw: %d %s", code, e)
	}
	if o, _, _ := secretCLI(t, "", "token", "keys", "-c", cfg); strings.Count(o, "\n") != 1 || strings.Contains(o, first[1]) {
		t.Fatalf("keys after withdrawal:\n%s", o)
	}
	// Revoke takes exactly one of the token, --jti and --subject.
	for _, args := range [][]string{{}, {"--jti", "a", "--subject", "b"}, {"tok", "--subject", "b"}} {
		if _, _, code := secretCLI(t, "", append([]string{"token", "revoke", "-c", cfg}, args...)...); code != 2 {
			t.Errorf("revoke %v: exit %d, want 2", args, code)
		}
	}
	if o, e, code := secretCLI(t, "", "token", "revoke", "-c", cfg, "--subject", "ci:x"); code != 0 || !strings.HasPrefix(o, "revoked every token of ci:x") {
		t.Fatalf("revoke --subject: %d %s%s", code, o, e)
	}
}
