// Package procs sizes the Go runtime's processor count (GOMAXPROCS) to the
// gateway's load: one processor while the load fits in one core, more as
// soon as it does not.
//
// Why: a relay hands every message from one goroutine to another (reader,
// request, upstream, reply). With a second processor idle, each hand-off
// also wakes a second thread to look for work: a futex wake, a few polls
// and a short sleep, then a futex sleep, on cores the client and the
// server need too. Measured on the development VM, 64 B calls at one
// caller, gateway CPU per call: serve HTTP→HTTP 342 → 220 µs and
// HTTP→stdio 253 → 152 µs governed against every processor
// (docs/performance.md). But one processor
// caps the gateway at one core, which a busy serve in front of many
// clients outgrows: so the count follows the CPU the process actually
// uses, sampled every Interval.
//
// A GOMAXPROCS set in the environment is the operator's choice and is left
// alone.
package procs

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// Interval is how often the process's CPU time is sampled while it works;
// an idle process on one processor is sampled every IdleInterval, so that
// an idle gateway (say, run under a desktop client) wakes seldom.
const (
	Interval     = 100 * time.Millisecond
	IdleInterval = time.Second
	idleBelow    = 0.02 // cores
)

const (
	// grow when the process used more than this share of its processors
	// over one interval: they are (nearly) all busy, so more may help.
	growAt = 0.75
	// shrink when the process would have fit in half its processors with
	// room to spare, for shrinkAfter intervals in a row: brief lulls in a
	// busy stream do not flap the count.
	shrinkAt    = 0.6
	shrinkAfter = 10
)

// Next returns the processor count to use after an interval in which the
// process used busy cores (CPU seconds per second) on cur processors, at
// most max; low counts the intervals in a row that were light enough to
// shrink and is returned updated. Doubling and halving keep the count
// at powers of two below max: few changes, each a brief stop of the world.
func Next(cur, max int, busy float64, low int) (int, int) {
	switch {
	case busy > growAt*float64(cur) && cur < max:
		return min(2*cur, max), 0
	case cur > 1 && busy < shrinkAt*float64(cur/2):
		if low+1 >= shrinkAfter {
			return cur / 2, 0
		}
		return cur, low + 1
	}
	return cur, 0
}

// Govern starts with one processor and adjusts the count every Interval
// until ctx is done, then restores the count it found. It does nothing
// when GOMAXPROCS is set in the environment or the runtime's count is
// already one.
func Govern(ctx context.Context, log *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	max := runtime.GOMAXPROCS(0)
	if max <= 1 {
		return
	}
	cur := 1
	runtime.GOMAXPROCS(cur)
	go func() {
		defer runtime.GOMAXPROCS(max)
		t := time.NewTimer(Interval)
		defer t.Stop()
		lastCPU, lastAt := CPUTime(), time.Now()
		low := 0
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				c := CPUTime()
				busy := (c - lastCPU).Seconds() / now.Sub(lastAt).Seconds()
				lastCPU, lastAt = c, now
				next, l := Next(cur, max, busy, low)
				low = l
				if next != cur {
					runtime.GOMAXPROCS(next)
					if log != nil {
						log.Debug("processors", "gomaxprocs", next, "was", cur, "busy_cores", busy)
					}
					cur = next
				}
				if cur == 1 && busy < idleBelow {
					t.Reset(IdleInterval)
				} else {
					t.Reset(Interval)
				}
			}
		}
	}()
}

// CPUTime is the user and system CPU time of the whole process. The call
// is raw: an ordinary one would wake the runtime's monitor thread (see
// package rawio), and getrusage never blocks.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if _, _, e := syscall.RawSyscall(syscall.SYS_GETRUSAGE, syscall.RUSAGE_SELF, uintptr(unsafe.Pointer(&ru)), 0); e != 0 {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
