package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// TestRateLimit: the policy file's rate limits refuse the call past the
// burst with a message and data that say when to retry, per session here,
// without touching other tools or other sessions.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte(`rules:
  - {id: all, effect: allow, when: "true"}
rate_limits:
  - id: simple-per-session
    tool: [test_simple_text]
    per: [session]
    rate: 2/m
`), 0o600)
	g := startServe(t, fmt.Sprintf("policy: %q\nservers:\n  e:\n    command: [%q]\n", pol, testpeers.EverythingServer(t)))
	c := newRawClient(t, g.URL)
	c.initialize()
	simple := map[string]any{"name": "test_simple_text"}
	for i := range 2 {
		if got := textOf(t, c.call("tools/call", simple)); got == "" {
			t.Fatalf("call %d within the burst failed", i)
		}
	}
	m := c.call("tools/call", simple)
	if r := ruleOf(t, m); r != "simple-per-session" {
		t.Fatalf("third call: rule %q, want simple-per-session", r)
	}
	var data struct {
		RetryAfter float64 `json:"retry_after_seconds"`
	}
	_ = json.Unmarshal(m.Error.Data, &data)
	// 2 per minute: the next token is 30 s away.
	if data.RetryAfter < 25 || data.RetryAfter > 30 || !strings.Contains(m.Error.Message, "retry in") {
		t.Errorf("refusal does not say when to retry: %q, data %s", m.Error.Message, m.Error.Data)
	}
	// Another tool, and another session, are not limited by it.
	if got := textOf(t, c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "eu"}})); got != "region=eu" {
		t.Errorf("another tool: %q", got)
	}
	c2 := newRawClient(t, g.URL)
	c2.initialize()
	if got := textOf(t, c2.call("tools/call", simple)); got == "" {
		t.Error("a second session was refused by the first one's bucket")
	}
}
