package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// serve exposes Prometheus metrics on metrics.listen, apart from the MCP
// listener: calls by method, server and decision, latency, sessions,
// upstream health and the audit store.
func TestMetricsEndpoint(t *testing.T) {
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", testpeers.FreePort(t))
	g := startServe(t, fmt.Sprintf("metrics: {listen: %q}\naudit:\n  store: sqlite:%s\n  sinks:\n    - {type: jsonl, path: %s}\nservers:\n%s",
		addr, filepath.Join(dir, "audit.db"), filepath.Join(dir, "audit.jsonl"), stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	for range 5 {
		c.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}})
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The store commits journaled records to the database in the
	// background (within about 25 ms), so its gauge may trail the calls
	// briefly: read until it has caught up.
	var code int
	var body string
	for range 100 {
		if code, body = get("http://" + addr + "/metrics"); code != http.StatusOK || strings.Contains(body, "mcpwarden_audit_store_records 6") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, want := range []string{
		`mcpwarden_requests_total{decision="allow",method="tools/call",server="ev"} 5`,
		`mcpwarden_requests_total{decision="allow",method="initialize",server="ev"} 1`,
		`mcpwarden_upstream_duration_seconds_count{server="ev"} 6`,
		`mcpwarden_gateway_duration_seconds_count 6`,
		`mcpwarden_sessions_active 1`,
		`mcpwarden_upstream_up{server="ev"} 1`,
		`mcpwarden_audit_records_written_total 6`,
		`mcpwarden_audit_store_records 6`,
		`mcpwarden_audit_sink_lag_records{sink="jsonl:`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if code, _ := get(g.Base + "/metrics"); code == http.StatusOK {
		t.Error("metrics served on the MCP listener too")
	}
}
