package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// chromium is Debian's Chromium, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// browser starts headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed for the consent page test (apt-get install chromium): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// TestConsentWindow: the first call of an agent to a tool is refused with
// the address of the Grant Access page; a person grants it there in a real
// browser, and the retried call goes through. A denial keeps the call
// refused. Both decisions are in the audit trail, and grants persist.
func TestConsentWindow(t *testing.T) {
	t.Parallel()
	grants := filepath.Join(t.TempDir(), "grants.json")
	g := startServe(t, fmt.Sprintf("consent:\n  mode: first_use\n  file: %q\nservers:\n  e:\n    command: [%q]\n", grants, testpeers.EverythingServer(t)))
	c := newRawClient(t, g.URL)
	c.initialize()
	simple := map[string]any{"name": "test_simple_text"}

	pageOf := func(m rpcMsg) string {
		t.Helper()
		if r := ruleOf(t, m); r != "consent.required" {
			t.Fatalf("first call: rule %q, want consent.required (%s)", r, m.Error.Message)
		}
		var d struct {
			URL string `json:"url"`
		}
		json.Unmarshal(m.Error.Data, &d)
		if !strings.HasPrefix(d.URL, g.Base+"/consent/") || !strings.Contains(m.Error.Message, d.URL) {
			t.Fatalf("refusal lacks the page address: %q, data %s", m.Error.Message, m.Error.Data)
		}
		return d.URL
	}
	url := pageOf(c.call("tools/call", simple))
	// Asking again while the request is open points at the same page.
	if again := pageOf(c.call("tools/call", simple)); again != url {
		t.Errorf("second refusal opened another request: %s vs %s", again, url)
	}

	ctx := browser(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	decide := func(url, button string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(button))); err != nil {
			t.Fatalf("browser: open %s: %v", url, err)
		}
		if button == "#grant" {
			if tool, server := text("#tool"), text("#server"); tool != "test_simple_text" || server != "e" {
				t.Errorf("page shows tool %q of server %q", tool, server)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS("#result"))); err != nil {
			t.Fatalf("browser: click %s: %v", button, err)
		}
	}
	decide(url, "#grant")
	if result := text("#result"); result != "Access granted" {
		t.Errorf("grant result %q", result)
	}
	if got := textOf(t, c.call("tools/call", simple)); got == "" {
		t.Fatal("call after the grant failed")
	}

	// Another tool, denied in the browser: still refused.
	other := map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "eu"}}
	url2 := pageOf(c.call("tools/call", other))
	decide(url2, "#deny")
	if result := text("#result"); result != "Access denied" {
		t.Errorf("deny result %q", result)
	}
	if r := ruleOf(t, c.call("tools/call", other)); r != "consent.required" {
		t.Errorf("after a denial: rule %q, want a new consent.required", r)
	}
	if !waitFor(5*time.Second, func() bool {
		s := g.Stderr.String()
		return strings.Contains(s, `"method":"consent/decision","server":"e","name":"test_simple_text","decision":"allow"`) &&
			strings.Contains(s, `"method":"consent/decision","server":"e","name":"test_x_mcp_header","decision":"deny"`)
	}) {
		t.Errorf("consent decisions not audited:\n%s", tail(g.Stderr.String(), 3000))
	}
	// The grant is kept for the next start.
	b, _ := os.ReadFile(grants)
	if !strings.Contains(string(b), `"tool": "test_simple_text"`) || strings.Contains(string(b), "test_x_mcp_header") {
		t.Errorf("grants file:\n%s", b)
	}
}
