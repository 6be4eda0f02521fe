package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// inspectorWeb is the MCP Inspector's web UI (its Node backend serving
// the app and proxying MCP and OAuth requests), started on a free port.
type inspectorWeb struct {
	URL    string // the page, with its API token
	Origin string
	Out    *syncBuffer
}

// startInspectorWeb runs `mcp-inspector --web --transport http
// --server-url serverURL` with its state under a temp HOME, no browser of
// its own (MCP_AUTO_OPEN_ENABLED=false) and its API token set here. The
// web port must be fixed (CLIENT_PORT: the Inspector derives its origin
// allow-list from it, 0 is refused), so it is one the kernel just
// handed out; the sandbox and app-origin ports are 0 (OS-assigned).
func startInspectorWeb(t *testing.T, serverURL string, args ...string) *inspectorWeb {
	t.Helper()
	tr := "http"
	if strings.HasSuffix(serverURL, "/sse") {
		tr = "sse"
	}
	cmdline := testpeers.InspectorCmd(t, append([]string{"--web", "--transport", tr, "--server-url", serverURL}, args...)...)
	var tb [16]byte
	rand.Read(tb[:])
	token := hex.EncodeToString(tb[:])
	home := t.TempDir()
	for attempt := 0; ; attempt++ {
		port := strconv.Itoa(testpeers.FreePort(t))
		out := &syncBuffer{}
		ctx := ctxT(t, 10*time.Minute)
		cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
		cmd.Env = append(os.Environ(), "HOME="+home, "MCP_STORAGE_DIR="+home+"/storage",
			"CLIENT_PORT="+port, "MCP_SANDBOX_PORT=0", "MCP_APP_ORIGIN_PORT=0", "HOST=127.0.0.1",
			"MCP_AUTO_OPEN_ENABLED=false", "MCP_INSPECTOR_SECRET_STORE=memory", "MCP_INSPECTOR_API_TOKEN="+token)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start the Inspector: %v", err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-done
			if t.Failed() {
				t.Logf("Inspector output:\n%s", tail(out.String(), 4000))
			}
		})
		up := waitFor(2*time.Minute, func() bool {
			select {
			case <-done:
				return true
			default:
			}
			return strings.Contains(out.String(), "is up and running")
		})
		select {
		case <-done:
			if strings.Contains(out.String(), "PORT IS IN USE") && attempt < 3 {
				continue // another process took the port meanwhile
			}
			t.Fatalf("the Inspector exited:\n%s", tail(out.String(), 3000))
		default:
		}
		if !up {
			t.Fatalf("the Inspector did not come up:\n%s", tail(out.String(), 3000))
		}
		origin := "http://127.0.0.1:" + port
		return &inspectorWeb{URL: origin + "/?MCP_INSPECTOR_API_TOKEN=" + token, Origin: origin, Out: out}
	}
}

// needInspector skips where the npm peers (scripts/setup) are not
// installed; CI installs them, so there this runs.
func needInspector(t *testing.T) {
	t.Helper()
	root := testpeers.Root(t)
	for _, p := range []string{".peers/bin/node22", "testenv/node_modules/@modelcontextprotocol/inspector/package.json"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Skipf("the MCP Inspector is not installed (run scripts/setup): %v", err)
		}
	}
}

// TestInspectorWebOAuth: the MCP Inspector's web UI (the pinned
// @modelcontextprotocol/inspector, its own Node backend and React app,
// in its legacy and modern protocol eras) in headless Chromium against serve with the embedded authorization
// server. Connect → the gateway's 401 → the Inspector discovers the
// authorization server and registers itself by dynamic client
// registration (redirect URI: its own /oauth/callback) → the gateway's
// login page → the local administrator's password → "Grant Access" →
// back to the Inspector with the code, which it exchanges (PKCE) →
// connected: the tools list shows the one tool the scope grants, and
// "Execute Tool" calls it through serve, audited under local:admin and
// the Inspector's client id.
func TestInspectorWebOAuth(t *testing.T) {
	t.Parallel()
	needChromium(t)
	needInspector(t)
	// Both protocol eras of the Inspector: legacy (initialize, sessions)
	// and modern (server/discover, per-request metadata).
	for _, era := range []string{"legacy", "modern"} {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			inspectorWebOAuth(t, era, "/mcp", "/mcp")
		})
	}
	// The legacy SSE transport: the SDK accepts the metadata's resource
	// only if it is a prefix of the URL it connects to, so a gateway that
	// serves SSE clients with OAuth names its origin as the resource
	// (with .../mcp the Inspector stops after discovery, "Failed").
	t.Run("sse", func(t *testing.T) {
		t.Parallel()
		inspectorWebOAuth(t, "legacy", "/", "/sse")
	})
}

