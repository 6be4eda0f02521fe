package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// Per-call SQL effects end to end: the real gateway mints a role for a
// stdio child; a call that makes the child UPDATE 3 rows has, in its audit
// record, an sql effect with op UPDATE, rows 3, the role and the queryid
// (never the statement's values); audit replay shows it, and with --db the
// statement's normalized text. A call that runs no statement has no
// effect; a statement the child runs between calls is an
// effects/outside-call event, not the next call's.
// Needs PostgreSQL on 127.0.0.1:5432 with pg_stat_statements preloaded
// (scripts/setup).

const e2eWriter = "mcpwarden_e2e_fx"

// replayedRecord is what the test reads of a replayed record.
type replayedRecord struct {
	ID      string `json:"id"`
	Session string `json:"session"`
	Method  string `json:"method"`
	Name    string `json:"name"`
	Args    struct {
		Table string `json:"table"`
	} `json:"args"`
	Effect []struct {
		Kind        string `json:"kind"`
		Target      string `json:"target"`
		Op          string `json:"op"`
		Fingerprint string `json:"fingerprint"`
		Role        string `json:"role"`
		Rows        *int64 `json:"rows"`
		Error       string `json:"error"`
	} `json:"effect"`
}

type replayDoc struct {
	OK    bool `json:"ok"`
	Steps []struct {
		Record     replayedRecord `json:"record"`
		Statements []struct {
			Fingerprint string `json:"fingerprint"`
			Text        string `json:"text"`
			Unavailable string `json:"unavailable"`
		} `json:"statements"`
	} `json:"steps"`
}

