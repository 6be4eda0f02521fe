package secretstore

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient/vaultfake"
)

func TestVaultKVv2(t *testing.T) {
	// A fake Vault (vaultfake: none can be installed here).
	f := &vaultfake.Server{Mount: "secret", RoleID: "role-1", SecretID: "sid-1",
		Secrets: map[string]map[string]any{
			"mcpwarden/pg-admin": {"value": "postgres://admin:pw@db/app"},
			"mcpwarden/no-field": {"other": "x"},
		}}
	f.AddToken("hvs.file-token")
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("hvs.file-token\n"), 0o600)
	ctx := context.Background()

	// VAULT_TOKEN must not be picked up: only the configured file counts.
	t.Setenv("VAULT_TOKEN", "hvs.from-env")
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
	v, err := NewVault(VaultOptions{Address: srv.URL, Mount: "secret", Prefix: "mcpwarden", Field: "value", TokenFile: tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(ctx, v, "secret://pg-admin"); err != nil || got != "postgres://admin:pw@db/app" {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	if _, err := v.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing secret: %v", err)
	}
	if _, err := v.Get(ctx, "no-field"); err == nil || !strings.Contains(err.Error(), `no string field "value"`) {
		t.Fatalf("missing field: %v", err)
	}
	if _, err := v.Get(ctx, "../sys/x"); err == nil {
		t.Fatal("path traversal in a name accepted")
	}
	// A rotated token file is read again.
	os.WriteFile(tokenFile, []byte("hvs.revoked"), 0o600)
	if _, err := v.Get(ctx, "pg-admin"); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("bad token: %v", err)
	}
	f.AddToken("hvs.from-env")
	os.WriteFile(tokenFile, []byte(""), 0o600)
	if _, err := v.Get(ctx, "pg-admin"); err == nil {
		t.Fatal("empty token file: fell back to something")
	}

	// AppRole: one login, reused; a revoked token means one new login.
	sid := filepath.Join(dir, "sid")
	os.WriteFile(sid, []byte("sid-1\n"), 0o600)
	a, err := NewVault(VaultOptions{Address: srv.URL, Mount: "secret", Prefix: "mcpwarden", Field: "value", RoleID: "role-1", SecretIDFile: sid})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := a.Get(ctx, "pg-admin"); err != nil || got != "postgres://admin:pw@db/app" {
			t.Fatalf("approle Get = %q, %v", got, err)
		}
	}
	if n := f.Logins.Load(); n != 1 {
		t.Fatalf("%d AppRole logins for 3 reads, want 1", n)
	}
	f.ClearTokens()
	if _, err := a.Get(ctx, "pg-admin"); err != nil || f.Logins.Load() != 2 {
		t.Fatalf("after revocation: %v, %d logins", err, f.Logins.Load())
	}
	os.WriteFile(sid, []byte("wrong"), 0o600)
	f.ClearTokens()
	if _, err := a.Get(ctx, "pg-admin"); err == nil {
		t.Fatal("wrong secret_id worked")
	}

	for _, bad := range []VaultOptions{
		{Address: srv.URL, Mount: "secret", Field: "value"},
		{Address: srv.URL, Mount: "secret", Field: "value", TokenFile: tokenFile, RoleID: "r", SecretIDFile: sid},
		{Address: srv.URL, Mount: "secret", Field: "value", RoleID: "r"},
		{Mount: "secret", Field: "value", TokenFile: tokenFile},
	} {
		if _, err := NewVault(bad); err == nil {
			t.Errorf("NewVault(%+v) accepted", bad)
		}
	}
}
