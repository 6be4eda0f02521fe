package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// buildRugPull builds e2e/testdata/rugpull, a go-sdk server whose
// rug_pull tool changes fetch_page's definition and sends list_changed.
func buildRugPull(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rugpull")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/rugpull").CombinedOutput()
	if err != nil {
		t.Fatalf("build rugpull: %v\n%s", err, out)
	}
	return bin
}

// mcpwarden runs the gateway binary to completion.
func mcpwarden(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(gatewayBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("mcpwarden %v: %v", args, err)
	}
	return o.String(), e.String(), code
}

// mustMcpwarden runs the gateway binary with args, stdin on its standard
// input, and returns its output, trimmed; a failure fails the test with
// its stderr.
func mustMcpwarden(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gatewayBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("mcpwarden %v: %v\n%s", args, err, e.String())
	}
	return strings.TrimSpace(o.String())
}

// lineClient talks JSON-RPC lines to `mcpwarden run`.
type lineClient struct {
	t      *testing.T
	in     io.WriteCloser
	cmd    *exec.Cmd
	stderr *syncBuffer
	mu     sync.Mutex
	msgs   []rpcMsg
	notes  []string
	cond   *sync.Cond
	nextID int
}

func startRun(t *testing.T, args ...string) *lineClient {
	t.Helper()
	cmd := exec.Command(gatewayBin, append([]string{"run"}, args...)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &lineClient{t: t, in: in, cmd: cmd, stderr: &syncBuffer{}}
	c.cond = sync.NewCond(&c.mu)
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var m rpcMsg
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			c.mu.Lock()
			if m.Method != "" {
				c.notes = append(c.notes, m.Method)
			} else {
				c.msgs = append(c.msgs, m)
			}
			c.cond.Broadcast()
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.notes = append(c.notes, "EOF")
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("gateway stderr:\n%s", tail(c.stderr.String(), 4000))
		}
	})
	return c
}

func (c *lineClient) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// call sends a request and waits for its response.
func (c *lineClient) call(method string, params string) rpcMsg {
	c.t.Helper()
	c.nextID++
	id := fmt.Sprint(c.nextID)
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":%q,"params":%s}`, id, method, params))
	deadline := time.Now().Add(20 * time.Second)
	timer := time.AfterFunc(20*time.Second, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for _, m := range c.msgs {
			if string(m.ID) == id {
				return m
			}
		}
		if time.Now().After(deadline) || slices.Contains(c.notes, "EOF") {
			c.t.Fatalf("no answer to %s %s", method, params)
		}
		c.cond.Wait()
	}
}

