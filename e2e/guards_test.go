package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// TestPathGuard: through the real binary, a manifest's path guard keeps
// the real server-filesystem to its root: traversal (plain, encoded,
// through a symlink) is refused by the gateway, and a file name with two
// dots is read.
func TestPathGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	os.MkdirAll(root, 0o755)
	os.WriteFile(filepath.Join(root, "notes..txt"), []byte("inside the root"), 0o644)
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("outside the root"), 0o644)
	os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(root, "link.txt"))
	man := filepath.Join(dir, "fs.manifest.yaml")
	os.WriteFile(man, []byte(fmt.Sprintf(`tools:
  read_text_file:
    risk: read
    arguments:
      type: object
      properties: {path: {type: string}, head: {type: number}, tail: {type: number}}
      required: [path]
    guards:
      path:
        path: {roots: [%q]}
`, root)), 0o644)
	// The server itself may see the parent: the gateway's guard is what
	// keeps the call inside root.
	cmd := testpeers.ServerFilesystemCmd(t, dir)
	var quoted []string
	for _, a := range cmd {
		quoted = append(quoted, fmt.Sprintf("%q", a))
	}
	g := startServe(t, fmt.Sprintf("servers:\n  fs:\n    command: [%s]\n    manifest: %q\n    sandbox: {profile: node, writable: [%q]}\n",
		strings.Join(quoted, ", "), man, dir))
	c := newRawClient(t, g.URL)
	c.initialize()
	read := func(p string) rpcMsg {
		return c.call("tools/call", map[string]any{"name": "read_text_file", "arguments": map[string]any{"path": p}})
	}
	if m := read(filepath.Join(root, "notes..txt")); m.Error != nil || !strings.Contains(string(m.Result), "inside the root") {
		t.Fatalf("notes..txt: %+v %s", m.Error, m.Result)
	}
	for _, p := range []string{
		filepath.Join(root, "..", "secret.txt"),
		strings.ReplaceAll(filepath.Join(root, "..", "secret.txt"), "/", "%2f"),
		filepath.Join(root, "link.txt"),
	} {
		m := read(p)
		if m.Error == nil || strings.Contains(string(m.Result), "outside the root") {
			t.Errorf("%s was not refused: %s", p, m.Result)
			continue
		}
		if !strings.Contains(m.Error.Message, "path guard") {
			t.Errorf("%s: refused, but not by the path guard: %s", p, m.Error.Message)
		}
	}
}
