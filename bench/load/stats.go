package main

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// sideStats is what the JSON report says about one side (direct or gateway)
// of one scenario cell. Latencies are in microseconds, computed exactly from
// all samples of the measured rounds (warm-up excluded).
type sideStats struct {
	P50us     float64        `json:"p50_us"`
	P90us     float64        `json:"p90_us"`
	P99us     float64        `json:"p99_us"`
	MaxUs     float64        `json:"max_us"`
	MeanUs    float64        `json:"mean_us"`
	CallsPerS float64        `json:"calls_per_s"`
	Calls     int            `json:"calls"`
	Failures  int            `json:"failures"`
	Errors    map[string]int `json:"errors,omitempty"`
	// CPUusPerCall is the CPU time (user + system) of the side's processes
	// (the server, or mcpwarden and its server) per call of the measured
	// rounds, in 10 ms ticks from /proc: it does not count the load tool.
	// With every process on the same few cores, a side that costs more
	// CPU per call cannot keep the other's throughput.
	CPUusPerCall float64 `json:"cpu_us_per_call,omitempty"`
	// GatewayCPUusPerCall is mcpwarden's own share of CPUusPerCall.
	GatewayCPUusPerCall float64 `json:"gateway_cpu_us_per_call,omitempty"`
}

// recorder accumulates one side's samples over the rounds of a cell.
type recorder struct {
	mu       sync.Mutex
	samples  []time.Duration
	failures int
	errors   map[string]int
	elapsed  time.Duration // wall time of the measured rounds
	cpuFirst time.Duration // CPU of the side's first process in them
	cpuAll   time.Duration // CPU of all its processes in them
}

func (r *recorder) addCPU(first, all time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cpuFirst += first
	r.cpuAll += all
}

func (r *recorder) firstCPUPerCall() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) == 0 {
		return 0
	}
	return round1(us(r.cpuFirst) / float64(len(r.samples)))
}

const maxDistinctErrors = 8

func (r *recorder) add(samples []time.Duration, failures int, errs map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, samples...)
	r.failures += failures
	for e, n := range errs {
		if r.errors == nil {
			r.errors = map[string]int{}
		}
		if _, ok := r.errors[e]; ok || len(r.errors) < maxDistinctErrors {
			r.errors[e] += n
		}
	}
}

// percentile returns the nearest-rank p-quantile (0<p<=1) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

func us(d time.Duration) float64 { return round1(float64(d) / 1e3) }

func round1(f float64) float64 { return math.Round(f*10) / 10 }
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func (r *recorder) stats() *sideStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := slices.Clone(r.samples)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	st := &sideStats{Calls: len(s), Failures: r.failures, Errors: r.errors}
	if len(s) > 0 {
		var sum time.Duration
		for _, d := range s {
			sum += d
		}
		st.P50us = us(percentile(s, 0.50))
		st.P90us = us(percentile(s, 0.90))
		st.P99us = us(percentile(s, 0.99))
		st.MaxUs = us(s[len(s)-1])
		st.MeanUs = us(sum / time.Duration(len(s)))
	}
	if r.elapsed > 0 {
		st.CallsPerS = round1(float64(len(s)) / r.elapsed.Seconds())
	}
	if len(s) > 0 {
		st.CPUusPerCall = round1(us(r.cpuAll) / float64(len(s)))
	}
	return st
}

// caller performs one verified echo call and returns its latency. A caller
// is used by one goroutine only.
type caller interface {
	call() (time.Duration, error)
}

// runRound runs every caller in a closed loop (next call as soon as the
// previous one completed) for d and adds the results to rec. Warm-up rounds
// (measure=false) contribute their failures but no samples or time.
func runRound(callers []caller, d time.Duration, rec *recorder, measure bool) {
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples := make([]time.Duration, 0, 1024)
			failures := 0
			var errs map[string]int
			for time.Now().Before(deadline) {
				lat, err := c.call()
				if err != nil {
					failures++
					if errs == nil {
						errs = map[string]int{}
					}
					if msg := err.Error(); len(errs) < maxDistinctErrors || errs[msg] > 0 {
						errs[msg]++
					}
					if isFatal(err) {
						break // the connection is gone; don't spin
					}
					continue
				}
				samples = append(samples, lat)
			}
			if !measure {
				samples = nil
			}
			rec.add(samples, failures, errs)
		}()
	}
	wg.Wait()
	if measure {
		rec.mu.Lock()
		rec.elapsed += time.Since(start)
		rec.mu.Unlock()
	}
}
