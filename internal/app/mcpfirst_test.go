package app

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/authserver"
)

// mcpFirst may skip the mux only because the mux would choose the same
// handler: neither the authorization server's paths nor the consent page
// may cover the MCP endpoint. Every other path goes where the mux sends it.
func TestMCPFirstRoutesLikeTheMux(t *testing.T) {
	mark := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Route", name) })
	}
	next := mark("next")
	mux := http.NewServeMux()
	mux.Handle("/", next)
	for _, p := range authserver.Paths() {
		mux.Handle(p, mark("auth"))
	}
	mux.Handle(consentPath, mark("consent"))
	fast := mcpFirst(next, mux)
	for _, path := range []string{"/mcp", "/mcp/", "/mcp?x=1", "/sse", "/oauth2/token", "/consent/abc",
		authserver.WellKnownAS, authserver.WellKnownJWKS, "/", "/other"} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		mux.ServeHTTP(want, httptest.NewRequest(http.MethodPost, path, nil))
		fast.ServeHTTP(got, httptest.NewRequest(http.MethodPost, path, nil))
		if w, g := want.Header().Get("X-Route"), got.Header().Get("X-Route"); w != g || want.Code != got.Code {
			t.Errorf("%s: mux routes to %q (%d), mcpFirst to %q (%d)", path, w, want.Code, g, got.Code)
		}
	}
}
