package app

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Every line written arrives, whole and in order, in far fewer writes,
// and Close leaves nothing behind.
func TestLogWriterBatchesAndFlushes(t *testing.T) {
	out := &syncBuf{}
	w := newLogWriter(out)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(w, "g%d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2000 {
		t.Fatalf("got %d lines, want 2000", len(lines))
	}
	next := map[string]int{}
	for _, l := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(l, "%s line %d", &g, &i); err != nil {
			t.Fatalf("torn line %q", l)
		}
		if i != next[g] {
			t.Fatalf("%s: line %d out of order (want %d)", g, i, next[g])
		}
		next[g]++
	}
	if out.writes >= 2000 {
		t.Fatalf("%d writes for 2000 lines: not batched", out.writes)
	}
	// After Close, writes go straight through.
	fmt.Fprintln(w, "late")
	if !strings.HasSuffix(out.String(), "late\n") {
		t.Fatal("write after Close was lost")
	}
}

// A lone line is not held back longer than the flush interval.
func TestLogWriterFlushesIdleLine(t *testing.T) {
	out := &syncBuf{}
	w := newLogWriter(out)
	defer w.Close()
	fmt.Fprintln(w, "hello")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "hello") {
		if time.Now().After(deadline) {
			t.Fatal("line never flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkLogWriter is one batch per op: 64 exchange lines, as the
// exchange log writes them with the audit store off, then the flush that
// the background loop does every flushEvery.
func BenchmarkLogWriter(b *testing.B) {
	l := newLogWriter(io.Discard)
	defer l.Close()
	line := []byte(`{"time":"2026-11-25T22:09:51.167141371Z","msg":"exchange","id":"b15d27c13efbebcbd19708d1","era":"legacy","transport":"stdio","rpc_id":"200","method":"tools/call","server":"echoserver","name":"echo","decision":"allow","upstream_us":125,"total_us":148,"request_bytes":161,"response_bytes":139}` + "\n")
	b.ReportAllocs()
	b.SetBytes(64 * int64(len(line)))
	for b.Loop() {
		for range 64 {
			_, _ = l.Write(line)
		}
		l.flush()
	}
}
