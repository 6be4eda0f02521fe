package sink

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

func writeLog(t *testing.T, loc audit.Location, from, to int) {
	t.Helper()
	s, err := audit.Open(loc, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := from; i < to; i++ {
		r := &intercept.Record{ID: fmt.Sprintf("r%d", i), Time: time.Now(), Method: "tools/call", Decision: "allow"}
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
}

func readSeqs(t *testing.T, path string) []int64 {
	t.Helper()
	files, _ := filepath.Glob(path + "*")
	var seqs []int64
	for _, f := range files {
		if filepath.Ext(f) == ".cursor" || filepath.Ext(f) == ".tmp" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			var e audit.Entry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			seqs = append(seqs, e.Seq)
		}
		fh.Close()
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}

func TestJSONLOutbox(t *testing.T) {
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	writeLog(t, loc, 0, 2500)
	out := filepath.Join(dir, "out", "audit.jsonl")
	run := func() {
		r, err := audit.OpenReader(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		j, err := OpenJSONL(out, 200_000, 50)
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		o := New(r, j, Options{CursorFile: CursorFileFor(out), Poll: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { o.Run(ctx); close(done) }()
		time.Sleep(300 * time.Millisecond)
		cancel()
		<-done
	}
	run()
	writeLog(t, loc, 2500, 3000) // restart: the cursor carries on
	run()
	seqs := readSeqs(t, out)
	if len(seqs) != 3000 {
		t.Fatalf("%d records delivered, want 3000", len(seqs))
	}
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("record %d has seq %d", i, s)
		}
	}
	if rotated, _ := filepath.Glob(out + ".*[0-9]"); len(rotated) < 3 {
		t.Errorf("expected rotation, got %v", rotated)
	}
}

type flaky struct {
	fails int
	got   int
}

func (f *flaky) Name() string { return "flaky" }
func (f *flaky) Close() error { return nil }
func (f *flaky) Deliver(ctx context.Context, recs []Record) error {
	if f.fails > 0 {
		f.fails--
		return errors.New("down")
	}
	f.got += len(recs)
	return nil
}

func TestOutboxRetriesAndDeadLetters(t *testing.T) {
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	writeLog(t, loc, 0, 10)
	r, _ := audit.OpenReader(loc)
	defer r.Close()
	f := &flaky{fails: 2}
	o := New(r, f, Options{CursorFile: filepath.Join(dir, "c1")})
	next := int64(0)
	if n, err := o.deliverFrom(context.Background(), &next); err != nil || n != 10 || f.got != 10 || next != 10 {
		t.Fatalf("retry: n %d err %v got %d next %d", n, err, f.got, next)
	}
	f2 := &flaky{fails: 100}
	o2 := New(r, f2, Options{CursorFile: filepath.Join(dir, "c2"), MaxAttempts: 2})
	next = 0
	if _, err := o2.deliverFrom(context.Background(), &next); err != nil || o2.Dead.Load() != 10 || next != 10 {
		t.Fatalf("dead letter: err %v dead %d next %d", err, o2.Dead.Load(), next)
	}
}
