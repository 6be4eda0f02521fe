package downstream

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/session"
)

// BenchmarkHTTPFrontAuth is BenchmarkHTTPFront's session-era tools/call
// with auth on: the bearer token checked on every request (warm key and
// token caches) and the call checked against the token's scopes.
func BenchmarkHTTPFrontAuth(b *testing.B) {
	is := authntest.New()
	defer is.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	scopes := authn.Scopes{"mcp:s": {Servers: []string{"s"}}}
	opts := &session.Options{Backend: instantBackend{instantConn{make(chan struct{})}},
		Chain: intercept.NewChain(intercept.AuditLog(nil), intercept.Authz(scopes, []string{"mcp"}, nil)), Logger: log, Name: "mcpwarden", Version: "b"}
	var v *authn.Validator
	h := NewHTTP(HTTPOptions{Sessions: func() *session.Options { return opts }, Logger: log, Auth: func() *authn.Validator { return v }})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	var err error
	if v, err = authn.New(authn.Config{Issuer: is.URL, Resource: srv.URL + "/mcp", RequiredScopes: []string{"mcp"}, Scopes: scopes}); err != nil {
		b.Fatal(err)
	}
	auth := "Bearer " + is.Token(is.Claims(srv.URL+"/mcp", "alice", "mcp mcp:s"))
	c := srv.Client()
	resp, _ := post(b, c, srv.URL+"/mcp", map[string]string{"Authorization": auth}, []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}`))
	hdr := map[string]string{"Mcp-Session-Id": resp.Header.Get("Mcp-Session-Id"), "Mcp-Protocol-Version": "2025-11-25", "Authorization": auth}
	call := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, out := post(b, c, srv.URL+"/mcp", hdr, call); !bytes.Contains(out, []byte(`"ok"`)) {
			b.Fatalf("bad response %s", out)
		}
	}
}
