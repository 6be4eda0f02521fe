package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// TestSQLGuard: through the real binary, a manifest's sql guard refuses a
// DROP TABLE, a stacked statement and a sleep before the server sees them,
// with the guard's rule id, and relays a read whose literal carries the
// same words to the real everything-server (its test_x_mcp_header tool
// echoes the argument back).
func TestSQLGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	man := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(man, []byte(`tools:
  test_x_mcp_header:
    risk: read
    guards:
      region:
        sql: {mode: read_only}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	g := startServe(t, fmt.Sprintf("servers:\n  e:\n    command: [%q]\n    manifest: %q\n", testpeers.EverythingServer(t), man))
	c := newRawClient(t, g.URL)
	c.initialize()
	query := func(sql string) rpcMsg {
		return c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": sql}})
	}
	benign := "SELECT name FROM users WHERE note = 'x; DROP TABLE users; --' -- ; DELETE"
	if got := textOf(t, query(benign)); got != "region="+benign {
		t.Errorf("benign query: %q", got)
	}
	for sql, rule := range map[string]string{
		"DROP TABLE users":                                          "guard.sql.ddl",
		"SELECT 1; DROP TABLE users; --":                            "guard.sql.stacked",
		"SELECT pg_catalog.pg_sleep(10)":                            "guard.sql.function",
		"WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d": "guard.sql.write",
	} {
		m := query(sql)
		if r := ruleOf(t, m); r != rule {
			t.Errorf("%q: rule %q, want %q (%s)", sql, r, rule, m.Result)
		}
	}
}