func inspectorWebOAuth(t *testing.T, era, resourcePath, endpoint string) {
	const password = "e2e inspector admin password, long enough"
	// The Inspector asks for the scope of the 401 challenge
	// (required_scopes), so mcp itself grants the tool here.
	g := adminGatewayAt(t, password, `{mcp: {tools: [test_simple_text]}}`, resourcePath)
	in := startInspectorWeb(t, g.Base+endpoint, "--protocol-era", era)
	b := ssoPage{browserFor(t, 4*time.Minute)}
	connect := chromedp.CSS(`input[aria-label^="Connect or disconnect"]`)
	b.run("open the Inspector", chromedp.Navigate(in.URL), chromedp.WaitReady(connect))
	// The switch's input is hidden under Mantine's track: click it by script.
	b.run("connect", until(`(() => { const e = document.querySelector('input[aria-label^="Connect or disconnect"]'); if (!e) return false; e.click(); return true })()`))

	b.run("the gateway's login page", chromedp.WaitVisible(adminLink))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasPrefix(loc, g.Base+"/oauth2/login?") {
		t.Fatalf("the Inspector sent the browser to %s, not the gateway's login page", loc)
	}
	if page := b.text("main"); !strings.Contains(page, "MCP Inspector (mcpw_") {
		t.Errorf("login page does not name the Inspector's registered client:\n%s", page)
	}
	b.adminSignIn("admin", password)
	b.run("consent page", chromedp.WaitVisible(ssoGrant))
	if page := b.text("main"); !strings.Contains(page, "admin (local:admin)") || !strings.Contains(page, "MCP Inspector") ||
		!strings.Contains(page, "sent back to "+in.Origin) {
		t.Errorf("consent page does not say who signed in, for which client and where it goes back:\n%s", page)
	}
	b.run("grant access", chromedp.Click(ssoGrant))

	b.run("back in the Inspector, connected", chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Disconnect from server"]`)))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasPrefix(loc, in.Origin+"/") {
		t.Fatalf("after Grant Access the browser is at %s, not the Inspector", loc)
	}
	b.run("tools tab", clickText("input", "Tools"))
	b.run("the tool in the list", clickText("button", "test_simple_text"))
	if body := b.text("body"); !strings.Contains(body, "Tools (1)") {
		t.Errorf("the tools list is not the one tool the scope grants:\n%s", body)
	}
	b.run("execute the tool", clickText("button", "Execute Tool"))
	b.run("the result", until(`document.body.innerText.includes("This is a simple text response for testing.")`))

	if !audited(g, "local:admin") {
		t.Errorf("no audit record of the Inspector's call under local:admin:\n%s", tail(g.Stderr.String(), 4000))
	}
	// Disconnect and connect again: the Inspector reuses its token, no
	// second sign-in, and lists the tools again through serve.
	lists := func() int {
		return strings.Count(g.Stderr.String(), `"method":"tools/list","server":"everything","decision":"allow","subject":"local:admin"`)
	}
	before := lists()
	b.run("disconnect", chromedp.Click(chromedp.CSS(`button[aria-label="Disconnect from server"]`)),
		until(`document.body.innerText.includes("Disconnected")`))
	b.run("connect again", until(`(() => { const e = document.querySelector('input[aria-label^="Connect or disconnect"]'); if (!e) return false; e.click(); return true })()`),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Disconnect from server"]`)))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasPrefix(loc, in.Origin+"/") {
		t.Errorf("reconnecting left the Inspector for %s", loc)
	}
	if !waitFor(30*time.Second, func() bool { return lists() > before }) {
		t.Errorf("no tools/list after reconnecting (%d before):\n%s", before, tail(g.Stderr.String(), 3000))
	}
	if n := strings.Count(g.Stderr.String(), `"msg":"authserver: signed in"`); n != 1 {
		t.Errorf("%d sign-ins, want 1 (the reconnection reuses the token)", n)
	}
	logs := g.Stderr.String()
	transport := "http"
	if endpoint == "/sse" {
		transport = "sse"
	}
	if !strings.Contains(logs, `"era":"`+era+`","transport":"`+transport+`","rpc_id":"`) {
		t.Errorf("no exchange of the %s era:\n%s", era, tail(logs, 3000))
	}
	if !strings.Contains(logs, `"name":"MCP Inspector","redirect_uris":["`+in.Origin+`/oauth/callback"]`) {
		t.Errorf("the Inspector did not register by DCR with its callback:\n%s", tail(logs, 3000))
	}
}

