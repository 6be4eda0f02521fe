package e2e

import (
	"strings"
	"testing"
)

// TestParamHeaders: a 2026-07-28 client's Mcp-Param-* headers reach a
// Streamable HTTP upstream with the same request, so a tool whose
// arguments are bound to headers works through the gateway, and the
// server still refuses a header that disagrees with the body.
func TestParamHeaders(t *testing.T) {
	t.Parallel()
	up := everythingHTTPMode(t, true)
	g := startServe(t, "servers:\n  es:\n    url: "+up+"\n")
	c := newRawClient(t, g.URL)
	body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"test_x_mcp_header","arguments":{"region":"eu","level":1},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`
	hdr := func(region string) map[string]string {
		return map[string]string{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
			"Mcp-Name": "test_x_mcp_header", "Mcp-Param-Region": region}
	}
	m := c.post(body, hdr("eu")).final(t)
	if m.Error != nil || !strings.Contains(string(m.Result), "region=eu") {
		t.Fatalf("matching header: %+v %s", m.Error, m.Result)
	}
	// The gateway refuses a header that disagrees with the body it
	// inspected, with the server's own error, before the server sees it.
	m = c.post(body, hdr("us")).final(t)
	if m.Error == nil || m.Error.Code != -32020 || !strings.Contains(m.Error.Message, "does not match argument region") {
		t.Fatalf("mismatched header was not refused by the gateway: %+v %s", m.Error, m.Result)
	}
	// A header the client left out is added from the body.
	h := hdr("eu")
	delete(h, "Mcp-Param-Region")
	m = c.post(body, h).final(t)
	if m.Error != nil || !strings.Contains(string(m.Result), "region=eu") {
		t.Fatalf("missing header: %+v %s", m.Error, m.Result)
	}
}

// TestParamHeadersFromLegacyClient: a 2025-11-25 client sends no
// Mcp-Param-* headers; in front of a 2026-07-28-only server the gateway
// must bind the x-mcp-header arguments itself, from the body it inspected.
func TestParamHeadersFromLegacyClient(t *testing.T) {
	t.Parallel()
	up := everythingHTTPMode(t, true)
	g := startServe(t, "servers:\n  es:\n    url: "+up+"\n")
	c := newRawClient(t, g.URL)
	c.initialize()
	m := c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "eu", "level": 1}})
	if m.Error != nil || !strings.Contains(string(m.Result), "region=eu") {
		t.Fatalf("legacy client: %+v %s", m.Error, m.Result)
	}
	// Not printable ASCII: sent in the =?base64?…?= form, decoded by the server.
	m = c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "Île-de-France"}})
	if m.Error != nil || !strings.Contains(string(m.Result), "region=Île-de-France") {
		t.Fatalf("legacy client, non-ASCII value: %+v %s", m.Error, m.Result)
	}
}
