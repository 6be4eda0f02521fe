package mcpwire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unsafe"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   Kind
		method string
		id     string // raw id bytes; "" when absent
		params string // raw params bytes; "" when absent
	}{
		{
			name: "request with unknown members",
			in:   `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"s":"hi"}},"x-trace":{"a":[1,2,{"b":null}]}}`,
			kind: KindRequest, method: "tools/call", id: `1`,
			params: `{"name":"echo","arguments":{"s":"hi"}}`,
		},
		{
			name: "notification",
			in:   `{"jsonrpc":"2.0","method":"notifications/initialized"}`,
			kind: KindNotification, method: "notifications/initialized",
		},
		{
			name: "notification with params array",
			in:   `{"method":"custom/thing","params":[1,"two",{"three":3}],"jsonrpc":"2.0"}`,
			kind: KindNotification, method: "custom/thing", params: `[1,"two",{"three":3}]`,
		},
		{
			name: "response",
			in:   `{"jsonrpc":"2.0","id":"abc","result":{"content":[{"type":"text","text":"ok"}]},"extra":true}`,
			kind: KindResponse, id: `"abc"`,
		},
		{
			name: "response with null result",
			in:   `{"jsonrpc":"2.0","id":3,"result":null}`,
			kind: KindResponse, id: `3`,
		},
		{
			name: "error response",
			in:   `{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"no such method","data":{"m":"x"}}}`,
			kind: KindError, id: `7`,
		},
		{
			name: "error response with null id",
			in:   `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`,
			kind: KindError, id: `null`,
		},
		{
			name: "big integer id kept as written",
			in:   `{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}`,
			kind: KindRequest, method: "ping", id: `12345678901234567890`,
		},
		{
			name: "fractional id",
			in:   `{"jsonrpc":"2.0","id":1.5,"method":"ping"}`,
			kind: KindRequest, method: "ping", id: `1.5`,
		},
		{
			name: "exponent and negative ids",
			in:   `{"jsonrpc":"2.0","id":-1.25E-7,"result":{}}`,
			kind: KindResponse, id: `-1.25E-7`,
		},
		{
			name: "negative zero id",
			in:   `{"jsonrpc":"2.0","id":-0,"result":{}}`,
			kind: KindResponse, id: `-0`,
		},
		{
			name: "string id with escapes",
			in:   `{"jsonrpc":"2.0","id":"a\"b\\c\/\u00e9\ud83d\ude00\n","method":"ping"}`,
			kind: KindRequest, method: "ping", id: `"a\"b\\c\/\u00e9\ud83d\ude00\n"`,
		},
		{
			name: "whitespace everywhere",
			in:   "\r\n\t {  \"jsonrpc\" : \"2.0\" ,\n \"id\"\t:\t42 , \"method\" : \"tools/list\" , \"params\" : { } }\n\n",
			kind: KindRequest, method: "tools/list", id: `42`, params: `{ }`,
		},
		{
			name: "escaped method and version",
			in:   `{"jsonrpc":"\u0032.0","id":1,"method":"tools\/call","params":{}}`,
			kind: KindRequest, method: "tools/call", id: `1`, params: `{}`,
		},
		{
			name: "escaped envelope key",
			in:   `{"jsonrpc":"2.0","\u0069d":5,"method":"ping"}`,
			kind: KindRequest, method: "ping", id: `5`,
		},
		{
			name: "unknown method kept",
			in:   `{"jsonrpc":"2.0","id":1,"method":"vendor/x-thing"}`,
			kind: KindRequest, method: "vendor/x-thing", id: `1`,
		},
		{
			name: "distinct non-ascii keys",
			in:   `{"jsonrpc":"2.0","id":1,"method":"x","params":{"é":1,"e":2,"K":3,"ß":4,"ss":5,"\u0000":6,"":7}}`,
			kind: KindRequest, method: "x", id: `1`,
			params: `{"é":1,"e":2,"K":3,"ß":4,"ss":5,"\u0000":6,"":7}`,
		},
		{
			name: "many distinct keys use the map path",
			in:   `{"jsonrpc":"2.0","id":1,"method":"x","params":` + manyKeys(40, "") + `}`,
			kind: KindRequest, method: "x", id: `1`, params: manyKeys(40, ""),
		},
		{
			name: "same key in sibling and nested objects",
			in:   `{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}}`,
			kind: KindRequest, method: "x", id: `1`,
			params: `{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}`,
		},
		{
			name: "nesting at the limit",
			in:   `{"jsonrpc":"2.0","id":1,"method":"x","params":` + nest(63) + `}`,
			kind: KindRequest, method: "x", id: `1`, params: nest(63),
		},
		{
			name: "all number forms and literals",
			in:   `{"jsonrpc":"2.0","id":0,"method":"x","params":[0,-0,1,-1,0.5,1e5,1E+5,1e-5,-0.0e0,123456789012345678901234567890,true,false,null,"",[],{}]}`,
			kind: KindRequest, method: "x", id: `0`,
			params: `[0,-0,1,-1,0.5,1e5,1E+5,1e-5,-0.0e0,123456789012345678901234567890,true,false,null,"",[],{}]`,
		},
		{
			name: "utf-8 text including U+FFFD and 4-byte runes",
			in:   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"t\":\"h\u00e9llo \ufffd \U0001F600 \u2028\"}}",
			kind: KindRequest, method: "x", id: `1`,
			params: "{\"t\":\"h\u00e9llo \ufffd \U0001F600 \u2028\"}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			m, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := bytes.Trim(in, " \t\r\n")
			if !bytes.Equal(m.Raw, want) {
				t.Errorf("Raw = %q, want %q", m.Raw, want)
			}
			if !aliases(m.Raw, in) {
				t.Errorf("Raw is a copy, want an alias of the input")
			}
			if m.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v", m.Kind, tt.kind)
			}
			if m.Method != tt.method {
				t.Errorf("Method = %q, want %q", m.Method, tt.method)
			}
			if string(m.ID) != tt.id || (tt.id == "") != (m.ID == nil) {
				t.Errorf("ID = %q, want %q", m.ID, tt.id)
			}
			if m.ID != nil && !aliases(m.ID, in) {
				t.Errorf("ID is a copy, want an alias of the input")
			}
			if tt.params != "" && string(m.Params) != tt.params {
				t.Errorf("Params = %q, want %q", m.Params, tt.params)
			}
			if m.Kind == KindResponse && m.Result == nil || m.Kind == KindError && m.Error == nil {
				t.Errorf("Result/Error not set for %v", m.Kind)
			}
			if m.Kind != KindResponse && m.Result != nil || m.Kind != KindError && m.Error != nil {
				t.Errorf("Result/Error set for %v", m.Kind)
			}
		})
	}
}

