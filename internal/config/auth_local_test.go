package config

import "testing"

func TestParseLocalIssuer(t *testing.T) {
	c := mustParse(t, `servers: {a: {command: [x]}}
auth:
  issuer: local
  resource: https://gw.example.com/mcp
  signing_key: secret://mcpwarden-token-key
  revocation: redis://127.0.0.1:6379/0
  revocation_prefix: "acme:revoked:"
  scopes:
    mcp:read: {risks: [read]}
`)
	a := c.Auth
	if !a.IsLocal() || a.SigningKey != "secret://mcpwarden-token-key" || a.Revocation != "redis://127.0.0.1:6379/0" || a.RevocationPrefix != "acme:revoked:" {
		t.Fatalf("auth = %+v", a)
	}
	d := mustParse(t, "servers: {a: {command: [x]}}\nauth: {issuer: local, resource: 'http://127.0.0.1:8080/mcp', signing_key: /etc/mcpwarden/token.jwk}\n")
	if d.Auth.RevocationPrefix != DefaultRevocationPrefix || d.Auth.Revocation != "" {
		t.Fatalf("defaults = %+v", d.Auth)
	}
}

func TestLocalIssuerProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      []pos
	}{
		{"no key", "auth: {issuer: local, resource: 'https://g.example/mcp'}\n", []pos{
			{1, 1, "auth.signing_key", "required with issuer: local"},
		}},
		{"inline key", `auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: '{"kty":"OKP"}'}` + "\n", []pos{
			{1, 71, "auth.signing_key", "never written into the config"},
		}},
		{"relative path", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: key.jwk}\n", []pos{
			{1, 71, "auth.signing_key", "absolute key file path"},
		}},
		{"bad secret name", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: 'secret://../x'}\n", []pos{
			{1, 71, "auth.signing_key", "invalid secret name"},
		}},
		{"key with external issuer", "auth: {issuer: 'https://i.example', resource: 'https://g.example/mcp', signing_key: /k}\n", []pos{
			{1, 85, "auth.signing_key", "only with issuer: local"},
		}},
		{"jwks with local", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: /k, jwks_url: 'https://i.example/k'}\n", []pos{
			{1, 85, "auth.jwks_url", "not with issuer: local"},
		}},
		{"revocation url", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: /k, revocation: 'http://r:6379'}\n", []pos{
			{1, 87, "auth.revocation", "redis://"},
		}},
		{"revocation password", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: /k, revocation: 'redis://u:pw@r:6379'}\n", []pos{
			{1, 87, "auth.revocation", "password"},
		}},
		{"revocation prefix", "auth: {issuer: local, resource: 'https://g.example/mcp', signing_key: /k, revocation_prefix: 'a*'}\n", []pos{
			{1, 94, "auth.revocation_prefix", "glob"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, problemsOf(t, tt.src+"servers: {a: {command: [x]}}\n"), tt.want)
		})
	}
}
