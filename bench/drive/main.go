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

	"github.com/mcpwarden/mcpwarden/bench/procstat"
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
	// The default warm-up outlasts the gateway's own (about 0.35 s, after
	// which run drops to one P), so that the reading sees the steady state.
	warmup := flag.Int("warmup", 3000, "calls before the CPU and context-switch reading starts (stdio)")
	filler := flag.String("filler", "x", "bytes the echoed text repeats; bench/load's is abcdefghijklmnopqrstuvwxyz0123456789")
	flag.Parse()
	if *filler == "" {
		*filler = "x"
	}
	text := strings.Repeat(*filler, *payload/len(*filler)+1)[:*payload]
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
	var before, beforeKids procstat.Usage
	for i := 1; i <= n; i++ {
		if i == min(warmup, n)+1 || (warmup <= 0 && i == 1) {
			pid := cmd.Process.Pid
			before, beforeKids = procstat.Read(pid, true), procstat.Children(pid, true)
		}
		if err := roundTrip(call(i), i); err != nil {
			return err
		}
	}
	if pid := cmd.Process.Pid; before.OK && n > warmup {
		k := float64(n - max(warmup, 0))
		report := func(what string, b, a procstat.Usage) {
			if !b.OK || !a.OK {
				return
			}
			fmt.Fprintf(os.Stderr, "drive: %s over the last %d calls: %.1f µs user + %.1f µs sys CPU per call, %.2f context switches per call (%.2f voluntary)\n",
				what, n-max(warmup, 0), us(a.User-b.User)/k, us(a.Sys-b.Sys)/k,
				float64(a.Voluntary+a.Involuntary-b.Voluntary-b.Involuntary)/k, float64(a.Voluntary-b.Voluntary)/k)
		}
		report(fmt.Sprintf("process %d", pid), before, procstat.Read(pid, true))
		report("its children", beforeKids, procstat.Children(pid, true))
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

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
