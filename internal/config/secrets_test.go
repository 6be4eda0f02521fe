package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSecretsAndCredentials(t *testing.T) {
	c, err := Parse("/etc/mcpwarden/t.yaml", []byte(`secrets:
  file: s/secrets.enc
  key_file: /keys/secrets.key
servers:
  db:
    command: [db-server]
    env: {API_TOKEN: secret://db-token, MAX_TOKENS: "4096"}
    credentials:
      postgres:
        admin_dsn: secret://pg-admin
        template: app_readonly
        ttl: 5m
        database: test
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Secrets{File: "/etc/mcpwarden/s/secrets.enc", KeyFile: "/keys/secrets.key"}
	if d := cmp.Diff(want, c.Secrets); d != "" {
		t.Errorf("secrets (-want +got):\n%s", d)
	}
	wantPG := &PostgresCredentials{AdminDSN: "secret://pg-admin", Template: "app_readonly", Database: "test",
		TTL: 5 * time.Minute, Env: DefaultCredentialEnv, ConnectionLimit: DefaultConnectionLimit, Effects: true}
	if d := cmp.Diff(wantPG, c.Servers[0].Credentials.Postgres); d != "" {
		t.Errorf("credentials (-want +got):\n%s", d)
	}
}

func TestParseVaultCredentials(t *testing.T) {
	c, err := Parse("/etc/mcpwarden/t.yaml", []byte(`servers:
  db:
    command: [db-server]
    credentials:
      vault:
        address: https://vault:8200
        role_id: mcpwarden
        secret_id_file: approle/secret-id
        role: readonly
        ttl: 5m
        env: {DB_USER: username, DB_PASSWORD: password, DATABASE_URL: "postgres://{{username}}:{{ password }}@db:5432/app"}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := &VaultCredentials{VaultLogin: VaultLogin{Address: "https://vault:8200", RoleID: "mcpwarden", SecretIDFile: "/etc/mcpwarden/approle/secret-id"},
		Mount: "database", Role: "readonly", TTL: 5 * time.Minute,
		Env: map[string]string{"DB_USER": "username", "DB_PASSWORD": "password", "DATABASE_URL": "postgres://{{username}}:{{ password }}@db:5432/app"}}
	if d := cmp.Diff(want, c.Servers[0].Credentials.Vault); d != "" {
		t.Errorf("vault credentials (-want +got):\n%s", d)
	}
	data := map[string]string{"username": "v-ro-1", "password": "p@ss:w/rd 1"}
	if got := VaultEnvValue(want.Env["DATABASE_URL"], data); got != "postgres://v-ro-1:p%40ss%3Aw%2Frd%201@db:5432/app" {
		t.Errorf("DSN template = %q", got)
	}
	if got := VaultEnvValue("password", data); got != data["password"] {
		t.Errorf("password = %q", got)
	}
}

func TestParseVault(t *testing.T) {
	c, err := Parse("/etc/mcpwarden/t.yaml", []byte(`secrets:
  backend: vault
  vault:
    address: http://127.0.0.1:8200
    role_id: mcpwarden
    secret_id_file: approle/secret-id
`))
	if err != nil {
		t.Fatal(err)
	}
	want := &Vault{VaultLogin: VaultLogin{Address: "http://127.0.0.1:8200", RoleID: "mcpwarden", SecretIDFile: "/etc/mcpwarden/approle/secret-id"},
		Mount: "secret", Prefix: "mcpwarden", Field: "value"}
	if d := cmp.Diff(want, c.Secrets.Vault); d != "" {
		t.Errorf("vault (-want +got):\n%s", d)
	}
}

// JWT/OIDC login: role, the JWT's file (relative to the config), mount.
func TestParseVaultJWT(t *testing.T) {
	c, err := Parse("/etc/mcpwarden/t.yaml", []byte(`secrets:
  backend: vault
  vault:
    address: https://vault.example.com:8200
    jwt_role: mcpwarden-gw
    jwt_file: /var/run/secrets/tokens/vault-token
    jwt_mount: kubernetes-oidc
servers:
  db:
    command: [x]
    credentials:
      vault: {address: "https://vault.example.com:8200", jwt_role: gw, jwt_file: tok, role: ro, env: {U: username}}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := VaultLogin{Address: "https://vault.example.com:8200", JWTRole: "mcpwarden-gw", JWTFile: "/var/run/secrets/tokens/vault-token", JWTMount: "kubernetes-oidc"}
	if d := cmp.Diff(want, c.Secrets.Vault.VaultLogin); d != "" {
		t.Errorf("secrets.vault login (-want +got):\n%s", d)
	}
	s, _ := c.Server("db")
	if l := s.Credentials.Vault.VaultLogin; l.JWTRole != "gw" || l.JWTFile != "/etc/mcpwarden/tok" || l.JWTMount != "" {
		t.Errorf("credentials.vault login: %+v", l)
	}
}

func TestParseSecretsProblems(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"secrets: {backend: vaultt}\n", `secrets.backend: "vaultt" is not one of file, env`},
		{"secrets: {backend: env, key_file: /k}\n", `"env" does not use the local store`},
		{"secrets: {key_from_env: maybe}\n", `secrets.key_from_env: expected true or false`},
		{"secrets: {keyfile: /k}\n", `unknown key (did you mean "key_file"?)`},
		{"secrets: {backend: vault}\n", `secrets.vault: is required with backend: vault`},
		{"secrets: {vault: {address: \"https://v:8200\", token_file: /t}}\n", `secrets.vault: only used with backend: vault`},
		{"secrets: {backend: vault, vault: {address: \"http://vault.example.com:8200\", token_file: /t}}\n", `plain http sends the Vault token in clear`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\"}}\n", `needs token_file, role_id with secret_id_file (AppRole), or jwt_role with jwt_file`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", token_file: /t, role_id: r}}\n", `token_file, role_id and jwt_role exclude each other`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", jwt_role: gw, role_id: r, secret_id_file: /s, jwt_file: /j}}\n", `token_file, role_id and jwt_role exclude each other`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", jwt_role: gw}}\n", `secrets.vault.jwt_file: is required with jwt_role`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", token_file: /t, jwt_file: /j}}\n", `secrets.vault.jwt_role: is required with jwt_file`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", jwt_role: gw, jwt_file: /j, jwt_mount: \"../sys\"}}\n", `secrets.vault.jwt_mount: must be a Vault auth mount path`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", jwt_role: \"a/b\", jwt_file: /j}}\n", `secrets.vault.jwt_role: must be a Vault role name`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", jwt_role: gw, jwt: eyJhbGciOi.e30.sig}}\n", `secrets.vault.jwt: unknown key`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", role_id: r}}\n", `secret_id_file: is required with role_id`},
		{"secrets: {backend: vault, vault: {address: \"https://v:8200\", token_file: /t, mount: \"../sys\"}}\n", `secrets.vault.mount: must be a Vault path`},
		{"secrets: {backend: vault, file: /x, vault: {address: \"https://v:8200\", token_file: /t}}\n", `"vault" does not use the local store`},
		{"secrets: {backend: vault, vault: {adress: x}}\n", `unknown key (did you mean "address"?)`},
		{"servers:\n  a: {command: [x], env: {A: \"secret://bad name\"}}\n", `servers.a.env.A: invalid secret name "bad name"`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {template: r}}}\n", `credentials.postgres.admin_dsn: is required`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p}}}\n", `credentials.postgres.template: is required`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: \"r; DROP\"}}}\n", `invalid role name`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: postgres}}}\n", `superuser or built-in role`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, ttl: 1h}}}\n", `ttl: must be between 1m0s and 15m0s`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, connection_limit: 0}}}\n", `connection_limit: must be between 1`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r, env: 1X}}}\n", `invalid environment variable name`},
		{"servers:\n  a: {command: [x], env: {DATABASE_URL: x}, credentials: {postgres: {admin_dsn: secret://p, template: r}}}\n", `is set by credentials.postgres`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {postgres: {admin_dsn: secret://p, template: r}}}\n", `only allowed with command`},
		{"servers:\n  a: {command: [x], credentials: {mysql: {}}}\n", `credentials.mysql: unknown key`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: secret://p, template: r}, vault: {}}}\n", `set one broker, postgres or vault, not both`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {U: username}}}}\n", `credentials.vault.env: only with command`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro}}}\n", `credentials.vault.headers: is required with url`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {U: username}, headers: {X-Token: password}}}}\n", `credentials.vault.headers: only with url`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, headers: {\"Bad Name\": password}}}}\n", `invalid header name "Bad Name"`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, headers: {Mcp-Session-Id: password}}}}\n", `header is set by the gateway`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, headers: {Authorization: \"Bearer {{token}}\"}}}}\n", `unknown field {{token}}`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", headers: {authorization: x}, credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, headers: {Authorization: \"Bearer {{password}}\"}}}}\n", `headers.authorization: is set by credentials.vault`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", role: ro, env: {U: username}}}}\n", `credentials.vault: needs token_file, role_id with secret_id_file (AppRole), or jwt_role`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"http://vault.example.com\", token_file: /t, role: ro, env: {U: username}}}}\n", `plain http sends the Vault token in clear`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, env: {U: username}}}}\n", `credentials.vault.role: is required`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, mount: \"../sys\", env: {U: username}}}}\n", `credentials.vault.mount: must be a Vault path`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: \"a/../b\", env: {U: username}}}}\n", `credentials.vault.role: must be a Vault role name`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro}}}\n", `credentials.vault.env: is required`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {U: user}}}}\n", `must be username, password, or a template`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {U: \"{{lease_id}}\"}}}}\n", `unknown field {{lease_id}}`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {1U: username}}}}\n", `invalid environment variable name "1U"`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {D: \"host=db user={{username}} password=hunter2\"}}}}\n", `password in clear`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, ttl: 1h, env: {U: username}}}}\n", `credentials.vault.ttl: must be between`},
		{"servers:\n  a: {command: [x], env: {U: x}, credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, env: {U: username}}}}\n", `servers.a.env.U: is set by credentials.vault`},
		{"servers:\n  a: {command: [x], credentials: {vault: {address: \"https://v:8200\", token_file: /t, role: ro, secret_id: x, env: {U: username}}}}\n", `credentials.vault.secret_id: unknown key`},
		{"servers:\n  a: {command: [x], credentials: {postgres: {admin_dsn: \"postgres://admin:hunter2@db/x\", template: r}}}\n", `admin_dsn: holds a URL with a password in clear`},
	} {
		_, err := Parse("t.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q:\n got %v\nwant %q", tt.yaml, err, tt.want)
		}
	}
}

// Plaintext secrets in env, headers and command lines are refused, with
// how to store them; look-alikes that are not secrets pass.
func TestPlaintextSecretsRefused(t *testing.T) {
	refused := []struct{ kind, key, val string }{
		{"env", "GITHUB_TOKEN", "ghp_012345678901234567890123456789abcdef"},
		{"env", "GITHUB_TOKEN", "short"}, // named like a secret: the name is enough
		{"env", "DB_PASSWORD", "hunter2"},
		{"env", "DBPASSWORD", "hunter2"},
		{"env", "OPENAI_API_KEY", "not-a-pattern-but-named"},
		{"env", "STRIPE_APIKEY", "x"},
		{"env", "CLIENT_SECRET", "abc"},
		{"env", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY0"},
		{"env", "DB_PWD", "x"},
		{"env", "HARMLESS", "ghp_012345678901234567890123456789abcdef"}, // a known token format under any name
		{"env", "DATABASE_URL", "postgres://app:s3cretpw@db.internal:5432/app"},
		{"env", "PG_CONN", "host=db user=app password=s3cret dbname=app"},
		{"headers", "Authorization", "Bearer abc"},
		{"headers", "X-Api-Key", "k"},
		{"headers", "Cookie", "session=abc"},
		{"headers", "Private-Token", "glpat-0123456789abcdefghij"},
	}
	for _, tt := range refused {
		y := "servers:\n  a: {command: [x], env: {" + tt.key + ": " + quote(tt.val) + "}}\n"
		if tt.kind == "headers" {
			y = "servers:\n  a: {url: \"https://mcp.example.com/mcp\", headers: {" + tt.key + ": " + quote(tt.val) + "}}\n"
		}
		_, err := Parse("t.yaml", []byte(y))
		if err == nil {
			t.Errorf("%s %s=%q accepted", tt.kind, tt.key, tt.val)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "mcpwarden secret set NAME") || !strings.Contains(msg, "secret://NAME") {
			t.Errorf("%s %s: message does not say how to store it: %s", tt.kind, tt.key, msg)
		}
		if len(tt.val) > 3 && strings.Contains(msg, tt.val) {
			t.Errorf("%s %s: message repeats the secret: %s", tt.kind, tt.key, msg)
		}
	}
	allowed := []struct{ key, val string }{
		{"MAX_TOKENS", "4096"},
		{"TOKENIZER", "cl100k"},
		{"PASSWORD_FILE", "/run/secrets/db"},
		{"GITHUB_TOKEN_PATH", "/run/secrets/gh"},
		{"TOKEN_URL", "https://idp.example.com/oauth/token"},
		{"SECRET_NAME", "prod-db"},
		{"AWS_ACCESS_KEY_ID", "AKIA-looking-but-an-id"},
		{"DISABLE_PASSWORD", "true"},
		{"PUBLIC_KEY", "ssh-ed25519-ish"},
		{"KEY", "value"},
		{"PWD", "/srv"},
		{"DATABASE_URL", "postgres://app@db.internal:5432/app"},
		{"API_TOKEN", "secret://api-token"},
		{"API_TOKEN", ""},
		{"NODE_OPTIONS", "--max-old-space-size=512"},
	}
	for _, tt := range allowed {
		y := "servers:\n  a: {command: [x], env: {" + tt.key + ": " + quote(tt.val) + "}}\n"
		if _, err := Parse("t.yaml", []byte(y)); err != nil {
			t.Errorf("%s=%q refused: %v", tt.key, tt.val, err)
		}
	}
	// Command lines are checked for values that are secrets by their form.
	if _, err := Parse("t.yaml", []byte("servers:\n  a: {command: [srv, \"postgres://u:pw@h/db\"]}\n")); err == nil ||
		!strings.Contains(err.Error(), "command[1]: holds a URL with a password") {
		t.Errorf("password in a command line: %v", err)
	}
	if _, err := Parse("t.yaml", []byte("servers:\n  a: {command: [srv, --token-file, /run/t, \"postgres://u@h/db\"]}\n")); err != nil {
		t.Errorf("benign command line refused: %v", err)
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestVaultHeaderValue(t *testing.T) {
	data := map[string]string{"username": "v-approle-ro-1", "password": "A1b2/C3+d4"}
	for tmpl, want := range map[string]string{"password": "A1b2/C3+d4", "Bearer {{password}}": "Bearer A1b2/C3+d4", "{{username}}:{{password}}": "v-approle-ro-1:A1b2/C3+d4"} {
		if got, err := VaultHeaderValue(tmpl, data); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q (as they are, not URL-escaped)", tmpl, got, err, want)
		}
	}
	for _, bad := range []string{"x\r\nX-Admin: 1", "x\n", "x\x00"} {
		if _, err := VaultHeaderValue("Bearer {{password}}", map[string]string{"username": "u", "password": bad}); err == nil || strings.Contains(err.Error(), "X-Admin") {
			t.Errorf("password %q accepted or quoted: %v", bad, err)
		}
	}
}
