package upstream

import (
	"context"
	"net/http"
	"testing"
)

// The client's bearer token is the gateway's to check, never the
// upstream's: the only client headers an HTTP upstream request carries
// are Mcp-Param-*, whatever the downstream put in the context.
func TestClientAuthorizationNotForwarded(t *testing.T) {
	ctx := WithParamHeaders(context.Background(), http.Header{
		"Authorization":           {"Bearer client-token"},
		"Cookie":                  {"session=1"},
		"Mcp-Param-Authorization": {"x"},
		"Mcp-Param-Region":        {"eu"},
	})
	dst := http.Header{}
	addParamHeaders(ctx, dst)
	if dst.Get("Authorization") != "" || dst.Get("Cookie") != "" {
		t.Fatalf("forwarded client credentials: %v", dst)
	}
	if dst.Get("Mcp-Param-Region") != "eu" || len(dst) != 2 {
		t.Fatalf("param headers = %v", dst)
	}
}
