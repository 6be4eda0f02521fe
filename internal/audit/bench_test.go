package audit

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// BenchmarkAppend measures records/s with many concurrent callers, as the
// gateway has, each waiting for its batch's commit.
func BenchmarkAppend(b *testing.B) {
	for _, sync := range []string{"normal", "full"} {
		b.Run("sync="+sync, func(b *testing.B) {
			dir := b.TempDir()
			GenerateKey(filepath.Join(dir, "k"), DefaultKeyName)
			k, _ := LoadKey(filepath.Join(dir, "k"))
			s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: sync}, Options{Key: k})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.SetParallelism(128)
			b.ReportAllocs()
			t0 := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				r := testRecord(1)
				for pb.Next() {
					if err := s.Append(r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "records/s")
		})
	}
}

// BenchmarkAppendSerial is one caller at a time: the latency auditing adds
// to a call when nothing else is in flight.
func BenchmarkAppendSerial(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: "normal"}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := testRecord(1)
	for b.Loop() {
		if err := s.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVerifyMillion writes MCPWARDEN_AUDIT_VERIFY_N records (default: skip)
// and times Verify: the figure in docs/audit.md.
func TestVerifyMillion(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MCPWARDEN_AUDIT_VERIFY_N"))
	if n == 0 {
		t.Skip("set MCPWARDEN_AUDIT_VERIFY_N=1000000")
	}
	t0 := time.Now()
	loc, k := newLog(t, n, Options{})
	t.Logf("wrote %d records in %v (%.0f/s)", n, time.Since(t0), float64(n)/time.Since(t0).Seconds())
	r, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v, _ := note.NewVerifier(k.VKey)
	t0 = time.Now()
	rep, err := Verify(context.Background(), r, []note.Verifier{v})
	if err != nil || !rep.OK || rep.Records != int64(n) {
		t.Fatalf("%+v %v", rep, err)
	}
	t.Logf("verified %d records, %d checkpoints in %v", rep.Records, rep.Checkpoints, time.Since(t0))
}
