package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// These tests run against the real PostgreSQL on 127.0.0.1:5432 (trust
// auth, user postgres, database test), or MCPWARDEN_TEST_PG. They skip
// when it is not there, except in CI, where .ci/run starts it.
const (
	testTemplate = "mcpwarden_test_ro"
	testTable    = "mcpwarden_creds_items"
)

func adminDSN() string { return testpeers.PostgresDSN() }

// setupPG makes the template role (SELECT on one table, nothing else).
func setupPG(t testing.TB, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("no PostgreSQL at %s: %v", dsn, err)
	}
	defer c.Close(ctx)
	for _, q := range []string{
		fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s NOLOGIN; END IF; END $$`, testTemplate, testTemplate),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (id int PRIMARY KEY, name text)`, testTable),
		fmt.Sprintf(`INSERT INTO %s VALUES (1, 'one') ON CONFLICT DO NOTHING`, testTable),
		fmt.Sprintf(`GRANT SELECT ON %s TO %s`, testTable, testTemplate),
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			// Two packages setting up at once may race on CREATE ROLE.
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || (pe.Code != "23505" && pe.Code != "42710") {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
}

func newBroker(t testing.TB, store *Store, dsn string, ttl time.Duration) *Postgres {
	t.Helper()
	p, err := NewPostgres(context.Background(), PostgresOptions{AdminDSN: dsn, Template: testTemplate, TTL: ttl,
		ConnectionLimit: 2, Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "state", "leases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type roleInfo struct {
	exists    bool
	login     bool
	connLimit int
	validTill time.Time
	member    bool
}

func role(t *testing.T, name string) roleInfo {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var r roleInfo
	err = c.QueryRow(ctx, `SELECT rolcanlogin, rolconnlimit, coalesce(rolvaliduntil, 'epoch'), pg_has_role($1, $2, 'MEMBER') FROM pg_roles WHERE rolname = $1`,
		name, testTemplate).Scan(&r.login, &r.connLimit, &r.validTill, &r.member)
	if errors.Is(err, pgx.ErrNoRows) {
		return r
	}
	if err != nil {
		t.Fatal(err)
	}
	r.exists = true
	return r
}

func TestMintGrantsOnlyTheTemplateAndRevokeDrops(t *testing.T) {
	setupPG(t, adminDSN())
	ctx := context.Background()
	store := openStore(t)
	p := newBroker(t, store, adminDSN(), 10*time.Minute)
	defer p.Close(ctx)

	g, err := p.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(g.ID, RolePrefix) || strings.Contains(g.DSN, "postgres@") {
		t.Fatalf("role %q, dsn user wrong", g.ID)
	}
	r := role(t, g.ID)
	if !r.exists || !r.login || r.connLimit != 2 || !r.member {
		t.Fatalf("minted role: %+v", r)
	}
	if d := r.validTill.Sub(time.Now().Add(10 * time.Minute)); d > 5*time.Second || d < -5*time.Second {
		t.Errorf("VALID UNTIL %v, want about now+10m", r.validTill)
	}
	leases, _ := store.Leases(ctx, BrokerPostgres, p.Target())
	if len(leases) != 1 || leases[0].ID != g.ID || leases[0].Server != "db" {
		t.Fatalf("lease records: %+v", leases)
	}

	// The role can do what the template grants and nothing else.
	c, err := pgx.Connect(ctx, g.DSN)
	if err != nil {
		t.Fatalf("connect with the minted DSN: %v", err)
	}
	var user, name string
	if err := c.QueryRow(ctx, "SELECT current_user, name FROM "+testTable+" WHERE id = 1").Scan(&user, &name); err != nil || user != g.ID || name != "one" {
		t.Fatalf("SELECT as minted role: %q %q %v", user, name, err)
	}
	for _, q := range []string{
		"INSERT INTO " + testTable + " VALUES (2, 'two')",
		"UPDATE " + testTable + " SET name = 'x'",
		"DELETE FROM " + testTable,
		"CREATE TABLE mcpw_evil (x int)",
		"CREATE ROLE mcpw_evil2",
		"SET ROLE postgres",
		"ALTER ROLE " + ident(g.ID) + " VALID UNTIL 'infinity'",
	} {
		_, err := c.Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code != "42501" && pe.Code != "42710") {
			t.Errorf("%s: %v, want permission denied", q, err)
		}
	}
	// The connection limit holds.
	var extra []*pgx.Conn
	for range 2 {
		ec, err := pgx.Connect(ctx, g.DSN)
		if err != nil {
			break
		}
		extra = append(extra, ec)
	}
	if len(extra) != 1 {
		t.Errorf("opened %d more connections with a limit of 2 (one already open), want 1", len(extra))
	}
	for _, ec := range extra {
		ec.Close(ctx)
	}

	// Revoke ends the open session and drops the role and the lease.
	if err := g.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("session of a revoked role still works")
	}
	c.Close(ctx)
	if r := role(t, g.ID); r.exists {
		t.Errorf("role %s still exists after revoke", g.ID)
	}
	if leases, _ := store.Leases(ctx, BrokerPostgres, p.Target()); len(leases) != 0 {
		t.Errorf("leases after revoke: %+v", leases)
	}
	if _, err := pgx.Connect(ctx, g.DSN); err == nil {
		t.Error("revoked DSN connects")
	}
	if err := g.Revoke(ctx); err != nil {
		t.Errorf("second revoke: %v", err)
	}
}

