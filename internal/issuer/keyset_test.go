package issuer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

func TestKeySetRotateWithdraw(t *testing.T) {
	k1, k2, k3 := newKey(t), newKey(t), newKey(t)
	single, err := issuer.Generate()
	if err != nil {
		t.Fatal(err)
	}
	// A single JWK (what keygen writes) is a set without previous keys.
	s, err := issuer.ParseKeySet(single)
	if err != nil || len(s.Previous) != 0 {
		t.Fatalf("single key: %+v %v", s, err)
	}
	s = &issuer.KeySet{Current: k1}
	now := time.Unix(1_800_000_000, 0)
	overlap := issuer.MaxTTL + 30*time.Second
	if err := s.Rotate(k2, now, overlap); err != nil {
		t.Fatal(err)
	}
	if s.Current != k2 || len(s.Previous) != 1 || s.Previous[0].Key.KeyID != k1.KeyID() || s.Previous[0].NotAfter.Before(now.Add(overlap)) {
		t.Fatalf("after rotate: %+v", s)
	}
	if err := s.Rotate(k2, now, overlap); err == nil {
		t.Fatal("rotated to a key already in the set")
	}
	// Stored and read back: the retired key is public only.
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), `"d":`) != 1 {
		t.Fatalf("stored set holds %d private parts, want 1 (the current key): %s", strings.Count(string(data), `"d":`), data)
	}
	back, err := issuer.ParseKeySet(data)
	if err != nil || back.Current.KeyID() != k2.KeyID() || len(back.Previous) != 1 || !back.Previous[0].Key.IsPublic() ||
		!back.Previous[0].NotAfter.Equal(s.Previous[0].NotAfter) {
		t.Fatalf("read back: %+v %v", back, err)
	}
	if v := back.Verifying(); len(v) != 2 || v[0].Key.KeyID != k2.KeyID() || !v[0].NotAfter.IsZero() || v[1].Key.KeyID != k1.KeyID() {
		t.Fatalf("verifying: %+v", v)
	}
	// A rotation once the overlap is over drops the ended key.
	if err := back.Rotate(k3, now.Add(overlap+2*time.Second), overlap); err != nil {
		t.Fatal(err)
	}
	if len(back.Previous) != 1 || back.Previous[0].Key.KeyID != k2.KeyID() {
		t.Fatalf("ended key kept: %+v", back.Previous)
	}
	if err := back.Withdraw(k3.KeyID()); err == nil || !strings.Contains(err.Error(), "current") {
		t.Fatalf("withdrew the current key: %v", err)
	}
	if err := back.Withdraw("nope"); err == nil {
		t.Fatal("withdrew an unknown key")
	}
	if err := back.Withdraw(k2.KeyID()); err != nil || len(back.Previous) != 0 {
		t.Fatalf("withdraw: %v %+v", err, back.Previous)
	}
	// At most MaxPrevious keys within their overlap.
	s = &issuer.KeySet{Current: newKey(t)}
	for i := 0; i < issuer.MaxPrevious; i++ {
		if err := s.Rotate(newKey(t), now, overlap); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Rotate(newKey(t), now, overlap); err == nil {
		t.Fatal("more retired keys than MaxPrevious")
	}
}

func TestParseKeySetRefuses(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	s := &issuer.KeySet{Current: k1}
	if err := s.Rotate(k2, time.Now(), issuer.MaxTTL); err != nil {
		t.Fatal(err)
	}
	good, _ := s.Marshal()
	cur := string(good[strings.Index(string(good), `"current":`)+len(`"current":`) : strings.Index(string(good), `,"previous"`)])
	pub, _ := k1.Public().MarshalJSON()
	curPub, _ := k2.Public().MarshalJSON()
	for name, in := range map[string]string{
		"not json":             `{`,
		"current public":       `{"current":` + string(curPub) + `}`,
		"previous private":     `{"current":` + cur + `,"previous":[{"key":` + cur + `,"not_after":1900000000}]}`,
		"duplicate kid":        `{"current":` + cur + `,"previous":[{"key":` + string(curPub) + `,"not_after":1900000000}]}`,
		"no not_after":         `{"current":` + cur + `,"previous":[{"key":` + string(pub) + `}]}`,
		"unknown field":        `{"current":` + cur + `,"extra":1}`,
		"hmac previous":        `{"current":` + cur + `,"previous":[{"key":{"kty":"oct","k":"c2VjcmV0","kid":"h"},"not_after":1900000000}]}`,
		"previous without kid": `{"current":` + cur + `,"previous":[{"key":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},"not_after":1900000000}]}`,
		"previous enc":         `{"current":` + cur + `,"previous":[{"key":{"kty":"OKP","crv":"Ed25519","use":"enc","kid":"e","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},"not_after":1900000000}]}`,
	} {
		if _, err := issuer.ParseKeySet([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := issuer.ParseKeySet(good); err != nil {
		t.Fatalf("good set refused: %v", err)
	}
}
