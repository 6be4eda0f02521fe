package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

func testRecord(i int) *intercept.Record {
	return &intercept.Record{
		ID: fmt.Sprintf("rec-%04d", i), Time: time.Unix(1764000000, int64(i)*1000).UTC(), Session: "s1",
		RPCID: fmt.Sprint(i), Method: "tools/call", Server: "files", Name: "read_file", Decision: "allow",
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", ArgsHash: "ab",
		Upstream: time.Millisecond, Total: 2 * time.Millisecond, ReqBytes: 100, RespBytes: 200, Mode: "enforce",
	}
}

// newLog writes n records (appended concurrently, so in batches) and
// closes the store, which signs a final checkpoint.
func newLog(t testing.TB, n int, opts Options) (Location, *Key) {
	t.Helper()
	dir := t.TempDir()
	if opts.Key == nil {
		if _, err := GenerateKey(filepath.Join(dir, "audit.key"), DefaultKeyName); err != nil {
			t.Fatal(err)
		}
		k, err := LoadKey(filepath.Join(dir, "audit.key"))
		if err != nil {
			t.Fatal(err)
		}
		opts.Key = k
	}
	loc := Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	s, err := Open(loc, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	workers := 4
	if n > 10_000 {
		workers = 64 // enough callers for full batches
	}
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := s.Append(testRecord(i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return loc, opts.Key
}

func verifyLoc(t *testing.T, loc Location, k *Key) *Report {
	t.Helper()
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v, err := note.NewVerifier(k.VKey)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), r, []note.Verifier{v})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestStoreVerifies(t *testing.T) {
	loc, k := newLog(t, 1000, Options{CheckpointEvery: 100})
	rep := verifyLoc(t, loc, k)
	if !rep.OK || rep.Records != 1000 || rep.Signed != 1000 || rep.Checkpoints < 2 {
		t.Fatalf("report %+v, first bad %v", rep, rep.FirstBad)
	}
	// Reopening continues the same chain and tree.
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1000; i < 1037; i++ {
		if err := s.Append(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 1037 || rep.Signed != 1037 {
		t.Fatalf("after reopen: %+v %v", rep, rep.FirstBad)
	}
	// Another key does not verify the checkpoints.
	dir := t.TempDir()
	GenerateKey(filepath.Join(dir, "k"), DefaultKeyName)
	other, _ := LoadKey(filepath.Join(dir, "k"))
	if rep := verifyLoc(t, loc, other); rep.OK || len(rep.Problems) == 0 {
		t.Fatalf("wrong key verified: %+v", rep)
	}
}

// rw opens the store for tampering, with the append-only triggers gone.
func rw(t *testing.T, loc Location) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+loc.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []string{"records_no_update", "records_no_delete"} {
		if _, err := db.Exec("DROP TRIGGER " + tr); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestTamperNamesFirstBadRecord(t *testing.T) {
	const n, at = 50, 17
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB)
		kind   string
		id     string
	}{
		{"altered", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE records SET data = CAST(replace(CAST(data AS TEXT), '"decision":"allow"', '"decision":"deny"') AS BLOB) WHERE seq = ?`, at)
		}, KindAltered, "at"},
		{"altered with its stored hash", func(t *testing.T, db *sql.DB) {
			var data []byte
			db.QueryRow(`SELECT data FROM records WHERE seq = ?`, at).Scan(&data)
			data = []byte(string(data[:len(data)-1]) + `,"x":1}`)
			f := rebuild(t, db, at)
			hs := f.append(nil, data)
			exec(t, db, `UPDATE records SET data = ?, tree = ? WHERE seq = ?`, data, joinHashes(hs), at)
		}, KindAltered, "at"},
		{"removed", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM records WHERE seq = ?`, at)
		}, KindRemoved, ""},
		{"removed at the end", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM records WHERE seq >= ?`, n-3)
		}, KindRemoved, ""},
		{"reordered", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE records SET seq = -1 WHERE seq = ?`, at)
			exec(t, db, `UPDATE records SET seq = ? WHERE seq = ?`, at, at+1)
			exec(t, db, `UPDATE records SET seq = ? WHERE seq = -1`, at+1)
		}, KindReordered, "at"},
		{"inserted", func(t *testing.T, db *sql.DB) {
			// A careful forger: right seq, right prev, right tree hashes.
			exec(t, db, `UPDATE records SET seq = seq + 1000000 WHERE seq >= ?`, at)
			exec(t, db, `UPDATE records SET seq = seq - 999999 WHERE seq >= 1000000`)
			f := rebuild(t, db, at)
			var prevTree []byte
			db.QueryRow(`SELECT tree FROM records WHERE seq = ?`, at-1).Scan(&prevTree)
			var prev [32]byte
			copy(prev[:], prevTree)
			r := testRecord(999)
			r.ID, r.Decision = "forged", "deny"
			data := append(encodeHead(nil, at, prev), encodeBody(nil, r)...)
			hs := f.append(nil, data)
			exec(t, db, `INSERT INTO records (seq, id, time_ns, session, trace_id, server, name, method, decision, data, tree) VALUES (?, 'forged', 0, '', '', '', '', '', '', ?, ?)`, at, data, joinHashes(hs))
		}, KindInserted, "forged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc, k := newLog(t, n, Options{CheckpointEvery: 10})
			db := rw(t, loc)
			ids := map[string]string{}
			for _, q := range []struct {
				k   string
				seq int
			}{{"at", at}, {"next", at + 1}} {
				var id string
				db.QueryRow(`SELECT id FROM records WHERE seq = ?`, q.seq).Scan(&id)
				ids[q.k] = id
			}
			wantID := tc.id
			if v, ok := ids[tc.id]; ok {
				wantID = v
			}
			tc.tamper(t, db)
			db.Close()
			rep := verifyLoc(t, loc, k)
			if rep.OK || rep.FirstBad == nil {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			b := rep.FirstBad
			wantSeq := int64(at)
			if tc.name == "removed at the end" {
				wantSeq = n - 3
			}
			if b.Kind != tc.kind || b.Seq != wantSeq || b.ID != wantID {
				t.Errorf("first bad = %v; want %s at seq %d id %q", b, tc.kind, wantSeq, wantID)
			}
			t.Log(b)
		})
	}
}

