package issuer

import (
	"testing"
	"time"
)

// FuzzParseKey: any input is refused or yields a key that signs.
func FuzzParseKey(f *testing.F) {
	good, _ := Generate()
	f.Add(good)
	f.Add([]byte(`{"kty":"oct","k":"c2VjcmV0","kid":"a"}`))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"","y":"","d":"","kid":"k"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err != nil {
			return
		}
		if k.KeyID() == "" {
			t.Fatal("key without kid accepted")
		}
		if _, err := k.Issue(Request{Issuer: "https://g.example", Subject: "s", Audience: []string{"https://g.example/mcp"}, TTL: MinTTL, Now: time.Unix(1_800_000_000, 0)}); err != nil {
			t.Fatalf("accepted key cannot sign: %v", err)
		}
	})
}
