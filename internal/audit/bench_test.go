package audit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// BenchmarkAppend measures records/s with concurrent callers, as the
// gateway has, each waiting for its batch's commit: batches are as large
// as the number of callers in flight.
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		sync    string
		callers int
	}{{"normal", 16}, {"normal", 64}, {"normal", 256}, {"full", 256}} {
		sync := c.sync
		b.Run(fmt.Sprintf("sync=%s/callers=%d", sync, c.callers), func(b *testing.B) {
			dir := b.TempDir()
			GenerateKey(filepath.Join(dir, "k"), DefaultKeyName)
			k, _ := LoadKey(filepath.Join(dir, "k"))
			s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: sync}, Options{Key: k})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.SetParallelism(max(1, c.callers/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			t0, c0 := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				r := testRecord(1)
				for pb.Next() {
					if err := s.Append(r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			// Sustained: the records the callers were told are stored
			// are also committed to SQLite.
			if err := s.Flush(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-c0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/record")
		})
	}
}

// BenchmarkAppendLatency reports the p50 and p99 time a caller waits in
// Append with 16 callers in flight, as a busy gateway has.
func BenchmarkAppendLatency(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: "normal"}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.SetParallelism(8) // 8 x GOMAXPROCS(2) = 16 callers
	var mu sync.Mutex
	var all []time.Duration
	b.RunParallel(func(pb *testing.PB) {
		r := testRecord(1)
		var ds []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := s.Append(r); err != nil {
				b.Error(err)
				return
			}
			ds = append(ds, time.Since(t0))
		}
		mu.Lock()
		all = append(all, ds...)
		mu.Unlock()
	})
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkAppendSerial is one caller at a time: the latency auditing adds
// to a call when nothing else is in flight.
func BenchmarkAppendSerial(b *testing.B) { benchAppendSerial(b, "normal") }

// BenchmarkAppendSerialFull is BenchmarkAppendSerial with sync=full: each
// Append waits for the journal's fdatasync, the disk's latency.
func BenchmarkAppendSerialFull(b *testing.B) { benchAppendSerial(b, "full") }

func benchAppendSerial(b *testing.B, sync string) {
	dir := b.TempDir()
	s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: sync}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := testRecord(1)
	ds := make([]time.Duration, 0, 1<<16)
	c0 := cpuTime()
	for b.Loop() {
		t0 := time.Now()
		if err := s.Append(r); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	// The writer's SQLite commits behind the callers are part of the cost.
	if err := s.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/record")
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1e3, "p50-µs")
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

// BenchmarkCommit is the writer's cost per record in full batches, without
// the callers: the ceiling group commit can reach.
func BenchmarkCommit(b *testing.B) { benchCommit(b, nil, 1024) }

// BenchmarkCommitGateway is BenchmarkCommit with batches of 100 records:
// what the writer sees behind a gateway serving one caller at 4,000
// calls/s with the 25 ms linger.
func BenchmarkCommitGateway(b *testing.B) { benchCommit(b, nil, 100) }

// BenchmarkCommitSmall is BenchmarkCommit with batches of 15 records, all
// below one full statement: a gateway serving one caller at 600 calls/s
// with the 25 ms linger.
func BenchmarkCommitSmall(b *testing.B) { benchCommit(b, nil, 15) }

// BenchmarkCommitArgs is BenchmarkCommit with the redacted arguments
// (schema version 2) of a typical tools/call in every record.
func BenchmarkCommitArgs(b *testing.B) {
	benchCommit(b, []byte(`{"database":"app","limit":100,"params":[42],"sql":"SELECT id, name, email FROM users WHERE id = $1 AND status = 'active'","token":"[REDACTED:by-name]"}`), 1024)
}

func benchCommit(b *testing.B, args []byte, size int) {
	dir := b.TempDir()
	s, err := Open(Location{Path: filepath.Join(dir, "a.db"), Sync: "normal"}, Options{CheckpointInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := make([]*pending, size)
	for i := range batch {
		p := &pending{}
		r := testRecord(i)
		r.Args = args
		p.body = encodeBody(nil, r)
		p.id, p.timeNS, p.session, p.trace, p.server, p.name, p.method, p.decision = r.ID, r.Time.UnixNano(), r.Session, r.TraceID, r.Server, r.Name, r.Method, r.Decision
		batch[i] = p
	}
	b.ReportAllocs()
	b.ResetTimer()
	t0, c0 := time.Now(), cpuTime()
	n := 0
	for n < b.N {
		k := min(len(batch), b.N-n)
		// Realistic keys: times rise, trace ids are random.
		for _, p := range batch[:k] {
			p.timeNS = time.Now().UnixNano()
			p.trace = strconv.FormatUint(rand.Uint64(), 16) + strconv.FormatUint(rand.Uint64(), 16)
		}
		if err := s.commit(batch[:k]); err != nil {
			b.Fatal(err)
		}
		n += k
	}
	b.ReportMetric(float64(n)/time.Since(t0).Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Microsecond)/float64(n), "cpu-µs/record")
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
