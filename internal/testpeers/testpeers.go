// Package testpeers locates the real MCP peers that scripts/setup installs
// into the repository (.peers/ and testenv/node_modules/), for end-to-end
// tests that run the mcpwarden binary against real servers and clients.
//
// Every function calls t.Fatalf — never t.Skip — when a peer is missing: a
// test that needs a peer and cannot find it must fail loudly, not pass
// silently. The fix is always the same: run scripts/setup.
//
// Layout (see scripts/README.md):
//
//	.peers/bin/everything-server   go-sdk conformance server (stdio, or -http=ADDR [-stateless=false])
//	.peers/bin/everything-client   go-sdk conformance client (server URL is its last argument)
//	.peers/bin/node22              Node 22 (needed by the conformance suite and the inspector)
//	testenv/node_modules/<pkg>     npm peers pinned in testenv/package-lock.json
package testpeers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// ModulePath is the module whose go.mod marks the repository root.
const ModulePath = "github.com/mcpwarden/mcpwarden"

const setupHint = "run scripts/setup"

// Root returns the absolute path of the repository root: the nearest
// directory at or above the working directory whose go.mod declares
// ModulePath.
func Root(t testing.TB) string {
	t.Helper()
	root, err := findRoot()
	if err != nil {
		t.Fatalf("testpeers: %v", err)
	}
	return root
}

func findRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("cannot get working directory: %w", err)
	}
	for dir := wd; ; {
		if modulePathOf(filepath.Join(dir, "go.mod")) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod for module %s found at or above %s", ModulePath, wd)
		}
		dir = parent
	}
}

// modulePathOf returns the module path declared in a go.mod file, or "".
func modulePathOf(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// peerBin returns .peers/bin/<name>, failing the test if it is not an
// executable file.
func peerBin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Root(t), ".peers", "bin", name)
	st, err := os.Stat(p) // follows the node22 symlink
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("test peer %s missing: %s (expected executable %s)", name, setupHint, p)
	}
	return p
}

// EverythingServer returns the go-sdk conformance everything-server
// (.peers/bin/everything-server). Without flags it serves MCP on stdio;
// -http=127.0.0.1:PORT serves streamable HTTP at /mcp, stateless by default
// (-stateless=false for sessions, which sampling/elicitation need).
func EverythingServer(t testing.TB) string {
	t.Helper()
	return peerBin(t, "everything-server")
}

// EverythingClient returns the go-sdk conformance everything-client
// (.peers/bin/everything-client). It takes the server URL as its last
// argument and the scenario in the MCP_CONFORMANCE_SCENARIO environment
// variable (see scripts/README.md).
func EverythingClient(t testing.TB) string {
	t.Helper()
	return peerBin(t, "everything-client")
}

// Node22 returns the Node 22 binary (.peers/bin/node22).
func Node22(t testing.TB) string {
	t.Helper()
	return peerBin(t, "node22")
}

// Node returns a node binary for running npm peers that work on Node 20:
// node from PATH if there is one, else Node22.
func Node(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("node"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return p
	}
	return Node22(t)
}

// NodeModulesDir returns testenv/node_modules (usable as NODE_PATH for a JS
// test client that imports @modelcontextprotocol/sdk).
func NodeModulesDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(Root(t), "testenv", "node_modules")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Fatalf("test peer npm packages missing: %s (expected directory %s)", setupHint, d)
	}
	return d
}

// NodeModule returns the installed package directory
// testenv/node_modules/<pkg>, e.g. NodeModule(t, "@modelcontextprotocol/sdk").
func NodeModule(t testing.TB, pkg string) string {
	t.Helper()
	d := filepath.Join(Root(t), "testenv", "node_modules", filepath.FromSlash(pkg))
	if _, err := os.Stat(filepath.Join(d, "package.json")); err != nil {
		t.Fatalf("test peer %s missing: %s (expected %s)", pkg, setupHint, filepath.Join(d, "package.json"))
	}
	return d
}

