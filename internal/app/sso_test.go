package app

import (
	"context"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/config"
)

// config validate reads the embedded authorization server's secrets
// (here the SSO client secret) as serve would, and names the one it
// cannot read, never its value.
func TestCheckSecretsSSO(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	f, _, err := OpenSecretFile(config.Secrets{}, true)
	if err != nil {
		t.Fatal(err)
	}
	const value = "sso-secret-9d2c"
	if err := f.Set("sso-client", value); err != nil {
		t.Fatal(err)
	}
	src := `servers: {a: {command: [x]}}
auth:
  issuer: embedded
  resource: https://gw.example.com/mcp
  signing_key: secret://mcpwarden-token-key
  required_scopes: [mcp]
  authorization_server:
    sso:
      issuer: https://idp.example.com
      client_id: gw
      client_secret: secret://SECRET
      roles: {dev: {groups: [eng], scopes: [mcp]}}
`
	for name, want := range map[string]string{"sso-client": "", "sso-missing": `auth.authorization_server.sso.client_secret: secret "sso-missing"`} {
		cfg, err := config.Parse("gw.yaml", []byte(strings.ReplaceAll(src, "SECRET", name)))
		if err != nil {
			t.Fatal(err)
		}
		err = CheckSecrets(context.Background(), cfg)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), value) {
			t.Errorf("error carries the secret: %v", err)
		}
	}
}
