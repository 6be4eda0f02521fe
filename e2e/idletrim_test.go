package e2e

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// rssFileKiB is RssFile of pid from /proc/PID/status, or -1.
func rssFileKiB(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	m := regexp.MustCompile(`(?m)^RssFile:\s+(\d+) kB$`).FindSubmatch(data)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// TestIdleTrim leaves `run` idle past its idle trim (set to one second
// here): the gateway drops its mappings of its own executable, and then
// answers exactly as before, from code and data the kernel maps back.
func TestIdleTrim(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t, 60*time.Second)
	cmd := exec.Command(gatewayBin, "run", "--", testpeers.EverythingServer(t))
	cmd.Env = append(os.Environ(), "MCPWARDEN_IDLE_TRIM=1s")
	errb := &syncBuffer{}
	cmd.Stderr = errb
	t.Cleanup(func() {
		checkRace(t, "mcpwarden run", errb.String())
		if t.Failed() {
			t.Logf("gateway stderr:\n%s", tail(errb.String(), 4000))
		}
	})
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "idle", Version: "1"}, nil).
		Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 3 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	call := func() string {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text"})
		if err != nil || res.IsError || len(res.Content) != 1 {
			t.Fatalf("test_simple_text: %v %+v", err, res)
		}
		return res.Content[0].(*mcp.TextContent).Text
	}
	// Idle first, as a gateway waiting for its agent: it gives its pages
	// back before any call, and the first call (a few milliseconds of
	// CPU, too little for a busy second) maps them again.
	time.Sleep(2500 * time.Millisecond)
	first := call()
	busy := rssFileKiB(cmd.Process.Pid)
	if busy <= 0 {
		t.Skip("no RssFile in /proc")
	}
	// One second idle, sampled once a second: the trim comes within a few.
	var idle int64
	if !waitFor(20*time.Second, func() bool {
		idle = rssFileKiB(cmd.Process.Pid)
		return idle > 0 && idle < busy/2
	}) {
		t.Fatalf("RssFile %d KiB after the first call, %d KiB after idling: not released", busy, idle)
	}
	// Right after the trim: one call, a few milliseconds of CPU (too
	// little for a busy second), maps the pages back, and they go again.
	if again := call(); again != first {
		t.Fatalf("after the trim: %q, before: %q", again, first)
	}
	back := rssFileKiB(cmd.Process.Pid)
	var idle2 int64
	if !waitFor(20*time.Second, func() bool {
		idle2 = rssFileKiB(cmd.Process.Pid)
		return idle2 > 0 && idle2 < busy/2
	}) {
		t.Fatalf("RssFile %d KiB after a call in an idle gateway, %d KiB after idling again: not released", back, idle2)
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Fatalf("tools/list after the trims: %v", err)
	}
	t.Logf("RssFile %d KiB busy, %d KiB idle, %d KiB after a call, %d KiB idle again", busy, idle, back, idle2)
}
