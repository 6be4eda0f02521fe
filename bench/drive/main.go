// Command drive sends a fixed number of tools/call requests, one at a time,
// through an MCP server over stdio or Streamable HTTP. It exists to count
// the gateway's instructions per request under valgrind --tool=callgrind,
// which measures the same work whatever else the machine is doing: run it
// twice with different -n and divide the difference (docs/performance.md).
//
// Over stdio it also reports the spawned process's own CPU time and context
// switches per call (its children excluded), read from /proc after -warmup
// calls and at the end: a steadier figure than wall-clock latency on a
// shared machine.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

const (
	protocol = "2025-11-25"
	initReq  = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"drive","version":"1"}}}`
	initNote = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
)

func main() {
	n := flag.Int("n", 1000, "number of tools/call requests")
	payload := flag.Int("payload", 64, "size of the echoed text in bytes")
	url := flag.String("url", "", "Streamable HTTP endpoint; without it, the command after -- is spawned and spoken to over stdio")
	warmup := flag.Int("warmup", 200, "calls before the CPU and context-switch reading starts (stdio)")
	flag.Parse()
	text := strings.Repeat("x", *payload)
	call := func(id int) []byte {
		return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) +
			`,"method":"tools/call","params":{"name":"echo","arguments":{"text":"` + text + `"}}}`)
	}
	start := time.Now()
	var err error
	if *url != "" {
		err = driveHTTP(*url, *n, call)
	} else {
		err = driveStdio(flag.Args(), *n, *warmup, call)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drive:", err)
		os.Exit(1)
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "drive: %d calls in %v (%.1f µs/call)\n", *n, el.Round(time.Millisecond),
		float64(el.Microseconds())/float64(max(*n, 1)))
}

func driveStdio(argv []string, n, warmup int, call func(int) []byte) error {
	if len(argv) == 0 {
		return fmt.Errorf("no command after --")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	out := bufio.NewReaderSize(outp, 1<<20)
	roundTrip := func(req []byte, id int) error {
		if _, err := in.Write(append(req, '\n')); err != nil {
			return err
		}
		for {
			line, err := out.ReadBytes('\n')
			if err != nil {
				return fmt.Errorf("read response %d: %w", id, err)
			}
			if bytes.Contains(line, []byte(`"id":`+strconv.Itoa(id)+`,`)) || bytes.Contains(line, []byte(`"id":`+strconv.Itoa(id)+`}`)) {
				if bytes.Contains(line, []byte(`"error"`)) || bytes.Contains(line, []byte(`"isError":true`)) {
					return fmt.Errorf("call %d failed: %s", id, line)
				}
				return nil
			}
		}
	}
	if err := roundTrip([]byte(initReq), 0); err != nil {
		return err
	}
	if _, err := in.Write([]byte(initNote + "\n")); err != nil {
		return err
	}
	var before procUsage
	for i := 1; i <= n; i++ {
		if i == min(warmup, n)+1 || (warmup <= 0 && i == 1) {
			before = readUsage(cmd.Process.Pid)
		}
		if err := roundTrip(call(i), i); err != nil {
			return err
		}
	}
	if after := readUsage(cmd.Process.Pid); before.ok && after.ok && n > warmup {
		k := float64(n - max(warmup, 0))
		fmt.Fprintf(os.Stderr, "drive: process %d over the last %d calls: %.1f µs user + %.1f µs sys CPU per call, %.2f context switches per call (%.2f voluntary)\n",
			cmd.Process.Pid, n-max(warmup, 0), (after.user-before.user)/k, (after.sys-before.sys)/k,
			float64(after.vol+after.invol-before.vol-before.invol)/k, float64(after.vol-before.vol)/k)
		if before.kids.ok && after.kids.ok {
			b, a := before.kids, after.kids
			fmt.Fprintf(os.Stderr, "drive: its children: %.1f µs user + %.1f µs sys CPU per call, %.2f context switches per call\n",
				(a.user-b.user)/k, (a.sys-b.sys)/k, float64(a.vol+a.invol-b.vol-b.invol)/k)
		}
	}
	in.Close()
	_, _ = io.Copy(io.Discard, out)
	return cmd.Wait()
}

func driveHTTP(url string, n int, call func(int) []byte) error {
	c := &http.Client{Timeout: 30 * time.Second}
	sid := ""
	post := func(body []byte) (*http.Response, []byte, error) {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if sid != "" {
			req.Header.Set("Mcp-Session-Id", sid)
			req.Header.Set("MCP-Protocol-Version", protocol)
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, nil, err
		}
		if resp.StatusCode >= 300 {
			return nil, nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
		}
		return resp, b, nil
	}
	resp, _, err := post([]byte(initReq))
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	sid = resp.Header.Get("Mcp-Session-Id")
	if _, _, err := post([]byte(initNote)); err != nil {
		return fmt.Errorf("initialized: %w", err)
	}
	for i := 1; i <= n; i++ {
		_, b, err := post(call(i))
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if !bytes.Contains(b, []byte(`"result"`)) || bytes.Contains(b, []byte(`"isError":true`)) {
			return fmt.Errorf("call %d failed: %s", i, b)
		}
	}
	if sid != "" {
		req, _ := http.NewRequest(http.MethodDelete, url, nil)
		req.Header.Set("Mcp-Session-Id", sid)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	return nil
}

// procUsage is one process's own CPU time (µs, all threads, children
// excluded) and context switches summed over its threads.
type procUsage struct {
	user, sys  float64
	vol, invol int64
	ok         bool
	kids       *procUsage // the same, summed over the live children (a gateway's server)
}

// readUsage reads /proc/PID/stat and /proc/PID/task/*/status. Threads that
// exited between readings take their switches with them; the Go runtime
// keeps its threads, so the difference is sound for a gateway.
func readUsage(pid int) procUsage {
	u := ownUsage(pid)
	// Each thread lists the children it forked.
	var kids []string
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		kids = append(kids, strings.Fields(string(b))...)
	}
	k := procUsage{ok: len(kids) > 0}
	for _, f := range kids {
		c, _ := strconv.Atoi(f)
		cu := ownUsage(c)
		k.user, k.sys, k.vol, k.invol = k.user+cu.user, k.sys+cu.sys, k.vol+cu.vol, k.invol+cu.invol
	}
	u.kids = &k
	return u
}

func ownUsage(pid int) procUsage {
	var u procUsage
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u
	}
	// Fields after the command name, which may hold spaces: state is field 3,
	// utime 14 and stime 15 (clock ticks).
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return u
	}
	const tick = 1e6 / 100 // USER_HZ is 100 on Linux
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	u.user, u.sys = ut*tick, st*tick
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		s, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(s), "\n") {
			k, v, _ := strings.Cut(line, ":")
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			switch k {
			case "voluntary_ctxt_switches":
				u.vol += n
			case "nonvoluntary_ctxt_switches":
				u.invol += n
			}
		}
	}
	u.ok = true
	return u
}
