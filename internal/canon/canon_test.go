package canon

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"testing"
)

func TestCanonicalizeRFC8785(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"rfc example", `{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		{"utf16 key order", `{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
		{"whitespace", " { \"b\" : [ 1 , 2 ] ,\n\t\"a\":{}} ", `{"a":{},"b":[1,2]}`},
		{"nested", `{"z":{"y":1,"x":[{"b":1,"a":2}]}}`, `{"z":{"x":[{"a":2,"b":1}],"y":1}}`},
		{"del and controls", "\"\u007f\\u0001\\u001f\"", "\"\u007f\\u0001\\u001f\""},
		{"big int rounds", `9007199254740993`, `9007199254740992`},
		{"negative zero", `-0.0`, `0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1, "-1"}, {1e21, "1e+21"}, {1e20, "100000000000000000000"},
		{4.5, "4.5"}, {0.002, "0.002"}, {1e-7, "1e-7"}, {0.000001, "0.000001"},
		{5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"},
		{9007199254740992, "9007199254740992"}, {295147905179352830000, "295147905179352830000"},
		{1.5e300, "1.5e+300"}, {-1.25e-10, "-1.25e-10"}, {123456789012345680000, "123456789012345680000"},
		{0.1, "0.1"}, {100, "100"}, {1.2345e21, "1.2345e+21"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.f); got != tt.want {
			t.Errorf("FormatNumber(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"a":1,"a":2}`, "\"\xff\"", `"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`, `1e400`, `01`, `1.`, `.5`, `+1`,
		`[1,]`, `{"a":1,}`, `{"a" 1}`, `nul`, `tru`, `"a` + "\n" + `"`, `1 2`, `"\x"`, `"\u12"`, `{1:2}`, `NaN`, `[1] x`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
	deep := bytes.Repeat([]byte("["), maxDepth+5)
	if _, err := Parse(deep); err == nil {
		t.Error("deep nesting accepted")
	}
}

// FuzzCanonicalize checks that canonical output is a fixed point, is
// accepted by encoding/json with the same meaning, and that whatever
// encoding/json refuses, Parse refuses too.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,false,null,"x"]}`, `1E30`, `"\u20ac\ud83d\ude00"`, `{"\ufb33":1,"😀":2}`, `-0.0`, `[0.1,1e-7,1e21]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := Parse(in)
		if err != nil {
			return
		}
		if !json.Valid(in) {
			t.Fatalf("Parse accepted what encoding/json refuses: %q", in)
		}
		out, err := Append(nil, v)
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		again, err := Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, out)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, again)
		}
		var a, b any
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatalf("encoding/json refuses canonical output: %v", err)
		}
		_ = json.Unmarshal(in, &b)
		if !sameJSON(a, b) {
			t.Fatalf("meaning changed:\n%q\n%s", in, out)
		}
	})
}

// sameJSON compares trees from encoding/json, numbers as float64.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || strconv.FormatFloat(x, 'g', -1, 64) == strconv.FormatFloat(y, 'g', -1, 64))
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !sameJSON(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func BenchmarkCanonicalize(b *testing.B) {
	in := []byte(`{"query":"select * from users where id = 1","limit":100,"options":{"timeout":30,"explain":false},"tags":["a","b"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(in); err != nil {
			b.Fatal(err)
		}
	}
}

// refPlainEnd is where the string parser's fast path stopped before
// plainRun (the byte loop alone). TestPlainRunMatchesByteLoop checks that
// plainRun never steps over a byte that loop would have stopped at, and
// stops within the block that holds it.
func refPlainEnd(data []byte, i int) int {
	for i < len(data) && data[i] != '"' && data[i] != '\\' && data[i] >= 0x20 {
		i++
	}
	return i
}

func TestPlainRunMatchesByteLoop(t *testing.T) {
	var inputs [][]byte
	specials := []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xff, 0xe2, 'a'}
	for n := range 40 {
		for _, c := range specials {
			for at := 0; at <= n; at++ {
				b := bytes.Repeat([]byte("xyz\xc3\xa9"), n)[:n]
				if at < n {
					b[at] = c
				}
				inputs = append(inputs, b)
			}
		}
	}
	for _, in := range inputs {
		for start := range min(len(in)+1, 9) {
			got, want := plainRun(in, start), refPlainEnd(in, start)
			if got > want {
				t.Fatalf("plainRun(%q, %d) = %d, past the byte loop's stop %d", in, start, got, want)
			}
			if want-got >= 8 {
				t.Fatalf("plainRun(%q, %d) = %d stopped a whole block before %d", in, start, got, want)
			}
		}
	}
}