func (c *lineClient) waitNote(method string, d time.Duration) bool {
	timer := time.AfterFunc(d, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	deadline := time.Now().Add(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	for !slices.Contains(c.notes, method) {
		if time.Now().After(deadline) {
			return false
		}
		c.cond.Wait()
	}
	return true
}

func (c *lineClient) initialize() json.RawMessage {
	c.t.Helper()
	m := c.call("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e-manifest","version":"1"}}`)
	if m.Error != nil {
		c.t.Fatalf("initialize: %s", m.Error.Message)
	}
	c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return m.Result
}

func instructionsOf(t *testing.T, init json.RawMessage) string {
	t.Helper()
	var r struct {
		Instructions string `json:"instructions"`
	}
	mustUnmarshal(t, init, &r)
	return r.Instructions
}

func listedTools(t *testing.T, m rpcMsg) []string {
	t.Helper()
	if m.Error != nil {
		t.Fatalf("tools/list: %d %s", m.Error.Code, m.Error.Message)
	}
	var r listed
	mustUnmarshal(t, m.Result, &r)
	return names(r.Tools, func(x struct{ Name string }) string { return x.Name })
}

func ruleOf(t *testing.T, m rpcMsg) string {
	t.Helper()
	if m.Error == nil {
		t.Fatalf("want an error, got result %s", m.Result)
	}
	var d struct {
		Rule string `json:"rule"`
	}
	_ = json.Unmarshal(m.Error.Data, &d)
	return d.Rule
}

func textOf(t *testing.T, m rpcMsg) string {
	t.Helper()
	if m.Error != nil {
		t.Fatalf("error %d %s", m.Error.Code, m.Error.Message)
	}
	var r struct {
		Content []struct{ Text string } `json:"content"`
		IsError bool                    `json:"isError"`
	}
	mustUnmarshal(t, m.Result, &r)
	if len(r.Content) == 0 {
		t.Fatalf("no content in %s", m.Result)
	}
	return r.Content[0].Text
}

// TestManifestRugPull drafts a manifest from a live server with
// `manifest init`, enforces it with `run --manifest`, and watches the
// server change a tool's definition mid-session: the tool is quarantined
// (hidden and refused) while the rest stays usable. Then `manifest diff`
// and `manifest approve` bring a stale pin back in line.
func TestManifestRugPull(t *testing.T) {
	t.Parallel()
	rug := buildRugPull(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mcpwarden.yaml")
	man := filepath.Join(dir, "rug.manifest.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("servers:\n  rug:\n    command: [%q]\n    manifest: rug.manifest.yaml\n", rug)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := mcpwarden(t, "manifest", "init", "-c", cfg, "--server", "rug", "-o", man)
	if code != 0 {
		t.Fatalf("manifest init: exit %d\n%s", code, errOut)
	}
	draft, _ := os.ReadFile(man)
	for _, want := range []string{"fetch_page:", "rug_pull:", "pin: sha256:", "review: true", `"additionalProperties": false`, "instructions: sha256:",
		"      url:\n        url: {allow: public}\n        secrets: scan\n", "injection: neutralize",
		"add_numbers:\n    # FLAGGED, the gateway quarantines it: poison."} {
		if !strings.Contains(string(draft), want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	if out, _, code := mcpwarden(t, "manifest", "diff", "-c", cfg, "rug"); code != 0 {
		t.Errorf("diff against the server just drafted from: exit %d\n%s", code, out)
	}
	// The one-shot scanner reports the poisoned tool, and only it.
	out, _, code := mcpwarden(t, "scan", "-c", cfg, "--json")
	var findings []struct{ Server, Kind, Name, Rule string }
	if err := json.Unmarshal([]byte(out), &findings); err != nil || code != 1 {
		t.Fatalf("scan: exit %d, %v\n%s", code, err, out)
	}
	var rules []string
	for _, f := range findings {
		if f.Server != "rug" || f.Kind != "tool" || f.Name != "add_numbers" {
			t.Errorf("unexpected finding %+v", f)
		}
		rules = append(rules, f.Rule)
	}
	slices.Sort(rules)
	// The hidden comment calls a tool with a credential file: a data
	// directive as well as a comment.
	if !slices.Equal(rules, []string{"poison.data-directive", "poison.html-comment", "poison.invisible"}) {
		t.Errorf("scan rules %q", rules)
	}

	c := startRun(t, "--manifest", man, "--", rug)
	if got := instructionsOf(t, c.initialize()); got != "Use fetch_page to read web pages." {
		t.Errorf("approved instructions not relayed: %q", got)
	}
	got := listedTools(t, c.call("tools/list", `{}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"fetch_page", "rug_pull"}) {
		t.Fatalf("tools/list = %q, want the poisoned add_numbers hidden", got)
	}
	if r := ruleOf(t, c.call("tools/call", `{"name":"add_numbers","arguments":{}}`)); r != "manifest.quarantined" {
		t.Errorf("poisoned tool: rule %q", r)
	}
	// The drafted url guard resolves names (none resolve here, and it
	// fails closed): a public address passes, an internal one is refused.
	if got := textOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://93.184.215.14"}}`)); got != "fetched https://93.184.215.14" {
		t.Errorf("fetch_page: %q", got)
	}
	if r := ruleOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"http://169.254.169.254/latest/meta-data/"}}`)); !strings.HasPrefix(r, "guard.url.") {
		t.Errorf("metadata address through the drafted url guard: rule %q", r)
	}
	// The copied schema is enforced by the gateway.
	if r := ruleOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com","exfil":"x"}}`)); r != "manifest.arguments-schema" {
		t.Errorf("extra argument: rule %q", r)
	}
	if r := ruleOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{}}`)); r != "manifest.arguments-schema" {
		t.Errorf("missing argument: rule %q", r)
	}

	if got := textOf(t, c.call("tools/call", `{"name":"rug_pull","arguments":{}}`)); got != "done" {
		t.Fatalf("rug_pull: %q", got)
	}
	if !c.waitNote("notifications/tools/list_changed", 5*time.Second) {
		t.Error("no notifications/tools/list_changed relayed")
	}
	// Until the changed list has been checked, nothing of the server is
	// called on its word.
	if r := ruleOf(t, c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com"}}`)); r != "manifest.relist" {
		t.Errorf("call after list_changed, before a new list: rule %q, want manifest.relist", r)
	}
	if got := listedTools(t, c.call("tools/list", `{}`)); !slices.Equal(got, []string{"rug_pull"}) {
		t.Errorf("after the rug pull tools/list = %q, want only rug_pull", got)
	}
	m := c.call("tools/call", `{"name":"fetch_page","arguments":{"url":"https://example.com"}}`)
	if r := ruleOf(t, m); r != "manifest.quarantined" {
		t.Errorf("quarantined tool: rule %q (%s)", r, m.Error.Message)
	}
	if strings.Contains(m.Error.Message, "sha256") {
		t.Errorf("public message leaks pins: %s", m.Error.Message)
	}
	if !waitFor(5*time.Second, func() bool {
		return strings.Contains(c.stderr.String(), `"msg":"tool quarantined","server":"rugpull","tool":"fetch_page","reason":"definition changed since approval`)
	}) {
		t.Errorf("no operator warning for the quarantine:\n%s", tail(c.stderr.String(), 2000))
	}
	if !waitFor(5*time.Second, func() bool { return strings.Contains(c.stderr.String(), `"rule":"manifest.quarantined"`) }) {
		t.Errorf("no audit record for the quarantined call:\n%s", tail(c.stderr.String(), 2000))
	}

	// A stale pin: diff shows the served definition, approve re-pins.
	lines := strings.Split(string(draft), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  fetch_page:") {
			for j := i + 1; j < len(lines); j++ {
				if p, ok := strings.CutPrefix(lines[j], "    pin: sha256:"); ok {
					flip := "0"
					if p[0] == '0' {
						flip = "1"
					}
					lines[j] = "    pin: sha256:" + flip + p[1:]
					break
				}
			}
		}
	}
	stale := strings.Join(lines, "\n")
	if stale == string(draft) {
		t.Fatal("could not make the pin stale")
	}
	if err := os.WriteFile(man, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = mcpwarden(t, "manifest", "diff", "-c", cfg, "rug")
	if code != 1 || !strings.Contains(out, `~ tool "fetch_page": changed`) || !strings.Contains(out, "Fetches a web page") {
		t.Errorf("diff with a stale pin: exit %d\n%s", code, out)
	}
	if out, errOut, code := mcpwarden(t, "manifest", "approve", "-c", cfg, "rug", "fetch_page"); code != 0 {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, code := mcpwarden(t, "manifest", "diff", "-c", cfg, "rug"); code != 0 {
		t.Errorf("diff after approve: exit %d\n%s", code, out)
	}
	if _, _, code := mcpwarden(t, "manifest", "approve", "-c", cfg, "rug", "Fetch_page"); code == 0 {
		t.Error("approve accepted an undeclared tool")
	}

	// Instructions that differ from their pin never reach the client.
	approved, _ := os.ReadFile(man)
	other := regexp.MustCompile(`(?m)^instructions: sha256:[0-9a-f]{64}`).ReplaceAllString(string(approved), "instructions: sha256:"+strings.Repeat("0", 64))
	if other == string(approved) {
		t.Fatal("no instructions pin to change")
	}
	if err := os.WriteFile(man, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	c2 := startRun(t, "--manifest", man, "--", rug)
	if got := instructionsOf(t, c2.initialize()); got != "" {
		t.Errorf("instructions with a wrong pin relayed: %q", got)
	}
	if out, _, code := mcpwarden(t, "manifest", "diff", "-c", cfg, "rug"); code != 1 || !strings.Contains(out, "~ instructions: changed") {
		t.Errorf("diff with a wrong instructions pin: exit %d\n%s", code, out)
	}
}

// TestManifestAggregated puts a manifest on one of two everything-servers
// sharing an endpoint: only its declared items are listed and callable,
// the other server is untouched, and look-alike names are refused.
func TestManifestAggregated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	man := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(man, []byte(`tools:
  test_simple_text: {risk: read}
  test_x_mcp_header:
    risk: read
    arguments:
      type: object
      properties:
        region: {type: string, enum: [eu, us]}
        level: {type: integer}
      additionalProperties: false
prompts:
  test_simple_prompt: {}
resources:
  - test://static-text
`), 0o644); err != nil {
		t.Fatal(err)
	}
	es := testpeers.EverythingServer(t)
	spyLog := filepath.Join(dir, "a-stdin.log")
	g := startServe(t, fmt.Sprintf("servers:\n  a:\n    command: [sh, -c, %q]\n    manifest: %q\n    sandbox: {writable: [%q], read_only: [%q]}\n  b:\n    command: [%q]\n",
		fmt.Sprintf("tee -a %q | %q", spyLog, es), man, dir, es, es))
	c := newRawClient(t, g.URL)
	c.initialize()

	var l listed
	mustUnmarshal(t, c.result("tools/list", map[string]any{}), &l)
	var a, b []string
	for _, n := range names(l.Tools, func(x struct{ Name string }) string { return x.Name }) {
		switch {
		case strings.HasPrefix(n, "a__"):
			a = append(a, n)
		case strings.HasPrefix(n, "b__"):
			b = append(b, n)
		}
	}
	slices.Sort(a)
	if !slices.Equal(a, []string{"a__test_simple_text", "a__test_x_mcp_header"}) {
		t.Errorf("server a lists %q", a)
	}
	if len(b) < 20 || !slices.Contains(b, "b__test_error_handling") {
		t.Errorf("server b (no manifest) lists %d tools: %q", len(b), b)
	}
	mustUnmarshal(t, c.result("prompts/list", map[string]any{}), &l)
	var ap []string
	for _, n := range names(l.Prompts, func(x struct{ Name string }) string { return x.Name }) {
		if strings.HasPrefix(n, "a__") {
			ap = append(ap, n)
		}
	}
	if !slices.Equal(ap, []string{"a__test_simple_prompt"}) {
		t.Errorf("server a prompts %q", ap)
	}
	mustUnmarshal(t, c.result("resources/list", map[string]any{}), &l)
	var ar []string
	for _, n := range names(l.Resources, func(x struct{ URI string }) string { return x.URI }) {
		if strings.HasPrefix(n, "a+") {
			ar = append(ar, n)
		}
	}
	if !slices.Equal(ar, []string{"a+test://static-text"}) {
		t.Errorf("server a resources %q", ar)
	}

	if got := textOf(t, c.call("tools/call", map[string]any{"name": "a__test_simple_text"})); !strings.Contains(got, "simple text") {
		t.Errorf("declared tool: %q", got)
	}
	if got := textOf(t, c.call("tools/call", map[string]any{"name": "b__test_error_handling"})); got == "" {
		t.Error("server without a manifest refused")
	}
	for _, name := range []string{
		"a__test_error_handling", "a__Test_simple_text", "a__test_simple_text ", " a__test_simple_text",
		"a__test_simple_text\x00", "a__test_simple\u200b_text", "a__test_simple_text\u200d", "a__ｔest_simple_text",
		"a__test_simpl\u0435_text", "a__test_simple_t\u0435xt", "a__test_simple_text\u0301",
	} {
		m := c.call("tools/call", map[string]any{"name": name})
		if m.Error == nil {
			t.Errorf("%q was called: %s", name, m.Result)
			continue
		}
		if r := ruleOf(t, m); r != "manifest.undeclared-tool" && r != "route.unknown-target" {
			t.Errorf("%q: rule %q", name, r)
		}
	}
	if r := ruleOf(t, c.call("prompts/get", map[string]any{"name": "a__test_prompt_with_arguments", "arguments": map[string]string{"arg1": "x", "arg2": "y"}})); r != "manifest.undeclared-prompt" {
		t.Errorf("undeclared prompt: rule %q", r)
	}
	if r := ruleOf(t, c.call("resources/read", map[string]any{"uri": "a+test://static-binary"})); r != "manifest.undeclared-resource" {
		t.Errorf("undeclared resource: rule %q", r)
	}
	if m := c.call("resources/read", map[string]any{"uri": "a+test://static-text"}); m.Error != nil {
		t.Errorf("declared resource: %s", m.Error.Message)
	}

	// The upstream receives the canonical arguments that were validated.
	body := `{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"a__test_x_mcp_header","arguments":{ "region" : "\u0065u", "level": 3.0 }}}`
	r := c.post(body, nil)
	if got := textOf(t, r.final(t)); got != "region=eu" {
		t.Errorf("test_x_mcp_header: %q", got)
	}
	if r := ruleOf(t, c.call("tools/call", map[string]any{"name": "a__test_x_mcp_header", "arguments": map[string]any{"region": "cn"}})); r != "manifest.arguments-schema" {
		t.Errorf("schema violation: rule %q", r)
	}
	var seen string
	waitFor(5*time.Second, func() bool {
		b, _ := os.ReadFile(spyLog)
		seen = string(b)
		return strings.Contains(seen, `"level":3,"region":"eu"`)
	})
	if !strings.Contains(seen, `"arguments":{"level":3,"region":"eu"}`) {
		t.Errorf("upstream did not receive canonical arguments:\n%s", tail(seen, 2000))
	}
	if strings.Contains(seen, "test_error_handling") || strings.Contains(seen, `"cn"`) || strings.Contains(seen, "static-binary") {
		t.Errorf("a refused request reached the upstream:\n%s", tail(seen, 2000))
	}
}

// TestManifestModern lists through a 2026-07-28 client: filtered results
// are marked cacheScope private.
func TestManifestModern(t *testing.T) {
	t.Parallel()
	man := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: read}\nresources: ['test://template/*']\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := startServe(t, fmt.Sprintf("servers:\n  e:\n    command: [%q]\n    manifest: %q\n", testpeers.EverythingServer(t), man))
	c := newRawClient(t, g.URL)
	for _, tc := range []struct{ method, field string }{{"tools/list", "tools"}, {"resources/templates/list", "resourceTemplates"}, {"prompts/list", "prompts"}} {
		r := c.modernCall(tc.method, nil, "")
		m := r.final(t)
		if m.Error != nil {
			t.Fatalf("%s: %s", tc.method, m.Error.Message)
		}
		var res map[string]json.RawMessage
		mustUnmarshal(t, m.Result, &res)
		if string(res["cacheScope"]) != `"private"` {
			t.Errorf("%s: cacheScope %s", tc.method, res["cacheScope"])
		}
		var items []map[string]any
		mustUnmarshal(t, res[tc.field], &items)
		want := map[string]int{"tools": 1, "resourceTemplates": 1, "prompts": 0}[tc.field]
		if len(items) != want {
			t.Errorf("%s: %d items, want %d: %s", tc.method, len(items), want, res[tc.field])
		}
	}
	r := c.modernCall("tools/call", map[string]any{"name": "test_error_handling"}, "test_error_handling")
	if m := r.final(t); ruleOf(t, m) != "manifest.undeclared-tool" {
		t.Errorf("undeclared tool in the modern era: %s", r)
	}
}

