package config

import (
	"testing"
	"time"
)

const asBase = `servers: {a: {command: [x]}}
auth:
  issuer: embedded
  resource: https://gw.example.com/mcp
  signing_key: secret://mcpwarden-token-key
  required_scopes: [mcp]
`

func TestParseAuthorizationServer(t *testing.T) {
	// Left out: defaults.
	c := mustParse(t, asBase)
	if !c.Auth.IsEmbedded() || !c.Auth.IsLocal() {
		t.Fatal("issuer embedded is not the gateway's own issuer")
	}
	s := c.Auth.AuthorizationServer
	if !s.DynamicRegistration || !s.ClientIDMetadataDocuments || s.AccessTokenTTL != 10*time.Minute ||
		s.RefreshTokenTTL != 24*time.Hour || s.AdminUser != "admin" || s.AdminPassword != "" {
		t.Fatalf("defaults = %+v", s)
	}
	c = mustParse(t, asBase+`  authorization_server:
    dynamic_registration: false
    client_id_metadata_documents: true
    access_token_ttl: 5m
    refresh_token_ttl: 720h
    admin: {user: root, password: "secret://admin-pw"}
    clients:
      ci-nightly: {secret: "secret://ci-secret", scopes: [mcp]}
    token_exchange:
      - {issuer: "https://token.actions.githubusercontent.com", audience: "https://gw.example.com", subjects: ["repo:acme/app:*"], scopes: [mcp]}
`)
	s = c.Auth.AuthorizationServer
	if s.DynamicRegistration || !s.ClientIDMetadataDocuments || s.AccessTokenTTL != 5*time.Minute ||
		s.RefreshTokenTTL != 720*time.Hour || s.AdminUser != "root" || s.AdminPassword != "secret://admin-pw" ||
		s.Clients["ci-nightly"].Secret != "secret://ci-secret" || len(s.Clients["ci-nightly"].Scopes) != 1 ||
		len(s.TokenExchange) != 1 || s.TokenExchange[0].Subjects[0] != "repo:acme/app:*" || s.TokenExchange[0].Audience != "https://gw.example.com" {
		t.Fatalf("parsed = %+v", s)
	}
}

func TestAuthorizationServerProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      []pos
	}{
		{"unknown key", "  authorization_server: {dynamic_registraton: true}\n", []pos{
			{7, 26, "auth.authorization_server.dynamic_registraton", "did you mean"},
		}},
		{"plaintext password", "  authorization_server: {admin: {password: hunter2}}\n", []pos{
			{7, 44, "auth.authorization_server.admin.password", "never written into the config"},
		}},
		{"bad secret name", "  authorization_server: {admin: {password: 'secret://../x'}}\n", []pos{
			{7, 44, "auth.authorization_server.admin.password", "invalid secret name"},
		}},
		{"unknown admin key", "  authorization_server: {admin: {pass: x}}\n", []pos{
			{7, 34, "auth.authorization_server.admin.pass", "unknown"},
		}},
		{"ttl too long", "  authorization_server: {access_token_ttl: 1h}\n", []pos{
			{7, 44, "auth.authorization_server.access_token_ttl", "between 5m0s and 15m0s"},
		}},
		{"ttl too short", "  authorization_server: {access_token_ttl: 1m}\n", []pos{
			{7, 44, "auth.authorization_server.access_token_ttl", "between"},
		}},
		{"session ttl", "  authorization_server: {session_ttl: 48h}\n", []pos{
			{7, 39, "auth.authorization_server.session_ttl", "between 0s (off)"},
		}},
		{"refresh ttl", "  authorization_server: {refresh_token_ttl: 10000h}\n", []pos{
			{7, 45, "auth.authorization_server.refresh_token_ttl", "between"},
		}},
		{"no registration", "  authorization_server: {dynamic_registration: false, client_id_metadata_documents: false}\n", []pos{
			{7, 3, "auth.authorization_server", "no way for clients to register"},
		}},
		{"not a boolean", "  authorization_server: {dynamic_registration: 'yes please'}\n", []pos{
			{7, 48, "auth.authorization_server.dynamic_registration", "true or false"},
		}},
		{"client problems", "  authorization_server: {clients: {mcpw_x: {secret: hunter2, scopes: [mcp, 'mcp:nope']}, ci: {secret: 'secret://ci'}}}\n", []pos{
			{7, 36, "auth.authorization_server.clients.mcpw_x", "client id"},
			{7, 53, "auth.authorization_server.clients.mcpw_x.secret", "never written"},
			{7, 76, "auth.authorization_server.clients.mcpw_x.scopes[1]", "not defined"},
			{7, 90, "auth.authorization_server.clients.ci.scopes", "required"},
		}},
		{"token exchange problems", "  authorization_server: {token_exchange: [{issuer: 'http://ci.example', subjects: ['*'], scopes: ['mcp:x']}, {issuer: 'https://ci.example', audience: a, subjects: [s], scopes: [mcp], typo: 1}]}\n", []pos{
			{7, 43, "auth.authorization_server.token_exchange[0].audience", "required"},
			{7, 52, "auth.authorization_server.token_exchange[0].issuer", "https"},
			{7, 84, "auth.authorization_server.token_exchange[0].subjects[0]", "bare *"},
			{7, 99, "auth.authorization_server.token_exchange[0].scopes[0]", "not defined"},
			{7, 184, "auth.authorization_server.token_exchange[1].typo", "unknown"},
		}},
		{"store", "  authorization_server: {store: 'redis://u:pw@r:6379', store_prefix: 'a b'}\n", []pos{
			{7, 33, "auth.authorization_server.store", "password"},
			{7, 70, "auth.authorization_server.store_prefix", "glob"},
		}},
		{"no key", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := asBase + tt.src
			if tt.want == nil {
				// issuer embedded needs its signing key like local.
				src = `servers: {a: {command: [x]}}
auth:
  issuer: embedded
  resource: https://gw.example.com/mcp
`
				tt.want = []pos{{2, 1, "auth.signing_key", "required"}}
			}
			assertProblems(t, problemsOf(t, src), tt.want)
		})
	}
	assertProblems(t, problemsOf(t, `servers: {a: {command: [x]}}
auth:
  issuer: local
  resource: https://gw.example.com/mcp
  signing_key: secret://k
  authorization_server: {access_token_ttl: 10m}
`), []pos{{6, 3, "auth.authorization_server", "only with issuer: embedded"}})
	assertProblems(t, problemsOf(t, `servers: {a: {command: [x]}}
auth:
  mode: none
  authorization_server: {}
`), []pos{{3, 9, "auth.mode", "takes no other auth keys"}})
}
