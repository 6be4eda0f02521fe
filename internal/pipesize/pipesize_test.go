package pipesize

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if got := Grow(w); got < Size {
		t.Fatalf("Grow(pipe) = %d, want at least %d", got, Size)
	}
	// The whole 200 KiB message fits: the write returns without a reader.
	msg := bytes.Repeat([]byte("x"), 200<<10)
	done := make(chan error, 1)
	go func() { _, err := w.Write(msg); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a 200 KiB write blocked on a grown pipe with no reader")
	}
}

func TestGrowNotAPipe(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := Grow(f); got != 0 {
		t.Errorf("Grow(regular file) = %d, want 0", got)
	}
	if got := Grow(bytes.NewReader(nil)); got != 0 {
		t.Errorf("Grow(bytes.Reader) = %d, want 0", got)
	}
}
