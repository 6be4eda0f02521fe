package secretstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeVault stands in for a Vault server, which cannot be installed here.
// It follows Vault's documented HTTP API for what the backend uses:
//   - KV v2 read: GET /v1/{mount}/data/{path} with X-Vault-Token, answering
//     {"data":{"data":{...},"metadata":{...}}}, 404 {"errors":[]} when absent
//     and 403 {"errors":["permission denied"]} for a bad token
//     (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2#read-secret-version);
//   - AppRole login: POST (or PUT) /v1/auth/approle/login {"role_id","secret_id"} →
//     {"auth":{"client_token","lease_duration",...}}, 400 on bad credentials
//     (https://developer.hashicorp.com/vault/api-docs/auth/approle#login-with-approle).
type fakeVault struct {
	mount   string
	secrets map[string]map[string]any // path under the mount → data
	tokens  map[string]bool
	logins  atomic.Int32
}

func (f *fakeVault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, msgs ...string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"errors": append([]string{}, msgs...)})
	}
	if r.Header.Get("X-Vault-Request") != "true" {
		fail(http.StatusPreconditionFailed, "missing X-Vault-Request")
		return
	}
	switch {
	// Vault takes PUT and POST alike for writes; the client sends PUT.
	case (r.Method == http.MethodPost || r.Method == http.MethodPut) && r.URL.Path == "/v1/auth/approle/login":
		var body struct{ RoleID, SecretID string }
		var raw map[string]string
		json.NewDecoder(r.Body).Decode(&raw)
		body.RoleID, body.SecretID = raw["role_id"], raw["secret_id"]
		if body.RoleID != "role-1" || body.SecretID != "sid-1" {
			fail(http.StatusBadRequest, "invalid role or secret ID")
			return
		}
		n := f.logins.Add(1)
		tok := "hvs.approle-" + string(rune('a'+n))
		f.tokens[tok] = true
		json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{"client_token": tok, "accessor": "acc",
			"policies": []string{"default"}, "lease_duration": 1200, "renewable": true}})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/"+f.mount+"/data/"):
		if !f.tokens[r.Header.Get("X-Vault-Token")] {
			fail(http.StatusForbidden, "permission denied")
			return
		}
		data, ok := f.secrets[strings.TrimPrefix(r.URL.Path, "/v1/"+f.mount+"/data/")]
		if !ok {
			fail(http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 0,
			"data": map[string]any{"data": data, "metadata": map[string]any{"created_time": "2026-01-01T00:00:00Z",
				"custom_metadata": nil, "deletion_time": "", "destroyed": false, "version": 1}}})
	default:
		fail(http.StatusNotFound)
	}
}

func TestVaultKVv2(t *testing.T) {
	f := &fakeVault{mount: "secret", tokens: map[string]bool{"hvs.file-token": true},
		secrets: map[string]map[string]any{
			"mcpwarden/pg-admin": {"value": "postgres://admin:pw@db/app"},
			"mcpwarden/no-field": {"other": "x"},
		}}
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
	f.tokens["hvs.from-env"] = true
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
	if n := f.logins.Load(); n != 1 {
		t.Fatalf("%d AppRole logins for 3 reads, want 1", n)
	}
	clear(f.tokens)
	if _, err := a.Get(ctx, "pg-admin"); err != nil || f.logins.Load() != 2 {
		t.Fatalf("after revocation: %v, %d logins", err, f.logins.Load())
	}
	os.WriteFile(sid, []byte("wrong"), 0o600)
	clear(f.tokens)
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
