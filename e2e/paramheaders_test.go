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
	m = c.post(body, hdr("us")).final(t)
	if m.Error == nil || m.Error.Code != -32020 {
		t.Fatalf("mismatched header was not refused: %+v %s", m.Error, m.Result)
	}
}
