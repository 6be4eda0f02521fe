package linewriter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

type countingWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	gate   chan struct{} // when set, each Write waits for a token
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.gate != nil {
		<-c.gate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.b.Write(p)
}

// Concurrent messages all arrive, each whole on its own line.
func TestWriterLinesWhole(t *testing.T) {
	cw := &countingWriter{}
	w := New(cw)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				if err := w.Write(fmt.Appendf(nil, `{"g":%d,"i":%d}`, g, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(cw.b.String(), "\n"), "\n")
	if len(lines) != 8000 {
		t.Fatalf("got %d lines, want 8000", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var g, i int
		if _, err := fmt.Sscanf(l, `{"g":%d,"i":%d}`, &g, &i); err != nil {
			t.Fatalf("torn line %q", l)
		}
		seen[l] = true
	}
	if len(seen) != 8000 {
		t.Fatalf("%d distinct lines, want 8000", len(seen))
	}
}

// While a write is blocked, later messages are gathered into one write.
func TestWriterGroupsWhileBusy(t *testing.T) {
	cw := &countingWriter{gate: make(chan struct{})}
	w := New(cw)
	done := make(chan struct{})
	go func() { w.Write([]byte("first")); close(done) }()
	// Wait until the first writer is inside Write (holding writing=true).
	for {
		w.mu.Lock()
		busy := w.writing
		w.mu.Unlock()
		if busy {
			break
		}
	}
	for i := range 10 {
		if err := w.Write(fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cw.gate <- struct{}{} // first write
	cw.gate <- struct{}{} // the gathered ten
	<-done
	if cw.writes != 2 {
		t.Fatalf("%d writes, want 2", cw.writes)
	}
	want := "first\nm0\nm1\nm2\nm3\nm4\nm5\nm6\nm7\nm8\nm9\n"
	if cw.b.String() != want {
		t.Fatalf("got %q", cw.b.String())
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errors.New("broken pipe") }

// Raw newlines never split a message, and a write error sticks.
func TestWriterNewlinesAndErrors(t *testing.T) {
	cw := &countingWriter{}
	w := New(cw)
	w.Write([]byte("{\"a\":\n1}\r\n"))
	if got := cw.b.String(); got != "{\"a\":1}\n" {
		t.Fatalf("got %q", got)
	}
	fw := New(failWriter{})
	if err := fw.Write([]byte("x")); err == nil {
		t.Fatal("want error")
	}
	if err := fw.Write([]byte("y")); err == nil {
		t.Fatal("error did not stick")
	}
}

func BenchmarkWriter(b *testing.B) {
	w := New(discard{})
	msg := bytes.Repeat([]byte("x"), 200)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Write(msg)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
