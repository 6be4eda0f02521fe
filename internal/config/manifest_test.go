package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestManifestKeys(t *testing.T) {
	c, err := Parse("/etc/mcpwarden/mcpwarden.yaml", []byte("require_signed: true\nmanifest_key: keys/manifest.pub\nservers:\n  a:\n    command: [x]\n    manifest: a.yaml\n  b:\n    command: [y]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.RequireSigned || c.ManifestKey != filepath.FromSlash("/etc/mcpwarden/keys/manifest.pub") {
		t.Errorf("got require_signed=%v manifest_key=%q", c.RequireSigned, c.ManifestKey)
	}
	if c.Servers[0].Manifest != "/etc/mcpwarden/a.yaml" || c.Servers[1].Manifest != "" {
		t.Errorf("manifests %q %q", c.Servers[0].Manifest, c.Servers[1].Manifest)
	}
	for in, want := range map[string]string{
		"require_signed: maybe\n":                               "c.yaml:1:17: require_signed: expected true or false",
		"require_signed: true\n":                                "require_signed: needs manifest_key",
		"servers:\n  a:\n    command: [x]\n    manifest: [a]\n": "c.yaml:4:15: servers.a.manifest:",
	} {
		_, err := Parse("c.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", in, err, want)
		}
	}
}
