package main

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Microsecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}, {0.001, 1}} {
		if got := percentile(s, c.p); got != c.want*time.Microsecond {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want*time.Microsecond)
		}
	}
	if got := percentile([]time.Duration{7}, 0.99); got != 7 {
		t.Errorf("single sample: %v", got)
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("no samples: %v", got)
	}
}

func TestRecorderStats(t *testing.T) {
	r := &recorder{}
	r.add([]time.Duration{3 * time.Microsecond, 1 * time.Microsecond}, 0, nil)
	r.add([]time.Duration{2 * time.Microsecond, 4 * time.Microsecond}, 2, map[string]int{"boom": 2})
	r.elapsed = 2 * time.Second
	st := r.stats()
	if st.Calls != 4 || st.Failures != 2 || st.P50us != 2 || st.P99us != 4 || st.MaxUs != 4 || st.MeanUs != 2.5 || st.CallsPerS != 2 || st.Errors["boom"] != 2 {
		t.Fatalf("got %+v", st)
	}
}
