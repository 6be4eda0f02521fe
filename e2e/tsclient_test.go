package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// runNode runs argv with a timeout and returns stdout; it fails the test on
// a non-zero exit.
func runNode(t *testing.T, env []string, argv ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\nstdout:\n%s\nstderr:\n%s", argv[1:], err, tail(out.String(), 2000), tail(errb.String(), 3000))
	}
	return out.Bytes()
}

// tsResult is what testdata/tsclient.mjs prints.
type tsResult struct {
	ProtocolVersion *string         `json:"protocolVersion"`
	SessionID       *string         `json:"sessionId"`
	Server          json.RawMessage `json:"server"`
	Tools           []string        `json:"tools"`
	Call            any             `json:"call"`
	Read            any             `json:"read"`
}

func runTSClient(t *testing.T, mode, url string) tsResult {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "tsclient.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, []string{"MCP_SDK_DIR=" + testpeers.NodeModule(t, "@modelcontextprotocol/sdk")},
		testpeers.Node(t), script, mode, url)
	var r tsResult
	if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil {
		t.Fatalf("tsclient %s %s printed no JSON result: %v\n%s", mode, url, err, out)
	}
	return r
}

// TestTypeScriptSDKClient connects the official TypeScript SDK client to
// the gateway over Streamable HTTP and legacy SSE, and compares with the
// same client talking to everything-server directly.
func TestTypeScriptSDKClient(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
	direct := everythingHTTP(t)

	want := runTSClient(t, "http", direct)
	if len(want.Tools) < 10 || want.Call == nil || want.Read == nil {
		t.Fatalf("direct TypeScript client run looks empty: %+v", want)
	}

	t.Run("streamable-http", func(t *testing.T) {
		got := runTSClient(t, "http", g.URL)
		if got.SessionID == nil || *got.SessionID == "" {
			t.Errorf("no Mcp-Session-Id through the gateway")
		}
		if got.ProtocolVersion == nil || *got.ProtocolVersion != *want.ProtocolVersion {
			t.Errorf("protocol version through the gateway %v, directly %v", deref(got.ProtocolVersion), deref(want.ProtocolVersion))
		}
		compareTS(t, want, got)
	})
	t.Run("legacy-sse", func(t *testing.T) {
		got := runTSClient(t, "sse", g.Base+"/sse")
		compareTS(t, want, got)
	})
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func compareTS(t *testing.T, want, got tsResult) {
	t.Helper()
	if diff := cmp.Diff(string(want.Server), string(got.Server)); diff != "" {
		t.Errorf("serverInfo differs (-direct +gateway):\n%s", diff)
	}
	for _, c := range []struct {
		what      string
		want, got any
	}{{"tools", want.Tools, got.Tools}, {"tools/call result", want.Call, got.Call}, {"resources/read result", want.Read, got.Read}} {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s differs (-direct +gateway):\n%s", c.what, diff)
		}
	}
}

// TestInspectorCLI runs `mcp-inspector --cli URL --method tools/list`
// (and a tools/call) against the gateway and against everything-server.
func TestInspectorCLI(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
	direct := everythingHTTP(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "MCP_CATALOG_PATH=" + filepath.Join(home, "mcp.json")}
	inspect := func(url string, args ...string) any {
		out := runNode(t, env, testpeers.InspectorCmd(t, append([]string{"--cli", url}, args...)...)...)
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("inspector printed no JSON: %v\n%s", err, tail(string(out), 2000))
		}
		return v
	}
	for _, args := range [][]string{
		{"--method", "tools/list"},
		{"--method", "tools/call", "--tool-name", "test_simple_text"},
		{"--method", "resources/read", "--uri", "test://static-text"},
	} {
		want := inspect(direct, args...)
		got := inspect(g.URL, args...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("inspector %v differs (-direct +gateway):\n%s", args, diff)
		}
		if m, ok := want.(map[string]any); !ok || len(m) == 0 {
			t.Errorf("inspector %v: empty direct result %v", args, want)
		}
	}
}
