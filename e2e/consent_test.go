package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// chromium is Debian's Chromium, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// page drives one headless Chromium for a test.
type page struct {
	t   *testing.T
	ctx context.Context
}

func browser(t *testing.T) *page {
	t.Helper()
	return browserFor(t, 90*time.Second)
}

// browserFor is browser with timeout for everything it does.
func browserFor(t *testing.T, timeout time.Duration) *page {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed for the consent page tests (apt-get install chromium): %v", err)
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
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	return &page{t: t, ctx: ctx}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// decide opens a consent page, checks what it asks about, clicks button
// (#grant or #deny) and returns the result the page then shows.
func (p *page) decide(url, tool, button string) string {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(button))); err != nil {
		p.t.Fatalf("browser: open %s: %v", url, err)
	}
	if got, server := p.text("#tool"), p.text("#server"); got != tool || server != "e" {
		p.t.Errorf("page shows tool %q of server %q, want %q of e", got, server, tool)
	}
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS("#result"))); err != nil {
		p.t.Fatalf("browser: click %s: %v", button, err)
	}
	return p.text("#result")
}

func consentServe(t *testing.T) (*gateway, string) {
	t.Helper()
	grants := filepath.Join(t.TempDir(), "grants.json")
	return startServe(t, fmt.Sprintf("consent:\n  mode: first_use\n  file: %q\nservers:\n  e:\n    command: [%q]\n", grants, testpeers.EverythingServer(t))), grants
}

// TestConsentWindow: the first call of an agent to a tool is refused with
// the address of the Grant Access page; a person grants it there in a real
// browser, and the retried call goes through. A denial keeps the call
// refused for a while. Both decisions are in the audit trail, and grants
// persist.
func TestConsentWindow(t *testing.T) {
	t.Parallel()
	g, grants := consentServe(t)
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
		if m.Error.Code != -32001 || !strings.HasPrefix(d.URL, g.Base+"/consent/") || !strings.Contains(m.Error.Message, d.URL) {
			t.Fatalf("refusal lacks the page address: %d %q, data %s", m.Error.Code, m.Error.Message, m.Error.Data)
		}
		return d.URL
	}
	url := pageOf(c.call("tools/call", simple))
	// Asking again while the request is open points at the same page.
	if again := pageOf(c.call("tools/call", simple)); again != url {
		t.Errorf("second refusal opened another request: %s vs %s", again, url)
	}

	b := browser(t)
	if r := b.decide(url, "test_simple_text", "#grant"); r != "Access granted" {
		t.Errorf("grant result %q", r)
	}
	if got := textOf(t, c.call("tools/call", simple)); got == "" {
		t.Fatal("call after the grant failed")
	}

	// Another tool, denied in the browser: refused, without a new page.
	other := map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "eu"}}
	if r := b.decide(pageOf(c.call("tools/call", other)), "test_x_mcp_header", "#deny"); r != "Access denied" {
		t.Errorf("deny result %q", r)
	}
	if r := ruleOf(t, c.call("tools/call", other)); r != "consent.denied" {
		t.Errorf("after a denial: rule %q, want consent.denied", r)
	}
	if !waitFor(5*time.Second, func() bool {
		s := g.Stderr.String()
		return strings.Contains(s, `"method":"consent/decision","server":"e","name":"test_simple_text","decision":"allow"`) &&
			strings.Contains(s, `"method":"consent/decision","server":"e","name":"test_x_mcp_header","decision":"deny"`)
	}) {
		t.Errorf("consent decisions not audited:\n%s", tail(g.Stderr.String(), 3000))
	}
	// The grant is kept for the next start.
	data, _ := os.ReadFile(grants)
	if !strings.Contains(string(data), `"tool": "test_simple_text"`) || strings.Contains(string(data), "test_x_mcp_header") {
		t.Errorf("grants file:\n%s", data)
	}
}

// TestConsentURLElicitation: a client that declares URL-mode elicitation
// (the go-sdk client, in both eras) gets the page as a URL elicitation
// (-32042), which it shows its user instead of the model. Once the person
// grants access the retried call goes through; a 2025-11-25 session also
// hears notifications/elicitation/complete (a 2026-07-28 client has no
// stream for it and retries when its user is done).
func TestConsentURLElicitation(t *testing.T) {
	t.Parallel()
	for _, era := range []string{eraLegacy, "2026-07-28"} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			g, _ := consentServe(t)
			completed := make(chan string, 4)
			client := mcp.NewClient(&mcp.Implementation{Name: "mcpwarden-e2e", Version: "1.0.0"}, &mcp.ClientOptions{
				Capabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}}},
				ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
					return &mcp.ElicitResult{Action: "decline"}, nil
				},
				ElicitationCompleteHandler: func(_ context.Context, r *mcp.ElicitationCompleteNotificationRequest) {
					completed <- r.Params.ElicitationID
				},
			})
			ctx := ctxT(t, 90*time.Second)
			cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: g.URL, MaxRetries: -1}, &mcp.ClientSessionOptions{ProtocolVersion: era})
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text"})
			var werr *jsonrpc.Error
			if !errors.As(err, &werr) || werr.Code != -32042 {
				t.Fatalf("first call: %v, want a -32042 URL elicitation", err)
			}
			var data struct {
				Rule         string `json:"rule"`
				URL          string `json:"url"`
				Elicitations []struct {
					Mode, ElicitationID, URL, Message string
				} `json:"elicitations"`
			}
			if err := json.Unmarshal(werr.Data, &data); err != nil || len(data.Elicitations) != 1 {
				t.Fatalf("error data %s: %v", werr.Data, err)
			}
			el := data.Elicitations[0]
			if el.Mode != "url" || el.ElicitationID == "" || !strings.HasPrefix(el.URL, g.Base+"/consent/") || data.Rule != "consent.required" {
				t.Fatalf("elicitation %+v (rule %q)", el, data.Rule)
			}
			if data.URL != "" || strings.Contains(werr.Message, el.URL) {
				t.Errorf("the page address is outside the elicitation, where the model reads it: %q / %q", werr.Message, data.URL)
			}
			if r := browser(t).decide(el.URL, "test_simple_text", "#grant"); r != "Access granted" {
				t.Fatalf("grant result %q", r)
			}
			if era == eraLegacy {
				select {
				case id := <-completed:
					if id != el.ElicitationID {
						t.Fatalf("elicitation/complete for %q, want %q", id, el.ElicitationID)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("no notifications/elicitation/complete after the grant")
				}
			}
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text"})
			if err != nil || res.IsError {
				t.Fatalf("retried call: %v %+v", err, res)
			}
		})
	}
}
