// Command load measures mcpwarden's overhead against a direct connection to
// the same MCP server, in the same run.
//
// For each scenario it starts the echo server directly and behind mcpwarden,
// drives both with N concurrent closed-loop callers of the "echo" tool,
// alternating short rounds (direct, gateway, direct, gateway, ...) so machine
// noise hits both sides alike, verifies every response, and prints one JSON
// report on stdout (progress goes to stderr). See bench/README.md.
//
//	go run ./bench/load -mcpwarden ./bin/mcpwarden
//	go run ./bench/load -direct-only -duration 2s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const echoserverPkg = "github.com/mcpwarden/mcpwarden/bench/echoserver"

var allScenarios = []string{"stdio", "http-stdio", "http-http"}

type config struct {
	ctx          context.Context
	mcpwarden    string
	echoserver   string
	gatewayArgs  []string
	scenarios    []string
	concurrency  []int
	payloads     []int
	duration     time.Duration
	warmup       time.Duration
	round        time.Duration
	era          string
	directOnly   bool
	rss          bool
	startup      bool
	startupRuns  int
	callTimeout  time.Duration
	readyTimeout time.Duration
	settle       time.Duration
	rest         time.Duration
	enforce      bool
	tmpDir       string
	gatewayPath  string // the gateway's MCP endpoint
	readyPath    string // polled before measuring; "" = an answered initialize
}

func (c *config) modern() bool { return c.era == "modern" }

type configReport struct {
	Mcpwarden   string   `json:"mcpwarden,omitempty"`
	Echoserver  string   `json:"echoserver"`
	Era         string   `json:"era"`
	Protocol    string   `json:"protocol_version"`
	DirectOnly  bool     `json:"direct_only"`
	Scenarios   []string `json:"scenarios"`
	Concurrency []int    `json:"concurrency"`
	Payloads    []int    `json:"payload_bytes"`
	Duration    string   `json:"duration"`
	Warmup      string   `json:"warmup"`
	Round       string   `json:"round"`
	GoVersion   string   `json:"go_version"`
	NumCPU      int      `json:"num_cpu"`
	GOMAXPROCS  int      `json:"gomaxprocs"`
}

type report struct {
	Config  configReport   `json:"config"`
	Results []cellResult   `json:"results"`
	RSS     []*scenarioRSS `json:"rss,omitempty"`
	Startup *startupReport `json:"startup,omitempty"`
	Summary summary        `json:"summary"`
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad positive integer %q", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}

func usageError(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	cfg := &config{}
	var scenarios, conc, payloads, gwArgs string
	flag.StringVar(&cfg.mcpwarden, "mcpwarden", "./bin/mcpwarden", "gateway binary `PATH`")
	flag.StringVar(&cfg.echoserver, "echoserver", "", "echo server binary `PATH` (default: go build "+echoserverPkg+" into a temp dir)")
	flag.StringVar(&gwArgs, "gateway-args", "", "extra space-separated `ARGS` for mcpwarden, inserted after the run/serve subcommand")
	flag.StringVar(&scenarios, "scenarios", strings.Join(allScenarios, ","), "comma-separated `LIST` of stdio, http-stdio, http-http")
	flag.StringVar(&conc, "concurrency", "8,32", "comma-separated `LIST` of concurrent callers (outstanding requests)")
	flag.StringVar(&payloads, "payload", "64,65536", "comma-separated `LIST` of echo text sizes in bytes")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "measured time per side per cell, split into rounds")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured warm-up per side per cell")
	flag.DurationVar(&cfg.round, "round", 500*time.Millisecond, "length of one interleaved round (direct and gateway alternate)")
	flag.StringVar(&cfg.era, "era", "session", "`ERA`: session (2025-11-25: initialize, Mcp-Session-Id) or modern (stateless 2026-07-28, per-request _meta; echoserver -stateless)")
	flag.BoolVar(&cfg.directOnly, "direct-only", false, "measure only the direct halves (no mcpwarden needed); validates the harness and gives baselines")
	flag.BoolVar(&cfg.rss, "rss", false, "report server RSS (VmRSS from /proc/PID/status) at idle after startup and after the run")
	flag.BoolVar(&cfg.startup, "startup", false, "measure spawn-to-first-tools/list time of `mcpwarden run -- echoserver` vs bare echoserver")
	flag.IntVar(&cfg.startupRuns, "startup-runs", 10, "timed spawns per side for -startup (median reported)")
	flag.DurationVar(&cfg.callTimeout, "call-timeout", 10*time.Second, "per-call timeout (a timeout is a failure)")
	flag.DurationVar(&cfg.readyTimeout, "ready-timeout", 10*time.Second, "how long a server may take to become ready")
	flag.DurationVar(&cfg.settle, "settle", 300*time.Millisecond, "idle time after startup before the idle RSS sample")
	flag.DurationVar(&cfg.rest, "rest", 0, "with -rss, idle this much longer before a second sample (rested_rss_kib): the gateway gives memory back after 5 s idle (MCPWARDEN_IDLE_TRIM)")
	flag.StringVar(&cfg.gatewayPath, "gateway-path", "/mcp", "`PATH` of the gateway's MCP endpoint (a proxy of another project, measured side by side, may serve elsewhere)")
	flag.StringVar(&cfg.readyPath, "ready-path", "/readyz", "`PATH` polled until it answers 200 before the gateway is measured; empty: until an initialize POST to -gateway-path is answered 200 (a proxy without a readiness endpoint)")
	flag.BoolVar(&cfg.enforce, "enforce-targets", false, "exit 3 if a performance target (see bench/README.md) is missed")
	flag.Parse()
	if flag.NArg() > 0 {
		usageError("unexpected arguments %q", flag.Args())
	}

	var err error
	cfg.scenarios = nil
	for _, s := range strings.Split(scenarios, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		switch s {
		case "stdio", "http-stdio", "http-http":
			cfg.scenarios = append(cfg.scenarios, s)
		default:
			usageError("-scenarios: unknown scenario %q (want %s)", s, strings.Join(allScenarios, ","))
		}
	}
	if cfg.concurrency, err = parseInts(conc); err != nil {
		usageError("-concurrency: %v", err)
	}
	if cfg.payloads, err = parseInts(payloads); err != nil {
		usageError("-payload: %v", err)
	}
	if cfg.duration <= 0 || cfg.round <= 0 || cfg.warmup < 0 || cfg.callTimeout <= 0 || cfg.readyTimeout <= 0 {
		usageError("-duration, -round, -call-timeout, -ready-timeout must be > 0 and -warmup >= 0")
	}
	if cfg.era != "session" && cfg.era != "modern" {
		usageError("-era must be session or modern")
	}
	if cfg.startup && cfg.startupRuns <= 0 {
		usageError("-startup-runs must be > 0")
	}
	cfg.gatewayArgs = strings.Fields(gwArgs)
	if !cfg.directOnly {
		p, err := filepath.Abs(cfg.mcpwarden)
		if err == nil {
			_, err = os.Stat(p)
		}
		if err != nil {
			usageError("mcpwarden binary %s: %v (build it first, or pass -mcpwarden PATH, or -direct-only)", cfg.mcpwarden, err)
		}
		cfg.mcpwarden = p
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.ctx = ctx

	if cfg.tmpDir, err = os.MkdirTemp("", "mcpwarden-bench-"); err != nil {
		usageError("%v", err)
	}
	cleanup := func() {
		killAll()
		_ = os.RemoveAll(cfg.tmpDir)
	}

	// On SIGINT/SIGTERM: kill every child (whole process groups) at once,
	// let the run stop and print what it has, and exit 130. A second signal,
	// or a run that does not stop within 5s, exits immediately.
	var interrupted atomic.Bool
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		logf("%v: killing children and stopping", s)
		interrupted.Store(true)
		cancel()
		killAll()
		select {
		case <-sigs:
		case <-time.After(5 * time.Second):
		}
		_ = os.RemoveAll(cfg.tmpDir)
		os.Exit(130)
	}()

	code := run(cfg)
	cleanup()
	if interrupted.Load() {
		code = 130
	}
	os.Exit(code)
}

