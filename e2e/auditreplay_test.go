package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// audit replay rebuilds a trace from the store through the real binary:
// prompt hash, request with redacted arguments, decision, upstream call;
// every record verified, and a tampered one refused loudly.
func TestAuditReplay(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if _, err := auditCLI(t, "keygen", key); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "audit.db")
	store := "sqlite:" + dbPath
	g := startServe(t, fmt.Sprintf("audit:\n  store: %s\n  key_file: %s\nservers:\n%s", store, key, stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()

	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	ghp := "gh" + "p_" + "Xk29aPq7LmN3bV8cR5tY1wE6uI0oZs4dF2gH"
	aws := "AK" + "IA" + "Z7Q3LMNOPQRSTUV2"
	for i, args := range []map[string]any{
		{"note": "clone with " + ghp, "env": map[string]any{"AWS_ACCESS_KEY_ID": aws, "region": "eu-west-1"}},
		{"db": map[string]any{"password": "Tr0ub4dor&3-horse!"}},
	} {
		c.call("tools/call", map[string]any{"name": "test_simple_text", "arguments": args, "_meta": map[string]any{
			"traceparent":             fmt.Sprintf("00-%s-00f067aa0ba902b%d-01", trace, i),
			"io.mcpwarden/promptHash": "sha256:prompt-of-the-test",
		}})
	}
	c.call("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}}) // another trace

	// The gateway commits journaled records to the database within a
	// linger (about 25 ms); replay reads the database: wait for both of the trace.
	var out string
	var err error
	for range 100 {
		out, err = auditCLI(t, "replay", trace, "--store", store, "--pubkey", key+".pub")
		if err == nil && strings.Count(out, "  #") == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
	for _, want := range []string{"trace " + trace, "prompt    sha256:prompt-of-the-test", "request   tools/call ev/test_simple_text",
		"[REDACTED:github-pat]", "[REDACTED:aws-access-token]", `"region":"eu-west-1"`, `"password":"[REDACTED:by-name]"`,
		"decision  allow (enforce)", "upstream  ", "verified: chained"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay lacks %q", want)
		}
	}
	for _, secret := range []string{ghp, aws, "Tr0ub4dor"} {
		if strings.Contains(out, secret) {
			t.Fatalf("replay shows a secret")
		}
	}
	if n := strings.Count(out, "  #"); n != 2 {
		t.Errorf("%d records replayed, want the trace's 2", n)
	}

	// Stopping signs a checkpoint: the records are then proven in it.
	g.Stop()
	js, err := auditCLI(t, "replay", "--trace", trace, "--store", store, "--pubkey", key+".pub", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OK    bool
		Steps []struct {
			Seq    int64
			Proof  string
			Record struct {
				Decision string
				Args     json.RawMessage
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, js)
	}
	if !doc.OK || len(doc.Steps) != 2 || doc.Steps[0].Proof != "signed" || doc.Steps[1].Record.Decision != "allow" || len(doc.Steps[1].Record.Args) == 0 {
		t.Fatalf("--json: %s", js)
	}

	// Tamper with the first record (its stored hash recomputed is not
	// needed: replay checks the bytes): replay warns and fails.
	tamper := exec.Command("sqlite3", dbPath, "DROP TRIGGER records_no_update; UPDATE records SET data = replace(data, '\"decision\":\"allow\"', '\"decision\":\"deny\"') WHERE seq = "+fmt.Sprint(doc.Steps[0].Seq)+";")
	if o, err := tamper.CombinedOutput(); err != nil {
		t.Skipf("sqlite3 CLI not usable here (%v: %s)", err, o)
	}
	out, err = auditCLI(t, "replay", trace, "--store", store, "--pubkey", key+".pub")
	if err == nil || !strings.Contains(out, "WARNING: 1 of 2 records below FAILED verification") || !strings.Contains(out, "UNVERIFIED: altered") {
		t.Fatalf("tampered replay: err %v\n%s", err, out)
	}
	if _, err := auditCLI(t, "replay", "--store", store); err == nil || !strings.Contains(err.Error(), "say what to replay") {
		t.Fatalf("replay with no selection: %v", err)
	}
}
