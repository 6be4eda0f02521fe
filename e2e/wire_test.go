package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// spyYAML runs everything-server behind `tee`, so the test can read every
// byte the upstream received on its stdin.
func spyYAML(t *testing.T, extra string) (cfg, spyLog string) {
	dir := t.TempDir()
	spyLog = filepath.Join(dir, "upstream-stdin.log")
	script := fmt.Sprintf("tee -a %q | %q", spyLog, testpeers.EverythingServer(t))
	// The sandbox shows a shell script's helpers nothing it was not told of.
	return fmt.Sprintf("%sservers:\n  everything:\n    command: [sh, -c, %q]\n    sandbox: {writable: [%q], read_only: [%q]}\n",
		extra, script, dir, testpeers.EverythingServer(t)), spyLog
}

// TestWireStrictness checks that the HTTP endpoint rejects what a lax
// decoder would let through, before any upstream sees it, and that it
// relays ids byte for byte.
func TestWireStrictness(t *testing.T) {
	t.Parallel()
	cfg, spyLog := spyYAML(t, "http:\n  max_body_bytes: 64KiB\n")
	g := startServe(t, cfg)
	c := newRawClient(t, g.URL)
	c.initialize()

	// wantRPCError checks an HTTP status and a JSON-RPC error body.
	wantRPCError := func(t *testing.T, r rawResp, status, code int) {
		t.Helper()
		if r.Status != status {
			t.Fatalf("status %d, want %d: %s", r.Status, status, r)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("error answer is not JSON: %s", r)
		}
		m := r.final(t)
		if m.Error == nil {
			t.Fatalf("no JSON-RPC error in %s", r)
		}
		if code != 0 && m.Error.Code != code {
			t.Errorf("JSON-RPC error code %d, want %d: %s", m.Error.Code, code, r)
		}
	}

	rejected := []struct {
		name, body string
		code       int
		mustNotSee string // a byte string that must never reach the upstream
	}{
		{"case-variant-key", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","Name":"test_error_handling"}}`, -32600, `"Name"`},
		{"duplicate-key", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","name":"test_error_handling"}}`, -32600, `"name":"test_simple_text","name"`},
		{"nested-duplicate-key", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"dupe":1,"dupe":2}}}`, -32600, `"dupe"`},
		{"case-variant-envelope", `{"jsonrpc":"2.0","id":1,"method":"tools/call","Method":"ping","params":{"name":"test_simple_text"}}`, -32600, `"Method"`},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"batched":1}}}]`, -32600, `"batched"`},
		{"truncated", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"trunc`, -32700, `"trunc`},
		{"binary-garbage", "\x00\xff\xfe\x01\x02garbage\x80", -32700, "garbage"},
		{"invalid-utf8-in-string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"test_simple_text\",\"arguments\":{\"bad\":\"\xff\xfe\"}}}", 0, `"bad"`},
		{"trailing-data", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"trail":1}}} {"x":1}`, 0, `"trail"`},
	}
	for _, rc := range rejected {
		t.Run(rc.name, func(t *testing.T) {
			r := c.post(rc.body, nil)
			wantRPCError(t, r, http.StatusBadRequest, rc.code)
			if rule := ruleOf(t, r.final(t)); rule != "wire.invalid" && rule != "wire.malformed" {
				t.Errorf("refusal names rule %q, want wire.invalid or wire.malformed", rule)
			}
		})
	}
	// Every refusal is an exchange record too, before any decision.
	if !waitFor(5*time.Second, func() bool {
		return strings.Count(g.Stderr.String(), `"method":"(refused message)"`) >= len(rejected)
	}) {
		t.Errorf("refused messages not recorded: %d records for %d refusals", strings.Count(g.Stderr.String(), `"method":"(refused message)"`), len(rejected))
	}

	t.Run("id-round-trip", func(t *testing.T) {
		for _, id := range []string{`1e400`, `123456789012345678901234567890`, `-98765432109876543210987654321`, `"abc"`, `1.5`, `"\u00e9\ud83d\ude00"`, `0`} {
			body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"test_simple_text","arguments":{}}}`, id)
			r := c.post(body, nil)
			if r.Status != http.StatusOK {
				t.Errorf("id %s: %s", id, r)
				continue
			}
			m := r.final(t)
			if string(m.ID) != id {
				t.Errorf("id %s came back as %s", id, m.ID)
			}
			if !bytes.Contains(r.Body, []byte(`"id":`+id)) {
				t.Errorf("id %s not byte-exact in the answer: %s", id, r)
			}
			if m.Error != nil || !strings.Contains(string(m.Result), "simple text response") {
				t.Errorf("id %s: call failed: %s", id, r)
			}
		}
	})

	t.Run("header-mismatch", func(t *testing.T) {
		body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"hdr":1}}}`
		wantRPCError(t, c.post(body, map[string]string{"Mcp-Method": "tools/list"}), http.StatusBadRequest, -32020)
		wantRPCError(t, c.post(body, map[string]string{"Mcp-Name": "test_error_handling"}), http.StatusBadRequest, -32020)
		// Modern request: version header and _meta disagree.
		m := newRawClient(t, g.URL)
		r := m.modernCall("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{"hdr": 2}}, "test_error_handling")
		wantRPCError(t, r, http.StatusBadRequest, -32020)
		r = m.post(`{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`,
			map[string]string{"Mcp-Protocol-Version": "2025-11-25", "Mcp-Method": "tools/list", "Mcp-Session-Id": ""})
		wantRPCError(t, r, http.StatusBadRequest, -32020)
		// The matching headers are accepted.
		r = m.modernCall("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}}, "test_simple_text")
		if r.Status != http.StatusOK || r.final(t).Error != nil {
			t.Errorf("modern call with matching headers: %s", r)
		}
	})

	t.Run("origin-and-host", func(t *testing.T) {
		ping := `{"jsonrpc":"2.0","id":9,"method":"ping"}`
		for _, o := range []string{"https://evil.example", "http://localhost.evil.example", "null", "file://"} {
			if r := c.post(ping, map[string]string{"Origin": o}); r.Status != http.StatusForbidden {
				t.Errorf("Origin %q: %s, want 403", o, r)
			}
		}
		if r := c.post(ping, map[string]string{"Origin": "http://localhost:3000"}); r.Status != http.StatusOK {
			t.Errorf("loopback Origin rejected: %s", r)
		}
		for _, h := range []string{"evil.example", "evil.example:80", "127.0.0.1.evil.example"} {
			if r := c.post(ping, map[string]string{"Host": h}); r.Status != http.StatusForbidden {
				t.Errorf("Host %q: %s, want 403", h, r)
			}
		}
		if r := c.do(http.MethodGet, nil, map[string]string{"Host": "evil.example", "Accept": "text/event-stream"}); r.Status != http.StatusForbidden {
			t.Errorf("GET with bad Host: %s, want 403", r)
		}
	})

	t.Run("body-too-large", func(t *testing.T) {
		big := fmt.Sprintf(`{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"big":"%s"}}}`, strings.Repeat("A", 70<<10))
		r := c.post(big, nil)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("body of %d bytes with max_body_bytes 64KiB: %s, want 413", len(big), r)
		}
		// Just under the limit passes.
		ok := fmt.Sprintf(`{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"fits":"%s"}}}`, strings.Repeat("B", 60<<10))
		if r := c.post(ok, nil); r.Status != http.StatusOK {
			t.Errorf("body of %d bytes: %s", len(ok), r)
		}
	})

	t.Run("media-types", func(t *testing.T) {
		ping := `{"jsonrpc":"2.0","id":12,"method":"ping"}`
		if r := c.post(ping, map[string]string{"Content-Type": "text/plain"}); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type text/plain: %s, want 415", r)
		}
		if r := c.post(ping, map[string]string{"Accept": "application/json"}); r.Status != http.StatusNotAcceptable {
			t.Errorf("Accept without text/event-stream: %s, want 406", r)
		}
	})

	t.Run("get-modern-405", func(t *testing.T) {
		m := newRawClient(t, g.URL)
		r := m.do(http.MethodGet, nil, map[string]string{"Accept": "text/event-stream", "Mcp-Protocol-Version": "2026-07-28"})
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("GET /mcp for 2026-07-28: %s, want 405", r)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		u := newRawClient(t, g.URL)
		u.sid, u.version = "0123456789abcdef0123456789abcdef", "2025-11-25"
		if r := u.post(`{"jsonrpc":"2.0","id":13,"method":"ping"}`, nil); r.Status != http.StatusNotFound {
			t.Errorf("unknown session: %s, want 404", r)
		}
		if r := u.do(http.MethodGet, nil, map[string]string{"Accept": "text/event-stream"}); r.Status != http.StatusNotFound {
			t.Errorf("GET with unknown session: %s, want 404", r)
		}
		noSID := newRawClient(t, g.URL)
		noSID.version = "2025-11-25"
		if r := noSID.post(`{"jsonrpc":"2.0","id":14,"method":"tools/list"}`, nil); r.Status != http.StatusBadRequest {
			t.Errorf("legacy request without a session: %s, want 400", r)
		}
		if r := c.post(`{"jsonrpc":"2.0","id":15,"method":"ping"}`, map[string]string{"Mcp-Protocol-Version": "1999-01-01"}); r.Status != http.StatusBadRequest {
			t.Errorf("unsupported MCP-Protocol-Version: %s, want 400", r)
		}

		d := newRawClient(t, g.URL)
		d.initialize()
		if r := d.post(`{"jsonrpc":"2.0","id":16,"method":"ping"}`, nil); r.Status != http.StatusOK {
			t.Fatalf("ping on a new session: %s", r)
		}
		if r := d.do(http.MethodDelete, nil, nil); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
			t.Fatalf("DELETE: %s", r)
		}
		if r := d.post(`{"jsonrpc":"2.0","id":17,"method":"ping"}`, nil); r.Status != http.StatusNotFound {
			t.Errorf("after DELETE: %s, want 404", r)
		}
		if r := d.do(http.MethodDelete, nil, nil); r.Status != http.StatusNotFound {
			t.Errorf("second DELETE: %s, want 404", r)
		}
	})

	// Last: a marker call, then the upstream's stdin must show it and none
	// of the rejected bodies.
	c.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{"marker": "e2e-end"}})
	var seen []byte
	if !waitFor(5*time.Second, func() bool {
		seen, _ = os.ReadFile(spyLog)
		return bytes.Contains(seen, []byte("e2e-end"))
	}) {
		t.Fatalf("the upstream never received the marker call; its stdin:\n%s", tail(string(seen), 3000))
	}
	for _, rc := range rejected {
		if bytes.Contains(seen, []byte(rc.mustNotSee)) {
			t.Errorf("rejected request %s reached the upstream (%q found in its stdin)", rc.name, rc.mustNotSee)
		}
	}
	for _, s := range []string{`"hdr":1`, `"hdr":2`, `"big":`, "\xff\xfe"} {
		if bytes.Contains(seen, []byte(s)) {
			t.Errorf("rejected request reached the upstream (%q found in its stdin)", s)
		}
	}
	if !bytes.Contains(seen, []byte(`"fits"`)) {
		t.Errorf("the accepted just-under-the-limit call never reached the upstream")
	}
}

// TestWireRefusalAuditedStdio: on stdio too, a message the strict decoder
// refuses gets an error naming the rule and leaves an exchange record.
func TestWireRefusalAuditedStdio(t *testing.T) {
	t.Parallel()
	c := startRun(t, "--audit", "off", "--", testpeers.EverythingServer(t))
	c.initialize()
	m := c.call("tools/call", `{"name":"test_simple_text","name":"test_error_handling"}`)
	if m.Error == nil || m.Error.Code != -32600 {
		t.Fatalf("duplicate key: %+v", m.Error)
	}
	if r := ruleOf(t, m); r != "wire.invalid" {
		t.Errorf("rule %q, want wire.invalid", r)
	}
	if !waitFor(5*time.Second, func() bool {
		return strings.Contains(c.stderr.String(), `"method":"(refused message)"`) && strings.Contains(c.stderr.String(), `"rule":"wire.invalid"`)
	}) {
		t.Errorf("refusal not recorded:\n%s", tail(c.stderr.String(), 2000))
	}
}
