package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// These tests run against the real PostgreSQL on 127.0.0.1:5432 (trust
// auth, user postgres, database test), or MCPWARDEN_TEST_PG. Each makes
// its own schema, named per run, and drops it. They skip when there is no
// server, except in CI.

func pgAdminDSN() string { return testpeers.PostgresDSN() }

// pgLocation names a fresh schema for one test and drops it afterwards.
func pgLocation(t testing.TB) (Location, *pgx.Conn) {
	t.Helper()
	dsn, _, c := testpeers.PostgresSchema(t, "audit_test_")
	return Location{Postgres: dsn}, c
}

func testKey(t testing.TB) *Key {
	t.Helper()
	dir := t.TempDir()
	if _, err := GenerateKey(filepath.Join(dir, "k"), DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openPG(t testing.TB, loc Location, opts Options) *PGStore {
	t.Helper()
	s, err := OpenPG(context.Background(), loc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// appendAll appends records [from, to) from workers goroutines.
func appendAll(t testing.TB, s interface{ Append(*intercept.Record) error }, from, to, workers int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := from + w; i < to; i += workers {
				if err := s.Append(testRecord(i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPGStoreVerifies(t *testing.T) {
	loc, _ := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k, CheckpointEvery: 100})
	appendAll(t, s, 0, 1000, 8)
	if s.Size() != 1000 || s.Lost() != 0 {
		t.Fatalf("size %d lost %d", s.Size(), s.Lost())
	}
	s.Close()
	rep := verifyLoc(t, loc, k)
	if !rep.OK || rep.Records != 1000 || rep.Signed != 1000 || rep.Checkpoints < 2 {
		t.Fatalf("report %+v, first bad %v", rep, rep.FirstBad)
	}
	// Reopening continues the same chain and tree.
	s = openPG(t, loc, Options{Key: k})
	origin := s.Origin()
	appendAll(t, s, 1000, 1037, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 1037 || rep.Signed != 1037 {
		t.Fatalf("after reopen: %+v %v", rep, rep.FirstBad)
	}
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if o, err := r.Origin(ctx); err != nil || o != origin {
		t.Fatalf("origin %q %v, want %q", o, err, origin)
	}
	if vs, err := r.StoredVerifiers(ctx); err != nil || len(vs) != 1 {
		t.Fatalf("stored verifiers %v %v", vs, err)
	}
	// Queries: the filters and tail's newest-first limit.
	var seqs []int64
	collect := func(seq int64, _ []byte) error { seqs = append(seqs, seq); return nil }
	if err := r.Query(ctx, Filter{AfterSeq: -1, ID: "rec-0042"}, collect); err != nil || len(seqs) != 1 || seqs[0] < 0 {
		t.Fatalf("by id: %v %v", seqs, err)
	}
	seqs = nil
	if err := r.Query(ctx, Filter{AfterSeq: -1, Limit: 3, Last: true}, collect); err != nil || fmt.Sprint(seqs) != "[1034 1035 1036]" {
		t.Fatalf("last 3: %v %v", seqs, err)
	}
	seqs = nil
	if err := r.Query(ctx, Filter{AfterSeq: 1030, Server: "files", Decision: "allow"}, collect); err != nil || len(seqs) != 6 {
		t.Fatalf("after 1030: %v %v", seqs, err)
	}
	seqs = nil
	if err := r.Query(ctx, Filter{AfterSeq: -1, Server: "other"}, collect); err != nil || len(seqs) != 0 {
		t.Fatalf("server other: %v %v", seqs, err)
	}
	// Replay proves inclusion in the newest signed checkpoint.
	v, _ := note.NewVerifier(k.VKey)
	rp, err := r.ReplayRecords(ctx, Filter{AfterSeq: -1, ID: "rec-0500"}, []note.Verifier{v})
	if err != nil || !rp.OK || len(rp.Steps) != 1 || rp.Steps[0].Proof != "signed" {
		t.Fatalf("replay: %+v %v", rp, err)
	}
	// Export, then verify the bundle offline.
	var buf bytesBuffer
	if n, err := r.Export(ctx, &buf); err != nil || n != 1037 {
		t.Fatalf("export %d: %v", n, err)
	}
	path := filepath.Join(t.TempDir(), "b.jsonl")
	os.WriteFile(path, buf.b, 0o644)
	b, err := OpenBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := Verify(ctx, b, []note.Verifier{v}); err != nil || !rep.OK || rep.Records != 1037 {
		t.Fatalf("bundle: %+v %v", rep, err)
	}
}

// Subject filter: matched in Go on PostgreSQL, with the limit applied to
// matches.
func TestPGQuerySubject(t *testing.T) {
	loc, _ := pgLocation(t)
	s := openPG(t, loc, Options{})
	for i := range 20 {
		r := testRecord(i)
		if i%3 == 0 {
			r.Subject = "alice"
		}
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{AfterSeq: -1, Subject: "alice"}, "[0 3 6 9 12 15 18]"},
		{Filter{AfterSeq: -1, Subject: "alice", Limit: 2}, "[0 3]"},
		{Filter{AfterSeq: -1, Subject: "alice", Limit: 2, Last: true}, "[15 18]"},
		{Filter{AfterSeq: -1, Subject: "alic"}, "[]"},
	} {
		var seqs []int64
		err := r.Query(context.Background(), tc.f, func(seq int64, _ []byte) error { seqs = append(seqs, seq); return nil })
		if err != nil || fmt.Sprint(seqs) != tc.want {
			t.Errorf("%+v: %v %v, want %s", tc.f, seqs, err, tc.want)
		}
	}
}

// Several replicas (stores with their own pools, as separate processes
// have) append to one chain at once: it stays one valid chain and tree,
// with every acknowledged record exactly once.
func TestPGReplicas(t *testing.T) {
	loc, c := pgLocation(t)
	k := testKey(t)
	const replicas, per = 3, 400
	stores := make([]*PGStore, replicas)
	for i := range stores {
		stores[i] = openPG(t, loc, Options{Key: k, CheckpointEvery: 97})
	}
	if stores[0].Origin() != stores[2].Origin() {
		t.Fatalf("replicas see two logs: %s %s", stores[0].Origin(), stores[2].Origin())
	}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { appendAll(t, s, i*10_000, i*10_000+per, 6) })
	}
	wg.Wait()
	for _, s := range stores {
		s.Close()
	}
	rep := verifyLoc(t, loc, k)
	if !rep.OK || rep.Records != replicas*per {
		t.Fatalf("report %+v, first bad %v", rep, rep.FirstBad)
	}
	ctx := context.Background()
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	var n, distinct, writers int64
	if err := c.QueryRow(ctx, "SELECT count(*), count(DISTINCT id) FROM "+schema+".records").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != replicas*per || distinct != n {
		t.Fatalf("%d records, %d distinct ids; want %d", n, distinct, replicas*per)
	}
	// The test means something only if the writers interleaved: count
	// the runs of consecutive records from one replica.
	if err := c.QueryRow(ctx, `SELECT count(*) FROM (SELECT substr(id, 5, 1) AS w, lag(substr(id, 5, 1)) OVER (ORDER BY seq) AS p FROM `+schema+`.records) x WHERE w IS DISTINCT FROM p`).Scan(&writers); err != nil {
		t.Fatal(err)
	}
	if writers < replicas {
		t.Fatalf("only %d runs of one writer's records: the replicas did not interleave", writers)
	}
	t.Logf("%d records from %d replicas in %d runs, %d checkpoints", n, replicas, writers, rep.Checkpoints)
}

// The database refuses changes to stored rows, whatever the client.
func TestPGAppendOnly(t *testing.T) {
	loc, c := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k, CheckpointEvery: 10})
	appendAll(t, s, 0, 30, 1)
	s.Close()
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE records SET decision = 'deny' WHERE seq = 3`,
		`UPDATE records SET data = data WHERE seq = 3`,
		`DELETE FROM records WHERE seq = 29`,
		`DELETE FROM records WHERE seq = 0`, // no cut yet: nothing may go
		`TRUNCATE records`,
		`UPDATE checkpoints SET size = size + 1`,
		`DELETE FROM checkpoints`,
		`TRUNCATE checkpoints`,
		`UPDATE meta SET v = 'other' WHERE k = 'origin'`,
		`DELETE FROM meta`,
		`TRUNCATE meta`,
		`INSERT INTO cuts VALUES (5, 0, 'x', 'y'); DELETE FROM cuts`,
	} {
		if _, err := c.Exec(ctx, "SET search_path = "+schema+"; "+q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	// Benign look-alikes: reading and appending still work.
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM "+schema+".records WHERE decision = 'allow'").Scan(&n); err != nil || n != 30 {
		t.Fatalf("count %d %v", n, err)
	}
	// An owner can disable the triggers; verify then names what changed.
	if _, err := c.Exec(ctx, "ALTER TABLE "+schema+".records DISABLE TRIGGER USER"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "UPDATE "+schema+`.records SET data = replace(convert_from(data, 'UTF8'), '"allow"', '"deny"')::bytea WHERE seq = 17`); err != nil {
		t.Fatal(err)
	}
	if rep := verifyLoc(t, loc, k); rep.OK || rep.FirstBad == nil || rep.FirstBad.Seq != 17 || rep.FirstBad.Kind != KindAltered {
		t.Fatalf("altered record: %+v %v", rep, rep.FirstBad)
	}
	if _, err := c.Exec(ctx, "DELETE FROM "+schema+".records WHERE seq > 17"); err != nil {
		t.Fatal(err)
	}
	if rep := verifyLoc(t, loc, k); rep.OK || rep.FirstBad == nil || rep.FirstBad.Seq != 17 {
		t.Fatalf("after truncation: %+v %v", rep, rep.FirstBad)
	}
}

// Retention cuts under a signed checkpoint; the chain reopens and
// continues from the cut's frontier, even when every record was removed.
func TestPGRetention(t *testing.T) {
	loc, c := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k, CheckpointEvery: 50})
	appendAll(t, s, 0, 200, 1)
	// Record i has time 1764000000 s + i µs: keep from record 120.
	removed, size, err := s.cutBefore(time.Unix(1764000000, 120*1000).UnixNano())
	if err != nil || size != 120 || removed != 120 {
		t.Fatalf("cut: removed %d size %d: %v", removed, size, err)
	}
	appendAll(t, s, 200, 230, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Cut != 120 || rep.Records != 230 {
		t.Fatalf("after retention: %+v %v", rep, rep.FirstBad)
	}
	// A new writer (another replica, or a restart) loads the frontier
	// partly from the cut: 231 needs the subtree hashes of records 0-127.
	s = openPG(t, loc, Options{Key: k})
	appendAll(t, s, 230, 240, 1)
	// Cut everything: the next record chains to the cut's prev.
	if removed, size, err := s.cutBefore(time.Now().UnixNano()); err != nil || size != 240 || removed != 120 {
		t.Fatalf("cut all: removed %d size %d: %v", removed, size, err)
	}
	s.Close()
	s = openPG(t, loc, Options{Key: k})
	if s.Size() != 240 {
		t.Fatalf("size after cutting all: %d", s.Size())
	}
	appendAll(t, s, 240, 250, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Cut != 240 || rep.Records != 250 {
		t.Fatalf("after cutting all: %+v %v", rep, rep.FirstBad)
	}
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	if _, err := c.Exec(context.Background(), "DELETE FROM "+schema+".records WHERE seq = 245"); err == nil {
		t.Fatal("delete above the cut allowed")
	}
}

// Values PostgreSQL's text type refuses (NUL, invalid UTF-8) from one
// client do not fail the batch they share with others.
func TestPGTextColumns(t *testing.T) {
	loc, _ := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k})
	bad := testRecord(1)
	bad.Name, bad.Session, bad.Server = "read\x00file", "s\xff\xfe", "fi\x00les"
	look := testRecord(2)
	look.Name = "read\uFFFDfile" // what the bad name is indexed as
	var wg sync.WaitGroup
	for _, r := range []*intercept.Record{testRecord(0), bad, look, testRecord(3)} {
		wg.Go(func() {
			if err := s.Append(r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 4 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ids []string
	err = r.Query(context.Background(), Filter{AfterSeq: -1, Tool: "read\x00file"}, func(_ int64, data []byte) error {
		e, err := ParseEntry(data)
		if err == nil {
			ids = append(ids, e.ID)
		}
		return err
	})
	// Both share the indexed name; the record bytes tell them apart.
	if err != nil || len(ids) != 2 {
		t.Fatalf("query by a name with NUL: %v %v", ids, err)
	}
}

// A store that cannot reach its database fails Append (the gateway then
// refuses the call when fail_closed) and counts the loss; once the
// database is back, appends continue the chain.
func TestPGFailClosed(t *testing.T) {
	loc, c := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k})
	defer s.Close()
	appendAll(t, s, 0, 10, 1)
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	ctx := context.Background()
	// Make inserts fail: rename the table away.
	if _, err := c.Exec(ctx, "ALTER TABLE "+schema+".records RENAME TO records_away"); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(testRecord(10)); err == nil {
		t.Fatal("append succeeded without a records table")
	}
	if s.Lost() != 1 {
		t.Fatalf("lost %d", s.Lost())
	}
	if _, err := c.Exec(ctx, "ALTER TABLE "+schema+".records_away RENAME TO records"); err != nil {
		t.Fatal(err)
	}
	appendAll(t, s, 11, 20, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 19 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
}

// A record Append acknowledged is in the database even when the process
// is killed (-9) under load: the child appends from many goroutines and
// prints each id once Append returned; the parent kills it mid-stream.
func TestPGAckedRecordsSurviveKill(t *testing.T) {
	if dsn := os.Getenv("MCPWARDEN_PG_KILL_CHILD"); dsn != "" {
		pgKillChild(dsn)
		return
	}
	loc, c := pgLocation(t)
	k := testKey(t)
	// The child signs nothing: the parent checks the chain and tree.
	cmd := osexec.Command(os.Args[0], "-test.run=^TestPGAckedRecordsSurviveKill$")
	cmd.Env = append(os.Environ(), "MCPWARDEN_PG_KILL_CHILD="+loc.Postgres)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked[id] = true
		}
		if len(acked) == 3000 {
			cmd.Process.Kill()
			break
		}
	}
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked[id] = true // printed before the kill landed
		}
	}
	cmd.Wait()
	if len(acked) < 3000 {
		t.Fatalf("child acknowledged only %d records", len(acked))
	}
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	ctx := context.Background()
	// Its connections may still be finishing a transaction: wait for them.
	deadline := time.Now().Add(time.Minute)
	for {
		var busy int
		c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mcpwarden-audit' AND query ILIKE '%`+schema+`%'`).Scan(&busy)
		if busy == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stored := map[string]bool{}
	rows, err := c.Query(ctx, "SELECT id FROM "+schema+".records")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		stored[id] = true
	}
	rows.Close()
	missing := 0
	for id := range acked {
		if !stored[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records are not in the database", missing, len(acked))
	}
	// The chain is intact, and a new writer continues it.
	s := openPG(t, loc, Options{Key: k})
	appendAll(t, s, 900_000, 900_010, 1)
	s.Close()
	// The killed child's last batch may still have committed after the
	// read above (its server backend finishes a pipelined COMMIT on its
	// own): count again.
	var final int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM "+schema+".records").Scan(&final); err != nil {
		t.Fatal(err)
	}
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != final || final < int64(len(stored))+10 {
		t.Fatalf("%+v %v (stored %d before the new writer, %d after)", rep, rep.FirstBad, len(stored), final)
	}
	t.Logf("%d acknowledged before kill -9, %d stored, none missing", len(acked), len(stored))
}

