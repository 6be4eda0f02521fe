package app

import (
	"slices"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/config"
)

// With no sandbox configuration, package launchers get their profile and
// registry, and directories named on the command line become writable;
// anything configured wins.
func TestSandboxOptionsDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		command  []string
		sb       config.Sandbox
		profile  string
		allow    []string
		writable []string
	}{
		{"npx", []string{"/usr/bin/npx", "-y", "@modelcontextprotocol/server-filesystem", dir}, config.Sandbox{},
			"node", []string{"registry.npmjs.org"}, []string{dir}},
		{"uvx", []string{"uvx", "mcp-server-fetch"}, config.Sandbox{}, "python", []string{"pypi.org", "files.pythonhosted.org"}, nil},
		{"binary", []string{"/opt/srv", dir + "/", "relative", "/", "/etc", "/nonexistent-dir"}, config.Sandbox{}, "", nil, []string{dir}},
		{"configured wins", []string{"npx", "x", dir}, config.Sandbox{Profile: "strict", AllowNet: []string{"example.com"}, Writable: []string{"/srv"}},
			"strict", []string{"example.com"}, []string{"/srv"}},
		{"off", []string{"npx", dir}, config.Sandbox{Off: true}, "", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := sandboxOptions(config.Server{Command: tc.command, Sandbox: tc.sb})
			if o.Profile != tc.profile || !slices.Equal(o.AllowNet, tc.allow) || !slices.Equal(o.Writable, tc.writable) {
				t.Fatalf("got profile %q allow %v writable %v; want %q %v %v", o.Profile, o.AllowNet, o.Writable, tc.profile, tc.allow, tc.writable)
			}
		})
	}
}
