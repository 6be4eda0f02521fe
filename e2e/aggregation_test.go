package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// aggregationYAML: a = everything-server, b = server-memory, c = a command
// that cannot start.
func aggregationYAML(t *testing.T) string {
	mem := testpeers.ServerMemoryCmd(t)
	dir := t.TempDir()
	return fmt.Sprintf(`servers:
  a:
    command: [%q]
  b:
    command: [%q, %q]
    env: {MEMORY_FILE_PATH: %q}
    sandbox: {writable: [%q]}
  c:
    command: [/nonexistent/mcp-server]
`, testpeers.EverythingServer(t), mem[0], mem[1], filepath.Join(dir, "memory.jsonl"), dir)
}

type listed struct {
	Tools     []struct{ Name string } `json:"tools"`
	Resources []struct{ URI string }  `json:"resources"`
	Prompts   []struct{ Name string } `json:"prompts"`
	Meta      map[string]any          `json:"_meta"`
}

func names[T any](xs []T, f func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// unavailableServers reads result._meta["io.mcpwarden/unavailable"].
func unavailableServers(t *testing.T, meta map[string]any) []string {
	t.Helper()
	raw, ok := meta["io.mcpwarden/unavailable"]
	if !ok {
		return nil
	}
	var list []struct {
		Server string `json:"server"`
		Error  string `json:"error"`
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("_meta io.mcpwarden/unavailable is not a list of {server, error}: %s", b)
	}
	var out []string
	for _, e := range list {
		if e.Error == "" {
			t.Errorf("unavailable entry for %q has no error text", e.Server)
		}
		out = append(out, e.Server)
	}
	return out
}

// TestAggregation serves three upstreams on one endpoint: two real ones and
// one that cannot start.
func TestAggregation(t *testing.T) {
	t.Parallel()
	g := startServe(t, aggregationYAML(t))

	t.Run("legacy-session", func(t *testing.T) {
		c := newRawClient(t, g.URL)
		init := c.initialize()
		var ir struct {
			ServerInfo struct{ Name string } `json:"serverInfo"`
		}
		_ = json.Unmarshal(init, &ir)
		if ir.ServerInfo.Name != "mcpwarden" {
			t.Errorf("aggregated initialize serverInfo.name = %q, want mcpwarden", ir.ServerInfo.Name)
		}

		var tl listed
		mustUnmarshal(t, c.result("tools/list", map[string]any{}), &tl)
		tools := names(tl.Tools, func(x struct{ Name string }) string { return x.Name })
		for _, want := range []string{"a__test_simple_text", "a__test_tool_with_progress", "b__read_graph", "b__create_entities"} {
			if !slices.Contains(tools, want) {
				t.Errorf("tools/list lacks %s; got %v", want, tools)
			}
		}
		for _, n := range tools {
			if !strings.HasPrefix(n, "a__") && !strings.HasPrefix(n, "b__") {
				t.Errorf("tools/list has unprefixed or foreign tool %q", n)
			}
		}
		if got := unavailableServers(t, tl.Meta); !slices.Equal(got, []string{"c"}) {
			t.Errorf("tools/list _meta io.mcpwarden/unavailable servers = %v, want [c] (meta %v)", got, tl.Meta)
		}

		res := c.result("tools/call", map[string]any{"name": "a__test_simple_text", "arguments": map[string]any{}})
		if !strings.Contains(string(res), "This is a simple text response for testing.") {
			t.Errorf("a__test_simple_text result: %s", res)
		}
		res = c.result("tools/call", map[string]any{"name": "b__create_entities", "arguments": map[string]any{
			"entities": []any{map[string]any{"name": "e2e", "entityType": "test", "observations": []string{"seen"}}}}})
		if strings.Contains(string(res), `"isError":true`) {
			t.Errorf("b__create_entities failed: %s", res)
		}
		res = c.result("tools/call", map[string]any{"name": "b__read_graph", "arguments": map[string]any{}})
		if !strings.Contains(string(res), "e2e") {
			t.Errorf("b__read_graph does not show the entity just created: %s", res)
		}

		var rl listed
		mustUnmarshal(t, c.result("resources/list", map[string]any{}), &rl)
		uris := names(rl.Resources, func(x struct{ URI string }) string { return x.URI })
		if !slices.Contains(uris, "a+test://static-text") {
			t.Errorf("resources/list lacks a+test://static-text: %v", uris)
		}
		res = c.result("resources/read", map[string]any{"uri": "a+test://static-text"})
		if !strings.Contains(string(res), "This is the content of the static text resource.") {
			t.Errorf("resources/read a+test://static-text: %s", res)
		}
		// The URI in the result is the one the client can read again here.
		var rr struct{ Contents []struct{ URI string } }
		mustUnmarshal(t, res, &rr)
		if len(rr.Contents) == 0 || rr.Contents[0].URI != "a+test://static-text" {
			t.Errorf("resources/read result URI not prefixed: %s", res)
		}
		// So is an embedded resource in a tool result.
		res = c.result("tools/call", map[string]any{"name": "a__test_embedded_resource", "arguments": map[string]any{}})
		if !strings.Contains(string(res), `"uri":"a+test://`) {
			t.Errorf("embedded resource URI not prefixed: %s", res)
		}

		var pl listed
		mustUnmarshal(t, c.result("prompts/list", map[string]any{}), &pl)
		prompts := names(pl.Prompts, func(x struct{ Name string }) string { return x.Name })
		if !slices.Contains(prompts, "a__test_simple_prompt") {
			t.Errorf("prompts/list lacks a__test_simple_prompt: %v", prompts)
		}
		res = c.result("prompts/get", map[string]any{"name": "a__test_simple_prompt"})
		if !strings.Contains(string(res), "This is a simple prompt for testing.") {
			t.Errorf("prompts/get a__test_simple_prompt: %s", res)
		}

		// The server that failed to start: a clear JSON-RPC error.
		m := c.call("tools/call", map[string]any{"name": "c__anything", "arguments": map[string]any{}})
		if m.Error == nil {
			t.Fatalf("call to the unavailable server c succeeded: %s", m.Result)
		}
		if !strings.Contains(m.Error.Message, `"c"`) || !strings.Contains(m.Error.Message, "unavailable") {
			t.Errorf("error for the unavailable server does not say which and why: %d %q", m.Error.Code, m.Error.Message)
		}
		// An unknown prefix is an error too, not a crash.
		m = c.call("tools/call", map[string]any{"name": "zz__x", "arguments": map[string]any{}})
		if m.Error == nil || m.Error.Code != -32602 {
			t.Errorf("unknown server prefix: want -32602, got %+v", m.Error)
		}
		// And the others still work afterwards.
		c.result("tools/call", map[string]any{"name": "a__test_simple_text", "arguments": map[string]any{}})
		if r := c.do(http.MethodDelete, nil, nil); r.Status != http.StatusNoContent {
			t.Errorf("DELETE session: %s", r)
		}
	})

	t.Run("modern-stateless", func(t *testing.T) {
		c := newRawClient(t, g.URL)
		r := c.modernCall("tools/list", nil, "")
		if r.Status != http.StatusOK {
			t.Fatalf("modern tools/list: %s", r)
		}
		m := r.final(t)
		if m.Error != nil {
			t.Fatalf("modern tools/list: error %+v", m.Error)
		}
		var tl listed
		mustUnmarshal(t, m.Result, &tl)
		tools := names(tl.Tools, func(x struct{ Name string }) string { return x.Name })
		if !slices.Contains(tools, "a__test_simple_text") || !slices.Contains(tools, "b__read_graph") {
			t.Errorf("modern tools/list: %v", tools)
		}
		if got := unavailableServers(t, tl.Meta); !slices.Equal(got, []string{"c"}) {
			t.Errorf("modern tools/list unavailable = %v, want [c]", got)
		}
		var extra struct {
			ResultType string `json:"resultType"`
			CacheScope string `json:"cacheScope"`
		}
		mustUnmarshal(t, m.Result, &extra)
		if extra.ResultType != "complete" || extra.CacheScope == "" {
			t.Errorf("modern list result lacks resultType/cacheScope: %s", tail(string(m.Result), 300))
		}
		r = c.modernCall("tools/call", map[string]any{"name": "a__test_simple_text", "arguments": map[string]any{}}, "a__test_simple_text")
		if m := r.final(t); m.Error != nil || !strings.Contains(string(m.Result), "simple text response") {
			t.Errorf("modern a__test_simple_text: %s", r)
		}
		r = c.modernCall("tools/call", map[string]any{"name": "c__x", "arguments": map[string]any{}}, "c__x")
		if m := r.final(t); m.Error == nil || !strings.Contains(m.Error.Message, `"c"`) {
			t.Errorf("modern call to unavailable c: %s", r)
		}
	})
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal %s: %v", tail(string(b), 500), err)
	}
}
