package sink

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

// deliverAll runs an outbox for sk over the store at loc until want
// records were delivered (or a timeout).
func deliverAll(t *testing.T, loc audit.Location, sk Sink, cursor string, done func() bool) *Outbox {
	t.Helper()
	r, err := audit.OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	o := New(r, sk, Options{CursorFile: cursor, Poll: 10 * time.Millisecond, Batch: 7})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { o.Run(ctx); close(stopped) }()
	deadline := time.Now().Add(10 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-stopped
	return o
}

func TestCheckHTTPURL(t *testing.T) {
	for _, u := range []string{"https://hooks.example.com/audit", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:3100"} {
		if _, err := CheckHTTPURL(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://hooks.example.com/audit", "http://10.0.0.1/x", "ftp://127.0.0.1/x", "https://user:pw@example.com/", "https:///x", "example.com", "http://127.0.0.1.example.com/"} {
		if _, err := CheckHTTPURL(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestWebhookSink(t *testing.T) {
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	writeLog(t, loc, 0, 30)
	key := "0123456789abcdef0123456789abcdef-webhook"
	keyFile := filepath.Join(dir, "hook.key")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)

	var mu sync.Mutex
	seen := map[string]bool{}
	requests, failures := 0, 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if failures > 0 { // the receiver is down at first: the outbox retries
			failures--
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		// What a receiver does: check the signature and the timestamp.
		ts := r.Header.Get(TimestampHeader)
		sec, err := strconv.ParseInt(ts, 10, 64)
		want := "sha256=" + Sign([]byte(key), ts, body)
		if err != nil || time.Since(time.Unix(sec, 0)) > time.Minute || !hmac.Equal([]byte(r.Header.Get(SignatureHeader)), []byte(want)) {
			t.Errorf("bad signature %q for timestamp %q", r.Header.Get(SignatureHeader), ts)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if Sign([]byte("another key of thirty-two bytes!!"), ts, body) == Sign([]byte(key), ts, body) {
			t.Error("signature does not depend on the key")
		}
		var doc struct{ Records []audit.Entry }
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.Records) == 0 || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("body %q: %v", body, err)
		}
		first, last, _ := strings.Cut(r.Header.Get(BatchHeader), "-")
		if first != strconv.FormatInt(doc.Records[0].Seq, 10) || last != strconv.FormatInt(doc.Records[len(doc.Records)-1].Seq, 10) {
			t.Errorf("batch header %q", r.Header.Get(BatchHeader))
		}
		for _, e := range doc.Records {
			seen[e.ID] = true
		}
	}))
	defer srv.Close()
	if _, err := OpenWebhook("http://hooks.example.com/x", keyFile, 0); err == nil {
		t.Fatal("plain http to a remote host accepted")
	}
	os.WriteFile(filepath.Join(dir, "short.key"), []byte("short"), 0o600)
	if _, err := OpenWebhook(srv.URL, filepath.Join(dir, "short.key"), 0); err == nil {
		t.Fatal("short key accepted")
	}
	wh, err := OpenWebhook(srv.URL+"/audit", keyFile, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	o := deliverAll(t, loc, wh, filepath.Join(dir, ".hook.cursor"), func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 30 })
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 30 || o.Dead.Load() != 0 || requests < 5+2 {
		t.Fatalf("%d records received in %d requests, %d dead", len(seen), requests, o.Dead.Load())
	}
}

func TestWebhookRedirectIsFailure(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("https://elsewhere.example/", http.StatusFound))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "k"), []byte(strings.Repeat("k", 32)), 0o600)
	wh, err := OpenWebhook(srv.URL, filepath.Join(dir, "k"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Deliver(context.Background(), []Record{{Seq: 0, Data: []byte(`{}`)}}); err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("redirect: %v", err)
	}
}

// fakeLoki follows Loki's documented push API (POST /loki/api/v1/push,
// JSON {"streams":[{"stream":{labels},"values":[["<ns>","<line>"]]}]},
// 204 on success) and, like Loki, stores an entry with the same stream,
// timestamp and line once. Loki itself cannot run here.
type fakeLoki struct {
	mu      sync.Mutex
	entries map[[2]string]map[string]string // (ns, line) → labels
	tenants map[string]bool
	fail    int
}

func (f *fakeLoki) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != LokiPushPath || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "not a push", http.StatusBadRequest)
		return
	}
	var push struct {
		Streams []struct {
			Stream map[string]string `json:"stream"`
			Values [][]string        `json:"values"`
		} `json:"streams"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&push); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		http.Error(w, "ingester unavailable", http.StatusServiceUnavailable)
		return
	}
	f.tenants[r.Header.Get("X-Scope-OrgID")] = true
	for _, s := range push.Streams {
		for _, v := range s.Values {
			if len(v) != 2 {
				http.Error(w, "value is not [ts, line]", http.StatusBadRequest)
				return
			}
			if _, err := strconv.ParseInt(v[0], 10, 64); err != nil {
				http.Error(w, "timestamp is not unix ns", http.StatusBadRequest)
				return
			}
			f.entries[[2]string{v[0], v[1]}] = s.Stream
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestLokiSink(t *testing.T) {
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	writeLog(t, loc, 0, 40)
	fake := &fakeLoki{entries: map[[2]string]map[string]string{}, tenants: map[string]bool{}, fail: 1}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	lk, err := OpenLoki(srv.URL, "acme", map[string]string{"env": "test"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { fake.mu.Lock(); defer fake.mu.Unlock(); return len(fake.entries) }
	cursor := filepath.Join(dir, ".loki.cursor")
	deliverAll(t, loc, lk, cursor, func() bool { return count() == 40 })
	// At least once: delivered again from the start, stored once.
	os.Remove(cursor)
	deliverAll(t, loc, lk, cursor, func() bool { b, _ := os.ReadFile(cursor); return strings.TrimSpace(string(b)) == "40" })
	if n := count(); n != 40 {
		t.Fatalf("%d entries in loki, want 40", n)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	for k, labels := range fake.entries {
		e, err := audit.ParseEntry([]byte(k[1]))
		if err != nil || labels["job"] != "mcpwarden-audit" || labels["env"] != "test" {
			t.Fatalf("entry %q labels %v: %v", k[1], labels, err)
		}
		if ts, _ := time.Parse(time.RFC3339Nano, e.Time); strconv.FormatInt(ts.UnixNano(), 10) != k[0] {
			t.Errorf("entry timestamp %s, record time %s", k[0], e.Time)
		}
	}
	if !fake.tenants["acme"] || len(fake.tenants) != 1 {
		t.Errorf("tenants %v", fake.tenants)
	}
}
