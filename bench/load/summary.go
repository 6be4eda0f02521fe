package main

import "fmt"

// Performance targets (bench/README.md). Latency and throughput targets are
// checked in every measured (concurrency, payload) cell.
const (
	targetStdioAddedP50us     = 50.0  // stdio -> stdio
	targetHTTPStdioAddedP50us = 60.0  // HTTP -> stdio
	targetHTTPHTTPP50Ratio    = 1.3   // HTTP -> HTTP, gateway p50 / direct p50
	targetThroughputRatio     = 0.9   // gateway calls/s / direct calls/s
	targetIdleRSSKiB          = 20480 // 20 MiB
	targetStartupAddedMs      = 50.0
)

type targetCheck struct {
	Target       string  `json:"target"`
	Scenario     string  `json:"scenario,omitempty"`
	Concurrency  int     `json:"concurrency,omitempty"`
	PayloadBytes int     `json:"payload_bytes,omitempty"`
	Value        float64 `json:"value"`
	Limit        float64 `json:"limit"`
	Pass         bool    `json:"pass"`
}

type scenarioSummary struct {
	Name               string   `json:"name"`
	Cells              int      `json:"cells"`
	DirectCalls        int      `json:"direct_calls"`
	GatewayCalls       int      `json:"gateway_calls"`
	Failures           int      `json:"failures"`
	MaxAddedP50us      *float64 `json:"max_added_p50_us,omitempty"`
	MaxP50Ratio        *float64 `json:"max_p50_ratio,omitempty"`
	MaxP99Ratio        *float64 `json:"max_p99_ratio,omitempty"`
	MinThroughputRatio *float64 `json:"min_throughput_ratio,omitempty"`
}

type summary struct {
	// OK is false if any call failed (error response, wrong echo, timeout,
	// transport error) or a scenario could not run; the exit code is then 1.
	OK            bool              `json:"ok"`
	TotalCalls    int               `json:"total_calls"`
	TotalFailures int               `json:"total_failures"`
	Errors        []string          `json:"errors,omitempty"`
	Scenarios     []scenarioSummary `json:"scenarios"`
	Targets       []targetCheck     `json:"targets,omitempty"`
	// TargetsMet is absent when nothing was compared (-direct-only).
	TargetsMet *bool `json:"targets_met,omitempty"`
}

func maxp(cur *float64, v *float64) *float64 {
	if v == nil {
		return cur
	}
	if cur == nil || *v > *cur {
		return ptr(*v)
	}
	return cur
}

func minp(cur *float64, v *float64) *float64 {
	if v == nil {
		return cur
	}
	if cur == nil || *v < *cur {
		return ptr(*v)
	}
	return cur
}

func summarize(cfg *config, rep *report, errs []string) summary {
	s := summary{Errors: errs, Scenarios: []scenarioSummary{}}
	byName := map[string]*scenarioSummary{}
	for _, name := range cfg.scenarios {
		s.Scenarios = append(s.Scenarios, scenarioSummary{Name: name})
	}
	for i := range s.Scenarios {
		byName[s.Scenarios[i].Name] = &s.Scenarios[i]
	}
	check := func(t targetCheck, pass bool) {
		t.Pass = pass
		s.Targets = append(s.Targets, t)
	}
	for _, r := range rep.Results {
		sc := byName[r.Name]
		sc.Cells++
		if r.Error != "" {
			s.Errors = append(s.Errors, fmt.Sprintf("%s c=%d payload=%d: %s", r.Name, r.Concurrency, r.PayloadBytes, r.Error))
		}
		for _, st := range []*sideStats{r.Direct, r.Gateway} {
			if st == nil {
				continue
			}
			s.TotalCalls += st.Calls
			s.TotalFailures += st.Failures
			sc.Failures += st.Failures
		}
		if r.Direct != nil {
			sc.DirectCalls += r.Direct.Calls
		}
		if r.Gateway != nil {
			sc.GatewayCalls += r.Gateway.Calls
		}
		sc.MaxAddedP50us = maxp(sc.MaxAddedP50us, r.AddedP50us)
		sc.MaxP50Ratio = maxp(sc.MaxP50Ratio, r.P50Ratio)
		sc.MaxP99Ratio = maxp(sc.MaxP99Ratio, r.P99Ratio)
		sc.MinThroughputRatio = minp(sc.MinThroughputRatio, r.ThroughputRatio)

		if r.AddedP50us == nil {
			continue
		}
		at := targetCheck{Scenario: r.Name, Concurrency: r.Concurrency, PayloadBytes: r.PayloadBytes}
		switch r.Name {
		case "stdio":
			t := at
			t.Target, t.Value, t.Limit = "added_p50_us <= 50 (stdio->stdio)", *r.AddedP50us, targetStdioAddedP50us
			check(t, t.Value <= t.Limit)
		case "http-stdio":
			t := at
			t.Target, t.Value, t.Limit = "added_p50_us <= 60 (HTTP->stdio)", *r.AddedP50us, targetHTTPStdioAddedP50us
			check(t, t.Value <= t.Limit)
		case "http-http":
			t := at
			t.Target, t.Value, t.Limit = "p50_ratio <= 1.3 (HTTP->HTTP)", *r.P50Ratio, targetHTTPHTTPP50Ratio
			check(t, t.Value <= t.Limit)
		}
		t := at
		t.Target, t.Value, t.Limit = "throughput_ratio >= 0.9", *r.ThroughputRatio, targetThroughputRatio
		check(t, t.Value >= t.Limit)
	}
	for _, r := range rep.RSS {
		if r.Gateway != nil {
			check(targetCheck{Target: "gateway idle_rss_kib <= 20480 (20 MiB)", Scenario: r.Name,
				Value: float64(r.Gateway.IdleRSSKiB), Limit: targetIdleRSSKiB}, r.Gateway.IdleRSSKiB <= targetIdleRSSKiB)
			if v := r.Gateway.RestedRSSKiB; v > 0 {
				check(targetCheck{Target: "gateway rested_rss_kib <= 20480 (20 MiB, after -rest)", Scenario: r.Name,
					Value: float64(v), Limit: targetIdleRSSKiB}, v <= targetIdleRSSKiB)
			}
		}
	}
	if st := rep.Startup; st != nil && st.AddedMs != nil {
		check(targetCheck{Target: "startup added_ms <= 50", Scenario: "stdio",
			Value: *st.AddedMs, Limit: targetStartupAddedMs}, *st.AddedMs <= targetStartupAddedMs)
	}
	if len(s.Targets) > 0 {
		met := true
		for _, t := range s.Targets {
			met = met && t.Pass
		}
		s.TargetsMet = &met
	}
	s.OK = s.TotalFailures == 0 && len(s.Errors) == 0
	return s
}
