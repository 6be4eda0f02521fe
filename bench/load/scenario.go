package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/bench/procstat"
)

// side is one half of a scenario (the direct server, or the same server
// through mcpwarden), alive for the whole scenario.
type side interface {
	// cell returns conc callers for one (concurrency, payload) cell and a
	// function that releases the cell's resources.
	cell(conc, payload int) ([]caller, func(), error)
	// alive reports why the side can no longer be measured, or nil.
	alive() error
	// pid is the process whose RSS is reported.
	pid() int
	// pids are the processes whose CPU time is counted, each with its
	// live children: the direct server, or the gateway and its server.
	// The first is the gateway on a gateway side.
	pids() []int
	stop()
}

// stdioSide: newline-delimited JSON-RPC over the pipes of one child.
type stdioSide struct {
	ch     *child
	conn   *stdioConn
	modern bool
	cfg    *config
}

func startStdioSide(cfg *config, name string, argv []string) (*stdioSide, error) {
	ch, err := startChild(name, argv, true)
	if err != nil {
		return nil, err
	}
	s := &stdioSide{ch: ch, conn: newStdioConn(ch), modern: cfg.modern(), cfg: cfg}
	if !s.modern {
		if err := s.conn.handshake(cfg.readyTimeout); err != nil {
			ch.stop(time.Second)
			return nil, fmt.Errorf("%s: %w; stderr tail: %q", name, err, ch.stderr.String())
		}
	}
	return s, nil
}

func (s *stdioSide) cell(conc, payload int) ([]caller, func(), error) {
	cs := make([]caller, conc)
	for i := range cs {
		cs[i] = s.conn.newCaller(payload, s.modern, s.cfg.callTimeout)
	}
	return cs, func() {}, nil
}

func (s *stdioSide) alive() error {
	select {
	case <-s.conn.closed:
		return s.conn.closeErr()
	default:
		return nil
	}
}

func (s *stdioSide) pid() int    { return s.ch.pid() }
func (s *stdioSide) pids() []int { return []int{s.ch.pid()} }
func (s *stdioSide) stop()       { s.ch.stop(2 * time.Second) }

// httpSide: Streamable HTTP to url; procs are the processes that must stay up
// (for http-http the gateway and its upstream echoserver).
type httpSide struct {
	url   string
	procs []*child
	owned []*child // stopped by stop()
	cfg   *config
}

func (s *httpSide) cell(conc, payload int) ([]caller, func(), error) {
	ep := newHTTPEndpoint(s.url, conc, s.cfg.modern(), s.cfg.callTimeout)
	if err := ep.open(); err != nil {
		ep.close()
		return nil, nil, err
	}
	cs := make([]caller, conc)
	for i := range cs {
		cs[i] = ep.newCaller(payload)
	}
	return cs, ep.close, nil
}

func (s *httpSide) alive() error {
	for _, p := range s.procs {
		if p.exited() {
			return p.exitError()
		}
	}
	return nil
}

func (s *httpSide) pid() int { return s.procs[0].pid() }

func (s *httpSide) pids() []int {
	ps := make([]int, len(s.procs))
	for i, p := range s.procs {
		ps[i] = p.pid()
	}
	return ps
}

func (s *httpSide) stop() {
	for _, p := range s.owned {
		p.stop(2 * time.Second)
	}
}

// startEchoHTTP starts `echoserver -http ADDR [-stateless]` and waits for it.
func startEchoHTTP(cfg *config) (*child, string, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, "", err
	}
	argv := []string{cfg.echoserver, "-http", addr}
	if cfg.modern() {
		argv = append(argv, "-stateless")
	}
	ch, err := startChild("echoserver -http", argv, false)
	if err != nil {
		return nil, "", err
	}
	if err := waitReady(cfg.ctx, ch, "http://"+addr+"/readyz", cfg.readyTimeout); err != nil {
		ch.stop(time.Second)
		return nil, "", err
	}
	return ch, addr, nil
}

