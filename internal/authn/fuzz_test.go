package authn

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn/authntest"
)

// FuzzValidate feeds arbitrary tokens to a validator with a real key set:
// nothing may panic, and nothing but a token signed by the issuer may
// pass (the fuzzer cannot sign).
func FuzzValidate(f *testing.F) {
	is := authntest.New()
	defer is.Close()
	const res = "https://gateway.example.com/mcp"
	v, err := New(Config{Issuer: is.URL, Resource: res})
	if err != nil {
		f.Fatal(err)
	}
	if err := v.Warm(context.Background()); err != nil {
		f.Fatal(err)
	}
	good := is.Token(is.Claims(res, "alice", "mcp"))
	f.Add(good)
	parts := strings.Split(good, ".")
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.AAAA")
	f.Add("a.b.c.d.e")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := v.Validate(context.Background(), tok)
		if err == nil && tok != good {
			t.Fatalf("accepted a token the issuer did not sign: %q → %+v", tok, p)
		}
	})
}

// FuzzParseClaims: any payload is parsed or refused, never a panic, and
// times stay in range.
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"iss":"a","sub":"b","aud":["c"],"exp":1700000000,"scope":"x y","groups":["g"]}`))
	f.Add([]byte(`{"scp":"x","aud":"c","nbf":1e10,"iat":-1}`))
	f.Add([]byte(`{"exp":1.5e300}`))
	f.Add([]byte(`{"aud":null,"groups":"one"}{}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := parseClaims(payload, "groups")
		if err != nil {
			return
		}
		for _, tm := range []*time.Time{c.exp, c.nbf, c.iat} {
			if tm != nil && (tm.Before(time.Unix(0, 0)) || tm.After(time.Unix(1e11, 0))) {
				t.Fatalf("time out of range: %v", tm)
			}
		}
	})
}

// FuzzBearerToken: header parsing never panics, and a token it returns
// holds no separator.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  x.y.z", "Basic abc", "Bearer", "Bearer a,b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{"Authorization": {v}}
		tok, err := BearerToken(h)
		if err == nil && (tok == "" || strings.ContainsAny(tok, " \t,")) {
			t.Fatalf("BearerToken(%q) = %q", v, tok)
		}
	})
}
