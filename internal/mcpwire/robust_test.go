package mcpwire

import (
	"strings"
	"testing"
)

// The readers must survive any bytes: callers use them on bodies that
// failed Parse too (an upstream's broken error reply, for one).
func TestReadersNeverPanic(t *testing.T) {
	garbage := []string{
		``, ` `, `{`, `}`, `{}`, `[]`, `"`, `"\`, `{"`, `{"a`, `{"a"`, `{"a":`, `{"a":}`, `{"a": }`,
		`{"a":,"b":1}`, `{"a":"`, `{"a":"\`, `{"a":"\u12`, `{"a":[`, `{"a":{"b":}`, `{"a"}`, `{:1}`,
		`{"_meta":}`, `{"_meta":{`, `{"_meta":{"a":}}`, `{"_meta":"x`, `{"_meta":{"a":"`, "{\"a\":\"\xff\"}",
		`{"a":1 "b":2}`, `{"a":1,}`, `{"a":"x"]`, `{"a":"\"}`, strings.Repeat("{", 200), strings.Repeat(`{"a":`, 200),
	}
	for _, g := range garbage {
		for _, key := range []string{"a", "b", "_meta", ""} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("panic on %q key %q: %v", g, key, r)
					}
				}()
				b := []byte(g)
				Get(b, key)
				StringMember(b, key)
				Meta(b)
				MetaString(b, key)
				IDKey(b)
				_, _ = Set(b, key, []byte(`1`))
				_, _ = Delete(b, key)
				_, _ = SetPath(b, []string{"_meta", key}, []byte(`1`))
				_, _ = Parse(b)
			}()
		}
	}
}

func TestGetRefusesMissingValues(t *testing.T) {
	for _, g := range []string{`{"a":}`, `{"a": }`, `{"a":,"b":1}`, `{"a":]`, `{"a":"x`, `{"a":"x\"}`} {
		if v, ok := Get([]byte(g), "a"); ok {
			t.Errorf("Get(%q) = %q, true", g, v)
		}
	}
}
