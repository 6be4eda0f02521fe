package jcs

import (
	"encoding/json"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"b":1,"a":[true,null,"x"]}`, `{"a":[true,null,"x"],"b":1}`},
		{` { "a" : 1.0 , "b" : 1e2 } `, `{"a":1,"b":100}`},
		{`[1e21, 1e-7, -0, 0.000001, 123456789012345678]`, `[1e+21,1e-7,0,0.000001,123456789012345680]`},
		{`"\u00e9\n\u001f\/"`, `"é\n\u001f/"`},
		// RFC 8785 §3.2.3: UTF-16 order puts U+1F600 before U+FB33.
		{`{"\ufb33":1,"😀":2,"a":3}`, `{"a":3,"😀":2,"דּ":1}`},
		{`4.5e-1`, `0.45`},
	} {
		got, err := Canonical([]byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if string(got) != tc.want {
			t.Errorf("Canonical(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{`{`, `1 2`, `1e999`} {
		if _, err := Canonical([]byte(bad)); err == nil {
			t.Errorf("Canonical(%s): no error", bad)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add(`{"b":[1,2.5,"x\u0000"],"a":{"z":null}}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Canonical([]byte(s))
		if err != nil {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("invalid output %q", c)
		}
		c2, err := Canonical(c)
		if err != nil || string(c2) != string(c) {
			t.Fatalf("not idempotent: %q -> %q (%v)", c, c2, err)
		}
	})
}
