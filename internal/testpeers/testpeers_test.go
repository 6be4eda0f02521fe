package testpeers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPeersInstalled fails (it does not skip) until scripts/setup has run.
func TestPeersInstalled(t *testing.T) {
	root := Root(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("Root %s has no go.mod: %v", root, err)
	}

	paths := map[string]string{
		"everything-server": EverythingServer(t),
		"everything-client": EverythingClient(t),
		"node22":            Node22(t),
		"node":              Node(t),
		"node_modules":      NodeModulesDir(t),
		"sdk":               NodeModule(t, "@modelcontextprotocol/sdk"),
	}
	cmds := map[string][]string{
		"conformance":       ConformanceCmd(t),
		"server-everything": ServerEverythingCmd(t, "stdio"),
		"server-filesystem": ServerFilesystemCmd(t, t.TempDir()),
		"server-memory":     ServerMemoryCmd(t),
	}
	if _, err := os.Stat(filepath.Join(root, "testenv", "node_modules", "@modelcontextprotocol", "inspector")); err == nil {
		cmds["inspector"] = InspectorCmd(t)
	}
	for name, c := range cmds {
		if len(c) < 2 {
			t.Errorf("%s: command line %q too short", name, c)
			continue
		}
		paths[name+" (node)"] = c[0]
		paths[name+" (entry)"] = c[1]
		if !strings.HasSuffix(c[1], ".js") {
			t.Errorf("%s: entry %s is not a .js file", name, c[1])
		}
	}
	for name, p := range paths {
		if !filepath.IsAbs(p) {
			t.Errorf("%s: path %s is not absolute", name, p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	out, err := exec.Command(Node22(t), "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "v22.") {
		t.Errorf("node22 --version = %q, %v; want v22.*", out, err)
	}

	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Errorf("FreePort = %d", p)
	}
}

func TestBinEntry(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dist/index.js", "")
	write("cli/a.js", "")

	write("package.json", `{"name":"x","bin":"./dist/index.js"}`)
	if got, err := binEntry(dir, ""); err != nil || got != filepath.Join(dir, "dist", "index.js") {
		t.Errorf("string bin: %q, %v", got, err)
	}

	write("package.json", `{"bin":{"only":"dist/index.js"}}`)
	if got, err := binEntry(dir, ""); err != nil || got != filepath.Join(dir, "dist", "index.js") {
		t.Errorf("single-entry map: %q, %v", got, err)
	}

	write("package.json", `{"bin":{"a":"./cli/a.js","b":"dist/index.js"}}`)
	if got, err := binEntry(dir, "a"); err != nil || got != filepath.Join(dir, "cli", "a.js") {
		t.Errorf("named entry: %q, %v", got, err)
	}
	if _, err := binEntry(dir, ""); err == nil {
		t.Error("ambiguous map without name: want error")
	}
	if _, err := binEntry(dir, "c"); err == nil {
		t.Error("unknown name: want error")
	}

	write("package.json", `{"bin":{"m":"dist/missing.js"}}`)
	if _, err := binEntry(dir, "m"); err == nil {
		t.Error("missing entry file: want error")
	}

	write("package.json", `{"name":"nobin"}`)
	if _, err := binEntry(dir, ""); err == nil {
		t.Error("no bin: want error")
	}
}

func TestModulePathOf(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "go.mod")
	for content, want := range map[string]string{
		"module github.com/mcpwarden/mcpwarden\n\ngo 1.26\n": ModulePath,
		"// c\nmodule \"example.com/x\"\n":                   "example.com/x",
		"go 1.26\n":                                          "",
		"modulex foo\n":                                      "",
	} {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := modulePathOf(p); got != want {
			t.Errorf("modulePathOf(%q) = %q, want %q", content, got, want)
		}
	}
}
