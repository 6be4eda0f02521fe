package audit

import (
	"testing"
	"time"
)

// A SQLite log pruned by retention reopens and continues its chain: the
// edge records below the cut come from the cut (200 records cut at 130
// need record 127's subtree hash), and a cut that removed every record
// does not restart the chain at seq 0.
func TestRetentionReopen(t *testing.T) {
	loc, k := newLog(t, 0, Options{})
	open := func() *Store {
		t.Helper()
		s, err := Open(loc, Options{Key: k})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		return s
	}
	s := open()
	appendAll(t, s, 0, 200, 1) // in time order, for an exact cut
	s.Close()
	s = open()
	if _, size, err := s.cutBefore(time.Unix(1764000000, 130*1000).UnixNano()); err != nil || size != 130 {
		t.Fatalf("cut at %d: %v", size, err)
	}
	s.Close()
	s = open()
	appendAll(t, s, 200, 233, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 233 || rep.Cut == 0 {
		t.Fatalf("after reopening past a cut: %+v %v", rep, rep.FirstBad)
	}
	s = open()
	if removed, size, err := s.cutBefore(time.Now().UnixNano()); err != nil || size != 233 || removed == 0 {
		t.Fatalf("cut all: removed %d at %d: %v", removed, size, err)
	}
	s.Close()
	s = open()
	if s.Size() != 233 {
		t.Fatalf("size after every record was cut: %d, want 233", s.Size())
	}
	appendAll(t, s, 233, 240, 1)
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 240 || rep.Cut != 233 {
		t.Fatalf("after cutting every record: %+v %v", rep, rep.FirstBad)
	}
}
