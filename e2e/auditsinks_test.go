package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A webhook sink configured in serve receives every record in signed
// batches after the calls were answered.
func TestAuditWebhookSink(t *testing.T) {
	dir := t.TempDir()
	key := "e2e-webhook-key-0123456789abcdef0123"
	os.WriteFile(filepath.Join(dir, "hook.key"), []byte(key+"\n"), 0o600)
	var mu sync.Mutex
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(r.Header.Get("Mcpwarden-Timestamp") + "."))
		m.Write(body)
		if !hmac.Equal([]byte(r.Header.Get("Mcpwarden-Signature")), []byte("sha256="+hex.EncodeToString(m.Sum(nil)))) {
			t.Errorf("bad signature on %s", r.Header.Get("Mcpwarden-Batch"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		calls += bytes.Count(body, []byte(`"name":"test_simple_text"`))
		mu.Unlock()
	}))
	defer srv.Close()
	g := startServe(t, fmt.Sprintf("audit:\n  store: sqlite:%s\n  sinks:\n    - {type: webhook, url: %q, secret_file: %s}\nservers:\n%s",
		filepath.Join(dir, "audit.db"), srv.URL+"/audit", filepath.Join(dir, "hook.key"), stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	for range 12 {
		c.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{}})
	}
	if !waitFor(10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 12 }) {
		t.Fatalf("webhook got %d tools/call records, want 12; stderr:\n%s", calls, tail(g.Stderr.String(), 2000))
	}
}
