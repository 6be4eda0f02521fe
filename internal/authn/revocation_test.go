package authn

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
)

// memRevocations is an in-process revocation list for the validator's
// side of the contract; internal/revocation tests the real stores.
type memRevocations struct {
	mu      sync.Mutex
	local   map[string]bool // what this replica has heard
	shared  map[string]bool // what the store holds
	epoch   uint64
	down    bool
	sharedN int
}

func newMem() *memRevocations {
	return &memRevocations{local: map[string]bool{}, shared: map[string]bool{}}
}

func (m *memRevocations) Epoch() uint64 { m.mu.Lock(); defer m.mu.Unlock(); return m.epoch }
func (m *memRevocations) Local(jti string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return false, errors.New("down")
	}
	return m.local[jti], nil
}
func (m *memRevocations) Shared(_ context.Context, jti string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sharedN++
	if m.down {
		return false, errors.New("down")
	}
	return m.shared[jti], nil
}

func wantRefused(t *testing.T, err error, desc string) {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != ErrInvalidToken || !strings.Contains(ae.Description, desc) {
		t.Fatalf("got %v, want invalid_token %q", err, desc)
	}
}

func TestRevocation(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	const res = "https://gw.example.com/mcp"
	rev := newMem()
	v, err := New(Config{Issuer: is.URL, Resource: res, Revocations: rev})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := is.Claims(res, "alice", "mcp")
	c["jti"] = "jti-1"
	tok := is.Token(c)
	if _, err := v.Validate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if v.cache.len() != 1 || rev.sharedN != 1 {
		t.Fatalf("cache %d shared checks %d", v.cache.len(), rev.sharedN)
	}
	// Warm hits do not ask the store.
	for range 3 {
		if _, err := v.Validate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if rev.sharedN != 1 {
		t.Fatalf("cached hits asked the store %d times", rev.sharedN)
	}

	// A revocation heard: the cached token is refused and dropped.
	rev.mu.Lock()
	rev.local["jti-1"], rev.shared["jti-1"] = true, true
	rev.mu.Unlock()
	_, err = v.Validate(ctx, tok)
	wantRefused(t, err, "token revoked")
	if v.cache.len() != 0 {
		t.Fatal("revoked token still cached")
	}
	// ... and stays refused when seen anew (the store says so).
	_, err = v.Validate(ctx, tok)
	wantRefused(t, err, "token revoked")

	// A token revoked in the store but not heard here (another replica
	// revoked it while this one was away): refused on first sight.
	c2 := is.Claims(res, "bob", "mcp")
	c2["jti"] = "jti-2"
	rev.shared["jti-2"] = true
	_, err = v.Validate(ctx, is.Token(c2))
	wantRefused(t, err, "token revoked")

	// A cached token revoked during a gap: the epoch moves on reconnect,
	// so the next hit asks the store again.
	c3 := is.Claims(res, "carol", "mcp")
	c3["jti"] = "jti-3"
	tok3 := is.Token(c3)
	if _, err := v.Validate(ctx, tok3); err != nil {
		t.Fatal(err)
	}
	rev.mu.Lock()
	rev.shared["jti-3"], rev.epoch = true, rev.epoch+1
	rev.mu.Unlock()
	_, err = v.Validate(ctx, tok3)
	wantRefused(t, err, "token revoked")

	// Fail closed: while the store cannot vouch, cached and new tokens
	// are refused; once back, a good token passes again.
	c4 := is.Claims(res, "dave", "mcp")
	c4["jti"] = "jti-4"
	tok4 := is.Token(c4)
	if _, err := v.Validate(ctx, tok4); err != nil {
		t.Fatal(err)
	}
	rev.mu.Lock()
	rev.down = true
	rev.mu.Unlock()
	_, err = v.Validate(ctx, tok4)
	wantRefused(t, err, "revocation status unavailable")
	c5 := is.Claims(res, "erin", "mcp")
	c5["jti"] = "jti-5"
	_, err = v.Validate(ctx, is.Token(c5))
	wantRefused(t, err, "revocation status unavailable")
	rev.mu.Lock()
	rev.down = false
	rev.mu.Unlock()
	if _, err := v.Validate(ctx, tok4); err != nil {
		t.Fatal(err)
	}

	// Without a jti a token could not be revoked: refused while
	// revocation is on, but fine without it.
	c6 := is.Claims(res, "frank", "mcp")
	delete(c6, "jti")
	_, err = v.Validate(ctx, is.Token(c6))
	wantRefused(t, err, "no usable jti")
	plain, _ := New(Config{Issuer: is.URL, Resource: res})
	if _, err := plain.Validate(ctx, is.Token(c6)); err != nil {
		t.Fatalf("without revocation: %v", err)
	}
}

// Forget drops a revoked token's cached entries at once.
func TestForget(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	const res = "https://gw.example.com/mcp"
	v, _ := New(Config{Issuer: is.URL, Resource: res, Revocations: newMem()})
	for _, sub := range []string{"a", "b"} {
		c := is.Claims(res, sub, "mcp")
		c["jti"] = "jti-" + sub
		if _, err := v.Validate(context.Background(), is.Token(c)); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.Forget("jti-a"); n != 1 || v.cache.len() != 1 {
		t.Fatalf("forgot %d, %d left", n, v.cache.len())
	}
}

// memSubjects adds revocation by subject to memRevocations.
type memSubjects struct {
	*memRevocations
	localSub, sharedSub map[string]time.Time
}

func (m *memSubjects) RevokedSince(_ context.Context, key string, local bool) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return time.Time{}, errors.New("down")
	}
	if local {
		return m.localSub[key], nil
	}
	return m.sharedSub[key], nil
}

