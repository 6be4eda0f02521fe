package statefile

import (
	"os"
	"path/filepath"
	"testing"
)

type counter struct{ N int }

func TestUpdateSharedAndFailSafe(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "c.json")
	empty := func() counter { return counter{} }
	a, err := Open(path, empty, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open(path, empty, nil)
	for range 3 {
		a.Update(func(c *counter) bool { c.N++; return true })
		b.Update(func(c *counter) bool { c.N++; return true })
	}
	if err := a.Refresh(); err != nil || a.Data().N != 6 {
		t.Fatalf("two writers: N=%d (%v), want 6", a.Data().N, err)
	}
	// No change reported: nothing written.
	st1, _ := os.Stat(path)
	a.Update(func(c *counter) bool { return false })
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("an update without change rewrote the file")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A write that fails leaves memory as the file says.
	os.Chmod(filepath.Dir(path), 0o500)
	defer os.Chmod(filepath.Dir(path), 0o700)
	if os.Geteuid() != 0 { // root ignores the directory's mode
		if err := a.Update(func(c *counter) bool { c.N = 100; return true }); err == nil {
			t.Fatal("write into a read-only directory succeeded")
		}
		a.Refresh()
		if a.Data().N != 6 {
			t.Errorf("after a failed write N=%d, want the file's 6", a.Data().N)
		}
	}
}

func TestCheckRefusesBadContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(path, []byte(`{"N":-1}`), 0o600)
	_, err := Open(path, func() counter { return counter{} }, func(c *counter) error {
		if c.N < 0 {
			return os.ErrInvalid
		}
		return nil
	})
	if err == nil {
		t.Fatal("check did not refuse")
	}
}