func TestReaperRemovesCrashedBrokersRolesOnly(t *testing.T) {
	setupPG(t, adminDSN())
	ctx := context.Background()
	store := openStore(t)

	crashed := newBroker(t, store, adminDSN(), 10*time.Minute)
	left, err := crashed.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	crashed.crash() // no revoke: what a killed gateway leaves

	alive := newBroker(t, store, adminDSN(), 10*time.Minute)
	defer alive.Close(ctx)
	keep, err := alive.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	// A role with the prefix but no lease: not ours to drop.
	stranger := RolePrefix + "notminted" + fmt.Sprint(time.Now().UnixNano()%1e6)
	admin, err := pgx.Connect(ctx, adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE ROLE "+stranger); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP ROLE IF EXISTS "+stranger)
	if !role(t, left.ID).exists {
		t.Fatal("crashed broker's role is already gone")
	}

	next := newBroker(t, store, adminDSN(), 10*time.Minute)
	defer next.Close(ctx)
	reaped, err := next.Reap(ctx)
	if err != nil || len(reaped) != 1 || reaped[0] != left.ID {
		t.Fatalf("Reap = %v, %v; want [%s]", reaped, err, left.ID)
	}
	if role(t, left.ID).exists {
		t.Error("crashed broker's role survived the reaper")
	}
	if !role(t, keep.ID).exists {
		t.Error("reaper dropped a live broker's role")
	}
	if !role(t, stranger).exists {
		t.Error("reaper dropped a role it did not mint")
	}
	if reaped, _ := next.Reap(ctx); len(reaped) != 0 {
		t.Errorf("second Reap removed %v", reaped)
	}
}

func TestOwnerGone(t *testing.T) {
	o := newOwner()
	if ownerGone(o) {
		t.Fatal("a live owner counts as gone")
	}
	endOwner(o)
	if !ownerGone(o) {
		t.Fatal("an ended owner of this process counts as alive")
	}
	host, _ := os.Hostname()
	// Another process that is gone, or a pid reused by a later process.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	if !ownerGone(fmt.Sprintf("%s/%d/123/x", host, cmd.Process.Pid)) {
		t.Error("exited process counts as alive")
	}
	if !ownerGone(fmt.Sprintf("%s/1/%s0/x", host, procStart(1))) {
		t.Error("reused pid (other start time) counts as alive")
	}
	if ownerGone(fmt.Sprintf("%s/1/%s/x", host, procStart(1))) {
		t.Error("running process counts as gone")
	}
	for _, o := range []string{"otherhost/1/2/x", "garbage", "", host + "/x/1/y"} {
		if ownerGone(o) {
			t.Errorf("ownerGone(%q) = true, want alive (left to expire)", o)
		}
	}
}