func pgKillChild(dsn string) {
	s, err := OpenPG(context.Background(), Location{Postgres: dsn}, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				r := testRecord(g*1_000_000 + i)
				if err := s.Append(r); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(w, "acked %s\n", r.ID)
				w.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// A server or role default of synchronous_commit=off does not apply to
// the writer: its COMMIT waits for the WAL flush.
func TestPGSynchronousCommit(t *testing.T) {
	loc, _ := pgLocation(t)
	s := openPG(t, loc, Options{})
	defer s.Close()
	var setting string
	ctx := context.Background()
	if err := s.pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil || setting == "off" {
		t.Fatalf("synchronous_commit %q %v", setting, err)
	}
	loc.Postgres += "&synchronous_commit=off"
	w := openPG(t, loc, Options{})
	defer w.Close()
	if err := w.pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil || setting != "on" {
		t.Fatalf("with synchronous_commit=off in the DSN: %q %v", setting, err)
	}
	loc.Postgres = strings.Replace(loc.Postgres, "synchronous_commit=off", "synchronous_commit=remote_apply", 1)
	r := openPG(t, loc, Options{})
	defer r.Close()
	if err := r.pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil || setting != "remote_apply" {
		t.Fatalf("a stronger setting was changed: %q %v", setting, err)
	}
}

// The documented setup: an administrator makes the tables (audit
// pg-schema), the gateway's role may only SELECT, INSERT and (for
// retention) DELETE. It appends, verifies and prunes, and can neither
// change a row nor turn the triggers off.
func TestPGLeastPrivilegeRole(t *testing.T) {
	loc, c := pgLocation(t)
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	role := "mcpw_" + schema
	ctx := context.Background()
	ddl, err := PGSchemaSQL(schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{ddl, "CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA " + schema + " TO " + role,
		"GRANT DELETE ON " + schema + ".records TO " + role} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		c.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+role); err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	cfg, err := pgx.ParseConfig(pgAdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	loc.Postgres = fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable&search_path=%s", role, cfg.Host, cfg.Port, cfg.Database, schema)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k, CheckpointEvery: 20})
	appendAll(t, s, 0, 100, 1) // in time order, for an exact cut
	if removed, size, err := s.cutBefore(time.Unix(1764000000, 40*1000).UnixNano()); err != nil || removed != 40 || size != 40 {
		t.Fatalf("retention as the role: %d %d %v", removed, size, err)
	}
	appendAll(t, s, 100, 110, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 110 || rep.Cut != 40 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	rc, err := pgx.Connect(ctx, loc.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close(ctx)
	for _, q := range []string{
		"UPDATE records SET decision = 'deny' WHERE seq = 50",
		"TRUNCATE records",
		"ALTER TABLE records DISABLE TRIGGER USER",
		"DROP TRIGGER records_no_update ON records",
		"DELETE FROM records WHERE seq = 60",
		"CREATE TABLE x (a int)",
	} {
		if _, err := rc.Exec(ctx, q); err == nil {
			t.Errorf("the gateway's role could: %s", q)
		}
	}
}

// The database drops the writer's connection mid-batch (a failover, an
// administrator's pg_terminate_backend): the batch fails, its callers are
// told, the pool reconnects and the chain goes on, holding every
// acknowledged record once.
func TestPGConnectionKilled(t *testing.T) {
	loc, c := pgLocation(t)
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	loc.Postgres += "&application_name=" + schema // to find its sessions
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k})
	var (
		mu     sync.Mutex
		acked  = map[string]bool{}
		failed int
		wg     sync.WaitGroup
		done   atomic.Bool
	)
	for w := range 16 {
		wg.Go(func() {
			for i := 0; i < 300; i++ {
				r := testRecord(w*1000 + i)
				err := s.Append(r)
				mu.Lock()
				if err == nil {
					acked[r.ID] = true
				} else {
					failed++
				}
				mu.Unlock()
			}
		})
	}
	ctx := context.Background()
	var killed int64
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for !done.Load() {
			var n int64
			c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, schema).Scan(&n)
			atomic.AddInt64(&killed, n)
			time.Sleep(30 * time.Millisecond)
		}
	}()
	wg.Wait()
	done.Store(true)
	<-killerDone // c is one connection: the killer must be off it before the checks use it
	s.Close()
	if atomic.LoadInt64(&killed) == 0 {
		t.Fatal("no connection was terminated: the test proved nothing")
	}
	if int64(failed) != s.Lost() {
		t.Errorf("%d appends failed, Lost says %d", failed, s.Lost())
	}
	var n, distinct int
	if err := c.QueryRow(ctx, "SELECT count(*), count(DISTINCT id) FROM "+schema+".records").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	rows, _ := c.Query(ctx, "SELECT id FROM "+schema+".records")
	for rows.Next() {
		var id string
		rows.Scan(&id)
		stored[id] = true
	}
	rows.Close()
	for id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged record %s is missing", id)
		}
	}
	if n != distinct {
		t.Errorf("%d records, %d distinct", n, distinct)
	}
	// Ended on a kill, the final checkpoint may be missing: reopen to
	// sign one, then verify.
	s = openPG(t, loc, Options{Key: k})
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != int64(n) {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	t.Logf("%d sessions terminated; %d appends failed, %d acknowledged, %d stored", killed, failed, len(acked), n)
}

