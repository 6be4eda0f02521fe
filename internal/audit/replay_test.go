package audit

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func replay(t *testing.T, loc Location, k *Key, f Filter) *Replay {
	t.Helper()
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v, _ := note.NewVerifier(k.VKey)
	f.AfterSeq = -1
	rep, err := r.ReplayRecords(context.Background(), f, []note.Verifier{v})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReplay(t *testing.T) {
	loc, k := newLog(t, 40, Options{CheckpointEvery: 16})
	// Records after the last checkpoint: chained, not signed.
	s, err := Open(loc, Options{Key: k, CheckpointEvery: 1000, CheckpointInterval: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 40; i < 45; i++ {
		s.Append(testRecord(i))
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	rep := replay(t, loc, k, Filter{Session: "s1"})
	if !rep.OK || len(rep.Steps) != 45 || rep.Checkpoint != 40 {
		t.Fatalf("replay ok %v, %d steps, checkpoint %d", rep.OK, len(rep.Steps), rep.Checkpoint)
	}
	for _, st := range rep.Steps {
		want := "signed"
		if st.Seq >= 40 {
			want = "chained"
		}
		if st.Proof != want || st.Entry.ID == "" {
			t.Fatalf("seq %d: proof %q problem %q", st.Seq, st.Proof, st.Problem)
		}
	}
	if rep := replay(t, loc, k, Filter{ID: "rec-0007"}); len(rep.Steps) != 1 || rep.Steps[0].Entry.ID != "rec-0007" {
		t.Fatalf("by id: %d steps", len(rep.Steps))
	}
	if rep := replay(t, loc, k, Filter{Session: "s1", Limit: 10}); len(rep.Steps) != 10 || !rep.Truncated {
		t.Fatalf("limit: %d steps, truncated %v", len(rep.Steps), rep.Truncated)
	}

	// Tampering: a changed record with its stored hash recomputed fails
	// its inclusion proof; one after the newest checkpoint fails its links.
	db := rw(t, loc)
	defer db.Close()
	for _, seq := range []int64{7, 42} {
		var data []byte
		db.QueryRow(`SELECT data FROM records WHERE seq = ?`, seq).Scan(&data)
		forged := []byte(strings.Replace(string(data), `"decision":"allow"`, `"decision":"deny"`, 1))
		var tree []byte
		db.QueryRow(`SELECT tree FROM records WHERE seq = ?`, seq).Scan(&tree)
		h := tlog.RecordHash(forged)
		copy(tree, h[:])
		exec(t, db, `UPDATE records SET data = ?, tree = ? WHERE seq = ?`, forged, tree, seq)
	}
	rep = replay(t, loc, k, Filter{Session: "s1"})
	if rep.OK {
		t.Fatal("tampered log replayed as OK")
	}
	// A neighbour may fail too: its proof or link goes through the
	// forged hash. Every other record still checks out.
	for _, st := range rep.Steps {
		forged, near := st.Seq == 7 || st.Seq == 42, st.Seq == 6 || st.Seq == 8 || st.Seq == 41 || st.Seq == 43
		if forged && st.Problem == "" || !forged && !near && st.Problem != "" {
			t.Errorf("seq %d: problem %q", st.Seq, st.Problem)
		}
	}
	t.Log(rep.Steps[7].Problem, "|", rep.Steps[42].Problem)
}

func TestReplayBySubject(t *testing.T) {
	loc, k := newLog(t, 0, Options{})
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	for i, sub := range []string{"alice", "bob", "alice", `al"ice`} {
		r := testRecord(i)
		r.Subject = sub
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for sub, want := range map[string]int{"alice": 2, "bob": 1, `al"ice`: 1, "' OR 1=1 --": 0} {
		rep := replay(t, loc, k, Filter{Subject: sub})
		if len(rep.Steps) != want || !rep.OK {
			t.Errorf("subject %q: %d steps (ok %v), want %d", sub, len(rep.Steps), rep.OK, want)
		}
		for _, st := range rep.Steps {
			if st.Entry.Subject != sub || st.Proof != "signed" {
				t.Errorf("subject %q: step %+v", sub, st)
			}
		}
	}
}
