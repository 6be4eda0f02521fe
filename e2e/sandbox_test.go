package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

var (
	probeOnce sync.Once
	probeBin  string
	probeErr  error
)

// sandboxProbe builds testdata/sandboxprobe, a stdio MCP server whose
// probe tool reports what it can see and do from inside.
func sandboxProbe(t testing.TB) string {
	t.Helper()
	probeOnce.Do(func() {
		// Beside the gateway binary: TestMain removes the directory.
		probeBin = filepath.Join(filepath.Dir(gatewayBin), "sandboxprobe")
		out, err := exec.Command("go", "build", "-o", probeBin, "./testdata/sandboxprobe").CombinedOutput()
		if err != nil {
			probeErr = fmt.Errorf("build sandboxprobe: %v\n%s", err, out)
		}
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probeBin
}

// requireSandbox skips when this machine cannot give the full sandbox;
// mcpwarden doctor says why.
func requireSandbox(t testing.TB) {
	t.Helper()
	out, err := exec.Command(gatewayBin, "doctor").CombinedOutput()
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && (f[0] == "namespaces" || f[0] == "landlock" || f[0] == "seccomp") && f[1] != "yes" {
			t.Skipf("machine lacks %s:\n%s", f[0], out)
		}
	}
}

// stdioRun is mcpwarden run with a line-oriented client on its stdio.
type stdioRun struct {
	t      testing.TB
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Scanner
	stderr *syncBuffer
	next   int
}

func startSandboxRun(t testing.TB, env []string, args ...string) *stdioRun {
	t.Helper()
	cmd := exec.Command(gatewayBin, append([]string{"run", "--log-level", "info"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &stdioRun{t: t, cmd: cmd, in: in, out: bufio.NewScanner(out), stderr: &syncBuffer{}}
	r.out.Buffer(make([]byte, 1<<20), 16<<20)
	cmd.Stderr = r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("mcpwarden run stderr:\n%s", tail(r.stderr.String(), 6000))
		}
	})
	return r
}

// call sends one request and returns its result (or error) member.
func (r *stdioRun) call(method string, params any) (json.RawMessage, error) {
	r.t.Helper()
	r.next++
	id := r.next
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if _, err := r.in.Write(append(req, '\n')); err != nil {
		return nil, err
	}
	type lineResult struct {
		line []byte
		ok   bool
	}
	ch := make(chan lineResult, 1)
	go func() {
		for r.out.Scan() {
			var m struct {
				ID     json.RawMessage `json:"id"`
				Result json.RawMessage `json:"result"`
				Error  json.RawMessage `json:"error"`
			}
			if json.Unmarshal(r.out.Bytes(), &m) == nil && string(m.ID) == strconv.Itoa(id) {
				ch <- lineResult{append([]byte(nil), r.out.Bytes()...), true}
				return
			}
		}
		ch <- lineResult{}
	}()
	select {
	case lr := <-ch:
		if !lr.ok {
			return nil, fmt.Errorf("%s: gateway closed its output", method)
		}
		var m struct {
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		json.Unmarshal(lr.line, &m)
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error)
		}
		return m.Result, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("%s: no answer in 60s", method)
	}
}

func (r *stdioRun) initialize() {
	r.t.Helper()
	if _, err := r.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "e2e", "version": "1"}}); err != nil {
		r.t.Fatalf("initialize: %v", err)
	}
	r.in.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"))
}

// tool calls a tool and returns the text of its first content item.
func (r *stdioRun) tool(name string, args map[string]any) string {
	r.t.Helper()
	res, err := r.call("tools/call", map[string]any{"name": name, "arguments": args})
	if err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	var tr struct {
		Content []struct{ Text string } `json:"content"`
		IsError bool                    `json:"isError"`
	}
	if err := json.Unmarshal(res, &tr); err != nil || len(tr.Content) == 0 {
		r.t.Fatalf("%s: bad result %s", name, res)
	}
	if tr.IsError {
		return "error: " + tr.Content[0].Text
	}
	return tr.Content[0].Text
}

func (r *stdioRun) probe(op string, kv ...string) string {
	r.t.Helper()
	args := map[string]any{"op": op}
	for i := 0; i+1 < len(kv); i += 2 {
		args[kv[i]] = kv[i+1]
	}
	return r.tool("probe", args)
}

