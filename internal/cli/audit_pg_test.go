package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// The audit commands against a chain in the real PostgreSQL (127.0.0.1,
// or MCPWARDEN_TEST_PG), in a schema of its own: the same commands and
// output as for SQLite, the DSN also read from the secrets backend, and
// never a password in an error.
func TestAuditCommandsPostgres(t *testing.T) {
	dsn, schema, c := testpeers.PostgresSchema(t, "audit_cli_")
	ctx := context.Background()
	store := "postgres:" + dsn

	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if out, code := runCLI(t, "audit", "keygen", key); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	k, err := audit.LoadKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := audit.OpenPG(ctx, audit.Location{Postgres: dsn}, audit.Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		d := "allow"
		if i%10 == 3 {
			d = "deny"
		}
		if err := s.Append(&intercept.Record{ID: fmt.Sprintf("id%02d", i), Time: time.Now(), Method: "tools/call", Server: "files",
			Name: "read", Decision: d, TraceID: fmt.Sprintf("%032x", i), Subject: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	out, code := runCLI(t, "audit", "query", "--store", store, "--decision", "deny")
	if code != 0 || strings.Count(out, "deny") != 3 || !strings.Contains(out, "files/read") {
		t.Errorf("query: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "query", "--store", store, "--json", "--trace", fmt.Sprintf("%032x", 7))
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"id":"id07"`) {
		t.Errorf("query --trace: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "query", "--store", store, "--subject", "alice", "--limit", "4")
	if code != 0 || strings.Count(out, "\n") != 5 {
		t.Errorf("query --subject: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "tail", "--store", store, "-n", "2")
	if code != 0 || !strings.Contains(out, "id29") || strings.Contains(out, "id27") {
		t.Errorf("tail: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "verify", "--store", store, "--pubkey", key+".pub")
	if code != 0 || !strings.HasPrefix(out, "OK: 30 records") {
		t.Errorf("verify: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "replay", "--store", store, "--pubkey", key+".pub", fmt.Sprintf("%032x", 12))
	if code != 0 || !strings.Contains(out, "id12") {
		t.Errorf("replay: %d\n%s", code, out)
	}
	bundle := filepath.Join(dir, "b.jsonl")
	if out, code := runCLI(t, "audit", "export", "--store", store, "-o", bundle); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if out, code := runCLI(t, "audit", "verify", "--bundle", bundle, "--pubkey", key+".pub", "--json"); code != 0 || !strings.Contains(out, `"ok":true`) {
		t.Errorf("verify --bundle: %d\n%s", code, out)
	}

	// -c with the DSN in the secrets backend.
	secret := "audit-dsn-" + strings.TrimPrefix(schema, "audit_cli_")[:6]
	t.Setenv("MCPWARDEN_SECRET_"+strings.ToUpper(strings.ReplaceAll(secret, "-", "_")), dsn)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("secrets: {backend: env}\naudit:\n  store: postgres:secret://"+secret+"\n  key_file: audit.key\nservers: {a: {command: [x]}}\n"), 0o600)
	out, code = runCLI(t, "audit", "verify", "-c", cfg, "--pubkey", key+".pub")
	if code != 0 || !strings.HasPrefix(out, "OK: 30 records") {
		t.Errorf("verify -c with secret:// DSN: %d\n%s", code, out)
	}

	// Tamper as the owner (triggers off): verify names the record.
	for _, q := range []string{"ALTER TABLE " + schema + ".records DISABLE TRIGGER USER",
		"UPDATE " + schema + `.records SET data = replace(convert_from(data, 'UTF8'), '"decision":"allow"', '"decision":"deny"')::bytea WHERE seq = 12`} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	out, code = runCLI(t, "audit", "verify", "--store", store, "--pubkey", key+".pub")
	if code != 1 || !strings.Contains(out, "first bad record: altered: record seq 12 (id id12)") {
		t.Errorf("verify after tampering: %d\n%s", code, out)
	}

	// pg-schema prints the DDL for a plain schema name only.
	if out, code := runCLI(t, "audit", "pg-schema", "audit_x"); code != 0 || !strings.HasPrefix(out, "BEGIN;\nCREATE SCHEMA IF NOT EXISTS audit_x;") || !strings.Contains(out, "records_no_truncate") {
		t.Errorf("pg-schema: %d\n%s", code, out)
	}
	if out, code := runCLI(t, "audit", "pg-schema", "x; DROP TABLE y"); code != 2 {
		t.Errorf("pg-schema with SQL in the name: %d\n%s", code, out)
	}

	// A password in a DSN that fails never shows in the error.
	for _, bad := range []string{
		"postgres:postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5",
		"postgres:host=127.0.0.1 port=1 password=hunter2 sslmode=disable connect_timeout=5",
		"postgres:postgres://u:hunter2@[::1/x",
		"postgres:host=127.0.0.1 password='hunter2 x' port=x",
	} {
		out, code := runCLI(t, "audit", "verify", "--store", bad)
		if code == 0 || strings.Contains(out, "hunter2") {
			t.Errorf("%s: %d, output quotes the password or succeeded:\n%s", bad, code, out)
		}
	}
}
