package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// auditCLI runs `mcpwarden audit ARGS...` and returns its stdout.
func auditCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(gatewayBin, append([]string{"audit"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%v: %s%s", err, out.String(), errb.String())
	}
	return out.String(), err
}

// Under load, kill -9 the gateway: every call the client saw answered has
// its record, and the chain and tree verify.
func TestAuditCrashLosesNoAcknowledgedRecord(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if _, err := auditCLI(t, "keygen", key); err != nil {
		t.Fatal(err)
	}
	store := "sqlite:" + filepath.Join(dir, "audit.db")
	cfg := fmt.Sprintf("audit:\n  store: %s\n  key_file: %s\n  checkpoint_every: 500\nservers:\n%s", store, key, stdioServerYAML(t, "ev"))
	g := startServe(t, cfg)

	const workers = 16
	type ack struct{ session, id string }
	var (
		mu    sync.Mutex
		acked []ack
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	hc := &http.Client{Timeout: 10 * time.Second}
	for w := range workers {
		c := newRawClient(t, g.URL)
		c.initialize()
		sid := c.sid
		wg.Go(func() {
			for i := 1; !stop.Load(); i++ {
				id := fmt.Sprintf("%d", w*1_000_000+i)
				body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"n":%d}}}`, id, i)
				req, _ := http.NewRequest(http.MethodPost, g.URL, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				req.Header.Set("Mcp-Session-Id", sid)
				req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
				resp, err := hc.Do(req)
				if err != nil {
					return // the gateway is gone
				}
				var buf bytes.Buffer
				_, err = buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					return
				}
				if bytes.Contains(buf.Bytes(), []byte(`"result"`)) && bytes.Contains(buf.Bytes(), []byte(`"id":`+id)) {
					mu.Lock()
					acked = append(acked, ack{sid, id})
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(3 * time.Second)
	g.Kill()
	stop.Store(true)
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d calls answered before the kill; stderr:\n%s", len(acked), tail(g.Stderr.String(), 3000))
	}
	// Records acknowledged but not yet in SQLite are in the dead
	// gateway's journal: the next start replays them before serving.
	journals, _ := filepath.Glob(filepath.Join(dir, "audit.db.journal-*"))
	if out, err := auditCLI(t, "query", "--store", store, "--json", "--tool", "test_simple_text"); err == nil {
		t.Logf("at the kill: %d tools/call records in SQLite, %d journal file(s)", strings.Count(out, "\n"), len(journals))
	}
	g2 := startServe(t, cfg)
	g2.Stop()
	if left, _ := filepath.Glob(filepath.Join(dir, "audit.db.journal-*")); len(left) != 0 {
		t.Fatalf("journals left after a restart: %v", left)
	}

	out, err := auditCLI(t, "query", "--store", store, "--json", "--tool", "test_simple_text")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[ack]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Session string `json:"session"`
			RPCID   string `json:"rpc_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("query output %q: %v", sc.Text(), err)
		}
		stored[ack{r.Session, r.RPCID}] = true
	}
	missing := 0
	for _, a := range acked {
		if !stored[a] {
			missing++
			if missing <= 5 {
				t.Errorf("answered call session %s id %s has no record", a.session, a.id)
			}
		}
	}
	t.Logf("%d calls answered before kill -9, %d tools/call records stored, %d missing", len(acked), len(stored), missing)

	vout, err := auditCLI(t, "verify", "--store", store, "--pubkey", key+".pub")
	if err != nil {
		t.Fatalf("verify after kill -9: %v", err)
	}
	t.Log(strings.TrimSpace(vout))

	// An export verifies offline with the public key alone.
	bundle := filepath.Join(dir, "bundle.jsonl")
	if _, err := auditCLI(t, "export", "--store", store, "-o", bundle); err != nil {
		t.Fatal(err)
	}
	if out, err := auditCLI(t, "verify", "--bundle", bundle, "--pubkey", key+".pub"); err != nil || !strings.HasPrefix(out, "OK") {
		t.Fatalf("bundle verify: %s %v", out, err)
	}
}

// A store that cannot be written refuses calls (fail_closed) with the
// audit.unavailable rule instead of answering them unrecorded.
func TestAuditFailClosed(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if _, err := auditCLI(t, "keygen", key); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "audit.db")
	g := startServe(t, fmt.Sprintf("audit:\n  store: sqlite:%s\n  key_file: %s\nservers:\n%s", dbPath, key, stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	if m := c.call("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}}); m.Error != nil {
		t.Fatalf("call with a working store: %+v", m.Error)
	}
	// Break the store underneath the gateway: a trigger that rejects inserts.
	db := exec.Command("sqlite3", dbPath, "CREATE TRIGGER broken BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;")
	if out, err := db.CombinedOutput(); err != nil {
		t.Skipf("sqlite3 CLI not usable here (%v: %s)", err, out)
	}
	// A call's record is journaled before its answer and committed to
	// SQLite behind it, so the call that meets the broken store may still
	// be answered (its record is safe in the journal); once the commit
	// fails, calls are refused.
	for i := 0; ; i++ {
		m := c.call("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}})
		if m.Error != nil && strings.Contains(string(m.Error.Data), "audit.unavailable") {
			t.Logf("refused at call %d after the store broke", i+1)
			break
		}
		if m.Error != nil {
			t.Fatalf("unexpected error: %+v", m.Error)
		}
		if i == 100 {
			t.Fatalf("100 calls answered with a broken store")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A JSON Lines sink receives every record, fed from the store after the
// calls were answered.
func TestAuditJSONLSink(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "log", "audit.jsonl")
	g := startServe(t, fmt.Sprintf("audit:\n  store: sqlite:%s\n  sinks:\n    - {type: jsonl, path: %s}\nservers:\n%s",
		filepath.Join(dir, "audit.db"), out, stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	for range 20 {
		c.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}})
	}
	if !waitFor(10*time.Second, func() bool {
		b, _ := os.ReadFile(out)
		return bytes.Count(b, []byte(`"name":"test_simple_text"`)) == 20
	}) {
		b, _ := os.ReadFile(out)
		t.Fatalf("sink has:\n%s", tail(string(b), 2000))
	}
}