// TestSandboxConfines runs the probe server under the default sandbox
// and checks, from inside, each thing the sandbox promises.
func TestSandboxConfines(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	probe := sandboxProbe(t)

	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "planted-secret")
	if err := os.WriteFile(secret, []byte("TOPSECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	writable := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	// The gateway's own config sits in the writable dir: it is masked.
	cfgPath := filepath.Join(writable, "mcpwarden.yaml")
	if err := os.WriteFile(cfgPath, []byte("log: {level: info}\n# CONFIG-SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startSandboxRun(t, []string{"MCPWARDEN_E2E_GATEWAY_SECRET=gw-s3cret"}, "-c", cfgPath, "--writable", writable, "--", probe)
	r.initialize()
	gw := r.cmd.Process.Pid

	t.Run("host pids invisible", func(t *testing.T) {
		pids := strings.Split(r.probe("pids"), ",")
		if len(pids) > 3 {
			t.Errorf("sees %d processes: %v", len(pids), pids)
		}
		for _, p := range pids {
			if p == strconv.Itoa(gw) || p == strconv.Itoa(os.Getpid()) {
				t.Errorf("sees host pid %s", p)
			}
		}
	})
	t.Run("gateway environ unreadable", func(t *testing.T) {
		got := r.probe("read", "path", fmt.Sprintf("/proc/%d/environ", gw))
		if strings.Contains(got, "gw-s3cret") || !strings.HasPrefix(got, "error:") {
			t.Errorf("read gateway environ: %.200s", got)
		}
		if env := r.probe("env"); strings.Contains(env, "gw-s3cret") {
			t.Errorf("server environment has the gateway's secret:\n%s", env)
		}
	})
	t.Run("gateway config masked", func(t *testing.T) {
		if got := r.probe("read", "path", cfgPath); strings.Contains(got, "CONFIG-SECRET") {
			t.Errorf("read the gateway's config: %.200s", got)
		}
	})
	t.Run("planted secret unreadable", func(t *testing.T) {
		if got := r.probe("read", "path", secret); !strings.HasPrefix(got, "error:") {
			t.Errorf("read %s: %.200s", secret, got)
		}
		if got := r.probe("read", "path", "/etc/shadow"); !strings.HasPrefix(got, "error:") {
			t.Errorf("read /etc/shadow: %.80s", got)
		}
	})
	t.Run("host loopback unreachable", func(t *testing.T) {
		if got := r.probe("connect", "addr", ln.Addr().String()); !strings.HasPrefix(got, "error:") {
			t.Errorf("connect to host listener %s: %s", ln.Addr(), got)
		}
	})
	t.Run("writes only in declared dirs", func(t *testing.T) {
		if got := r.probe("write", "path", filepath.Join(writable, "ok")); got != "ok" {
			t.Errorf("write in declared dir: %s", got)
		}
		if _, err := os.Stat(filepath.Join(writable, "ok")); err != nil {
			t.Errorf("write in declared dir did not reach the host: %v", err)
		}
		for _, p := range []string{filepath.Join(secretDir, "x"), "/usr/x", "/x", "/etc/x"} {
			if got := r.probe("write", "path", p); !strings.HasPrefix(got, "error:") {
				t.Errorf("write %s: %s", p, got)
			}
		}
		// Beside the server's own executable (under the host's /tmp here)
		// a write lands in the private /tmp, never on the host.
		beside := filepath.Join(filepath.Dir(probe), "beside")
		r.probe("write", "path", beside)
		if _, err := os.Stat(beside); err == nil {
			t.Errorf("write beside the executable reached the host")
		}
		if got := r.probe("write", "path", "/tmp/scratch"); got != "ok" {
			t.Errorf("write private /tmp: %s", got)
		}
	})
	t.Run("privileges", func(t *testing.T) {
		st := r.probe("status")
		for _, want := range []string{"CapEff:\t0000000000000000", "CapBnd:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"} {
			if !strings.Contains(st, want) {
				t.Errorf("status lacks %q:\n%s", want, st)
			}
		}
		for _, op := range []string{"unshare", "mount"} {
			if got := r.probe(op); !strings.HasPrefix(got, "error:") {
				t.Errorf("%s: %s", op, got)
			}
		}
	})
	t.Run("fork bomb contained", func(t *testing.T) {
		got := r.probe("forkbomb")
		if !strings.Contains(got, "resource temporarily unavailable") {
			t.Errorf("fork bomb: %s", got)
		}
		t.Log(got)
	})
	t.Run("memory hog contained", func(t *testing.T) {
		got := r.probe("hog")
		if !strings.Contains(got, "exit status") {
			t.Errorf("hog: %s", got)
		}
		t.Log(got)
	})
	// The gateway is unharmed and the server still answers.
	if got := r.probe("pids"); got == "" {
		t.Error("probe stopped answering after the fork bomb and the hog")
	}
}

// TestSandboxDiesWithGateway kills the gateway and expects every process
// of the sandbox to go with it.
func TestSandboxDiesWithGateway(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	r := startSandboxRun(t, nil, "--", sandboxProbe(t))
	r.initialize()
	kids := descendants(r.cmd.Process.Pid)
	if len(kids) == 0 {
		t.Fatal("no server process under the gateway")
	}
	r.cmd.Process.Signal(syscall.SIGKILL)
	assertGone(t, "after SIGKILL of the gateway", kids, 5*time.Second)
}

// TestSandboxRefusesMissingProtection runs the gateway where it cannot
// create user namespaces (inside one whose user.max_user_namespaces is 0):
// the server does not start, the reason is logged, and allow_degraded
// starts it anyway with the degradation logged.
func TestSandboxRefusesMissingProtection(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare(1)")
	}
	probe := sandboxProbe(t)
	noUserns := func(args ...string) *stdioRun {
		script := `echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"`
		argv := append([]string{"-U", "-r", "sh", "-c", script, "sh", gatewayBin, "run", "--log-level", "info"}, args...)
		r := &stdioRun{t: t, stderr: &syncBuffer{}}
		r.cmd = exec.Command("unshare", argv...)
		var err error
		if r.in, err = r.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		out, err := r.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		r.out = bufio.NewScanner(out)
		r.out.Buffer(make([]byte, 1<<20), 16<<20)
		r.cmd.Stderr = r.stderr
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			r.in.Close()
			r.cmd.Wait()
			if t.Failed() {
				t.Logf("stderr:\n%s", tail(r.stderr.String(), 4000))
			}
		})
		return r
	}
	r := noUserns("--", probe)
	_, err := r.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "e2e", "version": "1"}})
	if err == nil {
		t.Fatal("server started without the namespaces it asked for")
	}
	if !waitFor(5*time.Second, func() bool {
		return strings.Contains(r.stderr.String(), "namespaces") && strings.Contains(r.stderr.String(), "allow_degraded")
	}) {
		t.Errorf("no reason logged:\n%s", r.stderr.String())
	}
	if !waitFor(5*time.Second, func() bool {
		return strings.Contains(r.stderr.String(), `"method":"sandbox/refused"`) && strings.Contains(r.stderr.String(), `"rule":"sandbox.unavailable"`)
	}) {
		t.Errorf("refusal not audited:\n%s", r.stderr.String())
	}

	r = noUserns("--allow-degraded", "namespaces", "--allow-degraded", "cgroup", "--", probe)
	r.initialize()
	if got := r.probe("status"); !strings.Contains(got, "Seccomp:\t2") || !strings.Contains(got, "NoNewPrivs:\t1") {
		t.Errorf("degraded server lost its other protections:\n%s", got)
	}
	if !strings.Contains(r.stderr.String(), "sandbox degraded") {
		t.Errorf("degradation not logged:\n%s", r.stderr.String())
	}
	if !waitFor(5*time.Second, func() bool { return strings.Contains(r.stderr.String(), `"method":"sandbox/degraded"`) }) {
		t.Errorf("degradation not audited:\n%s", r.stderr.String())
	}
}

