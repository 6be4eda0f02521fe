// Command pathlat splits one stdio call's time between a relay (mcpwarden
// run, or bench/byterelay), the server behind it and the wake-ups between
// them, from the kernel's syscall tracepoints. Wall-clock latency on a
// shared two-core VM moves by ±20 % between runs; the time a relay takes
// from reading a message to writing it on is steady to a microsecond, so
// a change to the relay's own path can be measured with it.
//
//	go build -o bin/drive ./bench/drive
//	go run ./bench/pathlat -- bin/mcpwarden run --sandbox off -- bin/echoserver
//
// It runs bench/drive, which speaks to `perf record … -- CMD`; perf (Debian's
// linux-perf) must be able to record syscalls:* tracepoints (root, or
// kernel.perf_event_paranoid ≤ 1).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	drive := flag.String("drive", "bin/drive", "bench/drive binary")
	n := flag.Int("n", 12000, "calls")
	skip := flag.Int("skip", 2000, "calls left out at the start (warm-up)")
	payload := flag.Int("payload", 64, "echoed text size in bytes")
	server := flag.String("server", "echoserver", "the server's process name (the relay's is its command's base name)")
	script := flag.String("script", "", "read this `perf script -F comm,tid,time,event,trace` output instead of running anything; the relay's name is the one argument")
	flag.Parse()
	if *script != "" && flag.NArg() == 1 {
		f, err := os.Open(*script)
		if err != nil {
			fail(err)
		}
		evs, err := parse(f, flag.Arg(0), *server)
		if err != nil {
			fail(err)
		}
		report(evs, *skip)
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: pathlat [flags] -- RELAY [ARGS...]")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "pathlat")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "perf.data")
	args := []string{"-n", strconv.Itoa(*n), "-warmup", "0", "-payload", strconv.Itoa(*payload), "--",
		"perf", "record", "-q", "-o", data, "-e", "syscalls:sys_enter_read,syscalls:sys_exit_read,syscalls:sys_enter_write", "--"}
	cmd := exec.Command(*drive, append(args, flag.Args()...)...)
	// The relay's own log (one line a call from mcpwarden) is not wanted
	// here; drive's lines are kept for the failure message.
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %w\n%s", *drive, err, tail(stderr.String(), 2000)))
	}
	ps := exec.Command("perf", "script", "-i", data, "-F", "comm,tid,time,event,trace")
	out, err := ps.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := ps.Start(); err != nil {
		fail(err)
	}
	evs, err := parse(out, commOf(flag.Arg(0)), commOf(*server))
	if err != nil {
		fail(err)
	}
	if err := ps.Wait(); err != nil {
		fail(fmt.Errorf("perf script: %w", err))
	}
	report(evs, *skip)
}

func report(evs []event, skip int) {
	b, err := budget(evs, skip)
	if err != nil {
		fail(err)
	}
	b.print(os.Stdout)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pathlat:", err)
	os.Exit(1)
}

// commOf is the kernel's name for a process running path: its base name,
// cut to 15 bytes.
func commOf(path string) string {
	c := filepath.Base(path)
	if len(c) > 15 {
		c = c[:15]
	}
	return c
}

// event is a read that returned data, or a write, by the relay or by the
// server.
type event struct {
	relay bool
	write bool
	fd    int
	us    float64
}

// parse reads `perf script -F comm,tid,time,event,trace` lines of the
// three syscall tracepoints.
func parse(r io.Reader, relay, server string) ([]event, error) {
	var evs []event
	reading := map[string]int{} // tid → fd of its read in progress
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// "comm tid time: syscalls:NAME: trace"; comm may hold spaces.
		line := sc.Text()
		i := strings.Index(line, " syscalls:")
		if i < 0 {
			continue
		}
		head := strings.Fields(line[:i])
		if len(head) < 3 {
			continue
		}
		comm := strings.Join(head[:len(head)-2], " ")
		tid, ts := head[len(head)-2], strings.TrimSuffix(head[len(head)-1], ":")
		sec, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			return nil, fmt.Errorf("bad time in %q", line)
		}
		name, trace, _ := strings.Cut(line[i+len(" syscalls:"):], ":")
		trace = strings.TrimSpace(trace)
		isRelay := comm == relay
		if !isRelay && comm != server {
			continue // perf itself, for one
		}
		switch name {
		case "sys_enter_read", "sys_enter_write":
			fd, err := fdOf(trace)
			if err != nil {
				return nil, fmt.Errorf("%w in %q", err, line)
			}
			switch {
			case name == "sys_enter_read":
				reading[tid] = fd
			case fd == 2 || strings.HasSuffix(trace, "count: 0x00000008"):
				// Logs, and the Go runtime's 8-byte eventfd writes
				// (netpollBreak): no MCP message is that short.
			default:
				evs = append(evs, event{relay: isRelay, write: true, fd: fd, us: sec * 1e6})
			}
		case "sys_exit_read":
			fd, ok := reading[tid]
			delete(reading, tid)
			// Printed as an unsigned hex number: errors are ≥ 2^63.
			u, err := strconv.ParseUint(trace, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("bad return value in %q", line)
			}
			if ret := int64(u); ok && ret > 0 && ret != 8 {
				evs = append(evs, event{relay: isRelay, fd: fd, us: sec * 1e6})
			}
		}
	}
	return evs, sc.Err()
}

