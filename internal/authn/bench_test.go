package authn

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
)

// BenchmarkValidate measures token validation with a warm JWKS cache:
// "verify" checks the signature and claims of a token every time (a
// token not seen before), "cached" is the same token again, as a client
// sends it on every request. Target: ≤ 20 µs per call.
func BenchmarkValidate(b *testing.B) {
	is := authntest.New()
	defer is.Close()
	const res = "https://gateway.example.com/mcp"
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA} {
		is.Rotate(alg, false)
		v, err := New(Config{Issuer: is.URL, Resource: res, RequiredScopes: []string{"mcp"}})
		if err != nil {
			b.Fatal(err)
		}
		c := is.Claims(res, "alice", "mcp mcp:read")
		c["groups"] = []string{"eng"}
		tok := is.Token(c)
		ctx := context.Background()
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
		b.Run(string(alg)+"/verify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := v.verify(ctx, tok, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(alg)+"/cached", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
