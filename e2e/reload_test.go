package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// toolNames opens a new legacy session and lists its tools.
func toolNames(t *testing.T, url string) []string {
	t.Helper()
	c := newRawClient(t, url)
	c.initialize()
	defer c.do(http.MethodDelete, nil, nil)
	var tl listed
	mustUnmarshal(t, c.result("tools/list", map[string]any{}), &tl)
	return names(tl.Tools, func(x struct{ Name string }) string { return x.Name })
}

// TestConfigReload: a changed file is picked up for new sessions, an
// invalid one is refused with the old configuration kept, SIGHUP reloads.
func TestConfigReload(t *testing.T) {
	t.Parallel()
	one := "servers:\n" + stdioServerYAML(t, "a")
	two := one + stdioServerYAML(t, "b")
	g := startServe(t, one)

	if got := toolNames(t, g.URL); !slices.Contains(got, "test_simple_text") {
		t.Fatalf("single server: tools/list lacks test_simple_text: %v", got)
	}
	// A live session from before the reload.
	old := newRawClient(t, g.URL)
	old.initialize()

	g.WriteConfig(two)
	var got []string
	if !waitFor(10*time.Second, func() bool {
		got = toolNames(t, g.URL)
		return slices.Contains(got, "a__test_simple_text") && slices.Contains(got, "b__test_simple_text")
	}) {
		t.Fatalf("new sessions do not see a__/b__ tools 10s after the file gained server b: %v", got)
	}
	if !strings.Contains(g.Stderr.String(), "configuration reloaded") {
		t.Errorf("no \"configuration reloaded\" log line")
	}
	// The session from before keeps working with what it had.
	if r := old.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}}); !strings.Contains(string(r), "simple text") {
		t.Errorf("pre-reload session after reload: %s", r)
	}

	// An invalid file: refused, old configuration kept.
	g.WriteConfig("servers:\n  a:\n    command: [x]\n    bogus_key: 1\n  b:\n    url: not a url\n")
	if !waitFor(10*time.Second, func() bool {
		return strings.Contains(g.Stderr.String(), "configuration not reloaded")
	}) {
		t.Fatalf("no \"configuration not reloaded\" on stderr 10s after writing an invalid file")
	}
	got = toolNames(t, g.URL)
	if !slices.Contains(got, "a__test_simple_text") || !slices.Contains(got, "b__test_simple_text") {
		t.Errorf("after an invalid reload tools/list = %v, want the previous configuration's a__/b__ tools", got)
	}

	// SIGHUP reloads (here: back to the valid two-server file, which the
	// watcher also sees; then once more with the file unchanged, which only
	// SIGHUP can trigger).
	g.WriteConfig(two)
	reloaded := func() int { return strings.Count(g.Stderr.String(), "configuration reloaded") }
	waitFor(5*time.Second, func() bool { return reloaded() >= 2 })
	time.Sleep(500 * time.Millisecond) // let the watcher's debounce pass
	n := reloaded()
	if err := g.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !waitFor(5*time.Second, func() bool { return reloaded() > n }) {
		t.Errorf("SIGHUP did not reload the configuration (reload count stayed %d)", n)
	}
	if got := toolNames(t, g.URL); !slices.Contains(got, "b__test_simple_text") {
		t.Errorf("after SIGHUP: %v", got)
	}
}

// TestConfigReloadReleasesOldChildren: stateless (2026-07-28) traffic uses
// pooled children of the configuration that was current; once a reload
// replaced that configuration nothing can use them any more, so they must
// not live on until the gateway exits.
func TestConfigReloadReleasesOldChildren(t *testing.T) {
	t.Parallel()
	one := "servers:\n" + stdioServerYAML(t, "a")
	g := startServe(t, one)
	m := newRawClient(t, g.URL)
	if r := m.modernCall("tools/list", nil, ""); r.Status != http.StatusOK {
		t.Fatalf("modern tools/list: %s", r)
	}
	var pooled []proc
	waitFor(5*time.Second, func() bool { pooled = everythingKids(g.Pid()); return len(pooled) == 1 })
	if len(pooled) != 1 {
		t.Fatalf("want one pooled child, got %v", pooled)
	}
	g.WriteConfig(one + stdioServerYAML(t, "b"))
	if !waitFor(10*time.Second, func() bool { return strings.Contains(g.Stderr.String(), "configuration reloaded") }) {
		t.Fatalf("no reload")
	}
	if r := m.modernCall("tools/list", nil, ""); r.Status != http.StatusOK {
		t.Fatalf("modern tools/list after reload: %s", r)
	}
	assertGone(t, "pooled child of the replaced configuration, 5s after the reload", pooled, 5*time.Second)
}

