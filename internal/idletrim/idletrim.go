// Package idletrim gives memory back while the gateway is idle.
//
// An idle gateway holds two kinds of memory it does not need: heap pages
// that are free but not yet returned to the system, and the page-table
// entries of its own executable. The second is most of its resident set:
// start-up runs every linked package's initialisation, which touches code
// and read-only data spread over the whole binary (about 80 MB), and
// kernels that cache an executable in large folios map a whole 2 MiB
// folio for each page touched (measured: 52 MiB of file pages, 43 MiB of
// them PMD-mapped, for 4 MiB of pages an idle gateway actually uses).
// Those pages stay in the page cache; dropping the mappings only means
// the next use of a page takes a minor fault, which is cheap next to an
// idle period.
//
// Release drops only mappings that are the executable's, read-only and
// hold no private (copied-on-write) page: such a mapping's content is
// the file's, so the kernel maps the same bytes back on the next access.
// A mapping with private pages (RELRO after the dynamic loader's
// relocations, a debugger's breakpoint) is left alone, since dropping it
// would lose what was written there. Nor does it widen what a writer of
// the executable file could do: pages never touched are read from the
// page cache on first use anyway, so the binary must not be writable by
// anyone the gateway does not trust, trim or not.
package idletrim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mcpwarden/mcpwarden/internal/procs"
)

// Mapping is one line of /proc/self/smaps with the fields Release needs.
type Mapping struct {
	Start, End   uintptr
	Perms        string // e.g. "r-xp"
	Major, Minor uint32 // device of the mapped file
	Inode        uint64
	AnonKiB      int64 // "Anonymous:": private pages copied on write
}

// clean reports whether m maps the file dev:ino read-only with no private
// page, so that dropping its page-table entries loses nothing.
func (m Mapping) clean(major, minor uint32, ino uint64) bool {
	return m.Inode == ino && m.Major == major && m.Minor == minor &&
		(m.Perms == "r--p" || m.Perms == "r-xp") && m.AnonKiB == 0 && m.End > m.Start
}

// ParseSmaps reads the mappings of a /proc/PID/smaps text. A mapping
// whose "Anonymous:" line is missing or unreadable gets AnonKiB -1, so
// that it never counts as clean.
func ParseSmaps(data []byte) ([]Mapping, error) {
	var out []Mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(f[0], ":") {
			if f[0] == "Anonymous:" && len(out) > 0 && len(f) >= 2 {
				if n, err := strconv.ParseInt(f[1], 10, 64); err == nil && n >= 0 {
					out[len(out)-1].AnonKiB = n
				}
			}
			continue
		}
		if len(f) < 5 {
			continue // VmFlags and the like
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		maj, min, ok2 := strings.Cut(f[3], ":")
		if !ok || !ok2 {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		ma, err3 := strconv.ParseUint(maj, 16, 32)
		mi, err4 := strconv.ParseUint(min, 16, 32)
		ino, err5 := strconv.ParseUint(f[4], 10, 64)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return nil, fmt.Errorf("idletrim: smaps line %q: %w", line, err)
		}
		out = append(out, Mapping{Start: uintptr(start), End: uintptr(end), Perms: f[1],
			Major: uint32(ma), Minor: uint32(mi), Inode: ino, AnonKiB: -1})
	}
	return out, sc.Err()
}

// Result says what one Release gave back.
type Result struct {
	MappedBytes  int64 // of the executable's clean mappings dropped
	RSSBeforeKiB int64
	RSSAfterKiB  int64
}

// Release drops the page-table entries of the executable's clean
// read-only mappings and, with heap, first returns the heap's free pages
// to the system (a full collection).
func Release(heap bool) (Result, error) {
	var r Result
	r.RSSBeforeKiB = rssKiB()
	if heap {
		debug.FreeOSMemory()
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &st); err != nil {
		return r, fmt.Errorf("idletrim: executable: %w", err)
	}
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return r, fmt.Errorf("idletrim: %w", err)
	}
	maps, err := ParseSmaps(data)
	if err != nil {
		return r, err
	}
	major, minor := unix.Major(st.Dev), unix.Minor(st.Dev)
	for _, m := range maps {
		if !m.clean(major, minor, st.Ino) {
			continue
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, m.Start, m.End-m.Start, syscall.MADV_DONTNEED); e != 0 {
			return r, fmt.Errorf("idletrim: madvise %#x-%#x: %w", m.Start, m.End, e)
		}
		r.MappedBytes += int64(m.End - m.Start)
	}
	r.RSSAfterKiB = rssKiB()
	return r, nil
}

