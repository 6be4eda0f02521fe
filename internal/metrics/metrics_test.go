package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestObserve(t *testing.T) {
	m := New()
	m.Observe(&intercept.Record{Method: "tools/call", Server: "files", Decision: "allow", Upstream: 3 * time.Millisecond, Total: 4 * time.Millisecond})
	m.Observe(&intercept.Record{Method: "tools/call", Server: "files", Decision: "deny", Rule: "manifest.undeclared-tool", Total: time.Millisecond})
	m.Observe(&intercept.Record{Method: "x-evil/" + strings.Repeat("a", 100), Decision: "allow", Total: time.Millisecond})
	m.Observe(&intercept.Record{Method: "tools/list", Decision: "weird", Total: time.Millisecond})
	end := m.SessionStarted()
	m.SessionStarted()
	end()
	end() // once
	m.Stored(300*time.Microsecond, nil)
	m.Stored(0, errors.New("disk full"))
	out := scrape(t, m)
	for _, want := range []string{
		`mcpwarden_requests_total{decision="allow",method="tools/call",server="files"} 1`,
		`mcpwarden_requests_total{decision="deny",method="tools/call",server="files"} 1`,
		`mcpwarden_requests_total{decision="allow",method="other",server=""} 1`,
		`mcpwarden_requests_total{decision="error",method="tools/list",server=""} 1`,
		`mcpwarden_denials_total{rule="manifest.undeclared-tool"} 1`,
		`mcpwarden_upstream_duration_seconds_count{server="files"} 1`,
		`mcpwarden_gateway_duration_seconds_count 4`,
		`mcpwarden_gateway_duration_seconds_bucket{le="0.0016"} 4`,
		`mcpwarden_sessions_active 1`,
		`mcpwarden_audit_records_written_total 1`,
		`mcpwarden_audit_records_lost_total 1`,
		`mcpwarden_audit_store_duration_seconds_count 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(out, "x-evil") {
		t.Error("a client-chosen method became a label value")
	}
}

func TestServerLabelBounded(t *testing.T) {
	m := New()
	for i := range maxServers + 50 {
		m.Observe(&intercept.Record{Method: "ping", Server: "s" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String(), Decision: "allow"})
	}
	if n := len(m.servers.Load().rows); n > maxServers+1 {
		t.Fatalf("%d server rows", n)
	}
	if !strings.Contains(scrape(t, m), `server="other"`) {
		t.Error("no other server row past the bound")
	}
}

// BenchmarkObserve is the per-call cost on the request path.
func BenchmarkObserve(b *testing.B) {
	m := New()
	r := &intercept.Record{Method: "tools/call", Server: "files", Decision: "allow", Upstream: 3 * time.Millisecond, Total: 4 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(r)
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	m := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := &intercept.Record{Method: "tools/call", Server: "files", Decision: "allow", Upstream: 3 * time.Millisecond, Total: 4 * time.Millisecond}
		for pb.Next() {
			m.Observe(r)
		}
	})
}

func BenchmarkObserveDeny(b *testing.B) {
	m := New()
	r := &intercept.Record{Method: "tools/call", Server: "files", Decision: "deny", Rule: "policy.no-prod", Total: time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(r)
	}
}
