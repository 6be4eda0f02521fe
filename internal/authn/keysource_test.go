package authn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

// keySource is a mutable key set, as the secrets backend holds it across
// a rotation.
type keySource struct {
	mu    sync.Mutex
	keys  []authn.SourcedKey
	err   error
	reads int
}

func (s *keySource) set(err error, keys ...authn.SourcedKey) {
	s.mu.Lock()
	s.keys, s.err = keys, err
	s.mu.Unlock()
}

func (s *keySource) read(context.Context) ([]authn.SourcedKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	return s.keys, s.err
}

func (s *keySource) count() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reads }

func genKey(t *testing.T) *issuer.Key {
	t.Helper()
	b, err := issuer.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := issuer.ParseKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const localIss = "https://gateway.example.com"

func issueAt(t *testing.T, k *issuer.Key, now time.Time, ttl time.Duration) string {
	t.Helper()
	is, err := k.Issue(issuer.Request{Issuer: localIss, Subject: "ci", Audience: []string{resource}, TTL: ttl, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return is.Token
}

func sourced(k *issuer.Key, end time.Time) authn.SourcedKey {
	return authn.SourcedKey{JSONWebKey: k.Public(), NotAfter: end}
}

func sourceValidator(t *testing.T, src *keySource) (*authn.Validator, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	v, err := authn.New(authn.Config{Issuer: localIss, Resource: resource, KeySource: src.read, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	return v, clk
}

// A rotation: the new key's first token makes a running validator read
// the set again; the old key keeps verifying (cached and new tokens)
// until its NotAfter, and nothing after, even a token whose own exp is
// later (a stale signer).
func TestKeySourceRotationOverlap(t *testing.T) {
	ctx := context.Background()
	k1, k2 := genKey(t), genKey(t)
	src := &keySource{}
	src.set(nil, sourced(k1, time.Time{}))
	v, clk := sourceValidator(t, src)
	if !v.LocalIssuer() {
		t.Fatal("a validator with a key source is the local issuer")
	}
	old := issueAt(t, k1, clk.now(), 10*time.Minute)
	if _, err := v.Validate(ctx, old); err != nil {
		t.Fatal(err)
	}
	// Before the rotation, a token of k2 is unknown.
	if _, err := v.Validate(ctx, issueAt(t, k2, clk.now(), 10*time.Minute)); err == nil {
		t.Fatal("token of a key not in the set accepted")
	}

	clk.add(2 * time.Second)
	rotated := clk.now()
	end := rotated.Add(issuer.MaxTTL + authn.DefaultClockSkew)
	src.set(nil, sourced(k2, time.Time{}), sourced(k1, end))
	fresh := issueAt(t, k2, clk.now(), 10*time.Minute)
	if _, err := v.Validate(ctx, fresh); err != nil {
		t.Fatalf("new key's token after rotation: %v", err)
	}
	stale := issueAt(t, k1, clk.now(), issuer.MaxTTL) // signed by the old key after the rotation
	for name, tok := range map[string]string{"cached old": old, "stale": stale} {
		if _, err := v.Validate(ctx, tok); err != nil {
			t.Fatalf("%s token during the overlap: %v", name, err)
		}
	}
	// Both keys are published during the overlap.
	rec := httptest.NewRecorder()
	v.ServeIssuer(rec, httptest.NewRequest("GET", authn.JWKSPath, nil))
	var set struct{ Keys []struct{ Kid, D string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || len(set.Keys) != 2 || set.Keys[0].Kid != k2.KeyID() || set.Keys[1].D != "" {
		t.Fatalf("jwks during overlap: %s %v", rec.Body, err)
	}

	// Past the old key's end: its stale token (exp+skew not reached yet)
	// is refused, from the cache too; the new key's token is not.
	clk.t = end.Add(time.Second)
	if _, err := v.Validate(ctx, stale); err == nil {
		t.Fatal("token of an ended key accepted")
	}
	if _, err := v.Validate(ctx, issueAt(t, k2, clk.now(), 10*time.Minute)); err != nil {
		t.Fatalf("new key's token after the overlap: %v", err)
	}
	rec = httptest.NewRecorder()
	v.ServeIssuer(rec, httptest.NewRequest("GET", authn.JWKSPath, nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 || set.Keys[0].Kid != k2.KeyID() {
		t.Fatalf("jwks after overlap: %s %v", rec.Body, err)
	}
}

// A withdrawn key stops verifying, cached tokens included: at the next
// read of the set (Warm, as a reload does), and in the background a
// minute after the last read, started by any request.
func TestKeySourceWithdraw(t *testing.T) {
	ctx := context.Background()
	k1, k2 := genKey(t), genKey(t)
	src := &keySource{}
	far := time.Now().Add(time.Hour)
	src.set(nil, sourced(k2, time.Time{}), sourced(k1, far))
	v, clk := sourceValidator(t, src)
	old, cur := issueAt(t, k1, clk.now(), 10*time.Minute), issueAt(t, k2, clk.now(), 10*time.Minute)
	for _, tok := range []string{old, cur} {
		if _, err := v.Validate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	src.set(nil, sourced(k2, time.Time{}))
	// Within the minute, the cached token still passes (the set is not
	// read on every request).
	if _, err := v.Validate(ctx, old); err != nil {
		t.Fatalf("cached token before the set is read again: %v", err)
	}
	clk.add(61 * time.Second)
	reads := src.count()
	// A request on a cached token starts the background read.
	if _, err := v.Validate(ctx, cur); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := v.Validate(ctx, old)
		if err != nil {
			wantCode(t, err, authn.ErrInvalidToken, "unknown signing key")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("withdrawn key still verifies (set read %d times, %d before)", src.count(), reads)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := v.Validate(ctx, cur); err != nil {
		t.Fatalf("current key after the withdrawal: %v", err)
	}

	// Warm reads at once (a reload builds a new validator, which does too).
	v2, clk2 := sourceValidator(t, src)
	src.set(nil, sourced(k2, time.Time{}), sourced(k1, far))
	clk2.add(2 * time.Second)
	if err := v2.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Validate(ctx, issueAt(t, k1, clk2.now(), 10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	src.set(nil, sourced(k2, time.Time{}))
	clk2.add(2 * time.Second)
	if err := v2.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Validate(ctx, old); err == nil {
		t.Fatal("withdrawn key verifies after a read of the set")
	}
}

// A set that cannot be read keeps the keys held (fail closed only with
// none); private or unusable keys in it are ignored, an empty set is an
// error.
func TestKeySourceErrors(t *testing.T) {
	ctx := context.Background()
	k1 := genKey(t)
	src := &keySource{}
	src.set(errors.New("store unreadable"))
	clk := &clock{t: time.Now()}
	v, err := authn.New(authn.Config{Issuer: localIss, Resource: resource, KeySource: src.read, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Warm(ctx); err == nil {
		t.Fatal("unreadable set warmed")
	}
	tok := issueAt(t, k1, clk.now(), 10*time.Minute)
	if _, err := v.Validate(ctx, tok); err == nil {
		t.Fatal("token accepted with no keys")
	}
	// A private key in the set is not used as a verification key.
	priv, _ := issuer.Generate()
	var pk authn.SourcedKey
	if err := pk.UnmarshalJSON(priv); err != nil {
		t.Fatal(err)
	}
	src.set(nil, pk)
	clk.add(2 * time.Second)
	if err := v.Warm(ctx); err == nil {
		t.Fatal("a set of only a private key was taken")
	}
	src.set(nil, sourced(k1, time.Time{}))
	clk.add(2 * time.Second)
	if _, err := v.Validate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	src.set(errors.New("store unreadable"))
	clk.add(2 * time.Minute)
	if err := v.Warm(ctx); err == nil {
		t.Fatal("read error not reported")
	}
	if _, err := v.Validate(ctx, issueAt(t, k1, clk.now(), 10*time.Minute)); err != nil {
		t.Fatalf("keys held were dropped on a read error: %v", err)
	}
}
