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

// FuzzParseKeySet: any input is refused or yields a set whose current key
// signs and whose retired keys are public, distinct and ended in time.
func FuzzParseKeySet(f *testing.F) {
	good, _ := Generate()
	f.Add(good)
	k1, _ := ParseKey(good)
	next, _ := Generate()
	k2, _ := ParseKey(next)
	s := &KeySet{Current: k1}
	_ = s.Rotate(k2, time.Unix(1_800_000_000, 0), MaxTTL)
	set, _ := s.Marshal()
	f.Add(set)
	f.Add([]byte(`{"current":{"kty":"oct","k":"c2VjcmV0","kid":"a"}}`))
	f.Add([]byte(`{"current":null,"previous":[]}`))
	f.Add([]byte(`{"previous":[{"key":{},"not_after":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParseKeySet(data)
		if err != nil {
			return
		}
		if _, err := ks.Current.Issue(Request{Issuer: "https://g.example", Subject: "s", Audience: []string{"https://g.example/mcp"}, TTL: MinTTL, Now: time.Unix(1_800_000_000, 0)}); err != nil {
			t.Fatalf("accepted set's current key cannot sign: %v", err)
		}
		seen := map[string]bool{ks.Current.KeyID(): true}
		for _, r := range ks.Previous {
			if !r.Key.IsPublic() || r.Key.KeyID == "" || seen[r.Key.KeyID] || r.NotAfter.Unix() <= 0 {
				t.Fatalf("bad retired key accepted: %+v", r)
			}
			seen[r.Key.KeyID] = true
		}
		if len(ks.Previous) > MaxPrevious {
			t.Fatal("too many retired keys")
		}
	})
}