// TestManifestInvalid: a bad manifest stops serve from starting, with the
// file, line and column of each problem.
func TestManifestInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	man := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(man, []byte("tools:\n  x:\n    risk: read\n    guards: {q: {sqll: {}}}\n    argumets: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "mcpwarden.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("listen: 127.0.0.1:0\nservers:\n  e:\n    command: [%q]\n    manifest: bad.yaml\n", testpeers.EverythingServer(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := mcpwarden(t, "serve", "-c", cfg)
	if code == 0 {
		t.Fatal("serve started with an invalid manifest")
	}
	for _, want := range []string{man + `:4:18: tools."x".guards."q": unknown guard "sqll"`, man + `:5:5: tools."x".argumets: unknown key`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, errOut, code := mcpwarden(t, "manifest", "check", man); code != 1 || !strings.Contains(errOut, "sqll") {
		t.Errorf("manifest check: exit %d\n%s", code, errOut)
	}
}

// TestManifestSigned: with require_signed, serve refuses an unsigned or
// wrongly signed manifest and starts with a signed one.
func TestManifestSigned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, man := filepath.Join(dir, "k"), filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: read}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := mcpwarden(t, "manifest", "keygen", key); code != 0 {
		t.Fatalf("keygen: %s", e)
	}
	cfg := filepath.Join(dir, "mcpwarden.yaml")
	body := fmt.Sprintf("require_signed: true\nmanifest_key: %q\nservers:\n  e:\n    command: [%q]\n    manifest: %q\n", key+".pub", testpeers.EverythingServer(t), man)
	if err := os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := mcpwarden(t, "serve", "-c", cfg); code == 0 || !strings.Contains(e, "manifest is not signed") {
		t.Errorf("unsigned manifest: exit %d\n%s", code, e)
	}
	if _, e, code := mcpwarden(t, "manifest", "sign", "--key", key, man); code != 0 {
		t.Fatalf("sign: %s", e)
	}
	if o, e, code := mcpwarden(t, "manifest", "verify", "--key", key+".pub", man); code != 0 {
		t.Fatalf("verify: %s%s", o, e)
	}
	g := startServe(t, body)
	c := newRawClient(t, g.URL)
	c.initialize()
	var l listed
	mustUnmarshal(t, c.result("tools/list", map[string]any{}), &l)
	if len(l.Tools) != 1 {
		t.Errorf("signed manifest not enforced: %d tools", len(l.Tools))
	}
	g.Stop()

	// Edited after signing.
	if err := os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: read}\n  test_error_handling: {risk: read}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e, code := mcpwarden(t, "serve", "-c", cfg); code == 0 || !strings.Contains(e, "signature does not verify") {
		t.Errorf("tampered manifest: exit %d\n%s", code, e)
	}
	if _, _, code := mcpwarden(t, "manifest", "verify", "--key", key+".pub", man); code != 1 {
		t.Errorf("verify of a tampered manifest: exit %d", code)
	}
}

// TestPolicy runs CEL rules behind a manifest through the real binary:
// deny overrides allow, undecided calls are denied by default, each
// denial names its rule, monitor rules only note; and `policy test` runs
// the operator's cases.
func TestPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	man := write("m.yaml", `tools:
  test_simple_text: {risk: read}
  test_x_mcp_header: {risk: read}
  test_error_handling: {risk: write}
`)
	pol := write("policy.yaml", `rules:
  - id: reads
    effect: allow
    when: risk == "read"
  - id: no-us-region
    effect: deny
    when: tool == "test_x_mcp_header" && has(args.region) && args.region == "us"
  - id: watch-levels
    effect: deny
    mode: monitor
    when: has(args.level) && args.level > 5
`)
	g := startServe(t, fmt.Sprintf("policy: %q\nservers:\n  e:\n    command: [%q]\n    manifest: %q\n", pol, testpeers.EverythingServer(t), man))
	c := newRawClient(t, g.URL)
	c.initialize()
	if got := textOf(t, c.call("tools/call", map[string]any{"name": "test_simple_text"})); got == "" {
		t.Error("allowed call failed")
	}
	if got := textOf(t, c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "eu", "level": 9}})); got != "region=eu" {
		t.Errorf("monitor-only denial blocked the call: %q", got)
	}
	m := c.call("tools/call", map[string]any{"name": "test_x_mcp_header", "arguments": map[string]any{"region": "us"}})
	if r := ruleOf(t, m); r != "no-us-region" {
		t.Errorf("deny overrides allow: rule %q", r)
	}
	if m.Error.Message != "denied by policy" {
		t.Errorf("public message %q", m.Error.Message)
	}
	if r := ruleOf(t, c.call("tools/call", map[string]any{"name": "test_error_handling"})); r != "policy.default-deny" {
		t.Errorf("default deny: rule %q", r)
	}
	if !waitFor(5*time.Second, func() bool {
		s := g.Stderr.String()
		return strings.Contains(s, `"rule":"no-us-region"`) && strings.Contains(s, "would deny by watch-levels")
	}) {
		t.Errorf("audit lacks the policy decisions:\n%s", tail(g.Stderr.String(), 3000))
	}

	tests := write("policy_test.yaml", fmt.Sprintf(`policy: %q
cases:
  - name: reads are fine
    input: {tool: test_simple_text, risk: read}
    expect: allow
    rule: reads
  - name: no us
    input: {tool: test_x_mcp_header, risk: read, arguments: {region: us}}
    expect: deny
    rule: no-us-region
  - name: writes are not allowed
    input: {tool: test_error_handling, risk: write}
    expect: deny
    rule: policy.default-deny
`, pol))
	out, errOut, code := mcpwarden(t, "policy", "test", tests)
	if code != 0 || !strings.Contains(out, "3 cases, 0 failed") {
		t.Errorf("policy test: exit %d\n%s%s", code, out, errOut)
	}
	wrong := write("wrong_test.yaml", fmt.Sprintf("policy: %q\ncases:\n  - name: wrong\n    input: {risk: write}\n    expect: allow\n", pol))
	if out, _, code := mcpwarden(t, "policy", "test", wrong); code != 1 || !strings.Contains(out, "FAIL wrong") {
		t.Errorf("failing case: exit %d\n%s", code, out)
	}
}

