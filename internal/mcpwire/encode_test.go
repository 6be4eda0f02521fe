package mcpwire

import (
	"encoding/json"
	"testing"
)

func TestEncoders(t *testing.T) {
	tests := []struct {
		name   string
		got    []byte
		want   string
		kind   Kind
		method string
	}{
		{"request", NewRequest([]byte(`1`), "tools/call", []byte(`{"name":"x"}`)),
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`, KindRequest, "tools/call"},
		{"request without params", NewRequest([]byte(`"a"`), "ping", nil),
			`{"jsonrpc":"2.0","id":"a","method":"ping"}`, KindRequest, "ping"},
		{"request escapes method", NewRequest([]byte(`2`), "a\"b\\c\n\x01\u2028é", nil),
			`{"jsonrpc":"2.0","id":2,"method":"a\"b\\c\n\u0001` + "\u2028é" + `"}`, KindRequest, "a\"b\\c\n\x01\u2028é"},
		{"notification", NewNotification("notifications/progress", []byte(`{"progress":1}`)),
			`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}`, KindNotification, "notifications/progress"},
		{"notification without params", NewNotification("notifications/initialized", []byte{}),
			`{"jsonrpc":"2.0","method":"notifications/initialized"}`, KindNotification, "notifications/initialized"},
		{"result", NewResult([]byte(`12345678901234567890`), []byte(`{"tools":[]}`)),
			`{"jsonrpc":"2.0","id":12345678901234567890,"result":{"tools":[]}}`, KindResponse, ""},
		{"nil result", NewResult([]byte(`3`), nil),
			`{"jsonrpc":"2.0","id":3,"result":null}`, KindResponse, ""},
		{"error", NewError([]byte(`"x"`), CodeInvalidParams, `bad "name"`, []byte(`{"k":1}`)),
			`{"jsonrpc":"2.0","id":"x","error":{"code":-32602,"message":"bad \"name\"","data":{"k":1}}}`, KindError, ""},
		{"error with nil id", NewError(nil, CodeParseError, "parse error", nil),
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`, KindError, ""},
		{"invalid utf-8 message is replaced", NewError([]byte(`1`), 1, "a\xffb", nil),
			`{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"a\ufffdb"}}`, KindError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Fatalf("got  %s\nwant %s", tt.got, tt.want)
			}
			m, err := Parse(tt.got)
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			if m.Kind != tt.kind || m.Method != tt.method {
				t.Errorf("parsed as %v %q", m.Kind, m.Method)
			}
		})
	}
}

func TestAppendQuotedMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x1f\x7f", "\b\f\n\r\t", "é😀", "\xff\xfe", "a\xc0\xafb", "<>&", "\u2028"} {
		var back string
		if err := json.Unmarshal(appendQuoted(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := string([]rune(s)) // invalid UTF-8 becomes U+FFFD, as json.Marshal does
		if back != want {
			t.Errorf("%q round-trips to %q", s, back)
		}
	}
}

func TestIDKey(t *testing.T) {
	same := [][2]string{
		{`1`, ` 1 `},
		{`"1"`, `"\u0031"`},
		{`"a/b"`, `"a\/b"`},
		{`"é"`, `"\u00e9"`},
		{`"\n"`, `"\u000a"`},
		{`"\u0001"`, `"\u0001"`},
		{`"😀"`, `"\ud83d\ude00"`},
		{`"q\""`, `"q\u0022"`},
	}
	for _, p := range same {
		if a, b := IDKey([]byte(p[0])), IDKey([]byte(p[1])); a != b {
			t.Errorf("IDKey(%s) = %q, IDKey(%s) = %q; want equal", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{
		{`1`, `"1"`},
		{`1`, `1.0`},
		{`1`, `10`},
		{`"a"`, `"A"`},
		{`null`, `"null"`},
		{`"\\u0031"`, `"1"`},
	}
	for _, p := range differ {
		if a, b := IDKey([]byte(p[0])), IDKey([]byte(p[1])); a == b {
			t.Errorf("IDKey(%s) == IDKey(%s) == %q; want different", p[0], p[1], a)
		}
	}
	for _, garbage := range []string{``, `"`, `"\`, `"\u12"`, `"\ud800"`, "\"\\n\xff\""} {
		_ = IDKey([]byte(garbage)) // must not panic
	}
}

func TestStringMemberAndMeta(t *testing.T) {
	params := []byte(`{"name":"ec\u0068o","n":1,"_meta":{"progressToken":"t1","io.modelcontextprotocol/protocolVersion":"2025-06-18","esc":"a\nb\u00e9","num":2}}`)
	if s, ok := StringMember(params, "name"); !ok || s != "echo" {
		t.Errorf("StringMember(name) = %q, %v", s, ok)
	}
	if _, ok := StringMember(params, "n"); ok {
		t.Error("StringMember accepted a number")
	}
	if _, ok := StringMember(params, "missing"); ok {
		t.Error("StringMember found a missing key")
	}
	if m := Meta(params); string(m) != `{"progressToken":"t1","io.modelcontextprotocol/protocolVersion":"2025-06-18","esc":"a\nb\u00e9","num":2}` {
		t.Errorf("Meta = %s", m)
	}
	for key, want := range map[string]string{"progressToken": "t1", "io.modelcontextprotocol/protocolVersion": "2025-06-18", "esc": "a\nbé"} {
		if s, ok := MetaString(params, key); !ok || s != want {
			t.Errorf("MetaString(%q) = %q, %v; want %q", key, s, ok, want)
		}
	}
	if _, ok := MetaString(params, "num"); ok {
		t.Error("MetaString accepted a number")
	}
	for _, p := range []string{`{}`, `{"_meta":null}`, `{"_meta":"x"}`, `{"_meta":[]}`, `[]`, ``} {
		if m := Meta([]byte(p)); m != nil {
			t.Errorf("Meta(%s) = %s, want nil", p, m)
		}
		if _, ok := MetaString([]byte(p), "a"); ok {
			t.Errorf("MetaString(%s) found something", p)
		}
	}
}

// plain8 must agree with the byte-by-byte rule for every byte in every
// lane, or AppendString would skip a byte that needs escaping.
func TestPlain8(t *testing.T) {
	base := []byte("abcdefgh")
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			b := append([]byte(nil), base...)
			b[lane] = byte(c)
			want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
			if got := plain8(load8(string(b), 0)); got != want {
				t.Fatalf("lane %d byte %#x: plain8 = %v, want %v", lane, c, got, want)
			}
		}
	}
}
