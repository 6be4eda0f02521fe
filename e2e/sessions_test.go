package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// everythingKids returns the gateway's everything-server children.
func everythingKids(pid int) []proc {
	var out []proc
	for _, p := range children(pid) {
		if strings.HasPrefix(p.Comm, "everything-serv") { // comm is cut at 15 bytes
			out = append(out, p)
		}
	}
	return out
}

func diffProcs(after, before []proc) []proc {
	var out []proc
	for _, a := range after {
		found := false
		for _, b := range before {
			if a == b {
				found = true
			}
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}

// TestSessionIdleExpiry: a legacy session nobody uses expires after
// http.session_idle_timeout, answers 404 afterwards, and its stdio child
// is reaped; a session in use does not expire.
func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	g := startServe(t, "http:\n  session_idle_timeout: 2s\nservers:\n"+stdioServerYAML(t, "everything"))

	before := everythingKids(g.Pid())
	idle := newRawClient(t, g.URL)
	idle.initialize()
	var idleKids []proc
	waitFor(5*time.Second, func() bool {
		idleKids = diffProcs(everythingKids(g.Pid()), before)
		return len(idleKids) == 1
	})
	if len(idleKids) != 1 {
		t.Fatalf("want exactly one new everything-server child for the session, got %v", idleKids)
	}

	busy := newRawClient(t, g.URL)
	busy.initialize()
	start := time.Now()
	// Keep busy in use for longer than the timeout while idle sits idle.
	for time.Since(start) < 3500*time.Millisecond {
		if r := busy.post(`{"jsonrpc":"2.0","id":1,"method":"ping"}`, nil); r.Status != http.StatusOK {
			t.Fatalf("session in use expired after %s: %s", time.Since(start).Round(time.Millisecond), r)
		}
		time.Sleep(400 * time.Millisecond)
	}
	var r rawResp
	if !waitFor(5*time.Second, func() bool {
		r = idle.post(`{"jsonrpc":"2.0","id":2,"method":"ping"}`, nil)
		return r.Status == http.StatusNotFound
	}) {
		t.Fatalf("idle session still answers %s after %s (timeout 2s)", r, time.Since(start).Round(time.Millisecond))
	}
	if !strings.Contains(g.Stderr.String(), "session expired") {
		t.Errorf("no \"session expired\" log line")
	}
	assertGone(t, "after the idle session expired", idleKids, 5*time.Second)
	// The busy session still works and kept its child.
	if r := busy.post(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"test_simple_text","arguments":{}}}`, nil); r.Status != http.StatusOK {
		t.Errorf("busy session after the idle one expired: %s", r)
	}
}

// TestSIGKILLLeavesNoOrphans: children of a gateway that is SIGKILLed die
// with it (Pdeathsig), for serve (session and pooled children) and run.
func TestSIGKILLLeavesNoOrphans(t *testing.T) {
	t.Parallel()
	t.Run("serve", func(t *testing.T) {
		t.Parallel()
		g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
		c := newRawClient(t, g.URL)
		c.initialize() // a session child
		m := newRawClient(t, g.URL)
		if r := m.modernCall("tools/list", nil, ""); r.Status != http.StatusOK { // a pooled child
			t.Fatalf("modern tools/list: %s", r)
		}
		var kids []proc
		waitFor(5*time.Second, func() bool { kids = everythingKids(g.Pid()); return len(kids) >= 2 })
		if len(kids) < 2 {
			t.Fatalf("want a session child and a pooled child, got %v", kids)
		}
		g.Kill()
		assertGone(t, "after SIGKILL of mcpwarden serve", kids, 5*time.Second)
	})
	t.Run("run", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(gatewayBin, "run", "--", testpeers.EverythingServer(t))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		errb := &syncBuffer{}
		cmd.Stderr = errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		defer func() {
			_ = cmd.Process.Kill()
			<-done
			checkRace(t, "mcpwarden run", errb.String())
			if t.Failed() {
				t.Logf("mcpwarden run stderr:\n%s", errb.String())
			}
		}()
		io.WriteString(stdin, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`+"\n")
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || !strings.Contains(line, `"protocolVersion"`) {
			t.Fatalf("initialize through mcpwarden run: %q, %v", line, err)
		}
		kids := everythingKids(cmd.Process.Pid)
		if len(kids) != 1 {
			t.Fatalf("want one everything-server child of mcpwarden run, got %v", kids)
		}
		_ = cmd.Process.Kill()
		<-done
		assertGone(t, "after SIGKILL of mcpwarden run", kids, 5*time.Second)
	})
}

// TestRunAnswersBeforeEOF: requests piped into `mcpwarden run` followed by
// end of input (printf … | mcpwarden run -- server) are all answered, then
// the gateway exits on its own and leaves no child behind.
func TestRunAnswersBeforeEOF(t *testing.T) {
	t.Parallel()
	input := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_simple_text","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"eof"}}}`,
	}, "\n") + "\n"
	cmd := exec.Command(gatewayBin, "run", "--", testpeers.EverythingServer(t))
	cmd.Stdin = strings.NewReader(input)
	var out syncBuffer
	errb := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = &out, errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var kids []proc
	waitFor(5*time.Second, func() bool { kids = descendants(cmd.Process.Pid); return len(kids) > 0 })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("mcpwarden run exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("mcpwarden run did not exit within 20s of end of input; stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
	checkRace(t, "mcpwarden run", errb.String())
	got := out.String()
	for _, want := range []string{
		`"id":1,"result":{`,
		`"id":2,"result":{"content":[{"type":"text","text":"This is a simple text response for testing."}]}`,
		`"id":3,"result":{"content":[{"type":"text","text":"eof"}]}`,
		`"method":"notifications/progress"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stdout lacks %s", want)
		}
	}
	if strings.Contains(got, `"error"`) {
		t.Errorf("an error came back")
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", got, tail(errb.String(), 4000))
	}
	assertGone(t, "after mcpwarden run exited", kids, 5*time.Second)
}
