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

// JWT/OIDC login against the fake: the JWT is read from its file at each
// login (a projected token rotates), the Vault token is reused meanwhile,
// a 403 logs in again with the file's current JWT, and a JWT or role
// Vault refuses is an error that names the method, never the JWT.
func TestLoginJWT(t *testing.T) {
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"ro": true}, JWTMount: "k8s", JWTRole: "mcpwarden"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	jwtFile := filepath.Join(t.TempDir(), "token")
	const first, second = "eyJ.first.sig", "eyJ.second.sig"
	os.WriteFile(jwtFile, []byte(first+"\n"), 0o600)
	f.AcceptJWT(first)
	ctx := context.Background()
	read := func(cl *vault.Client) error {
		_, err := cl.Logical().ReadWithContext(ctx, "database/creds/ro")
		return err
	}
	// The default mount is jwt: this fake mounts it at k8s, so a login at
	// the default is refused, and one at the configured mount works.
	if c, err := New(Options{Address: srv.URL, JWTRole: "mcpwarden", JWTFile: jwtFile}); err != nil {
		t.Fatal(err)
	} else if err := c.Do(ctx, read); err == nil || !strings.Contains(err.Error(), "jwt login") {
		t.Fatalf("login at the wrong mount: %v", err)
	}
	c, err := New(Options{Address: srv.URL, JWTRole: "mcpwarden", JWTFile: jwtFile, JWTMount: "k8s"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.Do(ctx, read); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Logins.Load(); n != 1 {
		t.Fatalf("%d logins for 3 calls", n)
	}
	// The projected token rotates; the old one expires and the Vault
	// token is revoked: the next call logs in again with the new JWT.
	os.WriteFile(jwtFile, []byte(second), 0o600)
	f.AcceptJWT(second)
	f.RejectJWT(first)
	f.ClearTokens()
	if err := c.Do(ctx, read); err != nil || f.Logins.Load() != 2 {
		t.Fatalf("after rotation and a 403: %v, %d logins", err, f.Logins.Load())
	}
	// Refusals: an expired JWT, an unknown role, an empty or missing file.
	f.RejectJWT(second)
	f.ClearTokens()
	err = c.Do(ctx, read)
	if err == nil || !strings.Contains(err.Error(), "jwt login") || strings.Contains(err.Error(), second) {
		t.Fatalf("expired jwt: %v", err)
	}
	f.AcceptJWT(second)
	other, _ := New(Options{Address: srv.URL, JWTRole: "nope", JWTFile: jwtFile, JWTMount: "k8s"})
	if err := other.Do(ctx, read); err == nil || !strings.Contains(err.Error(), "could not be found") {
		t.Fatalf("unknown role: %v", err)
	}
	os.WriteFile(jwtFile, []byte("  \n"), 0o600)
	f.ClearTokens()
	if err := c.Do(ctx, read); err == nil || !strings.Contains(err.Error(), "jwt_file") {
		t.Fatalf("empty jwt file: %v", err)
	}
	gone, _ := New(Options{Address: srv.URL, JWTRole: "mcpwarden", JWTFile: filepath.Join(t.TempDir(), "missing"), JWTMount: "k8s"})
	if err := gone.Do(ctx, read); err == nil || !strings.Contains(err.Error(), "jwt_file") {
		t.Fatalf("missing jwt file: %v", err)
	}
	for _, bad := range []Options{
		{Address: srv.URL, JWTRole: "mcpwarden"},
		{Address: srv.URL, JWTRole: "mcpwarden", JWTFile: jwtFile, RoleID: "r", SecretIDFile: jwtFile},
		{Address: srv.URL, JWTRole: "mcpwarden", JWTFile: jwtFile, TokenFile: jwtFile},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}