// rebuild returns the tree frontier of the first n records in db.
func rebuild(t *testing.T, db *sql.DB, n int) *frontier {
	t.Helper()
	f := newFrontier()
	rows, err := db.Query(`SELECT data FROM records WHERE seq < ? ORDER BY seq`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d []byte
		rows.Scan(&d)
		f.append(nil, d)
	}
	return f
}

func joinHashes[H ~[32]byte](hs []H) []byte {
	var b []byte
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}

func TestParseLocation(t *testing.T) {
	for in, want := range map[string]Location{
		"off":                   {Off: true},
		"sqlite:/x/a.db":        {Path: "/x/a.db", Sync: "normal"},
		"sqlite:a.db?sync=full": {Path: "a.db", Sync: "full"},
	} {
		got, err := ParseLocation(in)
		if err != nil || got != want {
			t.Errorf("ParseLocation(%q) = %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "postgres:x", "sqlite:", "sqlite:a?sync=maybe", "sqlite:a?x=1"} {
		if _, err := ParseLocation(bad); err == nil {
			t.Errorf("ParseLocation(%q): no error", bad)
		}
	}
}

// Two stores (two processes) appending to one file keep one chain.
func TestTwoWriters(t *testing.T) {
	dir := t.TempDir()
	GenerateKey(filepath.Join(dir, "k"), DefaultKeyName)
	k, _ := LoadKey(filepath.Join(dir, "k"))
	loc := Location{Path: filepath.Join(dir, "a.db"), Sync: "normal"}
	a, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for i := range 200 {
				if err := s.Append(testRecord(w*1000 + i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	a.Close()
	b.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 800 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
}

func TestExportBundle(t *testing.T) {
	loc, k := newLog(t, 300, Options{CheckpointEvery: 100})
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.jsonl")
	var buf bytesBuffer
	n, err := r.Export(context.Background(), &buf)
	r.Close()
	if err != nil || n != 300 {
		t.Fatalf("export: %d %v", n, err)
	}
	os.WriteFile(path, buf.b, 0o644)
	v, _ := note.NewVerifier(k.VKey)
	check := func() *Report {
		b, err := OpenBundle(path)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(context.Background(), b, []note.Verifier{v})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := check(); !rep.OK || rep.Records != 300 || rep.Unsigned != 0 {
		t.Fatalf("bundle: %+v %v", rep, rep.FirstBad)
	}
	// Alter one record in the bundle: no stored hash to compare, so the
	// chain finds it.
	lines := strings.Split(string(buf.b), "\n")
	for i, l := range lines {
		if strings.Contains(l, `"seq":120,`) {
			lines[i] = strings.Replace(l, `"decision":"allow"`, `"decision":"deny"`, 1)
		}
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	rep := check()
	if rep.OK || rep.FirstBad == nil || rep.FirstBad.Seq != 120 || rep.FirstBad.Kind != KindAltered {
		t.Fatalf("altered bundle: %+v %v", rep, rep.FirstBad)
	}
}

type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// Retention removes old records under a signed cut; the rest still
// verifies, in the store and in an export, and tampering after the cut
// is still found.
func TestRetention(t *testing.T) {
	loc, k := newLog(t, 0, Options{})
	s, err := Open(loc, Options{Key: k, CheckpointEvery: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := s.Append(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil { // cutBefore runs on the writer's side
		t.Fatal(err)
	}
	// Record i has time 1764000000 s + i µs: keep from record 120.
	removed, size, err := s.cutBefore(time.Unix(1764000000, 120*1000).UnixNano())
	if err != nil || size != 120 || removed != size {
		t.Fatalf("cut: removed %d size %d: %v", removed, size, err)
	}
	for i := 200; i < 230; i++ {
		if err := s.Append(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	rep := verifyLoc(t, loc, k)
	if !rep.OK || rep.Cut != size || rep.Records != 230 {
		t.Fatalf("after retention: %+v %v", rep, rep.FirstBad)
	}
	r, _ := OpenReader(loc)
	var buf bytesBuffer
	if _, err := r.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	r.Close()
	path := filepath.Join(t.TempDir(), "b.jsonl")
	os.WriteFile(path, buf.b, 0o644)
	b, _ := OpenBundle(path)
	v, _ := note.NewVerifier(k.VKey)
	if rep, err := Verify(context.Background(), b, []note.Verifier{v}); err != nil || !rep.OK || rep.Cut != size {
		t.Fatalf("bundle after retention: %+v %v", rep, err)
	}
	// Deleting above the cut is refused by the store itself...
	db, _ := sql.Open("sqlite", "file:"+loc.Path)
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM records WHERE seq = 150`); err == nil {
		t.Fatal("delete above the cut allowed")
	}
	// ...and, done anyway, found.
	db.Exec(`DROP TRIGGER records_no_delete`)
	exec(t, db, `DELETE FROM records WHERE seq = 150`)
	if rep := verifyLoc(t, loc, k); rep.OK || rep.FirstBad.Kind != KindRemoved || rep.FirstBad.Seq != 150 {
		t.Fatalf("removal after the cut: %+v %v", rep, rep.FirstBad)
	}
	// Removing records at the cut (the first kept) is found too.
	exec(t, db, `DELETE FROM records WHERE seq = ?`, size)
	if rep := verifyLoc(t, loc, k); rep.OK || rep.FirstBad.Seq != size {
		t.Fatalf("removal at the cut: %+v %v", rep, rep.FirstBad)
	}
}

// Processes making the default key at once all end up with the same one.
func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.key")
	keys := make([]string, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = k.VKey
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Fatalf("different keys: %q", keys)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	if b, err := os.ReadFile(path + ".pub"); err != nil || strings.TrimSpace(string(b)) != keys[0] {
		t.Fatalf("pub file: %q %v", b, err)
	}
}

// Batches of every size up to and past a full statement go in whole and
// in order, whatever mix of statement sizes carries them, and the log
// verifies.
func TestCommitBatchSizes(t *testing.T) {
	dir := t.TempDir()
	if _, err := GenerateKey(filepath.Join(dir, "audit.key"), DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(filepath.Join(dir, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	loc := Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for size := 1; size <= 2*insRows+3; size++ {
		batch := make([]*pending, size)
		for i := range batch {
			r := testRecord(n)
			n++
			batch[i] = &pending{body: encodeBody(nil, r), id: r.ID, timeNS: r.Time.UnixNano(), session: r.Session,
				trace: r.TraceID, server: r.Server, name: r.Name, method: r.Method, decision: r.Decision}
		}
		if err := s.commit(batch); err != nil {
			t.Fatalf("batch of %d: %v", size, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := rw(t, loc)
	rows, err := db.Query(`SELECT seq, id FROM records ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			t.Fatal(err)
		}
		if seq != int64(got) || id != testRecord(got).ID {
			t.Fatalf("row %d: seq %d id %s", got, seq, id)
		}
		got++
	}
	rows.Close()
	if got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != int64(n) {
		t.Fatalf("report %+v, first bad %v", rep, rep.FirstBad)
	}
}