// TestInspectorWebSSO: the Inspector's web UI through single sign-on
// at the test IdP (mockoidc behind a sign-in page, see sso_test.go).
// Alice first denies access on the consent page: the Inspector gets no
// code and stays disconnected, and the gateway sees no MCP request from
// her. Connecting again, she grants it and the Inspector calls a tool.
func TestInspectorWebSSO(t *testing.T) {
	t.Parallel()
	needChromium(t)
	needInspector(t)
	idp := startIdP(t)
	g := ssoGateway(t, idp, `{mcp: {tools: [test_simple_text]}}`, `{developer: {groups: [engineering], scopes: [mcp]}}`)
	in := startInspectorWeb(t, g.URL)
	b := ssoPage{browserFor(t, 4*time.Minute)}
	connect := chromedp.CSS(`input[aria-label^="Connect or disconnect"]`)
	b.run("open the Inspector", chromedp.Navigate(in.URL), chromedp.WaitReady(connect))
	b.run("connect", until(`(() => { const e = document.querySelector('input[aria-label^="Connect or disconnect"]'); if (!e) return false; e.click(); return true })()`))
	b.run("choose single sign-on", chromedp.WaitVisible(ssoLink), chromedp.Click(ssoLink))
	b.run("sign in at the IdP", chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"), chromedp.Click(chromedp.CSS("#signin")))
	b.run("consent page", chromedp.WaitVisible(ssoGrant))
	if page := b.text("main"); !strings.Contains(page, "Alice Example") || !strings.Contains(page, "MCP Inspector") {
		t.Errorf("consent page:\n%s", page)
	}
	b.run("deny", chromedp.Click(chromedp.CSS(`button[value="deny"]`)))
	b.run("the Inspector says access was denied", until(`document.body.innerText.includes("access_denied")`))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasPrefix(loc, in.Origin+"/") {
		t.Fatalf("after Deny the browser is at %s, not the Inspector", loc)
	}
	if body := b.text("body"); !strings.Contains(body, "Failed") || strings.Contains(body, "Connected") {
		t.Errorf("after Deny the Inspector is not disconnected:\n%s", body)
	}
	if logs := g.Stderr.String(); strings.Contains(logs, `"method":"initialize"`) {
		t.Fatalf("an MCP request went through after Deny:\n%s", tail(logs, 3000))
	}

	// Again, and this time grant. No session_ttl: the gateway keeps no
	// sign-in session, so Alice signs in at the IdP again.
	b.run("re-authenticate", clickText("button", "Re-authenticate"))
	b.run("choose single sign-on", chromedp.WaitVisible(ssoLink), chromedp.Click(ssoLink))
	b.run("sign in at the IdP", chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"), chromedp.Click(chromedp.CSS("#signin")))
	b.run("grant access", chromedp.WaitVisible(ssoGrant), chromedp.Click(ssoGrant))
	b.run("back in the Inspector, connected", chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Disconnect from server"]`)))
	b.run("tools tab", clickText("input", "Tools"))
	b.run("the tool in the list", clickText("button", "test_simple_text"))
	b.run("execute the tool", clickText("button", "Execute Tool"))
	b.run("the result", until(`document.body.innerText.includes("This is a simple text response for testing.")`))
	if !audited(g, "alice-7f3a") {
		t.Errorf("no audit record of the Inspector's call under the federated subject:\n%s", tail(g.Stderr.String(), 4000))
	}
}

// until waits until the script expression is true, evaluating it again
// across navigations (the Inspector's OAuth callback page redirects to
// its start page) until the browser's context ends.
func until(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var last error
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, errors.Join(ctx.Err(), last)
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
}

// clickText waits for an element matching sel whose text (or its
// parent's, for Mantine's hidden inputs) is text, and clicks it: the
// Inspector's controls have no stable ids.
func clickText(sel, text string) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(() => {
		const e = [...document.querySelectorAll(%q)].find(e => e.innerText.trim() === %q || (e.parentElement && e.parentElement.innerText.trim() === %q));
		if (!e) return false;
		e.click();
		return true;
	})()`, sel, text, text))
}
