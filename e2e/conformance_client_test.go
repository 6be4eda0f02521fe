package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// The conformance suite's client mode starts a mock MCP server per
// scenario and runs "<command> <server URL>". To put the gateway between
// the suite's server and a real client, the command is this test binary
// with proxyClientEnv set: it starts `mcpwarden serve` with the URL as its
// one upstream (Streamable HTTP) and runs everything-client at the
// gateway.
const (
	proxyClientEnv    = "MCPWARDEN_E2E_PROXY_CLIENT" // "GATEWAY_BIN|EVERYTHING_CLIENT|LOG_DIR"
	proxyClientScnEnv = "MCP_CONFORMANCE_SCENARIO"
)

func proxyClientMain() int {
	parts := strings.Split(os.Getenv(proxyClientEnv), "|")
	if len(parts) != 3 || len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "proxy client: bad", proxyClientEnv, "or no URL argument")
		return 2
	}
	gw, client, logDir := parts[0], parts[1], parts[2]
	upstreamURL := os.Args[len(os.Args)-1]
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxy client:", err)
		return 2
	}
	addr := l.Addr().String()
	l.Close()
	dir, err := os.MkdirTemp("", "mcpwarden-proxy-client-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxy client:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "mcpwarden.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("listen: %s\nservers:\n  up:\n    url: %q\n", addr, upstreamURL)), 0o600)
	name := strings.ReplaceAll(os.Getenv(proxyClientScnEnv), "/", "_")
	logf, err := os.Create(filepath.Join(logDir, name+".gateway.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxy client:", err)
		return 2
	}
	defer logf.Close()
	g := exec.Command(gw, "serve", "--log-level", "debug", "-c", cfg)
	g.Stdout, g.Stderr = logf, logf
	if err := g.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "proxy client: start gateway:", err)
		return 2
	}
	defer func() {
		_ = g.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = g.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = g.Process.Kill()
			<-done
		}
	}()
	up := false
	for i := 0; i < 200 && !up; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			up = true
		} else {
			time.Sleep(25 * time.Millisecond)
		}
	}
	if !up {
		fmt.Fprintln(os.Stderr, "proxy client: gateway did not come up")
		return 2
	}
	c := exec.Command(client, "http://"+addr+"/mcp")
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := c.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "proxy client: everything-client:", err)
		return 2
	}
	return 0
}

var clientPassed = regexp.MustCompile(`Passed: (\d+)/(\d+), (\d+) failed, (\d+) warnings`)

// runClientScenario runs one client-mode scenario with command and
// returns passed, total, failed, warnings.
func runClientScenario(t *testing.T, scenario, command string, env []string) (p, total, f, w int, out string) {
	t.Helper()
	argv := append(testpeers.ConformanceCmd(t), "client", "--command", command, "--scenario", scenario)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	_ = cmd.Run()
	out = buf.String()
	m := clientPassed.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("conformance client --scenario %s: no \"Passed: P/T\" line:\n%s", scenario, tail(out, 3000))
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return n(1), n(2), n(3), n(4), out
}

// TestConformanceClient runs the conformance suite's client scenarios with
// the gateway between the suite's mock servers and everything-client: the
// gateway's upstream side (Streamable HTTP client, era bridging) against
// servers that are not go-sdk. Each must score as everything-client does
// directly. The auth/* scenarios are left out: the gateway never forwards
// a client's credentials upstream, by design.
func TestConformanceClient(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir()
	env := []string{proxyClientEnv + "=" + gatewayBin + "|" + testpeers.EverythingClient(t) + "|" + logDir}
	for _, sc := range []string{"initialize", "tools_call", "sse-retry", "elicitation-sep1034-client-defaults"} {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			dp, dt, df, dw, dout := runClientScenario(t, sc, testpeers.EverythingClient(t), nil)
			if df != 0 || dp == 0 {
				t.Fatalf("direct everything-client: %d/%d passed, %d failed:\n%s", dp, dt, df, tail(dout, 2000))
			}
			gp, gt, gf, gw, gout := runClientScenario(t, sc, self, env)
			t.Logf("%s: via gateway %d/%d passed, %d failed, %d warnings; direct %d/%d, %d warnings", sc, gp, gt, gf, gw, dp, dt, dw)
			if gf != 0 || gp != dp || gt != dt || gw > dw {
				name := strings.ReplaceAll(sc, "/", "_")
				glog, _ := os.ReadFile(filepath.Join(logDir, name+".gateway.log"))
				t.Errorf("through the gateway: %d/%d passed, %d failed, %d warnings; directly %d/%d, %d warnings\nsuite output:\n%s\ngateway log:\n%s",
					gp, gt, gf, gw, dp, dt, dw, tail(gout, 3000), tail(string(glog), 4000))
			}
		})
	}
}
