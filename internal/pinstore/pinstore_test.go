package pinstore

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFirstUseChangeApprove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "pins.json")
	s := open(t, path)
	st, _, err := s.Check("files", map[string]string{"read": "sha256:a", "write": "sha256:b"}, now)
	if err != nil || st["read"] != First || st["write"] != First {
		t.Fatalf("first contact: %v %v", st, err)
	}
	st, _, _ = s.Check("files", map[string]string{"read": "sha256:a", "write": "sha256:b"}, now)
	if st["read"] != Pinned || st["write"] != Pinned {
		t.Fatalf("same definitions again: %v", st)
	}
	st, old, _ := s.Check("files", map[string]string{"read": "sha256:a", "write": "sha256:EVIL"}, now)
	if st["read"] != Pinned || st["write"] != Changed || old["write"] != "sha256:b" {
		t.Fatalf("changed definition: %v %v", st, old)
	}
	// Still changed until approved, however often it is served.
	if st, _, _ = s.Check("files", map[string]string{"write": "sha256:EVIL"}, now); st["write"] != Changed {
		t.Fatalf("changed definition served again: %v", st)
	}
	// Pins are per server.
	if st, _, _ = s.Check("other", map[string]string{"write": "sha256:EVIL"}, now); st["write"] != First {
		t.Fatalf("another server's item: %v", st)
	}
	done, err := s.Approve("files", "write")
	if err != nil || !slices.Equal(done, []string{"write"}) {
		t.Fatalf("approve: %v %v", done, err)
	}
	if st, _, _ = s.Check("files", map[string]string{"write": "sha256:EVIL"}, now); st["write"] != Pinned {
		t.Fatalf("after approval: %v", st)
	}
	// The old definition is now the change.
	if st, _, _ = s.Check("files", map[string]string{"write": "sha256:b"}, now); st["write"] != Changed {
		t.Fatalf("old definition after approval: %v", st)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("pin file mode: %v %v", fi, err)
	}
}

// Two stores on one file stand for two gateway processes: each sees the
// other's pins and approvals, and concurrent first contacts lose nothing.
func TestSharedBetweenProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pins.json")
	a, b := open(t, path), open(t, path)
	var wg sync.WaitGroup
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if _, _, err := s.Check("srv", map[string]string{fmt.Sprint("tool", i): "sha256:x"}, now); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, s := range []*Store{a, b, open(t, path)} {
		all, err := s.All()
		if err != nil || len(all["srv"]) != 40 {
			t.Fatalf("want 40 pins seen by every process, got %d (%v)", len(all["srv"]), err)
		}
	}
	// A change seen by a, approved through b (the CLI), is pinned for a.
	a.Check("srv", map[string]string{"tool0": "sha256:y"}, now)
	if done, _ := b.Approve("srv", ""); !slices.Equal(done, []string{"tool0"}) {
		t.Fatalf("approve all pending: %v", done)
	}
	if st, _, _ := a.Check("srv", map[string]string{"tool0": "sha256:y"}, now); st["tool0"] != Pinned {
		t.Fatalf("approval by another process not seen: %v", st)
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pins.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := Open(path); err == nil {
		t.Fatal("a corrupt pin file was accepted")
	}
	os.WriteFile(path, []byte(`{"version":9,"servers":{}}`), 0o600)
	if _, err := Open(path); err == nil {
		t.Fatal("an unknown version was accepted")
	}
}

func TestForget(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "pins.json"))
	s.Check("srv", map[string]string{"a": "sha256:1", "b": "sha256:2"}, now)
	if ok, err := s.Forget("srv", "a"); !ok || err != nil {
		t.Fatalf("forget a: %v %v", ok, err)
	}
	if st, _, _ := s.Check("srv", map[string]string{"a": "sha256:other"}, now); st["a"] != First {
		t.Fatalf("forgotten item is not new again: %v", st)
	}
	if ok, _ := s.Forget("nope", ""); ok {
		t.Fatal("forgot an unknown server")
	}
}
