package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/config"
)

// secret:// values reach the child's environment and the upstream headers
// at spawn/connect time, and nowhere in the gateway's log; a missing
// secret stops that server from starting.
func TestSecretsResolvedAtSpawn(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	f, _, err := OpenSecretFile(config.Secrets{}, true)
	if err != nil {
		t.Fatal(err)
	}
	const value = "tok-3f9a1c5e7b"
	if err := f.Set("api-token", value); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "env")
	cfg := config.Default()
	cfg.Servers = []config.Server{
		func() config.Server {
			s := config.ServerFromCommand("child", []string{"sh", "-c", `printf %s "$API_TOKEN" > "$OUT"; sleep 5`})
			s.Env = map[string]string{"API_TOKEN": "secret://api-token", "OUT": out}
			s.Sandbox.Off = true
			return s
		}(),
		{Name: "remote", URL: "https://mcp.example.com/mcp", Transport: config.TransportStreamable,
			Headers: map[string]string{"Authorization": "secret://api-token", "X-Plain": "1"}, StartTimeout: time.Second},
	}
	if probs := cfg.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	var logs bytes.Buffer
	b := newBackend(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()

	c, err := b.startStdio(ctx, cfg.Servers[0], false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []byte
	for range 100 {
		if got, _ = os.ReadFile(out); len(got) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if string(got) != value {
		t.Fatalf("child saw API_TOKEN=%q", got)
	}
	if os.Getenv("API_TOKEN") != "" {
		t.Error("the secret leaked into the gateway's own environment")
	}
	h, err := b.headers(ctx, cfg.Servers[1])
	if err != nil || h["Authorization"] != value || h["X-Plain"] != "1" {
		t.Fatalf("headers = %v, %v", h, err)
	}
	if cfg.Servers[1].Headers["Authorization"] != "secret://api-token" {
		t.Error("resolving changed the configuration")
	}
	if strings.Contains(logs.String(), value) {
		t.Errorf("secret in the log:\n%s", logs.String())
	}

	// A reference that cannot be read: the server does not start.
	bad := cfg.Servers[0]
	bad.Env = map[string]string{"API_TOKEN": "secret://missing", "OUT": out}
	if _, err := b.startStdio(ctx, bad, false); err == nil || !strings.Contains(err.Error(), `secret "missing"`) {
		t.Fatalf("missing secret: %v", err)
	}
}

// A server whose credentials cannot be minted does not start (fail
// closed), and the failure is an audit denial.
func TestCredentialsUnavailableFailsClosed(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	marker := filepath.Join(t.TempDir(), "started")
	s := config.ServerFromCommand("db", []string{"sh", "-c", `touch "$M"; sleep 5`})
	s.Env = map[string]string{"M": marker}
	s.Sandbox.Off = true
	s.Credentials.Postgres = &config.PostgresCredentials{AdminDSN: "postgres://postgres@127.0.0.1:1/test?connect_timeout=2",
		Template: "app_readonly", TTL: config.DefaultCredentialTTL, Env: "DATABASE_URL", ConnectionLimit: 1}
	cfg := config.Default()
	cfg.Servers = []config.Server{s}
	if probs := cfg.Validate(); len(probs) > 0 {
		t.Fatal(probs)
	}
	b := newBackend(cfg, slog.New(slog.DiscardHandler))
	var events []event
	b.audit = func(e event) { events = append(events, e) }
	_, err := b.startStdio(context.Background(), s, false)
	if err == nil {
		t.Fatal("server started without its credential")
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Error("the child ran")
	}
	if len(events) == 0 || events[len(events)-1].Method != "credentials/mint" || !events[len(events)-1].Deny {
		t.Errorf("audit events: %+v", events)
	}
}

// audit.key_file: secret://NAME signs checkpoints with a key kept in the
// secrets backend; config validate reads it as serve does, and a missing
// or malformed one is reported without its value.
func TestAuditKeyFromSecrets(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "audit.key")
	vkey, err := audit.GenerateKey(keyPath, audit.DefaultKeyName)
	if err != nil {
		t.Fatal(err)
	}
	skey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := OpenSecretFile(config.Secrets{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("audit-key", string(skey)); err != nil {
		t.Fatal(err)
	}
	if err := f.Set("not-a-key", "hunter2-not-a-note-key"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	k, err := loadAuditKey(ctx, "secret://audit-key", config.Secrets{})
	if err != nil || k.VKey != vkey {
		t.Fatalf("key from the secrets backend: %v %v", k, err)
	}
	for ref, want := range map[string]string{"secret://missing": "mcpwarden secret set missing", "secret://not-a-key": "not a signing key"} {
		_, err := loadAuditKey(ctx, ref, config.Secrets{})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", ref, err)
		}
	}
	// Through config validate's file check.
	cfg := config.Default()
	cfg.Servers = []config.Server{config.ServerFromCommand("a", []string{"true"})}
	cfg.Audit.Store = "sqlite:" + filepath.Join(dir, "audit.db")
	cfg.Audit.KeyFile = "secret://not-a-key"
	if err := CheckFiles(cfg); err == nil || !strings.Contains(err.Error(), "audit.key_file") {
		t.Fatalf("CheckFiles: %v", err)
	}
	cfg.Audit.KeyFile = "secret://audit-key"
	if err := CheckFiles(cfg); err != nil {
		t.Fatalf("CheckFiles: %v", err)
	}
	// The store signs its checkpoints with it.
	a, err := openAudit(cfg.Audit, cfg.Secrets, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
}
