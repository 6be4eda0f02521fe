package policy

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/ratelimit"
)

func TestRateLimitsParse(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`
rules:
  - {id: all, effect: allow, when: "true"}
rate_limits:
  - id: writes-per-user
    risk: [write, destructive]
    per: [principal]
    rate: 30/m
  - id: hot-tool
    server: [db]
    tool: [query]
    rate: 5/s
    burst: 2
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []ratelimit.Rule{
		{ID: "writes-per-user", Risks: []string{"write", "destructive"}, Per: []string{"principal"}, Rate: 0.5, Burst: 30},
		{ID: "hot-tool", Servers: []string{"db"}, Tools: []string{"query"}, Rate: 5, Burst: 2},
	}
	if len(p.Limits) != len(want) {
		t.Fatalf("got %d limits, want %d", len(p.Limits), len(want))
	}
	for i, w := range want {
		g := p.Limits[i]
		if g.ID != w.ID || g.Rate != w.Rate || g.Burst != w.Burst || !slices.Equal(g.Risks, w.Risks) ||
			!slices.Equal(g.Per, w.Per) || !slices.Equal(g.Servers, w.Servers) || !slices.Equal(g.Tools, w.Tools) {
			t.Errorf("limit %d = %+v, want %+v", i, g, w)
		}
	}
	if p.Limiter() == nil {
		t.Fatal("no limiter built")
	}
	if (*Policy)(nil).Limiter() != nil {
		t.Fatal("nil policy has a limiter")
	}
}

func TestRateLimitsProblems(t *testing.T) {
	_, err := Parse("p.yaml", []byte(`
rules:
  - {id: all, effect: allow, when: "true"}
rate_limits:
  - id: all
    rate: 1/s
  - rate: 1/s
  - id: b
    per: [ip]
    risk: [dangerous]
    rate: fast
  - id: c
    rate: 1/s
    burst: 0
`))
	if err == nil {
		t.Fatal("bad rate limits accepted")
	}
	msg := err.Error()
	for _, want := range []string{"duplicate id \"all\"", "rate_limits[1].id: is required", "unknown dimension \"ip\"",
		"unknown risk class \"dangerous\"", "rate_limits[2].rate", "burst: must be between"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report does not mention %q:\n%s", want, msg)
		}
	}
	// Field problems carry file:line:col.
	if !regexp.MustCompile(`p\.yaml:\d+:\d+: rate_limits\[2\]\.per`).MatchString(msg) {
		t.Errorf("no file:line:col for rate_limits[2].per:\n%s", msg)
	}
}

func TestRateLimitsUnknownKey(t *testing.T) {
	_, err := Parse("p.yaml", []byte("rate_limits:\n  - id: d\n    rate: 1/s\n    colour: red\n"))
	if err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestRiskClassesMatchManifest(t *testing.T) {
	if !slices.Equal(risks, manifest.Risks) {
		t.Fatalf("policy risk classes %v differ from the manifest's %v", risks, manifest.Risks)
	}
}