// rssKiB is VmRSS from /proc/self/status, or -1.
func rssKiB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// idleBelow is the CPU a second of an idle gateway stays under: its own
// timers (the processor governor's sample, the audit store's ticks) take
// well under a millisecond.
const idleBelow = 10 * time.Millisecond

// regrowKiB is how much VmRSS may grow after a release, while the process
// uses under idleBelow a second, before Watch counts it as activity: the
// loop's own work maps back a few pages, a call tens of MiB (whole 2 MiB
// folios of the executable for each page it runs).
const regrowKiB = 8 << 10

// After is how long the process must stay idle before Watch releases
// memory, unless MCPWARDEN_IDLE_TRIM says otherwise ("off", or a
// duration of at least a second).
const After = 5 * time.Second

// Setting reads MCPWARDEN_IDLE_TRIM: the idle time before a release, or
// 0 when releasing is off.
func Setting() (time.Duration, error) {
	v := os.Getenv("MCPWARDEN_IDLE_TRIM")
	switch v {
	case "":
		return After, nil
	case "off":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("MCPWARDEN_IDLE_TRIM=%q: want off or a duration of at least 1s", v)
	}
	return d, nil
}

// Watch samples the process's CPU time every second until ctx is done and
// calls Release once the process has used less than idleBelow in each
// second for the idle time of Setting. While it stays idle, Release runs
// again (without the collection) after each garbage collection, since a
// collection reads the type data of every live object and so maps much
// of the binary back (measured: the runtime's two-minute collection took
// an idle gateway's file pages from 19 to 32 MiB). VmRSS grown by
// regrowKiB since a release (a call too light to count as busy) counts as
// activity: the idle time starts again. A gateway that answers calls
// keeps its pages; one left alone gives them back.
func Watch(ctx context.Context, log *slog.Logger) {
	after, err := Setting()
	if err != nil {
		log.Warn("idle trim off", "err", err)
		return
	}
	if after == 0 {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var (
		last     = procs.CPUTime()
		quiet    time.Duration
		released bool   // since the process was last busy
		gcAt     uint64 // collections counted at the last release
		rssAt    int64  // VmRSS right after the last release (-1: not read yet)
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c := procs.CPUTime()
		used := c - last
		last = c
		if used >= idleBelow {
			quiet, released = 0, false
			continue
		}
		quiet += time.Second
		if quiet < after {
			continue
		}
		if released {
			// A call now and then (a few milliseconds of CPU, under
			// idleBelow) maps back the code it runs: it counts as
			// activity, and the pages go after the idle time again.
			rss := rssKiB()
			if rssAt < 0 {
				rssAt = rss // not read at the release
			}
			if rss-rssAt > regrowKiB {
				quiet, released = 0, false
				continue
			}
			if gcCycles() == gcAt {
				continue
			}
		}
		r, err := Release(!released)
		// What idling keeps is read right after the release: read at the
		// next tick, it would count a call made within that second as
		// kept, and the call's pages would stay until a collection.
		released, gcAt, rssAt = true, gcCycles(), r.RSSAfterKiB
		if err != nil || rssAt <= 0 {
			rssAt = -1 // read at the next tick instead
		}
		// Release's own work (a collection, reading smaps) is not load.
		last = procs.CPUTime()
		if err != nil {
			log.Warn("idle trim", "err", err)
			continue
		}
		log.Debug("idle trim", "unmapped_bytes", r.MappedBytes, "rss_before_kib", r.RSSBeforeKiB, "rss_after_kib", r.RSSAfterKiB)
	}
}

// gcCycles is the number of completed garbage collections.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
