package procs

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	for _, c := range []struct {
		name          string
		cur, max      int
		busy          float64
		low           int
		want, wantLow int
	}{
		{"one processor nearly full grows", 1, 8, 0.9, 0, 2, 0},
		{"growth doubles", 2, 8, 1.8, 0, 4, 0},
		{"growth stops at max", 4, 6, 3.5, 0, 6, 0},
		{"at max stays", 6, 6, 6, 0, 6, 0},
		{"one processor half used stays", 1, 8, 0.5, 0, 1, 0},
		{"one processor idle stays", 1, 8, 0, 7, 1, 0},
		{"a light interval counts towards shrinking", 4, 8, 0.5, 3, 4, 4},
		{"enough light intervals shrink by half", 4, 8, 0.5, shrinkAfter - 1, 2, 0},
		{"two processors, light, shrink to one", 2, 8, 0.1, shrinkAfter - 1, 1, 0},
		{"a busy interval resets the count", 4, 8, 2.0, 5, 4, 0},
		{"between the thresholds nothing changes", 4, 8, 1.5, 0, 4, 0},
	} {
		got, gotLow := Next(c.cur, c.max, c.busy, c.low)
		if got != c.want || gotLow != c.wantLow {
			t.Errorf("%s: Next(%d, %d, %.2f, %d) = %d, %d; want %d, %d",
				c.name, c.cur, c.max, c.busy, c.low, got, gotLow, c.want, c.wantLow)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 20 s (GOMAXPROCS %d)", what, runtime.GOMAXPROCS(0))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The governor starts on one processor, adds processors while the process
// keeps them busy, gives them back when the work stops, and restores the
// original count when its context ends.
func TestGovern(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	max := runtime.GOMAXPROCS(0)
	if max < 2 {
		t.Skip("needs two processors")
	}
	defer runtime.GOMAXPROCS(max)
	ctx, cancel := context.WithCancel(context.Background())
	Govern(ctx, nil)
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS %d after Govern, want 1", got)
	}

	var stop atomic.Bool
	for range max {
		go func() {
			x := 0
			for !stop.Load() {
				x++
			}
			_ = x
		}()
	}
	waitFor(t, "grown under load", func() bool { return runtime.GOMAXPROCS(0) > 1 })
	stop.Store(true)
	waitFor(t, "back to one processor when idle", func() bool { return runtime.GOMAXPROCS(0) == 1 })

	cancel()
	waitFor(t, "restored after cancel", func() bool { return runtime.GOMAXPROCS(0) == max })
}

// A GOMAXPROCS in the environment is the operator's: left alone.
func TestGovernRespectsEnvironment(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2")
	before := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	Govern(ctx, nil)
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Fatalf("GOMAXPROCS %d after Govern with GOMAXPROCS set, want %d", got, before)
	}
}