// fdOf reads "fd: 0x0000000b, …".
func fdOf(trace string) (int, error) {
	v, ok := strings.CutPrefix(trace, "fd: ")
	if !ok {
		return 0, fmt.Errorf("no fd")
	}
	v, _, _ = strings.Cut(v, ",")
	fd, err := strconv.ParseInt(v, 0, 64)
	return int(fd), err
}

// The six parts of one call, in order.
var parts = [...]string{
	"relay: request read → written to the server",
	"wake: relay's write → server reads",
	"server: read → answer written",
	"wake: server's write → relay reads",
	"relay: answer read → written to the client",
	"client: relay's write → next request read",
}

type result struct {
	calls int
	us    [len(parts)][]float64
}

// budget follows the calls through evs: a relay read of the client's
// request, the server's read and write, the relay's read of the answer and
// its last write before the next request. The client's read fd is the one
// whose data the server reads next most often.
func budget(evs []event, skip int) (*result, error) {
	reqFD, err := requestFD(evs)
	if err != nil {
		return nil, err
	}
	res := &result{}
	var t [7]float64 // the instants that bound the parts
	step := 0
	for _, e := range evs {
		switch {
		case e.relay && !e.write && e.fd == reqFD:
			if step == 6 && t[6] > 0 {
				if res.calls >= skip {
					res.add(t, e.us)
				}
				res.calls++
			}
			t = [7]float64{e.us}
			step = 1
		case step == 1 && e.relay && e.write:
			t[1], step = e.us, 2
		case step == 2 && !e.relay && !e.write:
			t[2], step = e.us, 3
		case step == 3 && !e.relay && e.write:
			t[3], step = e.us, 4
		case step == 4 && e.relay && !e.write:
			t[4], step = e.us, 5
		case (step == 5 || step == 6) && e.relay && e.write:
			t[5], t[6], step = e.us, e.us, 6 // the last write counts
		}
	}
	if res.calls <= skip {
		return nil, fmt.Errorf("%d calls followed, none after the %d skipped", res.calls, skip)
	}
	return res, nil
}

func (r *result) add(t [7]float64, next float64) {
	r.us[0] = append(r.us[0], t[1]-t[0])
	r.us[1] = append(r.us[1], t[2]-t[1])
	r.us[2] = append(r.us[2], t[3]-t[2])
	r.us[3] = append(r.us[3], t[4]-t[3])
	r.us[4] = append(r.us[4], t[5]-t[4])
	r.us[5] = append(r.us[5], next-t[5])
}

func requestFD(evs []event) (int, error) {
	next := map[int][2]int{} // fd → {server read next, reads}
	for i, e := range evs {
		if !e.relay || e.write {
			continue
		}
		c := next[e.fd]
		c[1]++
		for _, f := range evs[i+1:] {
			if !f.relay {
				if !f.write {
					c[0]++
				}
				break
			}
		}
		next[e.fd] = c
	}
	best, bestN := -1, 0
	for fd, c := range next {
		if c[1] >= 20 && c[0] > bestN {
			best, bestN = fd, c[0]
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("no relay reads followed by server reads: is the relay's name right, and did perf record follow both?")
	}
	return best, nil
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "%d calls followed (µs)          p50      p90     mean\n", len(r.us[0]))
	var sum float64
	for i, name := range parts {
		v := slices.Clone(r.us[i])
		slices.Sort(v)
		var mean float64
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		sum += mean
		fmt.Fprintf(w, "%-44s %7.1f  %7.1f  %7.1f\n", name, v[len(v)/2], v[len(v)*9/10], mean)
	}
	fmt.Fprintf(w, "%-44s %7s  %7s  %7.1f\n", "the whole call", "", "", sum)
}
