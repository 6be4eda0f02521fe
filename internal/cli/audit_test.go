package cli

import (
	"bytes"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), code
}

// The audit commands against a real store: keygen, query, verify (clean
// and tampered), export and offline verify.
func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if out, code := runCLI(t, "audit", "keygen", key); code != 0 || !strings.Contains(out, "public key: mcpwarden-audit+") {
		t.Fatalf("keygen: %d %s", code, out)
	}
	if _, code := runCLI(t, "audit", "keygen", key); code == 0 {
		t.Fatal("keygen overwrote a key")
	}
	k, err := audit.LoadKey(key)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "audit.db")
	s, err := audit.Open(audit.Location{Path: db, Sync: "normal"}, audit.Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		d := "allow"
		if i%10 == 3 {
			d = "deny"
		}
		s.Append(&intercept.Record{ID: fmt.Sprintf("id%02d", i), Time: time.Now(), Method: "tools/call", Server: "files",
			Name: "read", Decision: d, TraceID: fmt.Sprintf("%032x", i)})
	}
	s.Close()
	store := "sqlite:" + db

	out, code := runCLI(t, "audit", "query", "--store", store, "--decision", "deny")
	if code != 0 || strings.Count(out, "deny") != 3 || !strings.Contains(out, "files/read") {
		t.Errorf("query: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "query", "--store", store, "--json", "--trace", fmt.Sprintf("%032x", 7))
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"id":"id07"`) {
		t.Errorf("query --trace: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "tail", "--store", store, "-n", "2")
	if code != 0 || !strings.Contains(out, "id29") || strings.Contains(out, "id27") {
		t.Errorf("tail: %d\n%s", code, out)
	}
	out, code = runCLI(t, "audit", "verify", "--store", store, "--pubkey", key+".pub")
	if code != 0 || !strings.HasPrefix(out, "OK: 30 records") {
		t.Errorf("verify: %d\n%s", code, out)
	}
	bundle := filepath.Join(dir, "b.jsonl")
	if out, code := runCLI(t, "audit", "export", "--store", store, "-o", bundle); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if out, code := runCLI(t, "audit", "verify", "--bundle", bundle, "--pubkey", key+".pub", "--json"); code != 0 || !strings.Contains(out, `"ok":true`) {
		t.Errorf("verify --bundle: %d\n%s", code, out)
	}

	// Alter record 12: verify fails and names it.
	sdb, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER records_no_update`,
		`UPDATE records SET data = CAST(replace(CAST(data AS TEXT), '"decision":"allow"', '"decision":"deny"') AS BLOB) WHERE seq = 12`} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()
	out, code = runCLI(t, "audit", "verify", "--store", store, "--pubkey", key+".pub")
	if code != 1 || !strings.Contains(out, "first bad record: altered: record seq 12 (id id12)") {
		t.Errorf("verify after tampering: %d\n%s", code, out)
	}
	if out, code := runCLI(t, "audit", "verify", "--bundle", bundle); code != 2 || !strings.Contains(out, "--pubkey") {
		t.Errorf("verify --bundle without key: %d %s", code, out)
	}
}
