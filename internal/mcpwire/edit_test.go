package mcpwire

import (
	"bytes"
	"strings"
	"testing"
)

// reparse checks that an edited params object still passes Parse inside a
// request.
func reparse(t *testing.T, params []byte) {
	t.Helper()
	msg := append([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":`), params...)
	msg = append(msg, '}')
	m, err := Parse(msg)
	if err != nil {
		t.Fatalf("edited object does not re-parse: %v\n%s", err, params)
	}
	if !bytes.Equal(m.Params, bytes.TrimSpace(params)) {
		t.Fatalf("Params = %s, want %s", m.Params, params)
	}
}

// untouched checks that out is in with in[start:end] replaced by mid.
func untouched(t *testing.T, in, out []byte, start, end int, mid string) {
	t.Helper()
	if !bytes.Equal(out[:start], in[:start]) {
		t.Errorf("bytes before the edit changed:\n in %q\nout %q", in[:start], out[:start])
	}
	if !bytes.HasSuffix(out, in[end:]) || len(out) < start+len(in)-end {
		t.Errorf("bytes after the edit changed:\n in %q\nout %q", in[end:], out)
	} else if got := string(out[start : len(out)-(len(in)-end)]); got != mid {
		t.Errorf("edited bytes = %q, want %q", got, mid)
	}
}

func TestGet(t *testing.T) {
	obj := []byte(` { "name" : "echo" , "arguments":{"name":"inner","x":[1,{"y":2}]}, "n\u0061me2":3, "e\"q":true, "_meta":null } `)
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"name", `"echo"`, true},
		{"arguments", `{"name":"inner","x":[1,{"y":2}]}`, true},
		{"name2", `3`, true},
		{`e"q`, `true`, true},
		{"_meta", `null`, true},
		{"x", "", false},     // nested only
		{"Name", "", false},  // exact match only
		{"name ", "", false}, // no trimming
	}
	for _, tt := range tests {
		v, ok := Get(obj, tt.key)
		if ok != tt.ok || string(v) != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.want, tt.ok)
		}
		if ok && !aliases(v, obj) {
			t.Errorf("Get(%q) copied the value", tt.key)
		}
	}
	for _, garbage := range []string{"", " ", "{", `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `[{"a":1}]`, `"a"`, `{a:1}`, "\xff", `{"a":1}}`, `}`, `{"a":"\u`, `{"a":1,"a":2}`, `{"a":1,"A":2}`} {
		// Get trusts Parse to have validated; the validating lookup it is
		// fuzzed against must refuse garbage, and Get must not panic.
		if v, ok := getValidated([]byte(garbage), "a"); ok {
			t.Errorf("getValidated(%q) = %q, true on garbage", garbage, v)
		}
		Get([]byte(garbage), "a")
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name, obj, key, val, want string
	}{
		{"replace keeps layout", "{ \"a\" : 1 ,\n \"b\" :  [1, 2]\t}", "b", `true`, "{ \"a\" : 1 ,\n \"b\" :  true\t}"},
		{"replace first", `{"name":"old","arguments":{}}`, "name", `"new"`, `{"name":"new","arguments":{}}`},
		{"replace escaped key", `{"n\u0061me":"old"}`, "name", `"new"`, `{"n\u0061me":"new"}`},
		{"replace trims value", `{"a":1}`, "a", " \n[ 2 ]\t", `{"a":[ 2 ]}`},
		{"append", `{"a":1}`, "k", `"v"`, `{"a":1,"k":"v"}`},
		{"append keeps trailing space", "{\"a\":1 \n}", "k", `{}`, "{\"a\":1,\"k\":{} \n}"},
		{"append to empty", `{}`, "k", `1`, `{"k":1}`},
		{"append to empty with space", "{ \n }", "k", `1`, "{\"k\":1 \n }"},
		{"append escapes key", `{}`, "a\"b\\c\n", `1`, `{"a\"b\\c\n":1}`},
		{"outer whitespace kept", "  {\"a\":1}\n", "a", `2`, "  {\"a\":2}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.obj)
			out, err := Set(in, tt.key, []byte(tt.val))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("Set = %q, want %q", out, tt.want)
			}
			if string(in) != tt.obj {
				t.Fatalf("Set modified its input")
			}
			if v, ok := Get(out, tt.key); !ok || string(v) != strings.TrimSpace(tt.val) {
				t.Errorf("Get after Set = %q, %v", v, ok)
			}
			reparse(t, out)
		})
	}
}

