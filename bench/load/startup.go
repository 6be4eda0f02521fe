package main

import (
	"fmt"
	"slices"
	"time"
)

// startupReport compares the time from spawning a stdio server to its first
// tools/list response, bare and behind `mcpwarden run`.
type startupReport struct {
	Runs         int      `json:"runs"`
	DirectMs     float64  `json:"direct_ms"`
	DirectMinMs  float64  `json:"direct_min_ms"`
	GatewayMs    *float64 `json:"gateway_ms,omitempty"`
	GatewayMinMs *float64 `json:"gateway_min_ms,omitempty"`
	AddedMs      *float64 `json:"added_ms,omitempty"`
	Error        string   `json:"error,omitempty"`
}

// timeToFirstToolsList spawns argv and returns the time until the tools/list
// response arrived (session era: after initialize and initialized).
func timeToFirstToolsList(cfg *config, name string, argv []string) (time.Duration, error) {
	start := time.Now()
	ch, err := startChild(name, argv, true)
	if err != nil {
		return 0, err
	}
	defer ch.stop(time.Second)
	conn := newStdioConn(ch)
	if !cfg.modern() {
		if err := conn.handshake(cfg.readyTimeout); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	resp, err := conn.roundTrip(toolsListRequest(2, cfg.modern()), "2", cfg.readyTimeout)
	if err != nil {
		return 0, fmt.Errorf("%s: tools/list: %w", name, err)
	}
	d := time.Since(start)
	if err := checkResult(resp); err != nil {
		return 0, fmt.Errorf("%s: tools/list: %w", name, err)
	}
	return d, nil
}

func ms(d time.Duration) float64 { return round3(float64(d) / 1e6) }

// measureStartup alternates bare and gateway spawns (after one untimed spawn
// of each to warm the page cache) and reports medians and minima.
func measureStartup(cfg *config) *startupReport {
	logf("startup: %d runs", cfg.startupRuns)
	rep := &startupReport{Runs: cfg.startupRuns}
	bare := []string{cfg.echoserver}
	gw := append([]string{cfg.mcpwarden, "run"}, cfg.gatewayArgs...)
	gw = append(gw, "--", cfg.echoserver)
	var direct, gateway []time.Duration
	for i := -1; i < cfg.startupRuns && cfg.ctx.Err() == nil; i++ {
		d, err := timeToFirstToolsList(cfg, "echoserver (startup)", bare)
		if err != nil {
			rep.Error = err.Error()
			return rep
		}
		if i >= 0 {
			direct = append(direct, d)
		}
		if cfg.directOnly {
			continue
		}
		g, err := timeToFirstToolsList(cfg, "mcpwarden run (startup)", gw)
		if err != nil {
			rep.Error = err.Error()
			return rep
		}
		if i >= 0 {
			gateway = append(gateway, g)
		}
	}
	if len(direct) == 0 {
		rep.Error = "interrupted"
		return rep
	}
	slices.Sort(direct)
	rep.DirectMs = ms(percentile(direct, 0.5))
	rep.DirectMinMs = ms(direct[0])
	if len(gateway) > 0 {
		slices.Sort(gateway)
		rep.GatewayMs = ptr(ms(percentile(gateway, 0.5)))
		rep.GatewayMinMs = ptr(ms(gateway[0]))
		rep.AddedMs = ptr(round3(*rep.GatewayMs - rep.DirectMs))
	}
	return rep
}
