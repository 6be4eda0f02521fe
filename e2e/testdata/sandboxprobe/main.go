// Command sandboxprobe is a minimal stdio MCP server whose one tool,
// probe, reports what the process can see and do, for the sandbox
// end-to-end tests. Run with an argument it is one of its own helpers
// (sleep, hog).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "sleep":
			time.Sleep(30 * time.Second)
			return
		case "hog":
			var keep [][]byte
			for i := 0; ; i++ {
				b := make([]byte, 64<<20)
				for j := 0; j < len(b); j += 4096 {
					b[j] = 1
				}
				keep = append(keep, b)
				fmt.Fprintf(os.Stderr, "hog: %d MiB\n", (i+1)*64)
			}
		}
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Name      string            `json:"name"`
				Arguments map[string]string `json:"arguments"`
			} `json:"params"`
		}
		if json.Unmarshal(in.Bytes(), &req) != nil || req.ID == nil {
			continue
		}
		var result any
		switch req.Method {
		case "initialize":
			result = map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "sandboxprobe", "version": "1"}}
		case "tools/list":
			result = map[string]any{"tools": []any{map[string]any{"name": "probe", "inputSchema": map[string]any{"type": "object"}}}}
		case "tools/call":
			result = map[string]any{"content": []any{map[string]any{"type": "text", "text": probe(req.Params.Arguments)}}}
		default:
			result = map[string]any{}
		}
		out.Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
	}
}

func probe(a map[string]string) string {
	switch a["op"] {
	case "pids":
		ents, _ := os.ReadDir("/proc")
		var pids []string
		for _, e := range ents {
			if e.Name()[0] >= '0' && e.Name()[0] <= '9' {
				pids = append(pids, e.Name())
			}
		}
		return strings.Join(pids, ",")
	case "read":
		b, err := os.ReadFile(a["path"])
		if err != nil {
			return "error: " + err.Error()
		}
		return "ok: " + string(b)
	case "write":
		if err := os.WriteFile(a["path"], []byte("x"), 0o644); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "connect":
		c, err := net.DialTimeout("tcp", a["addr"], 2*time.Second)
		if err != nil {
			return "error: " + err.Error()
		}
		c.Close()
		return "ok"
	case "env":
		return strings.Join(os.Environ(), "\n")
	case "status":
		b, _ := os.ReadFile("/proc/self/status")
		var keep []string
		for _, l := range strings.Split(string(b), "\n") {
			for _, k := range []string{"CapEff", "CapPrm", "CapBnd", "NoNewPrivs", "Seccomp:", "Uid"} {
				if strings.HasPrefix(l, k) {
					keep = append(keep, l)
				}
			}
		}
		return strings.Join(keep, "\n")
	case "unshare":
		c := exec.Command("/proc/self/exe", "sleep")
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
		if err := c.Start(); err != nil {
			return "error: " + err.Error()
		}
		c.Process.Kill()
		c.Wait()
		return "ok"
	case "mount":
		if err := syscall.Mount("tmpfs", "/tmp", "tmpfs", 0, ""); err != nil {
			return "error: " + err.Error()
		}
		return "ok"
	case "forkbomb":
		var kids []*exec.Cmd
		var err error
		for len(kids) < 5000 {
			c := exec.Command("/proc/self/exe", "sleep")
			if err = c.Start(); err != nil {
				break
			}
			kids = append(kids, c)
		}
		for _, c := range kids {
			c.Process.Kill()
			c.Wait()
		}
		return fmt.Sprintf("started %d: %v", len(kids), err)
	case "tunnel":
		// CONNECT through HTTPS_PROXY, then a plain HTTP GET.
		proxy := strings.TrimPrefix(os.Getenv("HTTPS_PROXY"), "http://")
		if proxy == "" {
			return "error: no HTTPS_PROXY"
		}
		c, err := net.DialTimeout("tcp", proxy, 2*time.Second)
		if err != nil {
			return "error: " + err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", a["target"], a["target"])
		br := bufio.NewReader(c)
		status, err := br.ReadString('\n')
		if err != nil {
			return "error: " + err.Error()
		}
		if !strings.Contains(status, " 200 ") {
			return "refused: " + strings.TrimSpace(status)
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", a["target"])
		body, _ := io.ReadAll(br)
		return "ok: " + string(body)
	case "hog":
		c := exec.Command("/proc/self/exe", "hog")
		err := c.Run()
		return fmt.Sprintf("hog exited: %v", err)
	}
	return "unknown op"
}