// A server that lists resources but does not know
// resources/templates/list (the red-team honeypot is one) still gets a
// draft: templates are optional, so `manifest init` skips a
// method-not-found answer there and drafts the resources it listed.
func TestManifestInitWithoutTemplates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := filepath.Join(dir, "docs.yaml")
	body := "category: c\ntools:\n  - definition: {name: search_docs, inputSchema: {type: object}}\n" +
		"resources:\n  - definition: {uri: \"docs://guide\", name: guide, description: The guide.}\n" +
		"cases:\n  - {id: a, kind: benign, tool: search_docs}\n"
	cfg := filepath.Join(dir, "mcpwarden.yaml")
	if err := os.WriteFile(cases, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("servers:\n  docs:\n    command: [%q, __honeypot, --cases, %q]\n", gatewayBin, cases)), 0o644); err != nil {
		t.Fatal(err)
	}
	man := filepath.Join(dir, "docs.manifest.yaml")
	if _, errOut, code := mcpwarden(t, "manifest", "init", "-c", cfg, "--server", "docs", "-o", man); code != 0 {
		t.Fatalf("manifest init: exit %d\n%s", code, errOut)
	}
	draft, _ := os.ReadFile(man)
	for _, want := range []string{"search_docs:", "docs://guide"} {
		if !strings.Contains(string(draft), want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
}