// Revocation by subject: the subject's tokens issued at or before the
// revocation are refused, cached or new, heard here or only in the store;
// its tokens issued after, and other subjects' tokens, are not.
func TestRevocationBySubject(t *testing.T) {
	is := authntest.New()
	defer is.Close()
	const res = "https://gw.example.com/mcp"
	rev := &memSubjects{memRevocations: newMem(), localSub: map[string]time.Time{}, sharedSub: map[string]time.Time{}}
	v, err := New(Config{Issuer: is.URL, Resource: res, Revocations: rev})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	tok := func(sub, jti string, iat time.Time) string {
		c := is.Claims(res, sub, "mcp")
		c["jti"], c["iat"], c["nbf"] = jti, iat.Unix(), iat.Unix()
		return is.Token(c)
	}
	old := tok("alice", "a-1", now.Add(-time.Minute))
	other := tok("bob", "b-1", now.Add(-time.Minute))
	for _, tk := range []string{old, other} {
		if _, err := v.Validate(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	key := SubjectKey(is.URL, "alice")
	if key == SubjectKey(is.URL, "bob") || key == SubjectKey("https://other.example", "alice") || !strings.HasPrefix(key, SubjectPrefix) {
		t.Fatal("subject keys collide")
	}
	since := now.Add(-time.Second)
	rev.mu.Lock()
	rev.localSub[key], rev.sharedSub[key] = since, since
	rev.mu.Unlock()
	_, err = v.Validate(ctx, old)
	wantRefused(t, err, "every token of its subject")
	_, err = v.Validate(ctx, tok("alice", "a-2", since)) // issued in the same second: refused
	wantRefused(t, err, "every token of its subject")
	noIat := is.Claims(res, "alice", "mcp")
	noIat["jti"] = "a-3"
	delete(noIat, "iat")
	_, err = v.Validate(ctx, is.Token(noIat))
	wantRefused(t, err, "every token of its subject")
	if _, err := v.Validate(ctx, tok("alice", "a-4", since.Add(time.Second))); err != nil {
		t.Fatalf("token issued after the revocation: %v", err)
	}
	if _, err := v.Validate(ctx, other); err != nil {
		t.Fatalf("another subject: %v", err)
	}
	// Revoked in the store while this replica was away: a cached token is
	// refused once the epoch moves.
	bobLater := tok("bob", "b-2", now)
	if _, err := v.Validate(ctx, bobLater); err != nil {
		t.Fatal(err)
	}
	rev.mu.Lock()
	rev.sharedSub[SubjectKey(is.URL, "bob")], rev.epoch = now, rev.epoch+1
	rev.mu.Unlock()
	_, err = v.Validate(ctx, bobLater)
	wantRefused(t, err, "every token of its subject")
	// Store down: refused (fail closed).
	rev.mu.Lock()
	rev.down = true
	rev.mu.Unlock()
	_, err = v.Validate(ctx, tok("carol", "c-1", now))
	wantRefused(t, err, "revocation status unavailable")
}