// TestConfigValidate: `mcpwarden config validate` reports every problem
// with file:line:col and exits 1; a good file exits 0.
func TestConfigValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`listen: 127.0.0.1:99999
log:
  level: loud
http:
  max_body_bytes: lots
  session_idle_timeout: 1ms
servers:
  files:
    command: []
    transport: carrier-pigeon
  remote:
    url: ftp://example.com/mcp
    pool: 3
  "bad name!":
    command: [x]
    colour: red
`), 0o600)
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("servers:\n"+stdioServerYAML(t, "everything")), 0o600)

	run := func(file string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, gatewayBin, "config", "validate", "-c", file)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return out.String(), 0
		case errors.As(err, &ee):
			return out.String(), ee.ExitCode()
		}
		t.Fatalf("config validate: %v", err)
		return "", -1
	}
	out, code := run(bad)
	if code != 1 {
		t.Errorf("config validate on a bad file exited %d, want 1\n%s", code, out)
	}
	loc := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(bad) + `:(\d+):(\d+): `)
	locs := loc.FindAllStringSubmatch(out, -1)
	lines := map[string]bool{}
	for _, l := range locs {
		lines[l[1]] = true
	}
	if len(locs) < 6 || len(lines) < 5 {
		t.Errorf("want at least 6 problems on at least 5 lines, each as %s:LINE:COL; got %d on %d lines:\n%s", bad, len(locs), len(lines), out)
	}
	for _, want := range []string{"colour", "carrier-pigeon", "ftp", "loud"} {
		if !strings.Contains(out, want) {
			t.Errorf("no problem mentions %q:\n%s", want, out)
		}
	}

	out, code = run(good)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("config validate on a good file: exit %d\n%s", code, out)
	}

	// Files the configuration names are loaded too: both broken manifests
	// and the missing policy are reported, not just the first.
	os.WriteFile(filepath.Join(dir, "a.manifest.yaml"), []byte("tools:\n  echo:\n    risk: sneaky\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "b.manifest.yaml"), []byte("tools:\n  echo:\n    risk: read\n    guards: {x: {teleport: {}}}\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "c.manifest.yaml"), []byte("tools:\n  echo:\n    risk: read\n    guards: {q: {sql: {mode: write_everything}}}\n"), 0o600)
	refs := filepath.Join(dir, "refs.yaml")
	os.WriteFile(refs, []byte("policy: missing.cel\nservers:\n"+
		stdioServerYAML(t, "a")+"    manifest: a.manifest.yaml\n"+
		stdioServerYAML(t, "b")+"    manifest: b.manifest.yaml\n"+
		stdioServerYAML(t, "c")+"    manifest: c.manifest.yaml\n"), 0o600)
	out, code = run(refs)
	if code != 1 {
		t.Errorf("config validate with broken manifests exited %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"server a", "sneaky", "server b", "teleport", "missing.cel", "server c", "tools.echo.guards.q.sql", "write_everything"} {
		if !strings.Contains(out, want) {
			t.Errorf("config validate with broken referenced files does not mention %q:\n%s", want, out)
		}
	}

	// serve refuses the bad file at start, with the same report.
	cmd := exec.Command(gatewayBin, "serve", "-c", bad)
	var sout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &sout, &sout
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !loc.MatchString(sout.String()) {
		t.Errorf("serve -c bad.yaml: %v\n%s", err, sout.String())
	}
}

// TestManifestReload: a changed manifest (or policy) reloads serve without
// the configuration file changing: what `manifest approve` writes takes
// effect at once.
func TestManifestReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	man := filepath.Join(dir, "e.manifest.yaml")
	os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: read}\n"), 0o644)
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "e")+"    manifest: "+man+"\n")
	if got := toolNames(t, g.URL); !slices.Equal(got, []string{"test_simple_text"}) {
		t.Fatalf("tools/list = %v, want only the declared test_simple_text", got)
	}
	os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: read}\n  test_image_content: {risk: read}\n"), 0o644)
	var got []string
	if !waitFor(10*time.Second, func() bool {
		got = toolNames(t, g.URL)
		slices.Sort(got)
		return slices.Equal(got, []string{"test_image_content", "test_simple_text"})
	}) {
		t.Fatalf("10s after the manifest gained a tool, tools/list = %v", got)
	}
	// A broken manifest keeps the running configuration.
	os.WriteFile(man, []byte("tools:\n  test_simple_text: {risk: sneaky}\n"), 0o644)
	if !waitFor(10*time.Second, func() bool { return strings.Contains(g.Stderr.String(), "sneaky") }) {
		t.Fatalf("the broken manifest was not reported:\n%s", tail(g.Stderr.String(), 2000))
	}
	got = toolNames(t, g.URL)
	slices.Sort(got)
	if !slices.Equal(got, []string{"test_image_content", "test_simple_text"}) {
		t.Errorf("after a broken manifest tools/list = %v, want the running configuration kept", got)
	}
}