func buildEchoserver(cfg *config) error {
	if cfg.echoserver != "" {
		p, err := filepath.Abs(cfg.echoserver)
		if err != nil {
			return err
		}
		cfg.echoserver = p
		return nil
	}
	out := filepath.Join(cfg.tmpDir, "echoserver")
	logf("building %s", echoserverPkg)
	cmd := exec.Command("go", "build", "-o", out, echoserverPkg)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w (or pass -echoserver PATH)", echoserverPkg, err)
	}
	cfg.echoserver = out
	return nil
}

// run executes the benchmark and prints the report; it returns the exit code.
func run(cfg *config) int {
	if err := buildEchoserver(cfg); err != nil {
		logf("%v", err)
		return 2
	}
	rep := &report{Config: configReport{
		Echoserver:  cfg.echoserver,
		Era:         cfg.era,
		Protocol:    protocolSession,
		DirectOnly:  cfg.directOnly,
		Scenarios:   cfg.scenarios,
		Concurrency: cfg.concurrency,
		Payloads:    cfg.payloads,
		Duration:    cfg.duration.String(),
		Warmup:      cfg.warmup.String(),
		Round:       cfg.round.String(),
		GoVersion:   runtime.Version(),
		NumCPU:      runtime.NumCPU(),
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
	}, Results: []cellResult{}}
	if cfg.modern() {
		rep.Config.Protocol = protocolModern
	}
	if !cfg.directOnly {
		rep.Config.Mcpwarden = cfg.mcpwarden
	}

	var errs []string
	for _, name := range cfg.scenarios {
		if cfg.ctx.Err() != nil {
			break
		}
		results, rss, err := runScenario(cfg, name)
		rep.Results = append(rep.Results, results...)
		if rss != nil {
			rep.RSS = append(rep.RSS, rss)
		}
		if err != nil {
			logf("%v", err)
			errs = append(errs, err.Error())
		}
	}
	if cfg.startup && cfg.ctx.Err() == nil {
		rep.Startup = measureStartup(cfg)
		if rep.Startup.Error != "" {
			errs = append(errs, "startup: "+rep.Startup.Error)
		}
	}
	if cfg.ctx.Err() != nil {
		errs = append(errs, "interrupted")
	}
	rep.Summary = summarize(cfg, rep, errs)

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		logf("writing report: %v", err)
		return 1
	}
	switch {
	case !rep.Summary.OK:
		logf("FAILED: %d failed calls, %d errors", rep.Summary.TotalFailures, len(rep.Summary.Errors))
		return 1
	case cfg.enforce && rep.Summary.TargetsMet != nil && !*rep.Summary.TargetsMet:
		logf("performance targets missed")
		return 3
	}
	return 0
}
