// Package procstat reads what a benchmark tool needs to know about the
// processes it measures from Linux's /proc: CPU time and context switches
// of a process (all its threads) and of its live children. Elsewhere every
// reading fails (OK is false).
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is one process's own CPU time (all threads, children excluded)
// and its context switches summed over its threads.
type Usage struct {
	User, Sys              time.Duration
	Voluntary, Involuntary int64
	OK                     bool
}

// Add sums two readings.
func (u Usage) Add(v Usage) Usage {
	return Usage{User: u.User + v.User, Sys: u.Sys + v.Sys, Voluntary: u.Voluntary + v.Voluntary,
		Involuntary: u.Involuntary + v.Involuntary, OK: u.OK && v.OK}
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTick = 10 * time.Millisecond

// Read reads /proc/PID/stat and, with switches, /proc/PID/task/*/status.
// Threads that exited between readings take their switches with them; a
// Go program keeps its threads, so the difference of two readings is
// sound for a gateway.
func Read(pid int, switches bool) Usage {
	var u Usage
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u
	}
	// After the command name (which may hold spaces), utime and stime are
	// the 12th and 13th fields.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return u
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	u.User, u.Sys, u.OK = time.Duration(ut)*clockTick, time.Duration(st)*clockTick, true
	if !switches {
		return u
	}
	for _, t := range tasks(pid) {
		s, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(s), "\n") {
			k, v, _ := strings.Cut(line, ":")
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			switch k {
			case "voluntary_ctxt_switches":
				u.Voluntary += n
			case "nonvoluntary_ctxt_switches":
				u.Involuntary += n
			}
		}
	}
	return u
}

// Children sums Read over the live children of pid (a gateway's server);
// OK is false when it has none.
func Children(pid int, switches bool) Usage {
	var sum Usage
	first := true
	for _, t := range tasks(pid) {
		// Each thread lists the children it forked.
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t))
		for _, f := range strings.Fields(string(b)) {
			c, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			if u := Read(c, switches); first {
				sum, first = u, false
			} else {
				sum = sum.Add(u)
			}
		}
	}
	return sum
}

func tasks(pid int) []string {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names
}
