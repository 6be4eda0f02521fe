package audit

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/rawio"
)

func testPending(i int) *pending {
	r := testRecord(i)
	p := &pending{body: encodeBody(nil, r), id: r.ID, timeNS: r.Time.UnixNano(), session: r.Session, trace: r.TraceID,
		server: r.Server, name: r.Name, method: r.Method, decision: r.Decision}
	return p
}

// journalBytes is a journal of n records, and the offset where each entry
// starts.
func journalBytes(t testing.TB, origin string, n int) ([]byte, [journalIDLen]byte, []int) {
	var id [journalIDLen]byte
	copy(id[:], "0123456789abcdef")
	b := journalHeader(id, origin)
	var starts []int
	for i := range n {
		starts = append(starts, len(b))
		var err error
		if b, err = appendEntry(b, testPending(i)); err != nil {
			t.Fatal(err)
		}
	}
	return b, id, starts
}

func TestJournalParse(t *testing.T) {
	data, id, starts := journalBytes(t, "o", 5)
	gotID, origin, es, torn, err := parseJournal("j", data)
	if err != nil || gotID != id || origin != "o" || len(es) != 5 || torn != -1 {
		t.Fatalf("parse: %v %q %d entries torn %d", err, origin, len(es), torn)
	}
	for i, e := range es {
		want := testPending(i)
		if e.p.id != want.id || e.p.timeNS != want.timeNS || e.p.decision != want.decision || !bytes.Equal(e.p.body, want.body) {
			t.Fatalf("entry %d: %+v", i, e.p)
		}
	}
	last := starts[4]

	// Torn tails: the last write cut anywhere, garbage-free zeros after a
	// power loss, a last entry whose bytes did not all reach the disk.
	for cut := last + 1; cut < len(data); cut++ {
		if _, _, es, torn, err := parseJournal("j", data[:cut]); err != nil || len(es) != 4 || torn != int64(last) {
			t.Fatalf("cut at %d: %d entries torn %d %v", cut, len(es), torn, err)
		}
	}
	zeros := append(bytes.Clone(data), make([]byte, 4096)...)
	if _, _, es, torn, err := parseJournal("j", zeros); err != nil || len(es) != 5 || torn != int64(len(data)) {
		t.Fatalf("zero tail: %d entries torn %d %v", len(es), torn, err)
	}
	flipLast := bytes.Clone(data)
	flipLast[len(flipLast)-3] ^= 1
	if _, _, es, torn, err := parseJournal("j", flipLast); err != nil || len(es) != 4 || torn != int64(last) {
		t.Fatalf("bad last entry: %d entries torn %d %v", len(es), torn, err)
	}
	for _, hdr := range [][]byte{nil, data[:5], data[:starts[0]-1], make([]byte, 40)} {
		if _, _, es, _, err := parseJournal("j", hdr); err != nil || len(es) != 0 {
			t.Fatalf("header cut short (%d bytes): %d entries %v", len(hdr), len(es), err)
		}
	}

	// Corruption anywhere else refuses, naming the file and the offset.
	for name, c := range map[string]struct {
		data []byte
		off  int64
	}{
		"payload byte":  {flip(data, starts[2]+20), int64(starts[2])},
		"length":        {flip(data, starts[1]), int64(starts[1])},
		"length huge":   {set(data, starts[1]+3, 0x7f), int64(starts[1])},
		"checksum":      {flip(data, starts[0]+5), int64(starts[0])},
		"header":        {flip(data, 10), 0},
		"magic":         {flip(data, 0), 0},
		"zeros between": {append(append(bytes.Clone(data[:starts[3]]), make([]byte, 64)...), data[starts[3]:]...), int64(starts[3])},
	} {
		_, _, _, _, err := parseJournal("/x/audit.db.journal-ab", c.data)
		var je *JournalError
		if !errors.As(err, &je) || je.Offset != c.off || !strings.Contains(err.Error(), "/x/audit.db.journal-ab") {
			t.Errorf("%s: %v; want a JournalError at %d", name, err, c.off)
		}
	}
}

