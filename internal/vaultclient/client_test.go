package vaultclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vault "github.com/hashicorp/vault/api"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient/vaultfake"
)

// Against the fake Vault (vaultfake; no server can be installed here):
// an AppRole token is reused, replaced once after a 403, and the VAULT_*
// environment is ignored.
func TestLogin(t *testing.T) {
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"ro": true}, RoleID: "r", SecretID: "s"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv("VAULT_TOKEN", "hvs.env")
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
	f.AddToken("hvs.env")
	sid := filepath.Join(t.TempDir(), "sid")
	os.WriteFile(sid, []byte("s\n"), 0o600)
	c, err := New(Options{Address: srv.URL, RoleID: "r", SecretIDFile: sid})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := func(cl *vault.Client) error {
		s, err := cl.Logical().ReadWithContext(ctx, "database/creds/ro")
		if err == nil && (s == nil || s.LeaseID == "") {
			t.Fatal("no lease")
		}
		return err
	}
	for range 3 {
		if err := c.Do(ctx, read); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Logins.Load(); n != 1 {
		t.Fatalf("%d logins for 3 calls", n)
	}
	f.ClearTokens()
	if err := c.Do(ctx, read); err != nil || f.Logins.Load() != 2 {
		t.Fatalf("after a 403: %v, %d logins", err, f.Logins.Load())
	}
	// A token file that is gone: a clear error, no fallback to VAULT_TOKEN.
	tc, _ := New(Options{Address: srv.URL, TokenFile: filepath.Join(t.TempDir(), "missing")})
	if err := tc.Do(ctx, read); err == nil || !strings.Contains(err.Error(), "token_file") {
		t.Fatalf("missing token file: %v", err)
	}
	f.ClearTokens()
	tf := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(tf, []byte("hvs.stale"), 0o600)
	tc, _ = New(Options{Address: srv.URL, TokenFile: tf})
	if err := tc.Do(ctx, read); !IsStatus(err, http.StatusForbidden) {
		t.Fatalf("stale token: %v", err)
	}
	for _, bad := range []Options{{}, {Address: srv.URL}, {Address: srv.URL, TokenFile: tf, RoleID: "r", SecretIDFile: sid}, {Address: srv.URL, RoleID: "r"}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}
