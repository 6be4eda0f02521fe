package config

import (
	"slices"
	"testing"
	"time"
)

func TestParseAuth(t *testing.T) {
	c := mustParse(t, `listen: 0.0.0.0:8443
servers:
  files: {command: [x]}
auth:
  issuer: https://idp.example.com/realms/acme
  resource: https://gateway.example.com/mcp
  audience: [api://mcpwarden]
  jwks_url: https://idp.example.com/realms/acme/keys
  required_scopes: [mcp]
  clock_skew: 1m
  groups_claim: roles
  scopes:
    mcp:read: {risks: [read]}
    mcp:files: {servers: [files]}
    mcp:all: {servers: ["*"]}
`)
	a := c.Auth
	if a == nil || a.Issuer != "https://idp.example.com/realms/acme" || a.Resource != "https://gateway.example.com/mcp" ||
		!slices.Equal(a.Audience, []string{"api://mcpwarden"}) || a.ClockSkew != time.Minute || a.GroupsClaim != "roles" ||
		!slices.Equal(a.RequiredScopes, []string{"mcp"}) || len(a.Scopes) != 3 ||
		!slices.Equal(a.Scopes["mcp:files"].Servers, []string{"files"}) || !slices.Equal(a.Scopes["mcp:read"].Risks, []string{"read"}) {
		t.Fatalf("auth = %+v", a)
	}
	d := mustParse(t, "servers: {a: {command: [x]}}\nauth: {issuer: 'http://127.0.0.1:9/', resource: 'http://localhost:8080/mcp'}\n")
	if d.Auth.ClockSkew != DefaultClockSkew || d.Auth.GroupsClaim != "groups" {
		t.Errorf("defaults = %+v", d.Auth)
	}
	if n := mustParse(t, "listen: ':8080'\nservers: {a: {command: [x]}}\nauth: {mode: none}\n"); n.Auth.Mode != AuthNone {
		t.Errorf("mode none = %+v", n.Auth)
	}
}

func TestListenNeedsAuth(t *testing.T) {
	for listen, ok := range map[string]bool{
		"127.0.0.1:8080":   true,
		"127.1.2.3:8080":   true,
		"'[::1]:8080'":     true,
		"localhost:8080":   true,
		"0.0.0.0:8080":     false,
		"':8080'":          false,
		"'[::]:8080'":      false,
		"10.0.0.5:8080":    false,
		"gateway.lan:8080": false,
	} {
		_, err := Parse("t.yaml", []byte("listen: "+listen+"\nservers: {a: {command: [x]}}\n"))
		if (err == nil) != ok {
			t.Errorf("listen %s without auth: err = %v, want ok=%v", listen, err, ok)
		}
	}
	// Validate (serve's check after --listen) says the same.
	c := Default()
	c.Servers = []Server{ServerFromCommand("a", []string{"x"})}
	c.Listen = "0.0.0.0:80"
	if ps := c.Validate(); len(ps) != 1 || ps[0].Path != "listen" {
		t.Errorf("Validate = %v", ps)
	}
}

func TestAuthProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      []pos
	}{
		{"missing issuer and resource", "auth: {clock_skew: 10s}\n", []pos{
			{1, 1, "auth.issuer", "required"},
			{1, 1, "auth.resource", "required"},
		}},
		{"http issuer not loopback", "auth: {issuer: 'http://idp.example.com', resource: 'https://g.example.com/mcp'}\n", []pos{
			{1, 16, "auth.issuer", "must use https"},
		}},
		{"relative resource and query issuer", "auth: {issuer: 'https://idp.example.com?x=1', resource: /mcp}\n", []pos{
			{1, 16, "auth.issuer", "must not carry a query"},
			{1, 57, "auth.resource", "must be absolute"},
		}},
		{"fragment", "auth: {issuer: 'https://i.example', resource: 'https://g.example/mcp#x'}\n", []pos{
			{1, 47, "auth.resource", "fragment"},
		}},
		{"mode none with issuer", "auth: {mode: none, issuer: 'https://i.example'}\n", []pos{
			{1, 14, "auth.mode", "takes no other auth keys"},
		}},
		{"unknown mode", "auth: {mode: saml}\n", []pos{{1, 14, "auth.mode", `"saml" is not one of oauth, none`}}},
		{"typo", "auth: {isuer: 'https://i.example', resource: 'https://g.example/mcp'}\n", []pos{
			{1, 8, "auth.isuer", `did you mean "issuer"?`},
		}},
		{"skew", "auth: {issuer: 'https://i.example', resource: 'https://g.example/mcp', clock_skew: 1h}\n", []pos{
			{1, 84, "auth.clock_skew", "between 0s and 5m0s"},
		}},
		{"scopes", `auth:
  issuer: https://i.example
  resource: https://g.example/mcp
  required_scopes: ["a b"]
  scopes:
    empty: {}
    bad: {servers: [nope], risks: [dangerous], tools: [""]}
    'q"x': {servers: ["*"]}
    odd: {server: [a]}
`, []pos{
			{4, 21, "auth.required_scopes[0]", "invalid scope name"},
			{6, 5, "auth.scopes.empty", "grants nothing"},
			{7, 21, "auth.scopes.bad.servers[0]", `no server named "nope"`},
			{7, 36, "auth.scopes.bad.risks[0]", `unknown risk class "dangerous"`},
			{7, 56, "auth.scopes.bad.tools[0]", "empty tool name"},
			{8, 5, `auth.scopes."q\"x"`, "invalid scope name"},
			{9, 11, "auth.scopes.odd.server", `did you mean "servers"?`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, problemsOf(t, tt.src+"servers: {a: {command: [x]}}\n"), tt.want)
		})
	}
}
