package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// conformanceResult is the parsed summary of one conformance suite run.
type conformanceResult struct {
	Passed, Failed int
	Scenarios      map[string][2]int // name → passed, failed
	FailedLines    []string
	Output         string
	Took           time.Duration
}

var (
	totalLine    = regexp.MustCompile(`(?m)^Total: (\d+) passed, (\d+) failed`)
	scenarioLine = regexp.MustCompile(`(?m)^([✓✗]) ([^:\s]+): (\d+) passed, (\d+) failed`)
)

func parseConformance(out string) (conformanceResult, error) {
	r := conformanceResult{Scenarios: map[string][2]int{}, Output: out}
	m := totalLine.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no \"Total: N passed, M failed\" line in conformance output")
	}
	r.Passed, _ = strconv.Atoi(m[1])
	r.Failed, _ = strconv.Atoi(m[2])
	for _, s := range scenarioLine.FindAllStringSubmatch(out, -1) {
		p, _ := strconv.Atoi(s[3])
		f, _ := strconv.Atoi(s[4])
		r.Scenarios[s[2]] = [2]int{p, f}
		if s[1] == "✗" || f > 0 {
			r.FailedLines = append(r.FailedLines, s[0])
		}
	}
	if len(r.Scenarios) == 0 {
		return r, fmt.Errorf("no per-scenario lines in conformance output")
	}
	return r, nil
}

// runConformance runs the official server suite against url.
func runConformance(t testing.TB, url string) conformanceResult {
	t.Helper()
	argv := append(testpeers.ConformanceCmd(t), "server", "--url", url)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	runErr := cmd.Run()
	took := time.Since(t0)
	r, err := parseConformance(out.String())
	r.Took = took
	if err != nil {
		t.Fatalf("conformance against %s: %v (exit: %v)\nstdout tail:\n%s\nstderr tail:\n%s",
			url, err, runErr, tail(out.String(), 3000), tail(errb.String(), 2000))
	}
	if runErr != nil && r.Failed == 0 {
		t.Fatalf("conformance against %s exited with %v but reported 0 failures\nstderr:\n%s", url, runErr, tail(errb.String(), 2000))
	}
	return r
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

var (
	directOnce   sync.Once
	directResult conformanceResult
	directErr    string
)

// directConformance runs the suite once against everything-server itself
// (-http -stateless=false): the reference every gateway run must match.
func directConformance(t *testing.T) conformanceResult {
	t.Helper()
	directOnce.Do(func() {
		// A sub-test-independent server: its cleanup belongs to the test that
		// ran first, which waits for its parallel sub-tests, so it outlives
		// every user of the result.
		url := everythingHTTP(t)
		r := runConformance(t, url)
		directResult = r
		if r.Failed != 0 {
			directErr = fmt.Sprintf("direct run against everything-server failed %d checks:\n%s", r.Failed, strings.Join(r.FailedLines, "\n"))
		}
		t.Logf("conformance direct (everything-server -http -stateless=false): %d passed, %d failed in %s",
			r.Passed, r.Failed, r.Took.Round(time.Millisecond))
	})
	if directErr != "" {
		t.Fatal(directErr)
	}
	if directResult.Passed == 0 {
		t.Fatal("direct conformance run produced no result")
	}
	return directResult
}

// TestConformance runs the official MCP conformance suite (server side)
// through mcpwarden serve in front of everything-server reached three
// ways, and requires the same result as the suite run directly.
func TestConformance(t *testing.T) {
	t.Parallel()
	want := directConformance(t)

	cases := []struct {
		name string
		cfg  func(t *testing.T) string
	}{
		{"stdio", func(t *testing.T) string {
			return "servers:\n" + stdioServerYAML(t, "everything")
		}},
		{"streamable-http", func(t *testing.T) string {
			return fmt.Sprintf("servers:\n  everything:\n    url: %s\n", everythingHTTP(t))
		}},
		{"legacy-sse-chain", func(t *testing.T) string {
			// Gateway B serves legacy HTTP+SSE at /sse in front of a stdio
			// everything-server; gateway A reaches B with transport: sse.
			b := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
			return fmt.Sprintf("servers:\n  everything:\n    url: %s/sse\n    transport: sse\n", b.Base)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := startServe(t, c.cfg(t))
			got := runConformance(t, g.URL)
			t.Logf("conformance via gateway (%s): %d passed, %d failed in %s (direct: %d passed in %s)",
				c.name, got.Passed, got.Failed, got.Took.Round(time.Millisecond), want.Passed, want.Took.Round(time.Millisecond))
			if got.Failed != 0 {
				t.Errorf("%d conformance checks failed through the gateway:\n%s", got.Failed, strings.Join(got.FailedLines, "\n"))
			}
			if got.Passed != want.Passed {
				t.Errorf("passed %d checks through the gateway, %d directly", got.Passed, want.Passed)
			}
			for name, pf := range want.Scenarios {
				if g, ok := got.Scenarios[name]; !ok {
					t.Errorf("scenario %s ran directly but not through the gateway", name)
				} else if g != pf {
					t.Errorf("scenario %s: %d passed/%d failed through the gateway, %d/%d directly", name, g[0], g[1], pf[0], pf[1])
				}
			}
			if t.Failed() {
				t.Logf("conformance output tail:\n%s", tail(got.Output, 4000))
			}
		})
	}
}