// committedAnyway recognises a batch by its leaf hashes at its seqs, and
// nothing else.
func TestPGCommittedAnyway(t *testing.T) {
	loc, c := pgLocation(t)
	s := openPG(t, loc, Options{})
	defer s.Close()
	appendAll(t, s, 0, 10, 1)
	schema := strings.SplitN(loc.Postgres, "search_path=", 2)[1]
	var trees [][]byte
	rows, err := c.Query(context.Background(), "SELECT tree FROM "+schema+".records WHERE seq >= 4 AND seq < 8 ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tr []byte
		rows.Scan(&tr)
		trees = append(trees, tr)
	}
	rows.Close()
	other := append([][]byte{}, trees...)
	other[2] = make([]byte, 32)
	for _, tc := range []struct {
		n0    int64
		trees [][]byte
		want  bool
	}{
		{4, trees, true},
		{5, trees, false},     // shifted
		{4, other, false},     // one record is someone else's
		{8, trees[:2], false}, // other records there
		{10, trees, false},    // nothing there
		{4, append(trees, trees[0]), false},
	} {
		if got := s.committedAnyway(tc.n0, tc.trees); got != tc.want {
			t.Errorf("n0 %d, %d trees: %v, want %v", tc.n0, len(tc.trees), got, tc.want)
		}
	}
}