// TestSandboxOffAudited: a server started with the sandbox off leaves a
// record in the audit store, not only a log line.
func TestSandboxOffAudited(t *testing.T) {
	t.Parallel()
	store := "sqlite:" + filepath.Join(t.TempDir(), "audit.db")
	r := startSandboxRun(t, nil, "--sandbox", "off", "--audit", store, "--", testpeers.EverythingServer(t))
	r.initialize()
	r.in.Close()
	r.cmd.Wait()
	out, errOut, code := mcpwarden(t, "audit", "query", "--store", store, "--json")
	if code != 0 || !strings.Contains(out, `"method":"sandbox/off"`) || !strings.Contains(out, `"server":"everything-serve`) {
		t.Errorf("audit query: exit %d\n%s%s", code, out, errOut)
	}
}

// TestSandboxEgress: with network.allow the server reaches a listed name
// through the gateway's proxy, and nothing else.
func TestSandboxEgress(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	probe := sandboxProbe(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello through the proxy")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	// Local names resolve to 127.0.0.1, which the SSRF check refuses
	// unless the test knob lets private addresses through.
	r := startSandboxRun(t, []string{"MCPWARDEN_EGRESS_ALLOW_PRIVATE=1"}, "--allow-net", "localhost:"+port, "--", probe)
	r.initialize()
	if got := r.probe("tunnel", "target", "localhost:"+port); !strings.Contains(got, "hello through the proxy") {
		t.Errorf("allowed name: %s", got)
	}
	for _, target := range []string{"127.0.0.1:" + port, "example.com:443", "localhost:22"} {
		if got := r.probe("tunnel", "target", target); !strings.HasPrefix(got, "refused: HTTP/1.1 403") {
			t.Errorf("%s: %s", target, got)
		}
	}
	if got := r.probe("connect", "addr", "127.0.0.1:"+port); !strings.HasPrefix(got, "error:") {
		t.Errorf("direct connection past the proxy: %s", got)
	}

	r = startSandboxRun(t, nil, "--allow-net", "localhost:"+port, "--", probe)
	r.initialize()
	if got := r.probe("tunnel", "target", "localhost:"+port); !strings.HasPrefix(got, "refused: HTTP/1.1 403") {
		t.Errorf("loopback address through the proxy without the test knob: %s", got)
	}
}

// TestSandboxNpx: the everyday launch, npx -y downloading the server on
// first use, works in the node profile with only the registry reachable.
// It needs the public npm registry and skips without it.
func TestSandboxNpx(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get("https://registry.npmjs.org/@modelcontextprotocol%2fserver-filesystem")
	if err != nil {
		t.Skipf("npm registry unreachable: %v", err)
	}
	resp.Body.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("via npx"), 0o644)
	// The everyday launch with no sandbox flags: the gateway picks the node
	// profile, the registry and DIR as writable from the command itself.
	r := startSandboxRun(t, nil, "--", "npx", "-y", "@modelcontextprotocol/server-filesystem", dir)
	r.initialize()
	if got := r.tool("read_text_file", map[string]any{"path": filepath.Join(dir, "a.txt")}); !strings.Contains(got, "via npx") {
		t.Errorf("read_text_file: %q", got)
	}
	if got := r.tool("write_file", map[string]any{"path": filepath.Join(dir, "b.txt"), "content": "from the sandbox"}); strings.HasPrefix(got, "error:") {
		t.Errorf("write_file: %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b.txt")); err != nil || string(b) != "from the sandbox" {
		t.Errorf("the write did not reach the host directory: %q %v", b, err)
	}
	if !strings.Contains(r.stderr.String(), `"msg":"sandbox egress","server":"npx","target":"registry.npmjs.org:443"`) {
		t.Errorf("registry traffic not through the proxy:\n%s", tail(r.stderr.String(), 3000))
	}
}

