package authserver

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// BenchmarkRefresh is one refresh token rotation over HTTP on loopback:
// client parsing, the single-use check, a new access token signed and a
// new refresh token stored (memory store).
func BenchmarkRefresh(b *testing.B) {
	e := newEnv(b, nil)
	redirect := "http://127.0.0.1:41234/callback"
	conf := e.oauth(e.publicClient(redirect), redirect, "mcp:read")
	v := oauth2.GenerateVerifier()
	code, _ := e.code(conf, v)
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		b.Fatal(err)
	}
	rt := tok.RefreshToken
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		nt, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Hour)}).Token()
		if err != nil {
			b.Fatal(err)
		}
		rt = nt.RefreshToken
	}
}