// startGatewayServe starts `mcpwarden serve --listen ADDR ARGS...` and waits
// for GET -ready-path (or an answered initialize).
func startGatewayServe(cfg *config, name string, tail []string) (*child, string, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, "", err
	}
	argv := append([]string{cfg.mcpwarden, "serve"}, cfg.gatewayArgs...)
	argv = append(argv, "--listen", addr)
	argv = append(argv, tail...)
	ch, err := startChild(name, argv, false)
	if err != nil {
		return nil, "", err
	}
	ready := waitReady
	url := "http://" + addr + cfg.readyPath
	if cfg.readyPath == "" {
		ready, url = waitInitialize, "http://"+addr+cfg.gatewayPath
	}
	if err := ready(cfg.ctx, ch, url, cfg.readyTimeout); err != nil {
		ch.stop(time.Second)
		return nil, "", err
	}
	return ch, addr, nil
}

// setupScenario starts the direct side and (unless -direct-only) the gateway
// side of a scenario.
func setupScenario(cfg *config, name string) (direct, gateway side, err error) {
	defer func() {
		if err != nil {
			if direct != nil {
				direct.stop()
			}
			if gateway != nil {
				gateway.stop()
			}
			direct, gateway = nil, nil
		}
	}()
	switch name {
	case "stdio":
		d, err := startStdioSide(cfg, "echoserver (stdio)", []string{cfg.echoserver})
		if err != nil {
			return nil, nil, err
		}
		direct = d
		if cfg.directOnly {
			return direct, nil, nil
		}
		argv := append([]string{cfg.mcpwarden, "run"}, cfg.gatewayArgs...)
		argv = append(argv, "--", cfg.echoserver)
		g, err := startStdioSide(cfg, "mcpwarden run", argv)
		if err != nil {
			return direct, nil, err
		}
		return direct, g, nil

	case "http-stdio":
		es, addr, err := startEchoHTTP(cfg)
		if err != nil {
			return nil, nil, err
		}
		direct = &httpSide{url: "http://" + addr + "/mcp", procs: []*child{es}, owned: []*child{es}, cfg: cfg}
		if cfg.directOnly {
			return direct, nil, nil
		}
		gw, gaddr, err := startGatewayServe(cfg, "mcpwarden serve (stdio upstream)", []string{"--", cfg.echoserver})
		if err != nil {
			return direct, nil, err
		}
		gateway = &httpSide{url: "http://" + gaddr + cfg.gatewayPath, procs: []*child{gw}, owned: []*child{gw}, cfg: cfg}
		return direct, gateway, nil

	case "http-http":
		es, addr, err := startEchoHTTP(cfg)
		if err != nil {
			return nil, nil, err
		}
		direct = &httpSide{url: "http://" + addr + "/mcp", procs: []*child{es}, owned: []*child{es}, cfg: cfg}
		if cfg.directOnly {
			return direct, nil, nil
		}
		file := filepath.Join(cfg.tmpDir, "http-http.yaml")
		yaml := fmt.Sprintf("servers:\n  echo:\n    url: http://%s/mcp\n", addr)
		if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
			return direct, nil, err
		}
		gw, gaddr, err := startGatewayServe(cfg, "mcpwarden serve (http upstream)", []string{"-c", file})
		if err != nil {
			return direct, nil, err
		}
		// The echoserver is owned (stopped) by the direct side; the gateway
		// side also needs it alive.
		gateway = &httpSide{url: "http://" + gaddr + cfg.gatewayPath, procs: []*child{gw, es}, owned: []*child{gw}, cfg: cfg}
		return direct, gateway, nil
	}
	return nil, nil, fmt.Errorf("unknown scenario %q (want stdio, http-stdio, http-http)", name)
}

// cellResult is one line of the report: a scenario at one concurrency and
// payload size, both sides measured in interleaved rounds.
type cellResult struct {
	Name            string     `json:"name"`
	Concurrency     int        `json:"concurrency"`
	PayloadBytes    int        `json:"payload_bytes"`
	Direct          *sideStats `json:"direct"`
	Gateway         *sideStats `json:"gateway,omitempty"`
	AddedP50us      *float64   `json:"added_p50_us,omitempty"`
	P50Ratio        *float64   `json:"p50_ratio,omitempty"`
	P99Ratio        *float64   `json:"p99_ratio,omitempty"`
	ThroughputRatio *float64   `json:"throughput_ratio,omitempty"`
	Rounds          int        `json:"rounds"`
	Error           string     `json:"error,omitempty"`
}

