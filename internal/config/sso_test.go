package config

import (
	"slices"
	"testing"
)

const ssoBase = `servers: {a: {command: [x]}}
auth:
  issuer: embedded
  resource: https://gw.example.com/mcp
  signing_key: secret://mcpwarden-token-key
  required_scopes: [mcp]
  scopes:
    mcp:read: {risks: [read]}
    mcp:admin: {servers: ["*"]}
  authorization_server:
`

func TestParseSSO(t *testing.T) {
	c := mustParse(t, ssoBase+`    sso:
      issuer: https://idp.example.com/realms/acme
      client_id: mcpwarden
      client_secret: secret://sso-client
      scopes: [profile, email, groups]
      groups_claim: realm_access.roles
      roles:
        admin: {groups: [mcp-admins], scopes: [mcp, mcp:admin]}
        developer: {groups: [engineering, contractors], scopes: [mcp, mcp:read]}
      allowed_domains: [example.com]
      allowed_subjects: [bob-7]
`)
	s := c.Auth.AuthorizationServer.SSO
	if s == nil || s.Issuer != "https://idp.example.com/realms/acme" || s.ClientID != "mcpwarden" || s.ClientSecret != "secret://sso-client" ||
		s.GroupsClaim != "realm_access.roles" || !slices.Equal(s.Scopes, []string{"profile", "email", "groups"}) ||
		!slices.Equal(s.Roles["developer"].Groups, []string{"engineering", "contractors"}) || !slices.Equal(s.Roles["admin"].Scopes, []string{"mcp", "mcp:admin"}) ||
		!slices.Equal(s.AllowedDomains, []string{"example.com"}) || !slices.Equal(s.AllowedSubjects, []string{"bob-7"}) {
		t.Fatalf("sso = %+v", s)
	}
	d := mustParse(t, ssoBase+"    sso: {issuer: 'https://i.example', client_id: c, client_secret: 'secret://s', roles: {r: {groups: [g], scopes: [mcp]}}}\n")
	if d.Auth.AuthorizationServer.SSO.GroupsClaim != DefaultGroupsClaim {
		t.Errorf("default groups claim %q", d.Auth.AuthorizationServer.SSO.GroupsClaim)
	}
}

func TestSSOProblems(t *testing.T) {
	const ok = "issuer: 'https://i.example', client_id: c, client_secret: 'secret://s'"
	tests := []struct {
		name, src string
		want      []pos
	}{
		{"nothing", "    sso: {}\n", []pos{
			{11, 5, "auth.authorization_server.sso.issuer", "required"},
			{11, 5, "auth.authorization_server.sso.client_id", "required"},
			{11, 5, "auth.authorization_server.sso.client_secret", "required"},
			{11, 5, "auth.authorization_server.sso.roles", "at least one role"},
		}},
		{"plaintext secret", "    sso: {issuer: 'https://i.example', client_id: c, client_secret: hunter2, roles: {r: {groups: [g], scopes: [mcp]}}}\n", []pos{
			{11, 69, "auth.authorization_server.sso.client_secret", "never written into the config"},
		}},
		{"bad secret name", "    sso: {issuer: 'https://i.example', client_id: c, client_secret: 'secret://../x', roles: {r: {groups: [g], scopes: [mcp]}}}\n", []pos{
			{11, 69, "auth.authorization_server.sso.client_secret", "invalid secret name"},
		}},
		{"http issuer", "    sso: {issuer: 'http://idp.example', client_id: c, client_secret: 'secret://s', roles: {r: {groups: [g], scopes: [mcp]}}}\n", []pos{
			{11, 19, "auth.authorization_server.sso.issuer", "https"},
		}},
		{"unknown key", "    sso: {" + ok + ", role: {}, roles: {r: {groups: [g], scopes: [mcp]}}}\n", []pos{
			{11, 83, "auth.authorization_server.sso.role", "unknown"},
		}},
		{"unknown role key", "    sso: {" + ok + ", roles: {r: {group: [g], scopes: [mcp]}}}\n", []pos{
			{11, 95, "auth.authorization_server.sso.roles.r.group", "unknown"},
		}},
		{"undefined scope", "    sso: {" + ok + ", roles: {r: {groups: [g], scopes: [mcp, 'mcp:write']}}}\n", []pos{
			{11, 122, "auth.authorization_server.sso.roles.r.scopes[1]", `"mcp:write" is not defined`},
		}},
		{"role without scopes", "    sso: {" + ok + ", roles: {r: {groups: [g]}}}\n", []pos{
			{11, 91, "auth.authorization_server.sso.roles.r.scopes", "required"},
		}},
		{"bad domain and empty group", "    sso: {" + ok + ", roles: {r: {groups: [''], scopes: [mcp]}}, allowed_domains: ['@example.com']}\n", []pos{
			{11, 104, "auth.authorization_server.sso.roles.r.groups[0]", "non-empty"},
			{11, 144, "auth.authorization_server.sso.allowed_domains[0]", "domain name"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, problemsOf(t, ssoBase+tt.src), tt.want)
		})
	}
	// Only the embedded authorization server signs people in.
	assertProblems(t, problemsOf(t, `servers: {a: {command: [x]}}
auth:
  issuer: https://i.example
  resource: https://gw.example.com/mcp
  authorization_server:
    sso: {issuer: 'https://i.example', client_id: c, client_secret: 'secret://s', roles: {r: {groups: [g], scopes: [mcp]}}}
`), []pos{{5, 3, "auth.authorization_server", "only with issuer: embedded"}})
}