func replayJSON(t *testing.T, args ...string) replayDoc {
	t.Helper()
	out, err := auditCLI(t, append([]string{"replay", "--json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var doc replayDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return doc
}

// fxTable makes a table of 5 rows (id, n) in a fresh schema that the
// template e2eWriter may read and update, and any extra setup statements
// first; it returns the table's schema-qualified name.
func fxTable(t *testing.T, prefix string, extra ...string) (table string, admin *pgx.Conn) {
	t.Helper()
	_, schema, admin := testpeers.PostgresSchema(t, prefix)
	table = schema + ".items"
	for _, q := range append(extra,
		`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+e2eWriter+`') THEN CREATE ROLE `+e2eWriter+` NOLOGIN; END IF; END $$`,
		`CREATE SCHEMA `+schema,
		`CREATE TABLE `+table+` (id int PRIMARY KEY, n int NOT NULL)`,
		`INSERT INTO `+table+` SELECT i, 0 FROM generate_series(1, 5) i`,
		`GRANT USAGE ON SCHEMA `+schema+` TO `+e2eWriter,
		`GRANT SELECT, UPDATE ON `+table+` TO `+e2eWriter,
	) {
		if _, err := admin.Exec(ctxT(t, 10*time.Second), q); err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return table, admin
}

// fxServe starts serve with its audit store in a temporary directory and
// one server, fx (dbpeer), whose children get e2eWriter roles minted with
// adminDSN; it returns the gateway and the store.
func fxServe(t *testing.T, adminDSN string) (*gateway, string) {
	t.Helper()
	store := "sqlite:" + filepath.Join(t.TempDir(), "audit.db")
	return startServe(t, fmt.Sprintf(`audit:
  store: %s
servers:
  fx:
    command: [%q]
    sandbox: off
    credentials:
      postgres: {admin_dsn: %q, template: %s, ttl: 5m}
`, store, dbPeer(t), adminDSN, e2eWriter)), store
}

func TestSQLEffectsPerCall(t *testing.T) {
	table, admin := fxTable(t, "e2e_fx_")
	schema, _, _ := strings.Cut(table, ".")
	ctx := ctxT(t, 30*time.Second)
	var preload string
	if err := admin.QueryRow(ctx, "SHOW shared_preload_libraries").Scan(&preload); err != nil || !strings.Contains(preload, "pg_stat_statements") {
		t.Fatalf("pg_stat_statements is not preloaded (%q, %v): run scripts/setup", preload, err)
	}
	set := exec.Command(gatewayBin, "secret", "set", "e2e-pg-admin-fx")
	set.Stdin = strings.NewReader(e2eAdminDSN + "\n")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
	g, store := fxServe(t, "secret://e2e-pg-admin-fx")
	s := sdkSession(t, g.URL)
	call := func(tool string) string {
		t.Helper()
		res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"table": table}})
		if err != nil || len(res.Content) == 0 {
			t.Fatalf("%s: %v %+v", tool, err, res)
		}
		return res.Content[0].(*mcp.TextContent).Text
	}
	if got := call("update"); got != "3 rows" {
		t.Fatalf("update said %q", got)
	}
	call("noop")
	call("later")
	time.Sleep(time.Second) // the child's own UPDATE, between calls
	call("noop")
	// A stateless (2026-07-28) request is served by the server's pool:
	// its child, and role, start within this first call.
	if r := newRawClient(t, g.URL).modernCall("tools/call", map[string]any{"name": "update", "arguments": map[string]any{"table": table}}, "update"); r.Status != 200 || !strings.Contains(string(r.Body), "3 rows") {
		t.Fatalf("stateless update: %s", r)
	}

	var doc replayDoc
	if !waitFor(10*time.Second, func() bool {
		out, err := auditCLI(t, "replay", "--json", "--since", "1h", "--store", store)
		return err == nil && json.Unmarshal([]byte(out), &doc) == nil && countCalls(doc) == 5 && hasOutside(doc)
	}) {
		t.Fatalf("5 calls and an effects/outside-call event not all in the store: %+v\n%s", doc, g.Stderr.String())
	}
	var update, stateless replayedRecord
	for _, st := range doc.Steps {
		r := st.Record
		switch {
		case r.Method == "tools/call" && r.Name == "update" && r.Session == "":
			stateless = r
		case r.Method == "tools/call" && r.Name == "update":
			update = r
		case r.Method == "tools/call":
			if len(r.Effect) != 0 {
				t.Errorf("%s ran no statement in its window, yet has effects %+v", r.Name, r.Effect)
			}
		case r.Method == "effects/outside-call":
			if len(r.Effect) != 1 || r.Effect[0].Op != "UPDATE" || r.Effect[0].Rows == nil || *r.Effect[0].Rows != 1 {
				t.Errorf("outside-call event: %+v, want the UPDATE of 1 row", r.Effect)
			}
		}
	}
	if len(update.Effect) != 1 {
		t.Fatalf("update's record has effects %+v, want one", update.Effect)
	}
	ef := update.Effect[0]
	if ef.Kind != "sql" || ef.Op != "UPDATE" || ef.Rows == nil || *ef.Rows != 3 || ef.Target != "test" ||
		!strings.HasPrefix(ef.Role, "mcpw_") || ef.Fingerprint == "" || ef.Error != "" {
		t.Errorf("update's effect: %+v, want sql UPDATE of 3 rows on test as the minted role", ef)
	}
	if e := stateless.Effect; len(e) != 1 || e[0].Op != "UPDATE" || e[0].Rows == nil || *e[0].Rows != 3 || e[0].Role == ef.Role || e[0].Fingerprint != ef.Fingerprint {
		t.Errorf("stateless update's effects: %+v, want the same UPDATE of 3 rows by the pool child's own role", e)
	}
	var qid int64
	if err := admin.QueryRow(ctx, `SELECT queryid FROM pg_stat_statements WHERE query LIKE 'UPDATE '||$1||'%id <= $%' LIMIT 1`, `"`+schema+`"."items"`).Scan(&qid); err != nil || fmt.Sprint(qid) != ef.Fingerprint {
		t.Errorf("fingerprint %s, pg_stat_statements has queryid %d (%v)", ef.Fingerprint, qid, err)
	}

	// Replay: the effect, and with --db its normalized statement.
	out, err := auditCLI(t, "replay", update.ID, "--store", store)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
	want := fmt.Sprintf("effect    sql UPDATE on test: 3 rows (statement %s, as %s)", ef.Fingerprint, ef.Role)
	if !strings.Contains(out, want) || strings.Contains(out, "      statement") {
		t.Errorf("replay without --db: want %q and no statement text", want)
	}
	out, err = auditCLI(t, "replay", update.ID, "--store", store, "--db", e2eAdminDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
	if !strings.Contains(out, want) || !strings.Contains(out, `      statement UPDATE "`+schema+`"."items" SET n = n + $1 WHERE id <= $2`) {
		t.Errorf("replay --db: want the normalized UPDATE under the effect")
	}
	// Without --db, the configuration's admin DSN (from the secret store)
	// and audit store serve as well.
	out, err = auditCLI(t, "replay", update.ID, "-c", g.CfgPath)
	if err != nil || !strings.Contains(out, `      statement UPDATE "`+schema+`"."items" SET n = n + $1 WHERE id <= $2`) {
		t.Errorf("replay -c: want the normalized UPDATE (%v):\n%s", err, out)
	}
	doc = replayJSON(t, update.ID, "--store", store, "--db", e2eAdminDSN)
	if len(doc.Steps) != 1 || len(doc.Steps[0].Statements) != 1 || doc.Steps[0].Statements[0].Fingerprint != ef.Fingerprint ||
		!strings.Contains(doc.Steps[0].Statements[0].Text, "SET n = n + $1 WHERE id <= $2") {
		t.Errorf("replay --json --db: %+v", doc.Steps)
	}
	// The record holds no statement text, normalized or not.
	raw, _ := auditCLI(t, "replay", "--json", update.ID, "--store", store)
	if strings.Contains(raw, "SET n") || strings.Contains(raw, "statements") {
		t.Errorf("statement text in the record or replay without --db:\n%s", raw)
	}
}

func countCalls(doc replayDoc) int {
	n := 0
	for _, st := range doc.Steps {
		if st.Record.Method == "tools/call" {
			n++
		}
	}
	return n
}

func hasOutside(doc replayDoc) bool {
	for _, st := range doc.Steps {
		if st.Record.Method == "effects/outside-call" {
			return true
		}
	}
	return false
}

// TestSQLEffectsUnavailable: an admin role that may mint roles but not
// read other roles' statistics: the gateway says so once, and calls go on
// without effects.
func TestSQLEffectsUnavailable(t *testing.T) {
	const weak = "mcpwarden_e2e_weakadmin"
	table, _ := fxTable(t, "e2e_fxu_",
		`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+weak+`') THEN CREATE ROLE `+weak+` LOGIN CREATEROLE; END IF; END $$`,
		`GRANT pg_signal_backend TO `+weak)
	g, store := fxServe(t, "postgres://"+weak+"@127.0.0.1:5432/test?sslmode=disable")
	for range 2 { // two sessions, two roles from one broker
		s := sdkSession(t, g.URL)
		res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "update", Arguments: map[string]any{"table": table}})
		if err != nil || len(res.Content) == 0 || res.Content[0].(*mcp.TextContent).Text != "3 rows" {
			t.Fatalf("update without effects: %v %+v", err, res)
		}
	}
	const warning = "per-call SQL effects unavailable"
	if !waitFor(5*time.Second, func() bool { return strings.Contains(g.Stderr.String(), warning) }) {
		t.Fatalf("no warning %q:\n%s", warning, g.Stderr.String())
	}
	if n := strings.Count(g.Stderr.String(), warning); n != 1 || !strings.Contains(g.Stderr.String(), "pg_read_all_stats") {
		t.Errorf("warned %d times, want once, naming pg_read_all_stats", n)
	}
	var doc replayDoc
	if !waitFor(10*time.Second, func() bool {
		out, err := auditCLI(t, "replay", "--json", "--since", "1h", "--store", store)
		return err == nil && json.Unmarshal([]byte(out), &doc) == nil && countCalls(doc) == 2
	}) {
		t.Fatalf("2 calls not in the store: %+v", doc)
	}
	for _, st := range doc.Steps {
		if len(st.Record.Effect) != 0 {
			t.Errorf("%s has effects %+v without readable statistics", st.Record.Method, st.Record.Effect)
		}
	}
}
