package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	echoOnce sync.Once
	echoPath string
	echoErr  error
)

// buildEcho builds bench/echoserver once for the end-to-end tests.
func buildEcho(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the echo server")
	}
	echoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bench-load-test-")
		if err != nil {
			echoErr = err
			return
		}
		echoPath = filepath.Join(dir, "echoserver")
		if b, err := exec.Command("go", "build", "-o", echoPath, echoserverPkg).CombinedOutput(); err != nil {
			echoErr = fmt.Errorf("go build: %v\n%s", err, b)
		}
	})
	if echoErr != nil {
		t.Fatal(echoErr)
	}
	return echoPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if echoPath != "" {
		_ = os.RemoveAll(filepath.Dir(echoPath))
	}
	os.Exit(code)
}

// TestDirectOnlyEndToEnd runs every scenario's direct half against the real
// echo server in both protocol eras, checking that calls are made and
// verified and that no child outlives its scenario.
func TestDirectOnlyEndToEnd(t *testing.T) {
	echo := buildEcho(t)
	for _, era := range []string{"session", "modern"} {
		cfg := &config{
			ctx: context.Background(), echoserver: echo, era: era, directOnly: true, rss: true,
			concurrency: []int{1, 4}, payloads: []int{16, 70000},
			duration: 200 * time.Millisecond, round: 100 * time.Millisecond, warmup: 20 * time.Millisecond,
			callTimeout: 5 * time.Second, readyTimeout: 10 * time.Second, settle: time.Millisecond,
			startupRuns: 2, tmpDir: t.TempDir(), scenarios: allScenarios,
		}
		rep := &report{}
		for _, name := range allScenarios {
			results, rss, err := runScenario(cfg, name)
			if err != nil {
				t.Fatalf("%s/%s: %v", era, name, err)
			}
			if len(results) != 4 {
				t.Fatalf("%s/%s: %d cells", era, name, len(results))
			}
			for _, r := range results {
				if r.Error != "" || r.Direct == nil || r.Direct.Calls == 0 || r.Direct.Failures != 0 || r.Gateway != nil || r.Rounds != 2 {
					t.Fatalf("%s/%s: bad cell %+v (direct %+v)", era, name, r, r.Direct)
				}
				if r.Direct.P50us <= 0 || r.Direct.P50us > r.Direct.P99us || r.Direct.CallsPerS <= 0 {
					t.Fatalf("%s/%s: implausible stats %+v", era, name, r.Direct)
				}
			}
			if rss == nil || rss.Direct == nil || rss.Direct.IdleRSSKiB <= 0 || rss.Gateway != nil {
				t.Fatalf("%s/%s: rss %+v", era, name, rss)
			}
			rep.Results = append(rep.Results, results...)
		}
		rep.Startup = measureStartup(cfg)
		if rep.Startup.Error != "" || rep.Startup.DirectMs <= 0 || rep.Startup.GatewayMs != nil {
			t.Fatalf("%s: startup %+v", era, rep.Startup)
		}
		s := summarize(cfg, rep, nil)
		if !s.OK || s.TotalCalls == 0 || s.TargetsMet != nil || len(s.Scenarios) != 3 {
			t.Fatalf("%s: summary %+v", era, s)
		}
	}
	childrenMu.Lock()
	n := len(children)
	childrenMu.Unlock()
	if n != 0 {
		t.Fatalf("%d children left running", n)
	}
}

// TestDeadServerIsReported kills the server mid-scenario: calls must fail
// fast (not spin or hang) and the side must report the exit.
func TestDeadServerIsReported(t *testing.T) {
	echo := buildEcho(t)
	cfg := &config{ctx: context.Background(), echoserver: echo, era: "session", directOnly: true,
		callTimeout: 5 * time.Second, readyTimeout: 10 * time.Second, tmpDir: t.TempDir()}
	for _, name := range []string{"stdio", "http-stdio"} {
		direct, _, err := setupScenario(cfg, name)
		if err != nil {
			t.Fatal(err)
		}
		callers, release, err := direct.cell(2, 64)
		if err != nil {
			t.Fatal(err)
		}
		signalGroup(direct.pid(), sigKILL)
		time.Sleep(100 * time.Millisecond)
		rec := &recorder{}
		start := time.Now()
		runRound(callers, 300*time.Millisecond, rec, true)
		st := rec.stats()
		if st.Calls != 0 || st.Failures == 0 || st.Failures > 10 || time.Since(start) > 2*time.Second {
			t.Fatalf("%s: after kill: %+v in %v", name, st, time.Since(start))
		}
		// The exit is observed once the process has been reaped, which can
		// lag the kill on a loaded machine.
		for deadline := time.Now().Add(5 * time.Second); direct.alive() == nil; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: alive() is nil 5s after kill", name)
			}
		}
		release()
		direct.stop()
	}
}

// TestPeerWithoutReadyz measures a stand-in for another project's proxy:
// a script taking mcpwarden's serve arguments that runs the echo server
// itself, which the load tool must find ready by an answered initialize
// (-ready-path "") at -gateway-path.
func TestPeerWithoutReadyz(t *testing.T) {
	echo := buildEcho(t)
	peer := filepath.Join(t.TempDir(), "peer")
	script := "#!/bin/sh\n" +
		"while [ $# -gt 0 ]; do case $1 in --listen) addr=$2; shift 2;; --) shift; break;; *) shift;; esac; done\n" +
		"exec \"$1\" -http \"$addr\"\n"
	if err := os.WriteFile(peer, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := &config{
		ctx: context.Background(), mcpwarden: peer, echoserver: echo, era: "session",
		gatewayPath: "/mcp", readyPath: "",
		concurrency: []int{2}, payloads: []int{64},
		duration: 200 * time.Millisecond, round: 100 * time.Millisecond, warmup: 20 * time.Millisecond,
		callTimeout: 5 * time.Second, readyTimeout: 10 * time.Second, tmpDir: t.TempDir(),
	}
	results, _, err := runScenario(cfg, "http-stdio")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Error != "" || results[0].Gateway == nil ||
		results[0].Gateway.Calls == 0 || results[0].Gateway.Failures != 0 {
		t.Fatalf("cells %+v", results)
	}

	// Without the fallback the same peer is never ready: it serves no /readyz.
	cfg.readyPath, cfg.readyTimeout = "/nope", 300*time.Millisecond
	if _, _, err := setupScenario(cfg, "http-stdio"); err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("setup with a missing ready path: %v", err)
	}
}