// BinEntry returns the absolute path of the JS file that package pkg
// declares as its executable in package.json "bin". If bin is an object with
// several entries, name selects one; with a single entry (or a string bin)
// name may be "".
func BinEntry(t testing.TB, pkg, name string) string {
	t.Helper()
	dir := NodeModule(t, pkg)
	entry, err := binEntry(dir, name)
	if err != nil {
		t.Fatalf("test peer %s: %v (%s)", pkg, err, setupHint)
	}
	return entry
}

func binEntry(dir, name string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var pj struct {
		Bin json.RawMessage `json:"bin"`
	}
	if err := json.Unmarshal(raw, &pj); err != nil {
		return "", fmt.Errorf("parse %s/package.json: %w", dir, err)
	}
	var rel string
	var single string
	var many map[string]string
	switch {
	case len(pj.Bin) == 0:
		return "", fmt.Errorf("%s/package.json has no \"bin\" field", dir)
	case json.Unmarshal(pj.Bin, &single) == nil:
		rel = single
	case json.Unmarshal(pj.Bin, &many) == nil:
		if r, ok := many[name]; ok && name != "" {
			rel = r
		} else if len(many) == 1 && name == "" {
			for _, r := range many {
				rel = r
			}
		} else {
			keys := make([]string, 0, len(many))
			for k := range many {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return "", fmt.Errorf("%s/package.json \"bin\" has no entry %q (has %v)", dir, name, keys)
		}
	default:
		return "", fmt.Errorf("%s/package.json: unexpected \"bin\" value %s", dir, pj.Bin)
	}
	entry := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(entry); err != nil {
		return "", fmt.Errorf("bin entry %s does not exist", entry)
	}
	return entry, nil
}

// ConformanceCmd returns [node22, <@modelcontextprotocol/conformance CLI>].
// Append e.g. "server", "--url", url or "client", "--command", cmd,
// "--suite", "core". See scripts/README.md for output parsing.
func ConformanceCmd(t testing.TB) []string {
	t.Helper()
	return []string{Node22(t), BinEntry(t, "@modelcontextprotocol/conformance", "conformance")}
}

// ServerEverythingCmd returns the command line of the TypeScript reference
// "everything" server: [node, <entry>, args...]. args selects the transport:
// none or "stdio" (stdio), "streamableHttp" or "sse" (HTTP on env PORT,
// default 3001; listens on all interfaces, path /mcp resp. /sse).
func ServerEverythingCmd(t testing.TB, args ...string) []string {
	t.Helper()
	return append([]string{Node(t), BinEntry(t, "@modelcontextprotocol/server-everything", "mcp-server-everything")}, args...)
}

// ServerFilesystemCmd returns [node, <server-filesystem entry>, dirs...]
// (stdio). The server only allows access below the given directories.
func ServerFilesystemCmd(t testing.TB, dirs ...string) []string {
	t.Helper()
	return append([]string{Node(t), BinEntry(t, "@modelcontextprotocol/server-filesystem", "mcp-server-filesystem")}, dirs...)
}

// ServerMemoryCmd returns [node, <server-memory entry>] (stdio). Set
// MEMORY_FILE_PATH in the child's environment to a file under t.TempDir(),
// or it writes memory.jsonl inside its own package directory.
func ServerMemoryCmd(t testing.TB) []string {
	t.Helper()
	return []string{Node(t), BinEntry(t, "@modelcontextprotocol/server-memory", "mcp-server-memory")}
}

// InspectorCmd returns [node22, <@modelcontextprotocol/inspector launcher>,
// args...]; e.g. InspectorCmd(t, "--cli", "node", server, "--method",
// "tools/list"). It creates $HOME/.mcp-inspector/ even in --cli mode: run it
// with HOME set to t.TempDir().
func InspectorCmd(t testing.TB, args ...string) []string {
	t.Helper()
	return append([]string{Node22(t), BinEntry(t, "@modelcontextprotocol/inspector", "mcp-inspector")}, args...)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago (the
// kernel picked it; the listener is closed before returning, so another
// process could in principle grab it first).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testpeers: FreePort: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
