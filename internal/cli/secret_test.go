package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func secretCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

func TestSecretCommands(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	if _, e, code := secretCLI(t, "", "secret", "list"); code == 0 || !strings.Contains(e, "no store key at") || !strings.Contains(e, "mcpwarden secret set NAME") {
		t.Fatalf("list before any set: code %d, %s", code, e)
	}
	if o, e, code := secretCLI(t, "s3cr3t-value\n", "secret", "set", "api-token"); code != 0 || !strings.Contains(o, "secret://api-token") {
		t.Fatalf("set: code %d\n%s%s", code, o, e)
	}
	if _, _, code := secretCLI(t, "", "secret", "set", "empty"); code == 0 {
		t.Error("set with an empty stdin succeeded")
	}
	if _, _, code := secretCLI(t, "x", "secret", "set", "bad name"); code != 2 {
		t.Errorf("set with a bad name: code %d, want 2", code)
	}
	if o, _, code := secretCLI(t, "", "secret", "get", "api-token"); code != 0 || o != "s3cr3t-value\n" {
		t.Fatalf("get = %q, code %d", o, code)
	}
	secretCLI(t, "v2", "secret", "set", "other")
	if o, _, _ := secretCLI(t, "", "secret", "list"); o != "api-token\nother\n" {
		t.Fatalf("list = %q", o)
	}
	raw, _ := os.ReadFile(filepath.Join(state, "mcpwarden", "secrets.enc"))
	if len(raw) == 0 || bytes.Contains(raw, []byte("s3cr3t")) || bytes.Contains(raw, []byte("api-token")) {
		t.Fatal("store missing or in clear")
	}
	if st, err := os.Stat(filepath.Join(state, "mcpwarden", "secrets.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}

	// config validate resolves every reference and refuses clear text.
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("servers:\n  a:\n    command: [x]\n    env: {API_TOKEN: secret://api-token}\n"), 0o600)
	if o, e, code := secretCLI(t, "", "config", "validate", "-c", good); code != 0 {
		t.Fatalf("validate good: %d\n%s%s", code, o, e)
	}
	missing := filepath.Join(dir, "missing.yaml")
	os.WriteFile(missing, []byte("servers:\n  a:\n    command: [x]\n    env: {API_TOKEN: secret://nope}\n"), 0o600)
	if _, e, code := secretCLI(t, "", "config", "validate", "-c", missing); code != 1 || !strings.Contains(e, `servers.a.env.API_TOKEN: secret "nope": secret not found`) {
		t.Fatalf("validate missing: %d %s", code, e)
	}
	clearText := filepath.Join(dir, "clear.yaml")
	os.WriteFile(clearText, []byte("servers:\n  a:\n    command: [x]\n    env: {API_TOKEN: s3cr3t-value}\n"), 0o600)
	if _, e, code := secretCLI(t, "", "config", "validate", "-c", clearText); code != 1 || !strings.Contains(e, "mcpwarden secret set NAME") || strings.Contains(e, "s3cr3t-value") {
		t.Fatalf("validate clear text: %d %s", code, e)
	}

	if _, _, code := secretCLI(t, "", "secret", "rm", "api-token"); code != 0 {
		t.Fatal("rm failed")
	}
	if _, _, code := secretCLI(t, "", "secret", "get", "api-token"); code == 0 {
		t.Fatal("get after rm succeeded")
	}
	if _, _, code := secretCLI(t, "", "secret", "rm", "api-token"); code == 0 {
		t.Fatal("second rm succeeded")
	}
}
