package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// The gateway opens a postgres store whose DSN is in the secrets backend;
// config validate reads that secret as serve would, and names it (never
// its value) when it is missing. Runs against the local PostgreSQL.
func TestAuditPostgresFromSecret(t *testing.T) {
	dsn, schema, pc := testpeers.PostgresSchema(t, "audit_app_")
	ctx := context.Background()

	t.Setenv("XDG_STATE_HOME", t.TempDir())
	f, _, err := OpenSecretFile(config.Secrets{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("audit-dsn", dsn); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "audit.key")
	if _, err := audit.GenerateKey(key, audit.DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("servers: {a: {command: [x]}}\naudit:\n  store: postgres:secret://SECRET\n  key_file: %s\n", key)
	for name, want := range map[string]string{"audit-dsn": "", "audit-missing": `audit.store: secret "audit-missing"`} {
		cfg, err := config.Parse("gw.yaml", []byte(strings.ReplaceAll(src, "SECRET", name)))
		if err != nil {
			t.Fatal(err)
		}
		err = CheckSecrets(ctx, cfg)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "search_path") {
			t.Errorf("error carries the DSN: %v", err)
		}
	}

	cfg, err := config.Parse("gw.yaml", []byte(strings.ReplaceAll(src, "SECRET", "audit-dsn")))
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	a, err := openAudit(cfg.Audit, cfg.Secrets, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.store.(*audit.PGStore); !ok {
		t.Fatalf("store is %T", a.store)
	}
	for i := range 5 {
		if err := a.store.Append(&intercept.Record{ID: fmt.Sprint(i), Time: time.Now(), Method: "tools/call", Decision: "allow"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pc.QueryRow(ctx, "SELECT count(*) FROM "+schema+".records").Scan(&n); err != nil || n != 5 {
		t.Fatalf("%d records: %v", n, err)
	}
	if !strings.Contains(logs.String(), "store=postgres:secret://audit-dsn") || strings.Contains(logs.String(), schema) {
		t.Errorf("the log names the store wrongly:\n%s", logs.String())
	}
}
