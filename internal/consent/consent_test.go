package consent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestAskDecideGrant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grants.json")
	b, err := New(path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	k := Key{Principal: "alice", Server: "db", Tool: "drop_table"}
	if ok, _ := b.Granted(k, t0); ok {
		t.Fatal("granted before anyone decided")
	}
	r1, err := b.Ask(k, "destructive", `{"table":"users"}`, t0)
	if err != nil {
		t.Fatal(err)
	}
	// A second call while the first request is open gets the same one.
	if r2, _ := b.Ask(k, "destructive", `{}`, t0.Add(time.Minute)); r2.ID != r1.ID {
		t.Fatal("a second request opened for the same key")
	}
	if len(r1.ID) < 22 {
		t.Fatalf("request id %q is too short to be unguessable", r1.ID)
	}
	if _, err := b.Decide("nope", true, "x", t0); err != ErrNoRequest {
		t.Fatalf("unknown id: %v", err)
	}
	d, err := b.Decide(r1.ID, true, "bob", t0.Add(2*time.Minute))
	if err != nil || d.Decision != "granted" || d.By != "bob" {
		t.Fatalf("decide: %+v %v", d, err)
	}
	if _, err := b.Decide(r1.ID, false, "eve", t0); err != ErrNoRequest {
		t.Fatal("a request was decided twice")
	}
	if ok, _ := b.Granted(k, t0.Add(3*time.Minute)); !ok {
		t.Fatal("no grant after granting")
	}
	// Grants are per principal, server and tool.
	for _, other := range []Key{{"mallory", "db", "drop_table"}, {"alice", "db2", "drop_table"}, {"alice", "db", "drop_tables"}} {
		if ok, _ := b.Granted(other, t0); ok {
			t.Errorf("grant of %+v covers %+v", k, other)
		}
	}
	// Grants expire, and outlive the process.
	if ok, _ := b.Granted(k, t0.Add(2*time.Hour)); ok {
		t.Error("grant outlived its ttl")
	}
	b2, _ := New(path, time.Hour)
	if ok, _ := b2.Granted(k, t0.Add(3*time.Minute)); !ok {
		t.Error("grant lost across processes")
	}
	if ok, _ := b2.Revoke(k); !ok {
		t.Error("revoke found nothing")
	}
	if ok, _ := b.Granted(k, t0.Add(3*time.Minute)); ok {
		t.Error("revoked grant still live in the other process")
	}
}

func TestDenyAndExpiry(t *testing.T) {
	b, _ := New("", 0)
	k := Key{Principal: "alice", Server: "s", Tool: "t"}
	r, _ := b.Ask(k, "", "{}", t0)
	if d, _ := b.Decide(r.ID, false, "bob", t0); d.Decision != "denied" {
		t.Fatalf("deny: %+v", d)
	}
	if ok, _ := b.Granted(k, t0); ok {
		t.Fatal("a denial granted")
	}
	// A denial holds for a while: no new request opens at once.
	if _, err := b.Ask(k, "", "{}", t0.Add(DenialHold/2)); err != ErrDenied {
		t.Fatalf("ask right after a denial: %v, want ErrDenied", err)
	}
	// Then the key can ask again; an unanswered request expires.
	later := t0.Add(DenialHold)
	r, err := b.Ask(k, "", "{}", later)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Lookup(r.ID, later.Add(DefaultRequestTTL)); ok {
		t.Fatal("request alive past its ttl")
	}
	if _, err := b.Decide(r.ID, true, "bob", later.Add(DefaultRequestTTL)); err != ErrNoRequest {
		t.Fatal("expired request decided")
	}
}

func TestWatchers(t *testing.T) {
	b, _ := New("", 0)
	r, _ := b.Ask(Key{Principal: "p", Server: "s", Tool: "t"}, "", "{}", t0)
	heard := make(chan Request, maxWatchers)
	for range maxWatchers {
		if !b.Watch(r.ID, func(d Request) { heard <- d }) {
			t.Fatal("watch refused")
		}
	}
	if b.Watch(r.ID, func(Request) {}) {
		t.Fatal("more watchers than the bound")
	}
	if b.Watch("nope", func(Request) {}) {
		t.Fatal("watched an unknown request")
	}
	b.Decide(r.ID, true, "bob", t0)
	for range maxWatchers {
		select {
		case d := <-heard:
			if d.Decision != "granted" {
				t.Fatalf("watcher heard %+v", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a watcher was not told")
		}
	}
}

func TestPendingIsBounded(t *testing.T) {
	b, _ := New("", 0)
	for i := range maxPending {
		if _, err := b.Ask(Key{Principal: "p", Server: "s", Tool: string(rune('a'+i%26)) + strings.Repeat("x", i/26)}, "", "", t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Ask(Key{Principal: "p", Server: "s", Tool: "one-more"}, "", "", t0); err != ErrTooMany {
		t.Fatalf("past the bound: %v", err)
	}
	if _, err := b.Ask(Key{Principal: "p", Server: "s", Tool: "one-more"}, "", "", t0.Add(DefaultRequestTTL)); err != nil {
		t.Fatalf("after the old requests expired: %v", err)
	}
}

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

func TestPage(t *testing.T) {
	b, _ := New("", 0)
	k := Key{Principal: "alice", Server: "db", Tool: "drop_table"}
	r, _ := b.Ask(k, "destructive", `{"table":"<script>alert(1)</script>"}`, time.Now())
	var heard []Request
	p := NewPage(b, "/consent/")
	p.OnDecision = func(r Request) { heard = append(heard, r) }
	srv := httptest.NewServer(p)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/consent/" + r.ID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	html := string(body)
	if res.StatusCode != 200 || !strings.Contains(html, "drop_table") || !strings.Contains(html, "Grant Access") {
		t.Fatalf("page: %d\n%s", res.StatusCode, html)
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("arguments are not escaped")
	}
	if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("page can be framed")
	}
	tok := tokenRe.FindStringSubmatch(html)[1]

	post := func(form url.Values, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/consent/"+r.ID, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	browser := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL}
	// Refused: no browser markers, another site, a forged token.
	if c := post(url.Values{"token": {tok}, "decision": {"grant"}}, nil); c != http.StatusForbidden {
		t.Errorf("non-browser POST: %d", c)
	}
	if c := post(url.Values{"token": {tok}, "decision": {"grant"}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); c != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", c)
	}
	if c := post(url.Values{"token": {"forged"}, "decision": {"grant"}}, browser); c != http.StatusForbidden {
		t.Errorf("forged token: %d", c)
	}
	if ok, _ := b.Granted(k, time.Now()); ok || len(heard) != 0 {
		t.Fatal("a refused POST granted")
	}
	if c := post(url.Values{"token": {tok}, "decision": {"grant"}}, browser); c != 200 {
		t.Fatalf("browser POST: %d", c)
	}
	if ok, _ := b.Granted(k, time.Now()); !ok || len(heard) != 1 || heard[0].Decision != "granted" {
		t.Fatalf("grant not recorded or not heard: %+v", heard)
	}
	// Decided: the page is gone.
	if res, _ := http.Get(srv.URL + "/consent/" + r.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("decided request still served: %d", res.StatusCode)
	}
}