// TestSandboxRealServers: the everyday servers work under their profiles.
func TestSandboxRealServers(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	t.Run("everything-server strict", func(t *testing.T) {
		t.Parallel()
		r := startSandboxRun(t, nil, "--", testpeers.EverythingServer(t))
		r.initialize()
		if got := r.tool("test_simple_text", map[string]any{}); got == "" || strings.HasPrefix(got, "error:") {
			t.Errorf("test_simple_text: %q", got)
		}
	})
	t.Run("server-filesystem node", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello from the host"), 0o644)
		outside := t.TempDir()
		os.WriteFile(filepath.Join(outside, "b.txt"), []byte("outside"), 0o644)
		r := startSandboxRun(t, nil, append([]string{"--sandbox", "node", "--writable", dir, "--"}, testpeers.ServerFilesystemCmd(t, dir)...)...)
		r.initialize()
		if got := r.tool("read_text_file", map[string]any{"path": filepath.Join(dir, "a.txt")}); !strings.Contains(got, "hello from the host") {
			t.Errorf("read_text_file: %q", got)
		}
		if got := r.tool("write_file", map[string]any{"path": filepath.Join(dir, "new.txt"), "content": "written inside"}); strings.HasPrefix(got, "error:") {
			t.Errorf("write_file: %q", got)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "new.txt")); string(b) != "written inside" {
			t.Errorf("host sees %q", b)
		}
		if got := r.tool("read_text_file", map[string]any{"path": filepath.Join(outside, "b.txt")}); !strings.HasPrefix(got, "error:") {
			t.Errorf("read outside: %q", got)
		}
	})
	t.Run("server-memory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		cfg := filepath.Join(t.TempDir(), "run.yaml")
		os.WriteFile(cfg, []byte("log: {level: info}\n"), 0o644)
		r := startSandboxRun(t, []string{"MEMORY_FILE_PATH=" + filepath.Join(dir, "memory.jsonl")},
			append([]string{"--sandbox", "node", "--writable", dir, "--"}, testpeers.ServerMemoryCmd(t)...)...)
		r.initialize()
		// MEMORY_FILE_PATH is the gateway's: a sandboxed server does not
		// see it, so the store goes to its package dir, which is read-only.
		got := r.tool("create_entities", map[string]any{"entities": []any{map[string]any{"name": "a", "entityType": "t", "observations": []string{"x"}}}})
		if !strings.Contains(got, "read-only") {
			t.Errorf("create_entities without a writable store: %q", got)
		}
	})
	t.Run("server-memory via serve", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		mem := testpeers.ServerMemoryCmd(t)
		g := startServe(t, fmt.Sprintf("servers:\n  memory:\n    command: [%q, %q]\n    env: {MEMORY_FILE_PATH: %q}\n    sandbox: {profile: node, writable: [%q]}\n",
			mem[0], mem[1], filepath.Join(dir, "memory.jsonl"), dir))
		s := sdkSession(t, g.URL)
		res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "create_entities", Arguments: map[string]any{
			"entities": []any{map[string]any{"name": "a", "entityType": "t", "observations": []string{"x"}}}}})
		if err != nil || res.IsError {
			t.Fatalf("create_entities: %v %+v", err, res)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "memory.jsonl")); err != nil || !strings.Contains(string(b), `"name":"a"`) {
			t.Errorf("memory file on the host: %q %v", b, err)
		}
	})
}

