package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

func localAuthConfig(t *testing.T) *config.Config {
	t.Helper()
	key := filepath.Join(t.TempDir(), "token.jwk")
	cfg, err := config.Parse("t.yaml", []byte(`servers: {a: {command: [x]}}
auth:
  issuer: local
  resource: https://gw.example.com/mcp
  signing_key: `+key+`
  audience: [api://mcpwarden]
  scopes:
    mcp:read: {risks: [read]}
    mcp:write: {risks: [write]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// storedKeyConfig is a local issuer whose signing key lives in an
// encrypted secrets store in dir (secret://mcpwarden-token-key).
func storedKeyConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(`servers: {a: {command: [x]}}
secrets: {file: `+filepath.Join(dir, "s.enc")+`, key_file: `+filepath.Join(dir, "s.key")+`}
auth:
  issuer: local
  resource: https://gw.example.com/mcp
  signing_key: secret://mcpwarden-token-key
  scopes: {mcp:read: {risks: [read]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestIssueTokenLocal(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	cfg := localAuthConfig(t)
	ctx := context.Background()
	req := IssueRequest{Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: "ci"}
	if _, err := IssueToken(ctx, cfg, req); err == nil || !strings.Contains(err.Error(), "token keygen") {
		t.Fatalf("issue without a key: %v", err)
	}
	kid, err := GenerateSigningKey(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(cfg.Auth.SigningKey); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode().Perm())
	}
	if _, err := GenerateSigningKey(cfg); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second keygen: %v", err)
	}
	is, err := IssueToken(ctx, cfg, IssueRequest{Scopes: []string{"mcp:read", "mcp:write"}, TTL: 10 * time.Minute, Subject: "ci", Audience: []string{"api://mcpwarden"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := compileAuth(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if !v.LocalIssuer() || !strings.Contains(string(v.IssuerMetadata()), `"issuer":"https://gw.example.com"`) {
		t.Fatalf("metadata %s", v.IssuerMetadata())
	}
	p, err := v.Validate(ctx, is.Token)
	if err != nil || p.Subject != "ci" || p.JTI != is.JTI {
		t.Fatalf("validate: %+v %v (kid %s)", p, err, kid)
	}
	// Revoked (no auth.revocation: this machine's list): refused on the
	// next call although cached; another token still passes.
	other, err := IssueToken(ctx, cfg, IssueRequest{Scopes: []string{"mcp:read"}, TTL: 5 * time.Minute, Subject: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if jti, until, err := RevokeToken(ctx, cfg, is.Token, ""); err != nil || jti != is.JTI || until.Before(is.Expiry) {
		t.Fatalf("revoke: %s %v %v", jti, until, err)
	}
	if _, err := v.Validate(ctx, is.Token); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := v.Validate(ctx, other.Token); err != nil {
		t.Fatalf("other token: %v", err)
	}
	if _, _, err := RevokeToken(ctx, cfg, "not-a-token", ""); err == nil {
		t.Fatal("garbage revoked")
	}
	if _, _, err := RevokeToken(ctx, cfg, "", other.JTI); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Validate(ctx, other.Token); err == nil {
		t.Fatal("token revoked by jti still accepted")
	}
	for name, r := range map[string]IssueRequest{
		"unknown scope": {Scopes: []string{"mcp:read", "mcp:admin"}, TTL: 10 * time.Minute, Subject: "ci"},
		"no scope":      {TTL: 10 * time.Minute, Subject: "ci"},
		"ttl too long":  {Scopes: []string{"mcp:read"}, TTL: time.Hour, Subject: "ci"},
		"ttl too short": {Scopes: []string{"mcp:read"}, TTL: time.Minute, Subject: "ci"},
		"foreign aud":   {Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: "ci", Audience: []string{"https://other.example/mcp"}},
		"empty subject": {Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: " "},
	} {
		if _, err := IssueToken(ctx, cfg, r); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	// A key file others can read is refused.
	if err := os.Chmod(cfg.Auth.SigningKey, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigningKey(ctx, cfg); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("0644 key: %v", err)
	}
}

// The key can live in the encrypted secrets store (secret://NAME).
func TestSigningKeyInSecretStore(t *testing.T) {
	dir := t.TempDir()
	cfg := storedKeyConfig(t, dir)
	ctx := context.Background()
	if _, err := LoadSigningKey(ctx, cfg); err == nil {
		t.Fatal("loaded a key that does not exist")
	}
	kid, err := GenerateSigningKey(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := LoadSigningKey(ctx, cfg)
	if err != nil || k.KeyID() != kid {
		t.Fatalf("load: %v (kid %s)", err, kid)
	}
	if _, err := GenerateSigningKey(cfg); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second keygen: %v", err)
	}
	// The store is encrypted: the key's private part is not in it as text.
	raw, _ := os.ReadFile(filepath.Join(dir, "s.enc"))
	if strings.Contains(string(raw), `"d":`) || strings.Contains(string(raw), "OKP") {
		t.Fatal("private key readable in the store file")
	}
	if _, err := IssueToken(ctx, cfg, IssueRequest{Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: "ci"}); err != nil {
		t.Fatal(err)
	}
}

// Rotation with overlap, through the functions `token keygen --rotate`
// and `--withdraw` call and the validator serve builds: new tokens are
// signed with the new key, the running validator accepts them at once,
// tokens of the old key keep working, and a withdrawn key stops.
func TestRotateSigningKey(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	file := localAuthConfig(t)
	store := storedKeyConfig(t, dir)
	for name, cfg := range map[string]*config.Config{"key file": file, "secret store": store} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := RotateSigningKey(ctx, cfg, time.Now()); err == nil {
				t.Fatal("rotated a key that does not exist")
			}
			kid1, err := GenerateSigningKey(cfg)
			if err != nil {
				t.Fatal(err)
			}
			req := IssueRequest{Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: "ci"}
			old, err := IssueToken(ctx, cfg, req)
			if err != nil {
				t.Fatal(err)
			}
			v, err := compileAuth(cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Validate(ctx, old.Token); err != nil {
				t.Fatal(err)
			}
			// The validator reads the set again at most once a second.
			time.Sleep(1100 * time.Millisecond)
			r, err := RotateSigningKey(ctx, cfg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if r.Old != kid1 || r.New == kid1 || time.Until(r.OldUntil) < issuer.MaxTTL+cfg.Auth.ClockSkew-time.Second {
				t.Fatalf("rotation %+v", r)
			}
			if k, err := LoadSigningKey(ctx, cfg); err != nil || k.KeyID() != r.New {
				t.Fatalf("current key after rotation: %v %v", k, err)
			}
			if name == "key file" {
				if st, _ := os.Stat(cfg.Auth.SigningKey); st.Mode().Perm() != 0o600 {
					t.Fatalf("rotated key file mode %v", st.Mode().Perm())
				}
			}
			fresh, err := IssueToken(ctx, cfg, req)
			if err != nil {
				t.Fatal(err)
			}
			if kidOf(t, fresh.Token) != r.New {
				t.Fatalf("new token signed by %s, want %s", kidOf(t, fresh.Token), r.New)
			}
			v2, err := compileAuth(cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			for vn, vv := range map[string]interface {
				Validate(context.Context, string) (*authn.Principal, error)
			}{"running": v, "restarted": v2} {
				for tn, tok := range map[string]string{"old key": old.Token, "new key": fresh.Token} {
					if _, err := vv.Validate(ctx, tok); err != nil {
						t.Errorf("%s validator, %s token: %v", vn, tn, err)
					}
				}
			}
			// Withdrawn: a validator built after (a reload) refuses the old
			// key's token at once; the current key cannot be withdrawn.
			if err := WithdrawSigningKey(ctx, cfg, r.New); err == nil {
				t.Fatal("withdrew the current key")
			}
			if err := WithdrawSigningKey(ctx, cfg, r.Old); err != nil {
				t.Fatal(err)
			}
			v3, err := compileAuth(cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v3.Validate(ctx, old.Token); err == nil {
				t.Fatal("withdrawn key's token accepted after reload")
			}
			if _, err := v3.Validate(ctx, fresh.Token); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, authn.Algorithms)
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

// FollowSigningKey gives the current key and follows a rotation once its
// minute is up; a read error keeps the key held.
func TestFollowSigningKey(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	cfg := localAuthConfig(t)
	ctx := context.Background()
	follow := FollowSigningKey(cfg)
	if _, err := follow(ctx); err == nil {
		t.Fatal("a key that does not exist was returned")
	}
	kid, err := GenerateSigningKey(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	follow = followSigningKey(cfg, func() time.Time { return clock })
	if k, err := follow(ctx); err != nil || k.KeyID() != kid {
		t.Fatalf("first read: %v %v", k, err)
	}
	r, err := RotateSigningKey(ctx, cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := follow(ctx); k.KeyID() != kid {
		t.Fatal("followed the rotation before its minute")
	}
	if until := time.Until(r.OldUntil); until < issuer.MaxTTL+cfg.Auth.ClockSkew+followEvery-2*time.Second {
		t.Fatalf("old key verifies %v more, want the token life + skew + %v", until, followEvery)
	}
	clock = clock.Add(followEvery)
	if k, err := follow(ctx); err != nil || k.KeyID() != r.New {
		t.Fatalf("after the minute: %v %v, want %s", k, err, r.New)
	}
	os.Remove(cfg.Auth.SigningKey)
	clock = clock.Add(followEvery)
	if k, err := follow(ctx); err != nil || k.KeyID() != r.New {
		t.Fatalf("read error with a key held: %v %v", k, err)
	}
}

// token revoke --subject: every token of the subject issued until now is
// refused (cached too), another subject's is not, and a token issued
// after the revocation works.
func TestRevokeSubject(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	// The process keeps its revocation store across reloads: forget the
	// one an earlier test opened in its own state directory.
	revMu.Lock()
	delete(revStores, "file")
	revMu.Unlock()
	cfg := localAuthConfig(t)
	ctx := context.Background()
	if _, err := GenerateSigningKey(cfg); err != nil {
		t.Fatal(err)
	}
	issue := func(sub string) string {
		is, err := IssueToken(ctx, cfg, IssueRequest{Scopes: []string{"mcp:read"}, TTL: 10 * time.Minute, Subject: sub})
		if err != nil {
			t.Fatal(err)
		}
		return is.Token
	}
	a1, a2, b := issue("ci:a"), issue("ci:a"), issue("ci:b")
	v, err := compileAuth(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a1, a2, b} {
		if _, err := v.Validate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	key, until, err := RevokeSubject(ctx, cfg, "ci:a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, authn.SubjectPrefix) || time.Until(until) < issuer.MaxTTL {
		t.Fatalf("revoke subject: %s until %v", key, until)
	}
	for _, tok := range []string{a1, a2} {
		if _, err := v.Validate(ctx, tok); err == nil || !strings.Contains(err.Error(), "every token of its subject") {
			t.Fatalf("revoked subject's token: %v", err)
		}
	}
	if _, err := v.Validate(ctx, b); err != nil {
		t.Fatalf("other subject: %v", err)
	}
	time.Sleep(1100 * time.Millisecond) // iat has a one-second grain
	if _, err := v.Validate(ctx, issue("ci:a")); err != nil {
		t.Fatalf("token issued after the revocation: %v", err)
	}
	if _, _, err := RevokeSubject(ctx, cfg, " "); err == nil {
		t.Fatal("empty subject revoked")
	}
}
