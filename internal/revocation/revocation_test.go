package revocation

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

const redisURL = testpeers.RedisURL

// needRedis skips when no Redis listens (CI's .ci/run starts one).
func needRedis(t *testing.T) { testpeers.Redis(t, "") }

// prefix is unique per test run, so parallel runs do not see each
// other's revocations.
func prefix(t *testing.T) string {
	_, p := testpeers.Redis(t, "mcpwarden-test")
	return p
}

func started(t *testing.T, p string) *Redis { return startedHook(t, p, nil) }

func startedHook(t *testing.T, p string, onRevoke func(string)) *Redis {
	t.Helper()
	r, err := OpenRedis(redisURL, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.OnRevoke = onRevoke
	r.Start()
	t.Cleanup(func() { _ = r.Close() })
	waitFor(t, "subscribed", func() bool { _, err := r.Local("x"); return err == nil })
	return r
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRedisAcrossReplicas(t *testing.T) {
	needRedis(t)
	p := prefix(t)
	forgotten := make(chan string, 10)
	a, b := started(t, p), startedHook(t, p, func(jti string) { forgotten <- jti })
	other := started(t, prefix(t)) // another deployment (or test run)
	ctx := context.Background()

	exp := time.Now().Add(10 * time.Minute)
	if err := a.Revoke(ctx, "tok-1", exp); err != nil {
		t.Fatal(err)
	}
	// a knows at once; b hears it on the channel.
	if r, err := a.Local("tok-1"); err != nil || !r {
		t.Fatalf("a.Local = %v %v", r, err)
	}
	waitFor(t, "b to hear the revocation", func() bool { r, _ := b.Local("tok-1"); return r })
	if got := <-forgotten; got != "tok-1" || len(forgotten) != 0 {
		t.Fatalf("OnRevoke called for %q (+%d more)", got, len(forgotten))
	}
	// A replica that was not listening finds it in Redis.
	late := started(t, p)
	if r, _ := late.Local("tok-1"); r {
		t.Fatal("late replica heard a revocation made before it subscribed")
	}
	if r, err := late.Shared(ctx, "tok-1"); err != nil || !r {
		t.Fatalf("late.Shared = %v %v", r, err)
	}
	// Other tokens and other prefixes are untouched.
	if r, err := b.Shared(ctx, "tok-2"); err != nil || r {
		t.Fatalf("tok-2: %v %v", r, err)
	}
	time.Sleep(50 * time.Millisecond)
	if r, err := other.Shared(ctx, "tok-1"); err != nil || r {
		t.Fatalf("another prefix sees the revocation: %v %v", r, err)
	}
	// The record lives as long as the token.
	ttl, err := a.rdb.TTL(ctx, a.key("tok-1")).Result()
	if err != nil || ttl < 9*time.Minute || ttl > 11*time.Minute {
		t.Fatalf("ttl %v %v", ttl, err)
	}
	// An expired token needs no record.
	if err := a.Revoke(ctx, "old", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.rdb.Exists(ctx, a.key("old")).Result(); n != 0 {
		t.Fatal("expired token recorded")
	}
	for _, bad := range []string{"", "a b", "a\nb", strings.Repeat("x", 300)} {
		if err := a.Revoke(ctx, bad, exp); err == nil {
			t.Errorf("jti %q accepted", bad)
		}
	}
}

// A dropped subscription: tokens are refused while it is down, and the
// epoch moves on resubscription so cached tokens are checked again.
func TestRedisReconnect(t *testing.T) {
	needRedis(t)
	p := prefix(t)
	r := started(t, p)
	before := r.Epoch()
	admin := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer admin.Close()
	ctx := context.Background()
	n, err := admin.PubSubNumSub(ctx, r.channel).Result()
	if err != nil || n[r.channel] != 1 {
		t.Fatalf("numsub %v %v", n, err)
	}
	// Kill only this store's subscription (found by its client name);
	// go-redis reconnects and subscribes again.
	if err := admin.Do(ctx, "CLIENT", "KILL", "SKIPME", "yes", "ID", subscriberID(t, admin, r)).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "resubscription", func() bool { return r.Epoch() > before })
	if _, err := r.Local("x"); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
}

// subscriberID finds the Redis client id of r's subscription: the one
// connection whose name is this store's.
func subscriberID(t *testing.T, admin *redis.Client, r *Redis) string {
	t.Helper()
	list, err := admin.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, "name="+r.name+" ") || !strings.Contains(line, "sub=1") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "id="); ok {
				return v
			}
		}
	}
	t.Fatalf("no subscription named %s in\n%s", r.name, list)
	return ""
}

func TestRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	r, err := OpenRedis("redis://"+addr+"/0", "x:", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	defer r.Close()
	time.Sleep(100 * time.Millisecond)
	if _, err := r.Local("a"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Local = %v, want ErrUnavailable", err)
	}
	if _, err := r.Shared(context.Background(), "a"); err == nil {
		t.Fatal("Shared answered without a store")
	}
	if err := r.Revoke(context.Background(), "a", time.Now().Add(time.Minute)); err == nil {
		t.Fatal("Revoke succeeded without a store")
	}
}

func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "revoked")
	a, b := OpenFile(path), OpenFile(path)
	ctx := context.Background()
	if r, err := a.Local("t1"); err != nil || r {
		t.Fatalf("empty list: %v %v", r, err)
	}
	if err := a.Revoke(ctx, "t1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, err := b.Shared(ctx, "t1"); err != nil || !r {
		t.Fatalf("other reader: %v %v", r, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	// Expired and malformed lines are ignored, and dropped on rewrite.
	if err := os.WriteFile(path, []byte("old 1\ngarbage\nt1 9999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, _ := b.Local("old"); r {
		t.Fatal("expired record honoured")
	}
	if r, _ := b.Local("t1"); !r {
		t.Fatal("t1 lost")
	}
	if err := a.Revoke(ctx, "t2", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "old") || strings.Contains(string(data), "garbage") || !strings.Contains(string(data), "t2 ") {
		t.Fatalf("rewritten list:\n%s", data)
	}
	// An unreadable list refuses (fail closed).
	if err := os.Chmod(filepath.Dir(path), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Dir(path), 0o700)
	if os.Geteuid() != 0 {
		if _, err := OpenFile(path).Local("t1"); err == nil {
			t.Fatal("unreadable list answered")
		}
	}
}

// A quiet channel is not a dead one: the pings keep an idle replica
// vouching for tokens past deadAfter.
func TestRedisIdleStaysHealthy(t *testing.T) {
	needRedis(t)
	r := started(t, prefix(t))
	time.Sleep(deadAfter + 1500*time.Millisecond)
	if _, err := r.Local("x"); err != nil {
		t.Fatalf("idle subscription: %v", err)
	}
}

// Fresh returns each id once, as the list grows (another process
// appending).
func TestFileFresh(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "revoked")
	writer, reader := OpenFile(path), OpenFile(path)
	if ids, err := reader.Fresh(); err != nil || len(ids) != 0 {
		t.Fatalf("empty list: %v %v", ids, err)
	}
	if err := writer.Revoke(ctx, "a", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := writer.Revoke(ctx, "b", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	ids, err := reader.Fresh()
	slices.Sort(ids)
	if err != nil || strings.Join(ids, ",") != "a,b" {
		t.Fatalf("after two revocations: %v %v", ids, err)
	}
	if ids, _ := reader.Fresh(); len(ids) != 0 {
		t.Fatalf("ids returned twice: %v", ids)
	}
	// The modification time may not move within the same clock tick: make
	// the file differ in size too.
	if err := writer.Revoke(ctx, "cc", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ids, _ := reader.Fresh(); strings.Join(ids, ",") != "cc" {
		t.Fatalf("third revocation: %v", ids)
	}
}

// A subject key as authn.SubjectKey makes it (authn is not imported here).
const subKey = "sub:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"

// Revocation by subject through Redis: heard by every replica with its
// time, found in Redis by a late one, announced as "key exp since".
func TestRedisSubject(t *testing.T) {
	needRedis(t)
	p := prefix(t)
	heard := make(chan string, 10)
	a, b := started(t, p), startedHook(t, p, func(id string) { heard <- id })
	ctx := context.Background()
	since := time.Unix(time.Now().Unix(), 0)
	if err := a.RevokeSubject(ctx, subKey, since, since.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := <-heard; got != subKey {
		t.Fatalf("OnRevoke(%q)", got)
	}
	for name, r := range map[string]*Redis{"a": a, "b": b} {
		if s, err := r.RevokedSince(ctx, subKey, true); err != nil || !s.Equal(since) {
			t.Fatalf("%s: since %v %v, want %v", name, s, err, since)
		}
		// A subject revocation is not a token id's.
		if rv, err := r.Local(subKey); err != nil || rv {
			t.Fatalf("%s: subject key taken for a token id: %v %v", name, rv, err)
		}
	}
	late := started(t, p)
	if s, _ := late.RevokedSince(ctx, subKey, true); !s.IsZero() {
		t.Fatal("late replica heard a revocation made before it subscribed")
	}
	if s, err := late.RevokedSince(ctx, subKey, false); err != nil || !s.Equal(since) {
		t.Fatalf("late replica from redis: %v %v", s, err)
	}
	if s, err := late.RevokedSince(ctx, "sub:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false); err != nil || !s.IsZero() {
		t.Fatalf("another subject: %v %v", s, err)
	}
	for _, bad := range []string{"", "sub:", "sub:short", "jti-1", "sub:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuF!"} {
		if err := a.RevokeSubject(ctx, bad, since, since.Add(time.Minute)); err == nil {
			t.Errorf("subject key %q accepted", bad)
		}
	}
	if err := a.Revoke(ctx, subKey, since.Add(time.Minute)); err == nil {
		t.Error("a subject key revoked as a token id")
	}
}

// Revocation by subject in the machine's file, next to token ids.
func TestFileSubject(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "revoked")
	w, r := OpenFile(path), OpenFile(path)
	since := time.Unix(time.Now().Unix(), 0)
	if err := w.Revoke(ctx, "jti-1", since.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := w.RevokeSubject(ctx, subKey, since, since.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, err := r.RevokedSince(ctx, subKey, true); err != nil || !s.Equal(since) {
		t.Fatalf("since %v %v", s, err)
	}
	if rv, _ := r.Local("jti-1"); !rv {
		t.Fatal("token id lost")
	}
	if rv, _ := r.Local(subKey); rv {
		t.Fatal("subject key taken for a token id")
	}
	// A later revocation of the subject moves its time on; an earlier one
	// does not move it back.
	if err := w.RevokeSubject(ctx, subKey, since.Add(5*time.Second), since.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := w.RevokeSubject(ctx, subKey, since.Add(-time.Hour), since.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.RevokedSince(ctx, subKey, false); !s.Equal(since.Add(5 * time.Second)) {
		t.Fatalf("since after re-revocations: %v", s)
	}
	ids, _ := r.Fresh()
	slices.Sort(ids)
	if strings.Join(ids, ",") != "jti-1,"+subKey {
		t.Fatalf("fresh: %v", ids)
	}
}

// Applying holds a replica's acknowledgement until the work the
// revocation started is done, so Revoke returns after it; a hook that
// never finishes holds it for ackHold only.
func TestRedisApplyingHoldsAck(t *testing.T) {
	needRedis(t)
	p := prefix(t)
	var applied atomic.Bool
	r, err := OpenRedis(redisURL, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Applying = func(id string) <-chan struct{} {
		done := make(chan struct{})
		go func() {
			time.Sleep(300 * time.Millisecond)
			applied.Store(true)
			close(done)
		}()
		return done
	}
	r.Start()
	t.Cleanup(func() { _ = r.Close() })
	waitFor(t, "subscribed", func() bool { _, err := r.Local("x"); return err == nil })
	a := started(t, p)
	if err := a.Revoke(context.Background(), "tok-held", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !applied.Load() {
		t.Fatal("Revoke returned before the replica's work was done")
	}
	// A hook that never finishes: acknowledged after ackHold, within
	// Revoke's wait.
	p2 := prefix(t)
	stuck, err := OpenRedis(redisURL, p2, nil)
	if err != nil {
		t.Fatal(err)
	}
	stuck.Applying = func(string) <-chan struct{} { return make(chan struct{}) }
	stuck.Start()
	t.Cleanup(func() { _ = stuck.Close() })
	waitFor(t, "subscribed", func() bool { _, err := stuck.Local("x"); return err == nil })
	start := time.Now()
	if err := started(t, p2).Revoke(context.Background(), "tok-stuck", time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("revoke with a stuck replica hook: %v", err)
	}
	if d := time.Since(start); d < ackHold {
		t.Fatalf("acknowledged after %v, before ackHold", d)
	}
}
