package creds

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// testWriter is the template of the effect tests: it may change the rows
// of the tables they make.
const testWriter = "mcpwarden_test_fx"

// effectsFixture mints a role that may SELECT, INSERT, UPDATE and DELETE
// in a fresh table of 5 rows, and returns the broker, the grant and a
// connection logged in as that role.
func effectsFixture(t testing.TB) (p *Postgres, g *Grant, child *pgx.Conn, table string) {
	t.Helper()
	_, schema, admin := testpeers.PostgresSchema(t, "creds_fx_")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	table = schema + ".items"
	for _, q := range []string{
		`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '` + testWriter + `') THEN CREATE ROLE ` + testWriter + ` NOLOGIN; END IF; END $$`,
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + table + ` (id int PRIMARY KEY, name text)`,
		`INSERT INTO ` + table + ` SELECT i, 'n' || i FROM generate_series(1, 5) i`,
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + testWriter,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ` + table + ` TO ` + testWriter,
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || (pe.Code != "23505" && pe.Code != "42710") { // racing CREATE ROLE
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	p, err := NewPostgres(ctx, PostgresOptions{AdminDSN: adminDSN(), Template: testWriter, TTL: time.Minute,
		ConnectionLimit: 2, Store: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	if err := p.EnableStatements(ctx); err != nil {
		t.Fatalf("EnableStatements: %v (scripts/setup preloads pg_stat_statements)", err)
	}
	g, err = p.Mint(ctx, "fx")
	if err != nil {
		t.Fatal(err)
	}
	child, err = pgx.Connect(ctx, g.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Close(context.Background()) })
	return p, g, child, table
}

func run(t testing.TB, c *pgx.Conn, q string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// byOp indexes statements by command; two of one command fail the test.
func byOp(t *testing.T, ss []Statement) map[string]Statement {
	t.Helper()
	m := map[string]Statement{}
	for _, s := range ss {
		if _, dup := m[s.Op]; dup {
			t.Fatalf("two %s statements in %+v", s.Op, ss)
		}
		m[s.Op] = s
	}
	return m
}

// TestStatementWindows: what a minted role runs on the real
// pg_stat_statements is seen in the window of the call it ran in, rows
// included; what it runs between calls is outside any call; overlapping
// windows both see it and say so.
func TestStatementWindows(t *testing.T) {
	p, g, child, table := effectsFixture(t)
	ctx := context.Background()
	w := g.Watch()
	if w.Role() != g.ID || w.Database() == "" {
		t.Fatalf("watch of role %q in database %q", w.Role(), w.Database())
	}

	win, outside, err := w.Open(ctx)
	if err != nil || len(outside) != 0 {
		t.Fatalf("first Open: outside %+v, err %v; a fresh role has run nothing", outside, err)
	}
	run(t, child, `INSERT INTO `+table+` VALUES (10, 'a'), (11, 'b')`)
	run(t, child, `UPDATE `+table+` SET name = 'x' WHERE id <= 3`)
	run(t, child, `SELECT * FROM `+table+` WHERE id < 100`)
	ran, shared, err := win.Close(ctx)
	if err != nil || shared != 0 {
		t.Fatalf("Close: shared %d, err %v", shared, err)
	}
	ops := byOp(t, ran)
	for op, rows := range map[string]int64{"INSERT": 2, "UPDATE": 3, "SELECT": 7} {
		if s := ops[op]; s.Calls != 1 || s.Rows != rows || s.QueryID == 0 {
			t.Errorf("%s: %+v, want 1 call, %d rows, a queryid", op, s, rows)
		}
	}
	if len(ran) != 3 {
		t.Errorf("window saw %d statements, want 3: %+v", len(ran), ran)
	}

	// The fingerprint is PostgreSQL's queryid: its normalized text has
	// placeholders where the statement had values.
	admin := testpeers.Postgres(t)
	defer admin.Close(ctx)
	text, found, err := StatementText(ctx, admin, w.Database(), ops["UPDATE"].QueryID)
	if err != nil || !found {
		t.Fatalf("StatementText: %q %v %v", text, found, err)
	}
	if !strings.Contains(text, "$1") || strings.Contains(text, "'x'") || StatementOp(text) != "UPDATE" {
		t.Errorf("normalized text %q: want $n placeholders, no literal", text)
	}
	if _, found, err := StatementText(ctx, admin, w.Database(), 42); found || err != nil {
		t.Errorf("an unknown queryid: found %v, err %v", found, err)
	}

	// Between calls: the next window's Open reports it as outside any
	// call, and the window itself is empty.
	run(t, child, `UPDATE `+table+` SET name = 'y' WHERE id <= 3`)
	win, outside, err = w.Open(ctx)
	if err != nil || len(outside) != 1 || outside[0].Op != "UPDATE" || outside[0].Rows != 3 || outside[0].QueryID != ops["UPDATE"].QueryID {
		t.Fatalf("outside: %+v, err %v; want the UPDATE of 3 rows", outside, err)
	}
	if ran, _, err := win.Close(ctx); err != nil || len(ran) != 0 {
		t.Fatalf("a call that ran nothing: %+v, err %v", ran, err)
	}

	// Two calls in flight at once: both windows see the DELETE, and
	// each says it was shared.
	w1, _, _ := w.Open(ctx)
	w2, outside, _ := w.Open(ctx)
	if len(outside) != 0 {
		t.Errorf("outside reported with a window open: %+v", outside)
	}
	run(t, child, `DELETE FROM `+table+` WHERE id >= 10`)
	r1, s1, err1 := w1.Close(ctx)
	run(t, child, `SELECT 1 FROM `+table+` WHERE id = 1`)
	r2, s2, err2 := w2.Close(ctx)
	if err1 != nil || err2 != nil || s1 != 1 || s2 != 1 {
		t.Fatalf("overlap: shared %d %d, err %v %v", s1, s2, err1, err2)
	}
	if d := byOp(t, r1)["DELETE"]; d.Rows != 2 || len(r1) != 1 {
		t.Errorf("first window: %+v, want the DELETE of 2 rows", r1)
	}
	if d := byOp(t, r2); d["DELETE"].Rows != 2 || d["SELECT"].Rows != 1 || len(r2) != 2 {
		t.Errorf("second window: %+v, want the DELETE and the SELECT", r2)
	}

	// The child's last statements, after its last call.
	run(t, child, `INSERT INTO `+table+` VALUES (20, 'z')`)
	fin, err := w.Final(ctx)
	if err != nil || len(fin) != 1 || fin[0].Op != "INSERT" || fin[0].Rows != 1 {
		t.Errorf("Final: %+v, %v", fin, err)
	}
	if fin, err := w.Final(ctx); err != nil || len(fin) != 0 {
		t.Errorf("Final again: %+v, %v", fin, err)
	}
	// Once the role is gone its statistics remain, but a new snapshot of
	// it finds nothing new.
	if err := g.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if s, err := p.snapshot(ctx, g.ID); err != nil || len(s) != 0 {
		t.Errorf("snapshot of a dropped role: %v %v", s, err)
	}
}

// TestStatementsUnavailable: a broker whose admin role cannot see other
// roles' statistics says so, once, and what to do.
func TestStatementsUnavailable(t *testing.T) {
	setupPG(t, adminDSN())
	admin := testpeers.Postgres(t)
	ctx := context.Background()
	defer admin.Close(ctx)
	const weak = "mcpwarden_test_weakadmin"
	run(t, admin, `DROP ROLE IF EXISTS `+weak)
	run(t, admin, `CREATE ROLE `+weak+` LOGIN CREATEROLE`)
	t.Cleanup(func() { admin.Exec(context.Background(), `DROP ROLE IF EXISTS `+weak) })
	cfg, err := pgx.ParseConfig(adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	dsn := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", weak, cfg.Host, cfg.Port, cfg.Database)
	p, err := NewPostgres(ctx, PostgresOptions{AdminDSN: dsn, Template: testTemplate, TTL: time.Minute, Store: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	err = p.EnableStatements(ctx)
	if !errors.Is(err, ErrStatementsUnavailable) || !strings.Contains(err.Error(), "pg_read_all_stats") {
		t.Fatalf("EnableStatements as a role without pg_read_all_stats: %v", err)
	}
	if err2 := p.EnableStatements(ctx); err2 != err {
		t.Errorf("second check %v, want the kept %v", err2, err)
	}
	if _, err := p.snapshot(ctx, "mcpw_x"); !errors.Is(err, ErrStatementsUnavailable) {
		t.Errorf("snapshot: %v", err)
	}
}

func TestStatementOp(t *testing.T) {
	for q, want := range map[string]string{
		"UPDATE t SET a = $1 WHERE id <= $2": "UPDATE",
		"  select 1":                         "SELECT",
		"/* sqlcommenter: traceparent='00-ab' */ insert into t values ($1)": "INSERT",
		"-- hi\nDELETE FROM t": "DELETE",
		"/* a /* nested */ still */ MERGE INTO t USING s ON true":                                 "MERGE",
		"WITH a AS (SELECT 1), b AS MATERIALIZED (DELETE FROM x RETURNING *) UPDATE t SET c = $1": "UPDATE",
		"WITH RECURSIVE r(n) AS (VALUES ($1) UNION ALL SELECT n+$2 FROM r) SELECT * FROM r":       "SELECT",
		`WITH "update" AS (SELECT 'delete') INSERT INTO t SELECT * FROM "update"`:                 "INSERT",
		"(SELECT 1) UNION (SELECT 2)":            "SELECT",
		"$1":                                     "",
		"":                                       "",
		"WITH":                                   "WITH",
		"DO $$ BEGIN UPDATE t SET a = 1; END $$": "DO",
		"SELECTé 1":                              "",
		"begin isolation level serializable":     "BEGIN",
	} {
		if got := StatementOp(q); got != want {
			t.Errorf("StatementOp(%q) = %q, want %q", q, got, want)
		}
	}
}

func FuzzStatementOp(f *testing.F) {
	for _, s := range []string{"UPDATE t", "WITH a AS (SELECT 1) DELETE FROM t", "/* x", "'", `"`, "$a$ b", "$$", "--", "((("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		op := StatementOp(q)
		if len(op) > 32 || strings.ToUpper(op) != op || strings.ContainsFunc(op, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			t.Fatalf("StatementOp(%q) = %q", q, op)
		}
	})
}

// BenchmarkWindow is the cost a call pays for its SQL effects: the two
// snapshots of its role (Open before it goes to the server, Close after),
// with the role having run 20 distinct statements.
func BenchmarkWindow(b *testing.B) {
	_, g, child, table := effectsFixture(b)
	ctx := context.Background()
	for i := range 20 {
		run(b, child, fmt.Sprintf(`SELECT %d, id FROM %s WHERE id = $1`, i, table), 1)
	}
	w := g.Watch()
	b.ResetTimer()
	for b.Loop() {
		win, _, err := w.Open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := win.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
