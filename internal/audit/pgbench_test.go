package audit

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPGAppend measures records/s into PostgreSQL with group commit:
// concurrent callers each wait for their batch's commit, spread over
// `replicas` stores (separate pools, as separate gateways have) writing
// one chain. cpu-µs/record is this process's CPU only, not the server's.
func BenchmarkPGAppend(b *testing.B) {
	for _, c := range []struct{ replicas, callers int }{{1, 16}, {1, 64}, {1, 256}, {3, 64}, {3, 256}} {
		b.Run(fmt.Sprintf("replicas=%d/callers=%d", c.replicas, c.callers), func(b *testing.B) {
			loc, _ := pgLocation(b)
			k := testKey(b)
			stores := make([]*PGStore, c.replicas)
			for i := range stores {
				stores[i] = openPG(b, loc, Options{Key: k})
			}
			defer func() {
				for _, s := range stores {
					s.Close()
				}
			}()
			b.SetParallelism(max(1, c.callers/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			t0, c0 := time.Now(), cpuTime()
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				s := stores[int(next.Add(1))%len(stores)]
				r := testRecord(1)
				for pb.Next() {
					if err := s.Append(r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-c0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/record")
		})
	}
}

// TestPGVerifyMany writes MCPWARDEN_AUDIT_PG_VERIFY_N records (default:
// skip) into PostgreSQL from 256 callers and times Verify reading them
// back: the figure in docs/audit.md.
func TestPGVerifyMany(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MCPWARDEN_AUDIT_PG_VERIFY_N"))
	if n == 0 {
		t.Skip("set MCPWARDEN_AUDIT_PG_VERIFY_N=1000000")
	}
	loc, _ := pgLocation(t)
	k := testKey(t)
	s := openPG(t, loc, Options{Key: k})
	t0 := time.Now()
	appendAll(t, s, 0, n, 256)
	s.Close()
	t.Logf("wrote %d records in %v (%.0f/s)", n, time.Since(t0), float64(n)/time.Since(t0).Seconds())
	t0 = time.Now()
	rep := verifyLoc(t, loc, k)
	if !rep.OK || rep.Records != int64(n) {
		t.Fatalf("%+v %v", rep, rep.FirstBad)
	}
	t.Logf("verified %d records, %d checkpoints, in %v", rep.Records, rep.Checkpoints, time.Since(t0))
}
