package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// Two `mcpwarden serve` replicas write one audit chain in PostgreSQL under
// load; one is killed with SIGKILL mid-stream. Every call a client saw
// answered, by either, has exactly one record, and the chain verifies with
// the public key alone.
func TestAuditPostgresReplicas(t *testing.T) {
	store, _, _ := pgAuditStore(t)

	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	if _, err := auditCLI(t, "keygen", key); err != nil {
		t.Fatal(err)
	}
	// The first replica also feeds a JSON Lines sink from the chain (its
	// cursor goes to the state directory, here a temporary one).
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	sinkPath := filepath.Join(dir, "audit.jsonl")
	cfg := fmt.Sprintf("audit:\n  store: %q\n  key_file: %s\n  checkpoint_every: 500\n%%sservers:\n%s", store, key, stdioServerYAML(t, "ev"))
	g1 := startServe(t, fmt.Sprintf(cfg, "  sinks:\n    - {type: jsonl, path: "+sinkPath+"}\n"))
	g2 := startServe(t, fmt.Sprintf(cfg, ""))

	type ack struct{ session, id string }
	var (
		mu    sync.Mutex
		acked []ack
		wg    sync.WaitGroup
	)
	hc := &http.Client{Timeout: 10 * time.Second}
	load := func(g *gateway, base int, stop *atomic.Bool) {
		c := newRawClient(t, g.URL)
		c.initialize()
		sid := c.sid
		wg.Go(func() {
			for i := 1; !stop.Load(); i++ {
				id := fmt.Sprintf("%d", base+i)
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
	var stop1, stop2 atomic.Bool
	for w := range 6 {
		load(g1, w*1_000_000, &stop1)
		load(g2, (10+w)*1_000_000, &stop2)
	}
	time.Sleep(2 * time.Second)
	g2.Kill()
	stop2.Store(true)
	time.Sleep(time.Second)
	stop1.Store(true)
	wg.Wait()
	g1.Stop()
	if len(acked) < 100 {
		t.Fatalf("only %d calls answered; stderr:\n%s\n%s", len(acked), tail(g1.Stderr.String(), 2000), tail(g2.Stderr.String(), 2000))
	}

	vout, err := auditCLI(t, "verify", "--store", store, "--pubkey", key+".pub")
	if err != nil || !strings.HasPrefix(vout, "OK: ") {
		t.Fatalf("verify: %v\n%s", err, vout)
	}
	out, err := auditCLI(t, "query", "--store", store, "--json", "--tool", "test_simple_text")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[ack]int{}
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
		stored[ack{r.Session, r.RPCID}]++
	}
	missing, from2 := 0, 0
	for _, a := range acked {
		if stored[a] == 0 {
			missing++
			if missing <= 5 {
				t.Errorf("answered call session %s id %s has no record", a.session, a.id)
			}
		}
		if len(a.id) == 8 { // ids of the second replica's sessions start at 10,000,001
			from2++
		}
	}
	for a, n := range stored {
		if n > 1 {
			t.Errorf("call session %s id %s recorded %d times", a.session, a.id, n)
		}
	}
	if from2 == 0 || from2 == len(acked) {
		t.Fatalf("the load did not reach both replicas (%d of %d through the second)", from2, len(acked))
	}
	// The sink got the whole chain, both replicas' records, each once.
	sunk, err := os.ReadFile(sinkPath)
	if err != nil {
		t.Fatal(err)
	}
	var total int
	fmt.Sscanf(vout, "OK: %d records", &total)
	seen := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(sunk)), "\n") {
		var r struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(line), &r)
		seen[r.ID] = true
	}
	if len(seen) != total || total == 0 {
		t.Errorf("the sink holds %d distinct records of %d", len(seen), total)
	}
	t.Logf("%d calls answered (%d by the replica killed with -9), %d tools/call records, %d missing; %s",
		len(acked), from2, len(stored), missing, strings.SplitN(vout, "\n", 2)[0])
}

// pgAuditStore makes a schema of its own for a test's chain in the local
// PostgreSQL (or MCPWARDEN_TEST_PG) and drops it afterwards.
func pgAuditStore(t *testing.T) (store, schema string, admin *pgx.Conn) {
	t.Helper()
	dsn, schema, admin := testpeers.PostgresSchema(t, "audit_e2e_")
	return "postgres:" + dsn, schema, admin
}

// fail_closed through the gateway, as for SQLite: once inserts into the
// chain fail, the next call is refused with audit.unavailable; when the
// database takes inserts again, calls are answered and recorded.
func TestAuditPostgresFailClosed(t *testing.T) {
	store, schema, pc := pgAuditStore(t)
	key := filepath.Join(t.TempDir(), "audit.key")
	if _, err := auditCLI(t, "keygen", key); err != nil {
		t.Fatal(err)
	}
	g := startServe(t, fmt.Sprintf("audit:\n  store: %q\n  key_file: %s\nservers:\n%s", store, key, stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	call := func() rpcMsg {
		return c.call("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}})
	}
	if m := call(); m.Error != nil {
		t.Fatalf("call with a working store: %+v", m.Error)
	}
	ctx := context.Background()
	for _, q := range []string{
		"CREATE FUNCTION " + schema + ".broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$",
		"CREATE TRIGGER broken BEFORE INSERT ON " + schema + ".records FOR EACH ROW EXECUTE FUNCTION " + schema + ".broken()",
	} {
		if _, err := pc.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if m := call(); m.Error == nil || !strings.Contains(string(m.Error.Data), "audit.unavailable") {
		t.Fatalf("call with inserts failing: %+v", m)
	}
	if _, err := pc.Exec(ctx, "DROP TRIGGER broken ON "+schema+".records"); err != nil {
		t.Fatal(err)
	}
	if m := call(); m.Error != nil {
		t.Fatalf("call once the store works again: %+v", m.Error)
	}
	g.Stop()
	if out, err := auditCLI(t, "verify", "--store", store, "--pubkey", key+".pub"); err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
}
