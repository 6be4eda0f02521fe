package authserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// redisStore opens a RedisStore on the local Redis with a prefix of its
// own, or skips.
func redisStore(t *testing.T) *RedisStore {
	t.Helper()
	url, prefix := testpeers.Redis(t, "mcpwarden-test-as")
	r, err := OpenRedisStore(url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := r.rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			r.rdb.Del(ctx, keys...)
		}
		r.Close()
	})
	return r
}

func TestStores(t *testing.T) {
	for name, mk := range map[string]func(*testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemoryStore() },
		"redis":  func(t *testing.T) Store { return redisStore(t) },
	} {
		t.Run(name, func(t *testing.T) { testStore(t, mk(t)) })
	}
}

func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Now()
	if _, err := s.Client(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown client: %v", err)
	}
	c := &Client{ID: "c1", RedirectURIs: []string{"https://a/cb"}, GrantTypes: []string{"authorization_code"}, Created: now}
	if err := s.PutClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Client(ctx, "c1"); err != nil || got.RedirectURIs[0] != "https://a/cb" {
		t.Fatalf("client: %+v %v", got, err)
	}
	q := &Request{ID: "r1", ClientID: "c1", Scopes: []string{"mcp"}, Created: now}
	if err := s.PutRequest(ctx, q); err != nil {
		t.Fatal(err)
	}
	q.Code, q.CodeExpires = "code1", now.Add(time.Minute)
	if err := s.PutRequest(ctx, q); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TakeCode(ctx, "code1"); err != nil || got.ID != "r1" {
		t.Fatalf("first use of the code: %+v %v", got, err)
	}
	_ = s.DeleteRequest(ctx, "r1") // op deletes after the exchange; the spent code stays known
	if got, err := s.TakeCode(ctx, "code1"); !errors.Is(err, ErrCodeSpent) || got == nil || got.ID != "r1" {
		t.Fatalf("second use of the code: %+v %v", got, err)
	}
	if _, err := s.TakeCode(ctx, "code2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	f := &Refresh{Hash: "h1", Family: "r1", ClientID: "c1", User: &Principal{Subject: "u"}, Expires: now.Add(time.Hour)}
	if err := s.PutRefresh(ctx, f); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Refresh(ctx, "h1"); err != nil || got.Used {
		t.Fatalf("refresh read: %+v %v", got, err)
	}
	if got, err := s.UseRefresh(ctx, "h1"); err != nil || got.Family != "r1" {
		t.Fatalf("first use: %+v %v", got, err)
	}
	if got, err := s.UseRefresh(ctx, "h1"); !errors.Is(err, ErrRefreshReused) || got.Family != "r1" {
		t.Fatalf("second use: %+v %v", got, err)
	}
	for _, a := range []*Access{
		{JTI: "j1", Grant: "r1", ClientID: "c1", Expires: now.Add(10 * time.Minute)},
		{JTI: "j2", Grant: "r1", ClientID: "c1", Expires: now.Add(10 * time.Minute)},
		{JTI: "j3", ClientID: "c2", Expires: now.Add(10 * time.Minute)},
	} {
		if err := s.AddAccess(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if g, _ := s.GrantRevoked(ctx, "r1"); g {
		t.Fatal("grant revoked before revocation")
	}
	jtis, err := s.RevokeGrant(ctx, "r1")
	if err != nil || len(jtis) != 2 || jtis["j1"].IsZero() || jtis["j2"].IsZero() {
		t.Fatalf("revoke grant: %v %v", jtis, err)
	}
	if g, _ := s.GrantRevoked(ctx, "r1"); !g {
		t.Fatal("grant not revoked")
	}
	if a, err := s.Access(ctx, "j1"); err != nil || !a.Revoked {
		t.Fatalf("access of a revoked grant: %+v %v", a, err)
	}
	if a, err := s.Access(ctx, "j3"); err != nil || a.Revoked {
		t.Fatalf("other access: %+v %v", a, err)
	}
	if err := s.RevokeAccess(ctx, "j3"); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Access(ctx, "j3"); err != nil || !a.Revoked {
		t.Fatalf("revoked access: %+v %v", a, err)
	}
	se := &Session{Hash: "s1", User: &Principal{Subject: "u"}, AuthTime: now, Expires: now.Add(time.Hour), Authenticator: "password"}
	if err := s.PutSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, "s1"); err != nil || got.User.Subject != "u" || got.Authenticator != "password" {
		t.Fatalf("session: %+v %v", got, err)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
	old := &Session{Hash: "s2", User: &Principal{Subject: "u"}, AuthTime: now.Add(-2 * time.Hour), Expires: now.Add(-time.Second)}
	_ = s.PutSession(ctx, old)
	if _, err := s.Session(ctx, "s2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
}

// The whole flow with the Redis store, across two servers sharing it (two
// replicas): registration at one, sign-in and exchange at the other,
// refresh reuse detected across them.
func TestRedisStoreReplicas(t *testing.T) {
	rs := redisStore(t)
	a := newEnv(t, func(c *Config) { c.Store = rs })
	b := newEnv(t, func(c *Config) { c.Store = rs; c.Key = a.key })
	redirect := "http://127.0.0.1:41234/callback"
	id := a.publicClient(redirect)
	conf := b.oauth(id, redirect, "mcp:read")
	v := oauth2.GenerateVerifier()
	code, _ := b.code(conf, v)
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.oauth(id, redirect).Exchange(ctx, code, oauth2.VerifierOption(v)); err == nil {
		t.Fatal("code accepted again at the other replica")
	}
	refresh := func(e *env, rt string) (*oauth2.Token, error) {
		return e.oauth(id, redirect).TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
	}
	if _, err := refresh(a, tok.RefreshToken); err == nil {
		t.Fatal("refresh token of a grant revoked by the code's reuse still works")
	}
	// A fresh grant: rotation at one replica, reuse at the other.
	v = oauth2.GenerateVerifier()
	code, _ = a.code(a.oauth(id, redirect, "mcp:read"), v)
	tok, err = a.oauth(id, redirect).Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	t1, err := refresh(b, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refresh(a, tok.RefreshToken); err == nil {
		t.Fatal("reused refresh token accepted at the other replica")
	}
	if _, err := refresh(b, t1.RefreshToken); err == nil {
		t.Fatal("family not revoked after reuse")
	}
}