func TestRenewMovesValidUntil(t *testing.T) {
	setupPG(t, adminDSN())
	ctx := context.Background()
	store := openStore(t)
	p, err := NewPostgres(ctx, PostgresOptions{AdminDSN: adminDSN(), Template: testTemplate, TTL: 4 * time.Second,
		Renew: 300 * time.Millisecond, ConnectionLimit: 1, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	g, err := p.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	first := role(t, g.ID).validTill
	time.Sleep(time.Second)
	later := role(t, g.ID).validTill
	if !later.After(first.Add(500 * time.Millisecond)) {
		t.Errorf("VALID UNTIL not renewed: %v then %v", first, later)
	}
	leases, _ := store.Leases(ctx, BrokerPostgres, p.Target())
	if len(leases) != 1 || leases[0].Expires.Before(first.Add(500*time.Millisecond)) {
		t.Errorf("lease expiry not renewed: %+v", leases)
	}
	// Close revokes what is live.
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if role(t, g.ID).exists {
		t.Error("Close left a live role")
	}
	if _, err := p.Mint(ctx, "db"); err == nil {
		t.Error("Mint after Close succeeded")
	}
}

func TestQuoting(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:     `'plain'`,
		`it's`:      `'it''s'`,
		`a\b`:       `E'a\\b'`,
		`x'\`:       `E'x''\\'`,
		"nul\x00ok": `'nulok'`,
	} {
		if got := literal(in); got != want {
			t.Errorf("literal(%q) = %s, want %s", in, got, want)
		}
	}
	if got := ident(`we"ird`); got != `"we""ird"` {
		t.Errorf("ident = %s", got)
	}
	if got := sslMode("postgres://h/db?sslmode=verify-full&x=1"); got != "verify-full" {
		t.Errorf("sslMode URL = %q", got)
	}
	if got := sslMode("host=h sslmode=require"); got != "require" {
		t.Errorf("sslMode keywords = %q", got)
	}
}

func TestBadAdminDSNNotEchoed(t *testing.T) {
	_, err := NewPostgres(context.Background(), PostgresOptions{AdminDSN: "postgres://u:hunter2@[::1/x", Template: "t",
		TTL: time.Minute, Store: &Store{}})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad DSN: %v", err)
	}
	_, err = NewPostgres(context.Background(), PostgresOptions{AdminDSN: adminDSN(), Template: "mcpwarden_no_such_role",
		TTL: time.Minute, Store: openStore(t)})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		if err != nil && strings.Contains(err.Error(), "connect") {
			t.Skip(err)
		}
		t.Fatalf("missing template: %v", err)
	}
}

func BenchmarkMint(b *testing.B) {
	setupPG(b, adminDSN())
	ctx := context.Background()
	store := openStore(b)
	p := newBroker(b, store, adminDSN(), 10*time.Minute)
	defer p.Close(ctx)
	var gs []*Grant
	b.ResetTimer()
	for b.Loop() {
		g, err := p.Mint(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		gs = append(gs, g)
	}
	b.StopTimer()
	start := time.Now()
	for _, g := range gs {
		if err := g.Revoke(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(len(gs))/1000, "revoke-ms/op")
}

// BenchmarkRevokeWithSession: revoke while the role has an open session,
// which pg_terminate_backend ends (and waits for).
func BenchmarkRevokeWithSession(b *testing.B) {
	setupPG(b, adminDSN())
	ctx := context.Background()
	p := newBroker(b, openStore(b), adminDSN(), 10*time.Minute)
	defer p.Close(ctx)
	var total time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		g, err := p.Mint(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		c, err := pgx.Connect(ctx, g.DSN)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := g.Revoke(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		n++
		b.StopTimer()
		c.Close(ctx)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(n)/1000, "revoke-ms/op")
}

func BenchmarkSCRAMVerifier(b *testing.B) {
	for b.Loop() {
		if _, err := scramVerifier("0123456789abcdef0123456789abcdef0123456789a"); err != nil {
			b.Fatal(err)
		}
	}
}
