package mcpwire

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	obj := []byte(` { "a" : 1 , "n\u0061me":"x\"}" ,"arr":[{"k":"]"},2], "o":{"_meta":{"p":"q"}},"last":null} `)
	for _, tc := range []struct{ key, want string }{
		{"a", "1"}, {"name", `"x\"}"`}, {"arr", `[{"k":"]"},2]`}, {"o", `{"_meta":{"p":"q"}}`}, {"last", "null"},
	} {
		got, ok := lookup(obj, tc.key)
		if !ok || string(got) != tc.want {
			t.Errorf("lookup %q = %q %v, want %q", tc.key, got, ok, tc.want)
		}
	}
	for _, key := range []string{"missing", "k", "_meta", "p"} {
		if v, ok := lookup(obj, key); ok {
			t.Errorf("lookup %q found %q; only top-level members count", key, v)
		}
	}
	for _, bad := range []string{``, `[`, `{"a"`, `{"a":`, `{"a":"x`, `{"a":{"b":1}`, `"a"`, `{"a":1 "b":2}`} {
		if v, ok := lookup([]byte(bad), "b"); ok {
			t.Errorf("lookup in %q found %q", bad, v)
		}
	}
}

// On every object the strict decoder accepts, the fast lookup agrees with
// the validating one for every key present and for absent ones.
func FuzzLookup(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":"x","c":{"d":[1,"]}"]}}`), "b")
	f.Add([]byte(`{"n\u0061me":"v","\\":"w"}`), "name")
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, obj []byte, key string) {
		if _, err := getValidatedKeys(obj); err != nil {
			return
		}
		want, wok := getValidated(obj, key)
		got, gok := lookup(obj, key)
		if wok != gok || !bytes.Equal(want, got) {
			t.Fatalf("lookup(%q, %q) = %q %v, validated %q %v", obj, key, got, gok, want, wok)
		}
		keys, _ := getValidatedKeys(obj)
		for _, k := range keys {
			want, _ := getValidated(obj, k)
			got, ok := lookup(obj, k)
			if !ok || !bytes.Equal(want, got) {
				t.Fatalf("lookup(%q, %q) = %q %v, validated %q", obj, k, got, ok, want)
			}
		}
	})
}

// getValidatedKeys returns the top-level keys of a strictly valid object.
func getValidatedKeys(obj []byte) ([]string, error) {
	if _, err := locate(obj, "\x00never"); err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	var keys []string
	for k := range m {
		if !strings.ContainsRune(k, '\ufffd') {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