type rssReport struct {
	IdleRSSKiB int64 `json:"idle_rss_kib"`
	// RestedRSSKiB is VmRSS after -rest more of idle (0: not sampled).
	RestedRSSKiB int64 `json:"rested_rss_kib,omitempty"`
	// The first and second 64 B call after the rest, on a new cell's
	// connection: what waking an idle (and trimmed) process costs.
	FirstCallAfterRestUs  float64 `json:"first_call_after_rest_us,omitempty"`
	SecondCallAfterRestUs float64 `json:"second_call_after_rest_us,omitempty"`
	FinalRSSKiB           int64   `json:"final_rss_kib"`
	PeakRSSKiB            int64   `json:"peak_rss_kib"`
}

type scenarioRSS struct {
	Name    string     `json:"name"`
	Direct  *rssReport `json:"direct,omitempty"`
	Gateway *rssReport `json:"gateway,omitempty"`
	Error   string     `json:"error,omitempty"`
}

func ptr(f float64) *float64 { return &f }

func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	return ptr(round3(a / b))
}

// sampleRSS reads each side's RSS now; a failure is noted in rss.Error.
func sampleRSS(sides []side, rss *scenarioRSS) []rssSample {
	out := make([]rssSample, 0, len(sides))
	for _, s := range sides {
		r, err := readRSS(s.pid())
		if err != nil {
			rss.Error = err.Error()
		}
		out = append(out, r)
	}
	return out
}

// callsAfterRest times two 64 B calls on a new one-caller cell of s, in
// microseconds.
func callsAfterRest(s side) (first, second float64, err error) {
	cs, release, err := s.cell(1, 64)
	if err != nil {
		return 0, 0, err
	}
	defer release()
	d1, err := cs[0].call()
	if err != nil {
		return 0, 0, err
	}
	d2, err := cs[0].call()
	if err != nil {
		return 0, 0, err
	}
	return round3(float64(d1) / 1e3), round3(float64(d2) / 1e3), nil
}

// runScenario measures every (concurrency, payload) cell of one scenario.
func runScenario(cfg *config, name string) ([]cellResult, *scenarioRSS, error) {
	logf("%s: starting processes", name)
	direct, gateway, err := setupScenario(cfg, name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: setup: %w", name, err)
	}
	sides := []side{direct}
	if gateway != nil {
		sides = append(sides, gateway)
	}
	defer func() {
		for _, s := range sides {
			s.stop()
		}
	}()

	var rss *scenarioRSS
	var idle, rested []rssSample
	var restCalls [][2]float64
	if cfg.rss {
		rss = &scenarioRSS{Name: name}
		time.Sleep(cfg.settle)
		idle = sampleRSS(sides, rss)
		if cfg.rest > 0 {
			time.Sleep(cfg.rest)
			rested = sampleRSS(sides, rss)
			for _, s := range sides {
				first, second, err := callsAfterRest(s)
				if err != nil {
					rss.Error = err.Error()
				}
				restCalls = append(restCalls, [2]float64{first, second})
			}
		}
	}

	rounds := max(1, int((cfg.duration+cfg.round-1)/cfg.round))
	roundDur := cfg.duration / time.Duration(rounds)
	var results []cellResult
	for _, conc := range cfg.concurrency {
		for _, payload := range cfg.payloads {
			if cfg.ctx.Err() != nil {
				return results, rss, cfg.ctx.Err()
			}
			res := runCell(cfg, name, sides, conc, payload, rounds, roundDur)
			results = append(results, res)
			logCell(res)
			for _, s := range sides {
				if err := s.alive(); err != nil {
					return results, rss, fmt.Errorf("%s: %w", name, err)
				}
			}
		}
	}

	if cfg.rss {
		final := sampleRSS(sides, rss)
		reports := make([]*rssReport, len(sides))
		for i, r := range final {
			reports[i] = &rssReport{IdleRSSKiB: idle[i].RSSKiB, FinalRSSKiB: r.RSSKiB, PeakRSSKiB: r.HWMKiB}
			if i < len(rested) {
				reports[i].RestedRSSKiB = rested[i].RSSKiB
			}
			if i < len(restCalls) {
				reports[i].FirstCallAfterRestUs, reports[i].SecondCallAfterRestUs = restCalls[i][0], restCalls[i][1]
			}
		}
		rss.Direct = reports[0]
		if len(reports) > 1 {
			rss.Gateway = reports[1]
		}
	}
	return results, rss, nil
}

