package mcpwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// Seeds live in testdata/fuzz/FuzzParse and testdata/fuzz/FuzzEdit.

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || m != nil {
				t.Fatalf("Parse returned %T with message %v", err, m)
			}
			if e.Code != CodeParseError && e.Code != CodeInvalidRequest {
				t.Fatalf("unexpected code %d", e.Code)
			}
			if e.ID != nil {
				if c := e.ID[0]; !json.Valid(e.ID) || c != '"' && c != '-' && (c < '0' || c > '9') {
					t.Fatalf("recovered id %q is not a string or number", e.ID)
				}
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("Parse accepted what encoding/json rejects: %q", b)
		}
		if why := stricter(m.Raw); why != "" {
			t.Fatalf("Parse accepted a message with %s: %q", why, b)
		}
		if !bytes.Equal(m.Raw, bytes.Trim(b, " \t\r\n")) || m.Kind == KindInvalid {
			t.Fatalf("Raw %q Kind %v", m.Raw, m.Kind)
		}
		if m.ID != nil && !bytes.Equal(m.Raw[m.idStart:m.idEnd], m.ID) {
			t.Fatalf("id offsets do not match ID %q", m.ID)
		}
		_ = IDKey(m.ID)
		_ = Meta(m.Params)
		for _, id := range []string{`"gw-1"`, `9007199254740993`} {
			out := m.WithID([]byte(id))
			m2, err := Parse(out)
			if err != nil {
				t.Fatalf("WithID(%s) = %q does not parse: %v", id, out, err)
			}
			if m2.Kind != m.Kind || m2.Method != m.Method {
				t.Fatalf("WithID(%s) changed %v %q into %v %q", id, m.Kind, m.Method, m2.Kind, m2.Method)
			}
			if m.ID != nil && string(m2.ID) != id {
				t.Fatalf("WithID(%s) gave id %q", id, m2.ID)
			}
			if m.ID == nil && !bytes.Equal(out, m.Raw) {
				t.Fatalf("WithID changed a message without id")
			}
			if app := m.AppendWithID([]byte("prefix"), []byte(id)); string(app) != "prefix"+string(out) {
				t.Fatalf("AppendWithID(%s) = %q, want %q after the prefix", id, app, out)
			}
		}
	})
}

func FuzzEdit(f *testing.F) {
	f.Add([]byte(`{"name":"x","arguments":{"a":1}}`), "name", []byte(`"y"`))
	f.Fuzz(func(t *testing.T, obj []byte, key string, val []byte) {
		accepted := scanValue(obj) == nil && bytes.HasPrefix(bytes.TrimLeft(obj, " \t\r\n"), []byte("{"))
		// Get trusts its input to be validated: on anything else it only
		// has to survive.
		old, had := Get(obj, key)
		_, _ = StringMember(obj, key)
		_ = Meta(obj)
		if !accepted {
			had = false
		}
		wantVal := bytes.Trim(val, " \t\r\n")

		if out, err := Set(obj, key, val); err == nil {
			checkEdited(t, "Set", obj, out, accepted)
			if got, ok := Get(out, key); !ok || !bytes.Equal(got, wantVal) {
				t.Fatalf("after Set, Get(%q) = %q, %v; want %q", key, got, ok, wantVal)
			}
			if had {
				// Only the old value's bytes may differ.
				start := offsetIn(old, obj)
				if !bytes.Equal(out[:start], obj[:start]) || !bytes.HasSuffix(out, obj[start+len(old):]) {
					t.Fatalf("Set changed bytes outside the value: %q -> %q", obj, out)
				}
			}
		}

		if out, err := Delete(obj, key); err == nil {
			checkEdited(t, "Delete", obj, out, accepted)
			if _, ok := Get(out, key); ok {
				t.Fatalf("Delete left %q in %q", key, out)
			}
			if !had && !bytes.Equal(out, obj) {
				t.Fatalf("Delete of a missing key changed %q into %q", obj, out)
			}
		}

		path := strings.SplitN(key, ".", 3)
		if out, err := SetPath(obj, path, val); err == nil {
			checkEdited(t, "SetPath", obj, out, accepted)
			cur := out
			for _, k := range path {
				v, ok := Get(cur, k)
				if !ok {
					t.Fatalf("after SetPath(%q), %q is missing in %q", path, k, out)
				}
				cur = v
			}
			if !bytes.Equal(cur, wantVal) {
				t.Fatalf("after SetPath(%q) the value is %q, want %q", path, cur, wantVal)
			}
		}
	})
}

// checkEdited: an edit succeeds only on an accepted object and yields
// JSON our own scanner accepts, unless the new value made it too deep.
func checkEdited(t *testing.T, op string, obj, out []byte, accepted bool) {
	t.Helper()
	if !accepted {
		t.Fatalf("%s succeeded on rejected object %q", op, obj)
	}
	if !json.Valid(out) {
		t.Fatalf("%s produced invalid JSON %q from %q", op, out, obj)
	}
	if err := scanValue(out); err != nil && !strings.Contains(err.Message, "nesting") {
		t.Fatalf("%s produced %q, which we reject: %v", op, out, err)
	}
}

func offsetIn(sub, b []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(sub))) - uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}