func flip(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 0x10; return c }
func set(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func newKey(t testing.TB) *Key {
	k, _ := newKeyFile(t)
	return k
}

func newKeyFile(t testing.TB) (*Key, string) {
	path := filepath.Join(t.TempDir(), "k")
	if _, err := GenerateKey(path, DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return k, path
}

func countRecords(t testing.TB, loc Location) int {
	t.Helper()
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM records`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func storedIDs(t testing.TB, loc Location) map[string]int {
	t.Helper()
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, err := r.DB().Query(`SELECT id FROM records`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]int{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids[id]++
	}
	return ids
}

// A journal left by a writer that stopped is replayed at open: a torn
// tail is dropped, corruption before it refuses to open.
func TestJournalReplayAtOpen(t *testing.T) {
	k := newKey(t)
	loc, _ := newLog(t, 10, Options{Key: k})
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	origin := s.Origin()
	s.Close()

	data, id, starts := journalBytes(t, origin, 6)
	path := loc.Path + journalPattern + fmt.Sprintf("%x", id)
	torn := data[:len(data)-7] // the sixth entry torn
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	// Corrupt: refuses to open, the file stays.
	if err := os.WriteFile(path, flip(torn, starts[1]+12), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(loc, Options{Key: k})
	var je *JournalError
	if !errors.As(err, &je) || je.Path != path || je.Offset != int64(starts[1]) {
		t.Fatalf("corrupt journal: %v", err)
	}
	t.Log(err)
	if _, err := os.Stat(path); err != nil {
		t.Fatal("corrupt journal removed")
	}
	// Another log's journal is refused too.
	other, _, _ := journalBytes(t, "mcpwarden.audit/other", 2)
	os.WriteFile(path, other, 0o600)
	if _, err := Open(loc, Options{Key: k}); err == nil || !strings.Contains(err.Error(), "belongs to log") {
		t.Fatalf("foreign journal: %v", err)
	}

	// Torn: five records replayed, in the chain, journal gone.
	os.WriteFile(path, torn, 0o600)
	s, err = Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if s.Size() != 15 {
		t.Fatalf("size after replay %d, want 15", s.Size())
	}
	s.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("replayed journal still there: %v", err)
	}
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 15 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	// Replay is once: the offset committed with the records says so.
	os.WriteFile(path, torn, 0o600)
	db, _ := sql.Open("sqlite", "file:"+loc.Path)
	exec(t, db, `INSERT INTO meta (k, v) VALUES (?, ?)`, "journal:"+fmt.Sprintf("%x", id), strconv.Itoa(starts[5]))
	db.Close()
	s, _ = Open(loc, Options{Key: k})
	if s.Size() != 15 {
		t.Fatalf("replayed twice: size %d", s.Size())
	}
	s.Close()
}

// The crash test: a child process appends and reports each record it was
// told is stored; kill -9; every reported record is in the store after
// the next open (most of them only in the journal at the kill), and the
// log verifies.
func TestJournalKill9(t *testing.T) {
	if dir := os.Getenv("MCPWARDEN_JOURNAL_CHILD"); dir != "" {
		journalChild(dir)
		return
	}
	dir := t.TempDir()
	k, keyPath := newKeyFile(t)
	loc := Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	// Create the store (and its origin) first.
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	cmd := osexec.Command(os.Args[0], "-test.run=^TestJournalKill9$")
	cmd.Env = append(os.Environ(), "MCPWARDEN_JOURNAL_CHILD="+dir, "MCPWARDEN_JOURNAL_KEY="+keyPath)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		acked[sc.Text()] = true
		if len(acked) == 12000 {
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	for sc.Scan() { // what the child wrote before it died was acknowledged too
		acked[sc.Text()] = true
	}
	cmd.Wait()
	if len(acked) < 12000 {
		t.Fatalf("child reported %d records", len(acked))
	}
	inSQLite := countRecords(t, loc)
	js, _ := journalFiles(loc.Path)
	t.Logf("kill -9 after %d acknowledged records: %d in SQLite, the rest only in %d journal file(s)", len(acked), inSQLite, len(js))
	if inSQLite >= len(acked) || len(js) < 2 {
		t.Fatalf("want records only in (rotated) journals at the kill: %d in SQLite, %d files", inSQLite, len(js))
	}
	s, err = Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ids := storedIDs(t, loc)
	for id := range acked {
		if ids[id] != 1 {
			t.Fatalf("acknowledged record %s stored %d times", id, ids[id])
		}
	}
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != int64(len(ids)) {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	if js, _ := journalFiles(loc.Path); len(js) != 0 {
		t.Fatalf("journals left after replay: %v", js)
	}
}

func journalChild(dir string) {
	journalRotate = 256 << 10 // several files in the run
	k, err := LoadKey(os.Getenv("MCPWARDEN_JOURNAL_KEY"))
	if err != nil {
		panic(err)
	}
	// Commits are rare: most acknowledged records are only in the journal.
	s, err := Open(Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}, Options{Key: k, Linger: time.Hour, MaxBatch: 3000})
	if err != nil {
		panic(err)
	}
	w := os.Stdout
	time.AfterFunc(2*time.Minute, func() { panic("journal child: never killed") })
	for i := 0; ; i++ {
		r := testRecord(i)
		r.ID = "kill-" + strconv.Itoa(i)
		if err := s.Append(r); err != nil {
			panic(err)
		}
		fmt.Fprintln(w, r.ID) // one write(2) per record: nothing buffered dies with the process
	}
}

// A journal write that fails refuses the record; the partial entry is
// undone, so the next one is stored and the journal still replays.
func TestJournalWriteFailure(t *testing.T) {
	k := newKey(t)
	loc := Location{Path: filepath.Join(t.TempDir(), "audit.db"), Sync: "normal"}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(testRecord(0)); err != nil {
		t.Fatal(err)
	}
	s.j.write = func(f *os.File, b []byte) (int, error) {
		n, _ := f.Write(b[:len(b)/2])
		return n, syscall.ENOSPC
	}
	if err := s.Append(testRecord(1)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v", err)
	}
	if s.Lost() != 1 {
		t.Fatalf("lost %d", s.Lost())
	}
	s.j.write = rawio.WriteFile
	if err := s.Append(testRecord(2)); err != nil {
		t.Fatal(err)
	}
	// The file itself gone bad (EIO, closed): the partial write cannot be
	// undone, so every later record is refused.
	s.j.write = func(f *os.File, b []byte) (int, error) { return 3, syscall.EIO }
	f := s.j.cur.f
	s.j.cur.f = nil // Truncate on a nil *os.File fails
	if err := s.Append(testRecord(3)); !errors.Is(err, syscall.EIO) {
		t.Fatalf("append on EIO: %v", err)
	}
	s.j.write = rawio.WriteFile
	if err := s.Append(testRecord(4)); err == nil || !strings.Contains(err.Error(), "could not be undone") {
		t.Fatalf("append after an undoable failure: %v", err)
	}
	s.j.cur.f = f
	f.Truncate(s.j.cur.size.Load()) // what the test's fault wrote
	s.Close()
	ids := storedIDs(t, loc)
	if len(ids) != 2 || ids["rec-0000"] != 1 || ids["rec-0002"] != 1 {
		t.Fatalf("stored %v", ids)
	}
}

// When SQLite cannot commit, records already acknowledged stay in the
// journal and new ones are refused until a commit succeeds again.
func TestCommitFailureRefusesThenRecovers(t *testing.T) {
	k := newKey(t)
	loc := Location{Path: filepath.Join(t.TempDir(), "audit.db"), Sync: "normal"}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+loc.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec(t, db, `CREATE TRIGGER broken BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)
	if err := s.Append(testRecord(0)); err != nil {
		t.Fatal(err) // journaled: acknowledged
	}
	if err := s.Flush(); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("flush with a broken store: %v", err)
	}
	if err := s.Append(testRecord(1)); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("append with a broken store: %v", err)
	}
	exec(t, db, `DROP TRIGGER broken`)
	deadline := time.Now().Add(30 * time.Second)
	for s.Append(testRecord(2)) != nil {
		if time.Now().After(deadline) {
			t.Fatal("store did not recover")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ids := storedIDs(t, loc)
	if ids["rec-0000"] != 1 || ids["rec-0001"] != 0 || ids["rec-0002"] != 1 {
		t.Fatalf("stored %v", ids)
	}
	if rep := verifyLoc(t, loc, k); !rep.OK {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
}

// Closed with SQLite still broken, the journal stays, and the next open
// refuses to start until the records can be committed.
func TestCloseKeepsUncommittedJournal(t *testing.T) {
	k := newKey(t)
	loc := Location{Path: filepath.Join(t.TempDir(), "audit.db"), Sync: "full"}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("sqlite", "file:"+loc.Path+"?_pragma=busy_timeout(10000)")
	defer db.Close()
	exec(t, db, `CREATE TRIGGER broken BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)
	for i := range 3 {
		if err := s.Append(testRecord(i)); err != nil && i == 0 {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err == nil {
		t.Fatal("close with uncommitted records: no error")
	}
	if _, err := Open(loc, Options{Key: k}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("open with an unreplayable journal: %v", err)
	}
	exec(t, db, `DROP TRIGGER broken`)
	s, err = Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if ids := storedIDs(t, loc); ids["rec-0000"] != 1 {
		t.Fatalf("stored %v", ids)
	}
}

// The reader never panics, and what it accepts is exactly what was
// written: entries re-encode to their bytes, in order, before any torn
// tail.
func FuzzJournalParse(f *testing.F) {
	data, _, starts := journalBytes(f, "mcpwarden.audit/0011223344556677", 3)
	f.Add(data)
	f.Add(data[:len(data)-5])
	f.Add(data[:starts[0]])
	f.Add(append(bytes.Clone(data), make([]byte, 100)...))
	f.Add(flip(data, starts[1]+9))
	f.Add([]byte(journalMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, es, torn, err := parseJournal("f", b)
		if err != nil {
			var je *JournalError
			if !errors.As(err, &je) || je.Offset < 0 || je.Offset > int64(len(b)) {
				t.Fatalf("error %v", err)
			}
			return
		}
		prev := int64(0)
		for i, e := range es {
			enc, err := appendEntry(nil, &e.p)
			if err != nil {
				t.Fatal(err)
			}
			start := e.end - int64(len(enc))
			if start < prev || e.end > int64(len(b)) || !bytes.Equal(b[start:e.end], enc) {
				t.Fatalf("entry %d does not re-encode to its bytes", i)
			}
			prev = e.end
		}
		if torn >= 0 && (torn < prev || torn > int64(len(b))) {
			t.Fatalf("torn %d before the last entry's end %d", torn, prev)
		}
	})
}

// Rotated journal files go once their records are committed; Close
// removes the last one.
func TestJournalRotation(t *testing.T) {
	for _, mode := range []string{"normal", "full"} {
		t.Run(mode, func(t *testing.T) { testJournalRotation(t, mode) })
	}
}

func testJournalRotation(t *testing.T, mode string) {
	defer func(n int64) { journalRotate = n }(journalRotate)
	journalRotate = 4 << 10
	k := newKey(t)
	loc := Location{Path: filepath.Join(t.TempDir(), "audit.db"), Sync: mode}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 { // concurrent callers share the fdatasyncs
		wg.Go(func() {
			for i := w; i < 200; i += 4 {
				if err := s.Append(testRecord(i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if js, _ := journalFiles(loc.Path); len(js) != 1 {
		t.Fatalf("%d journal files after a flush, want the current one", len(js))
	}
	s.Close()
	if js, _ := journalFiles(loc.Path); len(js) != 0 {
		t.Fatalf("%d journal files after close", len(js))
	}
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 200 {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
}

func TestStrandedJournals(t *testing.T) {
	k := newKey(t)
	loc := Location{Path: filepath.Join(t.TempDir(), "audit.db"), Sync: "normal"}
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := StrandedJournals(loc); len(got) != 0 {
		t.Fatalf("a running store's journal listed as stranded: %v", got)
	}
	data, id, _ := journalBytes(t, s.Origin(), 2)
	path := loc.Path + journalPattern + fmt.Sprintf("%x", id)
	os.WriteFile(path, data, 0o600)
	if got := StrandedJournals(loc); len(got) != 1 || got[0] != path {
		t.Fatalf("stranded: %v", got)
	}
}