// runCell warms both sides up, then alternates direct and gateway rounds
// (direct, gateway, direct, gateway, ...) so that slow drifts in machine load
// hit both sides equally.
func runCell(cfg *config, name string, sides []side, conc, payload, rounds int, roundDur time.Duration) cellResult {
	res := cellResult{Name: name, Concurrency: conc, PayloadBytes: payload, Rounds: rounds}
	callers := make([][]caller, len(sides))
	recs := make([]*recorder, len(sides))
	var errs []string
	for i, s := range sides {
		cs, release, err := s.cell(conc, payload)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", sideName(i), err))
			continue
		}
		defer release()
		callers[i] = cs
		recs[i] = &recorder{}
	}
	if len(errs) == 0 {
		if cfg.warmup > 0 {
			for i := range sides {
				runRound(callers[i], cfg.warmup, recs[i], false)
			}
		}
		for r := 0; r < rounds && cfg.ctx.Err() == nil; r++ {
			for i := range sides {
				first, all := sideCPU(sides[i])
				runRound(callers[i], roundDur, recs[i], true)
				first2, all2 := sideCPU(sides[i])
				recs[i].addCPU(first2-first, all2-all)
			}
		}
	}
	if recs[0] != nil {
		res.Direct = recs[0].stats()
	}
	if len(sides) > 1 && recs[1] != nil {
		res.Gateway = recs[1].stats()
	}
	if res.Gateway != nil {
		// On the gateway side the first process is mcpwarden itself.
		res.Gateway.GatewayCPUusPerCall = recs[1].firstCPUPerCall()
	}
	if d, g := res.Direct, res.Gateway; d != nil && g != nil && d.Calls > 0 && g.Calls > 0 {
		res.AddedP50us = ptr(round1(g.P50us - d.P50us))
		res.P50Ratio = ratio(g.P50us, d.P50us)
		res.P99Ratio = ratio(g.P99us, d.P99us)
		res.ThroughputRatio = ratio(g.CallsPerS, d.CallsPerS)
	}
	res.Error = strings.Join(errs, "; ")
	return res
}

// sideCPU is the CPU time used so far by a side's first process alone and
// by all its processes with their children.
func sideCPU(s side) (first, all time.Duration) {
	for i, pid := range s.pids() {
		self, kids := procstat.Read(pid, false), procstat.Children(pid, false)
		cpu := self.User + self.Sys
		if i == 0 {
			first = cpu
		}
		all += cpu + kids.User + kids.Sys
	}
	return first, all
}

func sideName(i int) string {
	if i == 0 {
		return "direct"
	}
	return "gateway"
}

func logCell(r cellResult) {
	line := fmt.Sprintf("%s c=%d payload=%d:", r.Name, r.Concurrency, r.PayloadBytes)
	if d := r.Direct; d != nil {
		line += fmt.Sprintf(" direct p50=%.1fµs p99=%.1fµs %.0f/s fail=%d", d.P50us, d.P99us, d.CallsPerS, d.Failures)
	}
	if g := r.Gateway; g != nil {
		line += fmt.Sprintf(" | gateway p50=%.1fµs p99=%.1fµs %.0f/s fail=%d", g.P50us, g.P99us, g.CallsPerS, g.Failures)
	}
	if r.AddedP50us != nil {
		line += fmt.Sprintf(" | added p50 %+.1fµs, throughput x%.3f", *r.AddedP50us, *r.ThroughputRatio)
	}
	if r.Error != "" {
		line += " ERROR: " + r.Error
	}
	logf("%s", line)
}
