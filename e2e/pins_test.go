package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTrustOnFirstUse runs a server without a manifest: run pins what it
// serves first, hides the poisoned tool, holds a tool whose definition
// changes mid-session, and `mcpwarden pins approve` releases it without a
// restart. The pins outlive the process.
func TestTrustOnFirstUse(t *testing.T) {
	t.Parallel()
	rug := buildRugPull(t)
	pins := filepath.Join(t.TempDir(), "pins.json")
	// env sets the variable for the server alone.
	quiet := []string{"--pins", pins, "--", "env", "RUGPULL_QUIET=1", rug}

	c := startRun(t, quiet...)
	if got := instructionsOf(t, c.initialize()); got != "Use fetch_page to read web pages." {
		t.Errorf("first-seen instructions not relayed: %q", got)
	}
	got := listedTools(t, c.call("tools/list", `{}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"fetch_page", "rug_pull"}) {
		t.Fatalf("tools/list = %q, want the poisoned add_numbers hidden", got)
	}
	if r := ruleOf(t, c.call("tools/call", `{"name":"add_numbers","arguments":{"a":1,"b":2}}`)); r != "pins.held" {
		t.Errorf("poisoned tool: rule %q", r)
	}
	if got := textOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com"}}`)); got != "fetched https://example.com" {
		t.Errorf("fetch_page: %q", got)
	}

	// The server changes fetch_page's definition and says so.
	if got := textOf(t, c.call("tools/call", `{"name":"rug_pull","arguments":{}}`)); got != "done" {
		t.Fatalf("rug_pull: %q", got)
	}
	if !c.waitNote("notifications/tools/list_changed", 5*time.Second) {
		t.Error("no notifications/tools/list_changed relayed")
	}
	if got := listedTools(t, c.call("tools/list", `{}`)); !slices.Equal(got, []string{"rug_pull"}) {
		t.Errorf("after the rug pull tools/list = %q, want only rug_pull", got)
	}
	m := c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com"}}`)
	if r := ruleOf(t, m); r != "pins.held" || strings.Contains(m.Error.Message, "sha256") {
		t.Errorf("changed tool: rule %q, message %q", r, m.Error.Message)
	}

	// The operator sees the change and approves it; the running gateway
	// shows the tool again at the next list.
	out, _, code := mcpwarden(t, "pins", "list", "--pins", pins, "--json")
	var all map[string]map[string]struct{ Pin, Pending string }
	if err := json.Unmarshal([]byte(out), &all); err != nil || code != 0 || len(all) != 1 {
		t.Fatalf("pins list: exit %d, %v\n%s", code, err, out)
	}
	var key string
	for k := range all {
		key = k
	}
	if e := all[key]["fetch_page"]; e.Pending == "" || e.Pin == e.Pending {
		t.Fatalf("fetch_page not waiting for approval: %+v", e)
	}
	if _, ok := all[key]["(instructions)"]; !ok {
		t.Errorf("instructions not pinned: %s", out)
	}
	if out, _, code := mcpwarden(t, "pins", "list", "--pins", pins); code != 0 || !strings.Contains(out, "CHANGED, held") {
		t.Errorf("pins list (table): exit %d\n%s", code, out)
	}
	if out, errOut, code := mcpwarden(t, "pins", "approve", "--pins", pins, key, "fetch_page"); code != 0 || !strings.Contains(out, "approved") {
		t.Fatalf("pins approve: exit %d\n%s%s", code, out, errOut)
	}
	got = listedTools(t, c.call("tools/list", `{}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"fetch_page", "rug_pull"}) {
		t.Errorf("after approval tools/list = %q", got)
	}
	if m := c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com"}}`); m.Error != nil {
		t.Errorf("approved tool refused: %s", m.Error.Message)
	}
	if _, _, code := mcpwarden(t, "pins", "approve", "--pins", pins, key, "fetch_page"); code != 1 {
		t.Error("approving with nothing pending did not fail")
	}

	// A new process with the same pins: the original definition is now
	// the change.
	c2 := startRun(t, quiet...)
	c2.initialize()
	if got := listedTools(t, c2.call("tools/list", `{}`)); !slices.Equal(got, []string{"rug_pull"}) {
		t.Errorf("restart: tools/list = %q, want the original fetch_page held", got)
	}
	// --pins off pins nothing (the changed fetch_page is served) but
	// still holds what looks poisoned.
	c3 := startRun(t, "--pins", "off", "--", rug)
	c3.initialize()
	got = listedTools(t, c3.call("tools/list", `{}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"fetch_page", "rug_pull"}) {
		t.Errorf("--pins off: tools/list = %q, want the poisoned add_numbers hidden", got)
	}
	if r := ruleOf(t, c3.call("tools/call", `{"name":"add_numbers","arguments":{"a":1,"b":2}}`)); r != "poison.held" {
		t.Errorf("--pins off, poisoned tool: rule %q", r)
	}
}

// TestServePoisonScan: serve does not pin a server without a manifest,
// but it holds what looks poisoned: the rug-pull server's add_numbers
// (a hidden comment that sends ~/.ssh/id_rsa) is not listed and its call
// is refused, while the other tools pass as served.
func TestServePoisonScan(t *testing.T) {
	t.Parallel()
	rug := buildRugPull(t)
	g := startServe(t, fmt.Sprintf("servers:\n  rug:\n    command: [env, RUGPULL_QUIET=1, %q]\n", rug))
	c := newRawClient(t, g.URL)
	got := listedTools(t, c.modernCall("tools/list", nil, "").final(t))
	slices.Sort(got)
	if !slices.Equal(got, []string{"fetch_page", "rug_pull"}) {
		t.Errorf("tools/list = %q, want the poisoned add_numbers hidden", got)
	}
	m := c.modernCall("tools/call", map[string]any{"name": "add_numbers", "arguments": map[string]any{"a": 1, "b": 2}}, "add_numbers").final(t)
	if r := ruleOf(t, m); r != "poison.held" {
		t.Errorf("poisoned tool: rule %q", r)
	}
	m = c.modernCall("tools/call", map[string]any{"name": "fetch_page", "arguments": map[string]any{"url": "https://example.com"}}, "fetch_page").final(t)
	if m.Error != nil {
		t.Errorf("fetch_page refused: %s", m.Error.Message)
	}
}
