package audit

import (
	"fmt"
	"runtime"
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
