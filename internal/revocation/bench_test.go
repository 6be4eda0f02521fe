package revocation_test

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/revocation"
	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// BenchmarkValidateRevocable measures what a request with a token of the
// gateway's own issuer costs when revocation is shared through a real
// Redis: "cached" is a token seen before (the common case: the check is
// this process's revocation list, no round trip; target ≤ 20 µs), "new"
// a token never seen (EdDSA signature plus one EXISTS round trip).
func BenchmarkValidateRevocable(b *testing.B) {
	url, prefix := testpeers.Redis(b, "mcpwarden-bench")
	store, err := revocation.OpenRedis(url, prefix, nil)
	if err != nil {
		b.Fatal(err)
	}
	store.Start()
	defer store.Close()
	for {
		if _, err := store.Local("x"); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	data, _ := issuer.Generate()
	key, _ := issuer.ParseKey(data)
	const res = "https://gw.example.com/mcp"
	v, err := authn.New(authn.Config{Issuer: "https://gw.example.com", Resource: res, Keys: []jose.JSONWebKey{key.Public()}, Revocations: store})
	if err != nil {
		b.Fatal(err)
	}
	issue := func() string {
		is, err := key.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "ci", Audience: []string{res}, Scopes: []string{"mcp:read"}, TTL: issuer.DefaultTTL})
		if err != nil {
			b.Fatal(err)
		}
		return is.Token
	}
	ctx := context.Background()
	tok := issue()
	if _, err := v.Validate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Validate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		toks := make([]string, 0, 1024)
		for range cap(toks) {
			toks = append(toks, issue())
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := v.Validate(ctx, toks[i%len(toks)]); err != nil {
				b.Fatal(err)
			}
			i++
			if i%len(toks) == 0 {
				b.StopTimer()
				for j := range toks {
					toks[j] = issue()
				}
				b.StartTimer()
			}
		}
	})
}

// BenchmarkValidateFileList is the same warm case with the one-machine
// list (no auth.revocation): each check stats the list file.
func BenchmarkValidateFileList(b *testing.B) {
	data, _ := issuer.Generate()
	key, _ := issuer.ParseKey(data)
	const res = "https://gw.example.com/mcp"
	list := revocation.OpenFile(b.TempDir() + "/revoked")
	if err := list.Revoke(context.Background(), "other", time.Now().Add(time.Minute)); err != nil {
		b.Fatal(err)
	}
	v, err := authn.New(authn.Config{Issuer: "https://gw.example.com", Resource: res, Keys: []jose.JSONWebKey{key.Public()}, Revocations: list})
	if err != nil {
		b.Fatal(err)
	}
	is, _ := key.Issue(issuer.Request{Issuer: "https://gw.example.com", Subject: "ci", Audience: []string{res}, TTL: issuer.DefaultTTL})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, is.Token); err != nil {
			b.Fatal(err)
		}
	}
}