func TestSetLargeObjectTouchesOnlyTheValue(t *testing.T) {
	big := strings.Repeat("x", 70000)
	in := []byte(`{"name":"echo","arguments":{"text":"` + big + `","n":[1, 2, 3]},"z": false}`)
	out, err := Set(in, "name", []byte(`"renamed"`))
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(in, []byte(`"echo"`))
	untouched(t, in, out, start, start+len(`"echo"`), `"renamed"`)
	reparse(t, out)

	out, err = Set(in, "added", []byte(`{"k":"v"}`))
	if err != nil {
		t.Fatal(err)
	}
	end := len(in) - 1
	untouched(t, in, out, end, end, `,"added":{"k":"v"}`)
	reparse(t, out)
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name, obj, key, val, msg string
	}{
		{"invalid value", `{}`, "a", `{`, "invalid value"},
		{"empty value", `{}`, "a", ``, "invalid value"},
		{"two values", `{}`, "a", `1 2`, "invalid value"},
		{"value with duplicate keys", `{}`, "a", `{"x":1,"X":2}`, "invalid value"},
		{"value with lone surrogate", `{}`, "a", `"\udc00"`, "invalid value"},
		{"case variant of existing key", `{"name":1}`, "Name", `2`, `conflicts with existing key "name"`},
		{"kelvin variant", `{"k":1}`, "\u212a", `2`, "conflicts"},
		{"not an object", `[1]`, "a", `1`, "invalid object"},
		{"truncated object", `{"a":1`, "a", `1`, "invalid object"},
		{"trailing data", `{"a":1} x`, "a", `1`, "invalid object"},
		{"object with duplicates", `{"a":1,"a":2}`, "a", `1`, "invalid object"},
		{"invalid utf-8 key", `{}`, "\xff", `1`, "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Set([]byte(tt.obj), tt.key, []byte(tt.val))
			if err == nil || out != nil {
				t.Fatalf("Set = %q, %v; want an error", out, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name, obj, key, want string
	}{
		{"first", `{"a":1, "b":2, "c":3}`, "a", `{"b":2, "c":3}`},
		{"middle", `{"a":1, "b":2, "c":3}`, "b", `{"a":1, "c":3}`},
		{"last", `{"a":1, "b":2, "c":3}`, "c", `{"a":1, "b":2}`},
		{"only", `{ "a" : [1,{"b":2}] }`, "a", `{  }`},
		{"absent", `{"a":1}`, "z", `{"a":1}`},
		{"empty", `{}`, "a", `{}`},
		{"escaped key", `{"x":0,"\u0061":1}`, "a", `{"x":0}`},
		{"pretty", "{\n  \"a\": 1,\n  \"b\": 2\n}", "a", "{\n  \"b\": 2\n}"},
		{"pretty last", "{\n  \"a\": 1,\n  \"b\": 2\n}", "b", "{\n  \"a\": 1\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.obj)
			out, err := Delete(in, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("Delete = %q, want %q", out, tt.want)
			}
			if len(out) > 0 && aliases(out, in) {
				t.Fatalf("Delete returned its input")
			}
			if _, ok := Get(out, tt.key); ok {
				t.Errorf("key still present")
			}
			reparse(t, out)
		})
	}
	if _, err := Delete([]byte(`{"a":`), "a"); err == nil {
		t.Error("Delete accepted a broken object")
	}
}

func TestSetPath(t *testing.T) {
	const pv = "io.modelcontextprotocol/protocolVersion"
	tests := []struct {
		name, obj string
		path      []string
		val, want string
	}{
		{"create _meta", `{"name":"x","arguments":{}}`, []string{"_meta", pv}, `"2025-06-18"`,
			`{"name":"x","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-06-18"}}`},
		{"into existing _meta", `{"_meta": {"progressToken":1} ,"name":"x"}`, []string{"_meta", pv}, `"v"`,
			`{"_meta": {"progressToken":1,"io.modelcontextprotocol/protocolVersion":"v"} ,"name":"x"}`},
		{"replace in existing _meta", `{"_meta":{"a":1,"b":2}}`, []string{"_meta", "a"}, `3`, `{"_meta":{"a":3,"b":2}}`},
		{"into empty _meta", `{"_meta":{}}`, []string{"_meta", "a"}, `3`, `{"_meta":{"a":3}}`},
		{"create several levels", `{}`, []string{"a", "b", "c"}, `null`, `{"a":{"b":{"c":null}}}`},
		{"partly existing", `{"a":{"x":1}}`, []string{"a", "b", "c"}, `1`, `{"a":{"x":1,"b":{"c":1}}}`},
		{"single step is Set", `{"a":1}`, []string{"a"}, `2`, `{"a":2}`},
		{"escaped path keys", `{}`, []string{`q"`, "\n"}, `1`, `{"q\"":{"\n":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.obj)
			out, err := SetPath(in, tt.path, []byte(tt.val))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("SetPath = %s, want %s", out, tt.want)
			}
			reparse(t, out)
		})
	}
	errs := []struct {
		name, obj string
		path      []string
		msg       string
	}{
		{"empty path", `{}`, nil, "empty path"},
		{"through a string", `{"_meta":"x"}`, []string{"_meta", "a"}, "_meta is not an object"},
		{"through null", `{"a":{"b":null}}`, []string{"a", "b", "c"}, "a.b is not an object"},
		{"through an array", `{"a":[]}`, []string{"a", "b"}, "not an object"},
		{"case variant on the way", `{"_Meta":{}}`, []string{"_meta", "a"}, "conflicts"},
		{"broken object", `{"a":{`, []string{"a", "b"}, "invalid object"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SetPath([]byte(tt.obj), tt.path, []byte(`1`))
			if err == nil {
				t.Fatalf("SetPath = %s, want an error", out)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestWithID(t *testing.T) {
	ins := []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"id":1}}`,
		` {"jsonrpc" : "2.0", "method":"x", "id" : "a\"b" , "z":[]} `,
		`{"id":12345678901234567890,"jsonrpc":"2.0","result":{"id":2}}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}`,
	}
	for _, in := range ins {
		m, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{`7`, `"gw-00000000000000000001"`, `-1.5e3`, `""`} {
			out := m.WithID([]byte(id))
			if string(m.Raw[m.idStart:m.idEnd]) != string(m.ID) {
				t.Fatalf("id offsets %d:%d do not match ID %s", m.idStart, m.idEnd, m.ID)
			}
			untouched(t, m.Raw, out, m.idStart, m.idEnd, id)
			m2, err := Parse(out)
			if err != nil {
				t.Fatalf("WithID(%s) of %s does not parse: %v", id, in, err)
			}
			if string(m2.ID) != id || m2.Kind != m.Kind || m2.Method != m.Method || !bytes.Equal(m2.Params, m.Params) {
				t.Errorf("WithID(%s) = %s", id, out)
			}
			// Back to the original id gives the original bytes.
			if back := m2.WithID(m.ID); !bytes.Equal(back, m.Raw) {
				t.Errorf("round trip = %s, want %s", back, m.Raw)
			}
		}
		if out := m.WithID(nil); !bytes.Contains(out, []byte(`null`)) {
			t.Errorf("WithID(nil) = %s", out)
		}
	}

	m, err := Parse([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	if err != nil {
		t.Fatal(err)
	}
	out := m.WithID([]byte(`5`))
	if !bytes.Equal(out, m.Raw) || aliases(out, m.Raw) {
		t.Fatalf("WithID on a notification = %s (must be an unchanged copy)", out)
	}
	var zero Message
	if out := zero.WithID([]byte(`1`)); len(out) != 0 {
		t.Fatalf("WithID on a zero Message = %q", out)
	}
}

// SetID is WithID in place: the message it leaves reads as Parse of the
// new bytes would, and can have its id replaced again.
func TestSetID(t *testing.T) {
	for _, in := range []string{
		`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"x"}]}}`,
		`{"result":{"id":3},"jsonrpc":"2.0","id":"up-77"}`,
		`{"jsonrpc":"2.0","id":12345678901234567890,"error":{"code":-32601,"message":"m"}}`,
	} {
		m, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		orig := *m
		for _, id := range []string{`"caller-id-longer-than-before"`, `7`, `""`, `-1.5e3`} {
			if !m.SetID([]byte(id)) {
				t.Fatalf("SetID(%s) of %s refused", id, in)
			}
			want, err := Parse(orig.WithID([]byte(id)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m.Raw, want.Raw) || string(m.ID) != id || m.Kind != want.Kind ||
				!bytes.Equal(m.Result, want.Result) || !bytes.Equal(m.Error, want.Error) {
				t.Errorf("SetID(%s) of %s: %s (id %s), want %s", id, in, m.Raw, m.ID, want.Raw)
			}
		}
		if !m.SetID(orig.ID) || !bytes.Equal(m.Raw, orig.Raw) {
			t.Errorf("back to the first id: %s, want %s", m.Raw, orig.Raw)
		}
	}
	m, err := Parse([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	if err != nil {
		t.Fatal(err)
	}
	if raw := m.Raw; m.SetID([]byte(`5`)) || !bytes.Equal(m.Raw, raw) {
		t.Errorf("SetID on a notification changed it: %s", m.Raw)
	}
}

func TestWithParam(t *testing.T) {
	m, err := Parse([]byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"t","arguments":{"a":1},"_meta":{"x":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.WithParam("arguments", []byte(`{"a":2}`))
	if err != nil || string(got.Raw) != `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"t","arguments":{"a":2},"_meta":{"x":1}}}` || got.Method != "tools/call" {
		t.Fatalf("arguments replaced: %v %s", err, got.Raw)
	}
	if got, err = m.WithParam("", []byte(`{"name":"u"}`)); err != nil || string(got.Params) != `{"name":"u"}` {
		t.Fatalf("params replaced: %v %s", err, got.Raw)
	}
	// What Parse refuses is refused: a member beside one that differs only
	// in case.
	if _, err := m.WithParam("Name", []byte(`"x"`)); err == nil {
		t.Fatal("a case-variant key was accepted")
	}
}

// AppendWithID is WithID into the caller's buffer: with room there, it
// allocates nothing.
func TestAppendWithID(t *testing.T) {
	for _, raw := range []string{
		`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo"}}`,
		`{"method":"ping","jsonrpc":"2.0","id" : "a\u0062" }`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
	} {
		m, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{`7`, `"gw-12"`, ``} {
			want := m.WithID([]byte(id))
			var buf [256]byte
			if got := m.AppendWithID(buf[:0], []byte(id)); string(got) != string(want) {
				t.Errorf("%s with %q: %s, want %s", raw, id, got, want)
			}
			if n := testing.AllocsPerRun(100, func() { m.AppendWithID(buf[:0], []byte(id)) }); n != 0 {
				t.Errorf("%v allocations", n)
			}
		}
	}
}
