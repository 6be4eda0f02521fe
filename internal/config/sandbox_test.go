package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSandbox(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       Sandbox
	}{
		{"default", "servers:\n  a: {command: [x]}\n", Sandbox{}},
		{"off", "servers:\n  a: {command: [x], sandbox: off}\n", Sandbox{Off: true}},
		{"quoted off", "servers:\n  a: {command: [x], sandbox: \"off\"}\n", Sandbox{Off: true}},
		{"full", `servers:
  a:
    command: [node, x.js]
    sandbox:
      profile: node
      writable: [/srv/data]
      read_only: [/opt/lib]
      network: {allow: [registry.npmjs.org]}
      env: [GITHUB_TOKEN]
      allow_degraded: [landlock]
`, Sandbox{Profile: "node", Writable: []string{"/srv/data"}, ReadOnly: []string{"/opt/lib"},
			AllowNet: []string{"registry.npmjs.org"}, Env: []string{"GITHUB_TOKEN"}, AllowDegraded: []string{"landlock"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, c.Servers[0].Sandbox); d != "" {
				t.Errorf("sandbox (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseSandboxProblems(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"servers:\n  a: {command: [x], sandbox: on}\n", `servers.a.sandbox: expected "off" or a mapping`},
		{"servers:\n  a: {command: [x], sandbox: {profile: loose}}\n", `servers.a.sandbox.profile`},
		{"servers:\n  a: {command: [x], sandbox: {writable: [rel/dir]}}\n", `servers.a.sandbox.writable[0]: must be an absolute path`},
		{"servers:\n  a: {command: [x], sandbox: {writable: [/]}}\n", `must not be the root directory`},
		{"servers:\n  a: {command: [x], sandbox: {allow_degraded: [everything]}}\n", `unknown feature "everything"`},
		{"servers:\n  a: {command: [x], sandbox: {writeable: [/tmp]}}\n", `unknown key (did you mean "writable"?)`},
		{"servers:\n  a: {command: [x], sandbox: {network: {deny: [x]}}}\n", `servers.a.sandbox.network.deny: unknown key`},
		{"servers:\n  a: {command: [x], sandbox: {env: [\"1X\"]}}\n", `invalid environment variable name`},
		{"servers:\n  a: {url: \"http://127.0.0.1:1/mcp\", sandbox: off}\n", `servers.a.sandbox: only allowed with command`},
	} {
		_, err := Parse("t.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