func TestParseMembersAreCapped(t *testing.T) {
	m, err := Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	// Appending to a member must not write over the rest of Raw.
	_ = append(m.ID, 'X')
	_ = append(m.Params, 'X')
	if string(m.Raw) != `{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":1}}` {
		t.Fatalf("Raw changed through a member: %s", m.Raw)
	}
}

func TestParseRejects(t *testing.T) {
	const (
		parse   = CodeParseError
		invalid = CodeInvalidRequest
	)
	const head = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":`
	tests := []struct {
		name string
		in   string
		code int
		id   string // recovered id; "" for none
		msg  string // substring of the message
	}{
		// Not JSON.
		{"empty", "", parse, "", "empty"},
		{"only whitespace", " \n\t", parse, "", "empty"},
		{"truncated after id", `{"jsonrpc":"2.0","id":1,"method":"x"`, parse, "1", "end of input"},
		{"truncated in string", `{"jsonrpc":"2.0","id":"r1","method":"x`, parse, `"r1"`, "end of input"},
		{"truncated before id value", `{"jsonrpc":"2.0","id":`, parse, "", "end of input"},
		{"truncated in id", `{"jsonrpc":"2.0","id":"ab`, parse, "", "end of input"},
		{"truncated escape", `{"jsonrpc":"2.0","method":"\`, parse, "", "end of input"},
		{"trailing garbage", `{"jsonrpc":"2.0","id":1,"method":"x"}x`, parse, "1", "end of message"},
		{"two objects", `{"jsonrpc":"2.0","id":1,"method":"x"}{"jsonrpc":"2.0","id":2,"method":"x"}`, parse, "1", "end of message"},
		{"trailing number", `{"jsonrpc":"2.0","id":1,"method":"x"} 1`, parse, "1", "end of message"},
		{"trailing nul", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}\x00", parse, "1", "0x00"},
		{"trailing comma in object", `{"jsonrpc":"2.0","id":1,"method":"x",}`, parse, "1", "string key"},
		{"trailing comma in array", head + `[1,]}`, parse, "1", "value"},
		{"missing colon", `{"jsonrpc":"2.0","id" 1}`, parse, "", "':'"},
		{"single quotes", `{'jsonrpc':'2.0'}`, parse, "", "string key"},
		{"comment", `{"jsonrpc":"2.0","id":1,"method":"x" /* hi */}`, parse, "1", "'/'"},
		{"bare key", `{jsonrpc:"2.0"}`, parse, "", "string key"},

		// Top level.
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"x"}]`, invalid, "", "batch requests are not supported"},
		{"empty batch", `[]`, invalid, "", "batch"},
		{"broken batch", `[{"jsonrpc":"2.0"`, parse, "", "end of input"},
		{"number", `1`, parse, "", "json object"},
		{"string", `"x"`, parse, "", "json object"},
		{"null", `null`, parse, "", "json object"},
		{"garbage", "\x00\x01\x02", parse, "", "0x00"},

		// Numbers and literals.
		{"leading zero", head + `[01]}`, parse, "1", "','"},
		{"bare dot", head + `[1.]}`, parse, "1", "decimal point"},
		{"leading dot", head + `[.5]}`, parse, "1", "value"},
		{"lone minus", head + `[-]}`, parse, "1", "digit"},
		{"plus sign", head + `[+1]}`, parse, "1", "value"},
		{"empty exponent", head + `[1e]}`, parse, "1", "exponent"},
		{"signed empty exponent", head + `[1e+]}`, parse, "1", "exponent"},
		{"hex", head + `[0x10]}`, parse, "1", "','"},
		{"NaN", head + `[NaN]}`, parse, "1", "value"},
		{"Infinity", head + `[-Infinity]}`, parse, "1", "digit"},
		{"short literal", head + `[tru]}`, parse, "1", "literal"},
		{"capital literal", head + `[True]}`, parse, "1", "value"},
		{"literal run-on", head + `[nullx]}`, parse, "1", "','"},

		// Strings.
		{"raw newline", head + "{\"a\":\"x\ny\"}}", parse, "1", "control character 0x0a"},
		{"raw tab", head + "{\"a\":\"x\ty\"}}", parse, "1", "control character 0x09"},
		{"raw nul", head + "{\"a\":\"x\x00y\"}}", parse, "1", "control character 0x00"},
		{"raw unit separator in key", head + "{\"a\x1f\":1}}", parse, "1", "control character 0x1f"},
		{"bad escape", head + `{"a":"\x"}}`, parse, "1", "invalid escape"},
		{"short unicode escape", head + `{"a":"\u12"}}`, parse, "1", `\u escape`},
		{"bad hex", head + `{"a":"\u12g4"}}`, parse, "1", `\u escape`},
		{"lone high surrogate", head + `{"a":"\ud800"}}`, parse, "1", "lone surrogate"},
		{"lone low surrogate", head + `{"a":"\udc00"}}`, parse, "1", "lone surrogate"},
		{"high then letter", head + `{"a":"\ud800\u0041"}}`, parse, "1", "lone surrogate"},
		{"high then text", head + `{"a":"\ud800x"}}`, parse, "1", "lone surrogate"},
		{"reversed pair", head + `{"a":"\udc00\ud800"}}`, parse, "1", "lone surrogate"},
		{"lone surrogate in key", head + `{"\udfff":1}}`, parse, "1", "lone surrogate"},
		{"lone surrogate in id", `{"jsonrpc":"2.0","id":"\ud800","method":"x"}`, parse, "", "lone surrogate"},

		// UTF-8.
		{"invalid byte", head + "{\"a\":\"\xff\"}}", parse, "1", "invalid utf-8"},
		{"overlong slash", head + "{\"a\":\"\xc0\xaf\"}}", parse, "1", "invalid utf-8"},
		{"encoded surrogate", head + "{\"a\":\"\xed\xa0\x80\"}}", parse, "1", "invalid utf-8"},
		{"truncated rune", head + "{\"a\":\"\xe2\x82\"}}", parse, "1", "invalid utf-8"},
		{"beyond U+10FFFF", head + "{\"a\":\"\xf4\x90\x80\x80\"}}", parse, "1", "invalid utf-8"},
		{"invalid utf-8 in key", head + "{\"\xfe\":1}}", parse, "1", "invalid utf-8"},
		{"invalid utf-8 outside strings", head + "{\"a\":\xc3\xa9}}", parse, "1", "0xc3"},
		{"binary", "\x89PNG\r\n\x1a\n", parse, "", "0x89"},

		// Depth.
		{"depth 65", head + nest(64) + "}", parse, "1", "nesting deeper than 64"},
		{"depth bomb arrays", head + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}", parse, "1", "nesting"},
		{"depth bomb objects", head + strings.Repeat(`{"a":`, 100000), parse, "1", "nesting"},

		// Duplicate and case-variant keys.
		{"duplicate id", `{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}`, invalid, "", `duplicate key "id"`},
		{"duplicate method", `{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}`, invalid, "1", `duplicate key "method"`},
		{"duplicate jsonrpc", `{"jsonrpc":"2.0","jsonrpc":"1.0","id":1,"method":"x"}`, invalid, "1", `duplicate key "jsonrpc"`},
		{"duplicate params", head + `{},"params":{"name":"evil"}}`, invalid, "1", `duplicate key "params"`},
		{"duplicate unknown member", `{"jsonrpc":"2.0","id":1,"method":"x","z":1,"z":2}`, invalid, "1", `duplicate key "z"`},
		{"duplicate in params.arguments", head + `{"name":"t","arguments":{"path":"/tmp","path":"/etc"}}}`, invalid, "1", `duplicate key "path" at params.arguments`},
		{"duplicate in params", head + `{"name":"a","arguments":{},"name":"b"}}`, invalid, "1", `duplicate key "name" at params`},
		{"duplicate inside array", head + `{"arguments":{"list":[{},{"a":1,"a":1}]}}}`, invalid, "1", `at params.arguments.list[1]`},
		{"duplicate before the id", `{"jsonrpc":"2.0","params":{"a":1,"a":2},"method":"x","id":"late"}`, invalid, `"late"`, `duplicate key "a" at params`},
		{"duplicate via escape", head + `{"arguments":{"name":1,"n\u0061me":2}}}`, invalid, "1", `duplicate key "name" at params.arguments`},
		{"duplicate via escaped slash", head + `{"a/b":1,"a\/b":2}}`, invalid, "1", `duplicate key "a/b"`},
		{"case variant", head + `{"arguments":{"name":1,"Name":2}}}`, invalid, "1", `key "Name" conflicts with "name"`},
		{"case variant via escape", head + `{"arguments":{"name":1,"\u004eame":2}}}`, invalid, "1", `conflicts with "name"`},
		{"case variant all caps", head + `{"NAME":1,"name":2}}`, invalid, "1", "conflicts"},
		{"kelvin sign vs k", head + "{\"k\":1,\"\u212a\":2}}", invalid, "1", `key "\u212a" conflicts with "k"`},
		{"kelvin sign escaped vs K", head + `{"K":1,"\u212a":2}}`, invalid, "1", "conflicts"},
		{"long s vs S", head + "{\"S\":1,\"\u017f\":2}}", invalid, "1", "conflicts"},
		{"non-ascii case", head + "{\"\u00e9t\u00e9\":1,\"\u00c9T\u00c9\":2}}", invalid, "1", "conflicts"},
		{"greek sigma forms", head + "{\"\u03c3\":1,\"\u03c2\":2}}", invalid, "1", "conflicts"},
		{"duplicate in big object", head + manyKeys(40, `"k7":true`) + "}", invalid, "1", `duplicate key "k7" at params`},
		{"case variant in big object", head + manyKeys(40, `"K39":true`) + "}", invalid, "1", `key "K39" conflicts with "k39"`},
		{"duplicate late in big object", head + manyKeys(17, `"k0":1`) + "}", invalid, "1", `duplicate key "k0"`},
		{"case variant of id at top", `{"jsonrpc":"2.0","id":1,"ID":2,"method":"x"}`, invalid, "", "conflicts"},
		{"id spelled differently", `{"jsonrpc":"2.0","Id":1,"method":"tools/call"}`, invalid, "", `member "Id" must be spelled "id"`},
		{"method spelled differently", `{"jsonrpc":"2.0","id":1,"METHOD":"tools/call","result":{}}`, invalid, "1", `must be spelled "method"`},
		{"params spelled with long s", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"param\u017f\":{}}", invalid, "1", `must be spelled "params"`},
		{"jsonrpc spelled differently", `{"JSONRPC":"2.0","id":1,"method":"x"}`, invalid, "1", `must be spelled "jsonrpc"`},
		{"duplicate wins over later syntax error", head + `{"a":1,"a":2}`, parse, "1", "end of input"},

		// Envelope.
		{"missing jsonrpc", `{"id":1,"method":"x"}`, invalid, "1", `missing "jsonrpc"`},
		{"jsonrpc number", `{"jsonrpc":2.0,"id":1,"method":"x"}`, invalid, "1", `"jsonrpc" must be "2.0"`},
		{"jsonrpc 1.0", `{"jsonrpc":"1.0","id":1,"method":"x"}`, invalid, "1", `"jsonrpc" must be "2.0"`},
		{"jsonrpc with space", `{"jsonrpc":"2.0 ","id":1,"method":"x"}`, invalid, "1", `"jsonrpc" must be "2.0"`},
		{"jsonrpc null", `{"jsonrpc":null,"id":1,"method":"x"}`, invalid, "1", `"jsonrpc" must be "2.0"`},
		{"id true", `{"jsonrpc":"2.0","id":true,"method":"x"}`, invalid, "", `"id" must be a string or number`},
		{"id object", `{"jsonrpc":"2.0","id":{"a":1},"method":"x"}`, invalid, "", `"id" must be a string or number`},
		{"id array", `{"jsonrpc":"2.0","id":[1],"method":"x"}`, invalid, "", `"id" must be a string or number`},
		{"id null on request", `{"jsonrpc":"2.0","id":null,"method":"x"}`, invalid, "", `request "id" must not be null`},
		{"id null on result", `{"jsonrpc":"2.0","id":null,"result":{}}`, invalid, "", `response "id" must not be null`},
		{"method number", `{"jsonrpc":"2.0","id":1,"method":1}`, invalid, "1", `"method" must be a string`},
		{"method null", `{"jsonrpc":"2.0","id":1,"method":null}`, invalid, "1", `"method" must be a string`},
		{"params string", `{"jsonrpc":"2.0","id":1,"method":"x","params":"a"}`, invalid, "1", `"params" must be an object or array`},
		{"params null", `{"jsonrpc":"2.0","id":1,"method":"x","params":null}`, invalid, "1", `"params" must be an object or array`},
		{"method and result", `{"jsonrpc":"2.0","id":1,"method":"x","result":{}}`, invalid, "1", `must not carry "result" or "error"`},
		{"method and error", `{"jsonrpc":"2.0","id":1,"method":"x","error":{"code":1,"message":"m"}}`, invalid, "1", `must not carry`},
		{"result and error", `{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}`, invalid, "1", `both "result" and "error"`},
		{"nothing", `{"jsonrpc":"2.0","id":1}`, invalid, "1", `no "method", "result" or "error"`},
		{"empty object", `{}`, invalid, "", `missing "jsonrpc"`},
		{"result without id", `{"jsonrpc":"2.0","result":{}}`, invalid, "", `response is missing "id"`},
		{"error without id", `{"jsonrpc":"2.0","error":{"code":1,"message":"m"}}`, invalid, "", `error response is missing "id"`},
		{"error not object", `{"jsonrpc":"2.0","id":1,"error":"boom"}`, invalid, "1", `"error" must be an object`},
		{"error without code", `{"jsonrpc":"2.0","id":1,"error":{"message":"m"}}`, invalid, "1", `missing "code"`},
		{"error code fraction", `{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}`, invalid, "1", `must be an integer`},
		{"error code exponent", `{"jsonrpc":"2.0","id":1,"error":{"code":1e2,"message":"m"}}`, invalid, "1", `must be an integer`},
		{"error code string", `{"jsonrpc":"2.0","id":1,"error":{"code":"1","message":"m"}}`, invalid, "1", `must be an integer`},
		{"error code overflow", `{"jsonrpc":"2.0","id":1,"error":{"code":99999999999999999999,"message":"m"}}`, invalid, "1", `must be an integer`},
		{"error without message", `{"jsonrpc":"2.0","id":1,"error":{"code":1}}`, invalid, "1", `missing "message"`},
		{"error message not string", `{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":null}}`, invalid, "1", `"error.message" must be a string`},
		{"error code case variant only", `{"jsonrpc":"2.0","id":1,"error":{"Code":1,"message":"m"}}`, invalid, "1", `missing "code"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted %q as %v", tt.in, m.Kind)
			}
			if m != nil {
				t.Errorf("Parse returned a message with its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Code != tt.code {
				t.Errorf("Code = %d, want %d (%s)", e.Code, tt.code, e.Message)
			}
			if string(e.ID) != tt.id || (tt.id == "") != (e.ID == nil) {
				t.Errorf("ID = %q, want %q (%s)", e.ID, tt.id, e.Message)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("Message = %q, want it to contain %q", e.Message, tt.msg)
			}
			if e.Message != strings.ToLower(e.Message[:1])+e.Message[1:] {
				t.Errorf("Message %q starts with a capital", e.Message)
			}
		})
	}
}

func TestErrorIDIsACopy(t *testing.T) {
	in := []byte(`{"jsonrpc":"2.0","id":"abc","method":1}`)
	_, err := Parse(in)
	var e *Error
	if !errors.As(err, &e) || string(e.ID) != `"abc"` {
		t.Fatalf("err = %v", err)
	}
	copy(in, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
	if string(e.ID) != `"abc"` {
		t.Fatalf("Error.ID aliases the input: %q", e.ID)
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse([]byte(`[]`))
	if got := err.Error(); got != "mcpwire: invalid request: batch requests are not supported" {
		t.Errorf("Error() = %q", got)
	}
	_, err = Parse([]byte(`{`))
	if got := err.Error(); !strings.HasPrefix(got, "mcpwire: parse error: ") {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseLongKeyMessageIsShort(t *testing.T) {
	long := strings.Repeat("k", 10000)
	_, err := Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"x","params":{"` + long + `":1,"` + long + `":2}}`))
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("err = %.300v", err)
	}
}

// aliases reports whether sub lies within the memory of b.
func aliases(sub, b []byte) bool {
	if len(sub) == 0 || len(b) == 0 {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(sub))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= lo && p+uintptr(len(sub)) <= lo+uintptr(len(b))
}

// nest returns n nested arrays; as params they reach depth n+1.
func nest(n int) string {
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

// manyKeys returns an object with n distinct keys k0..k(n-1), then extra.
func manyKeys(n int, extra string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"k` + itoa(i) + `":` + itoa(i))
	}
	if extra != "" {
		sb.WriteString("," + extra)
	}
	sb.WriteByte('}')
	return sb.String()
}

func itoa(i int) string { return string(appendInt(nil, i)) }