func sdkSession(t testing.TB, url string) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil)
	s, err := c.Connect(ctxT(t, 30*time.Second), &mcp.StreamableClientTransport{Endpoint: url}, nil)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSandboxServeDefault: through serve, a stdio server is sandboxed
// unless its config says sandbox: off.
func TestSandboxServeDefault(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	probe := sandboxProbe(t)
	g := startServe(t, fmt.Sprintf("servers:\n  boxed:\n    command: [%q]\n  open:\n    command: [%q]\n    sandbox: off\n", probe, probe))
	s := sdkSession(t, g.URL)
	pids := func(tool string) int {
		res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"op": "pids"}})
		if err != nil || len(res.Content) == 0 {
			t.Fatalf("%s: %v", tool, err)
		}
		return len(strings.Split(res.Content[0].(*mcp.TextContent).Text, ","))
	}
	if n := pids("boxed__probe"); n > 3 {
		t.Errorf("default server sees %d pids", n)
	}
	if n := pids("open__probe"); n < 10 {
		t.Errorf("sandbox: off server sees only %d pids", n)
	}
	if !strings.Contains(g.Stderr.String(), "sandbox is off") {
		t.Error("sandbox: off not logged")
	}
}

// BenchmarkSandboxSpawn measures a server start through mcpwarden run, to
// the initialize answer, sandboxed and plain; start-ms is the time to the
// answer alone, without the gateway's exit, min-start-ms the fastest
// start. The overhead sub-benchmark alternates a plain and a sandboxed
// start so that both see the same load on a shared machine, and reports
// the medians and the median of the per-pair differences (overhead-ms).
func BenchmarkSandboxSpawn(b *testing.B) {
	probe := sandboxProbe(b)
	start := func(b *testing.B, mode string) time.Duration {
		t0 := time.Now()
		r := startSandboxRun(b, nil, "--sandbox", mode, "--", probe)
		r.initialize()
		d := time.Since(t0)
		r.in.Close()
		r.cmd.Wait()
		return d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, mode := range []string{"off", "strict"} {
		b.Run(mode, func(b *testing.B) {
			var sum time.Duration
			best := time.Hour
			for b.Loop() {
				d := start(b, mode)
				sum += d
				best = min(best, d)
			}
			b.ReportMetric(ms(sum)/float64(b.N), "start-ms")
			b.ReportMetric(ms(best), "min-start-ms")
		})
	}
	b.Run("overhead", func(b *testing.B) {
		var off, boxed, diff []time.Duration
		for b.Loop() {
			o, s := start(b, "off"), start(b, "strict")
			off, boxed, diff = append(off, o), append(boxed, s), append(diff, s-o)
		}
		median := func(ds []time.Duration) float64 {
			slices.Sort(ds)
			return ms(ds[len(ds)/2])
		}
		b.ReportMetric(median(off), "off-ms")
		b.ReportMetric(median(boxed), "strict-ms")
		b.ReportMetric(median(diff), "overhead-ms")
	})
}
