package mcpwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanValue runs the strict scanner on any JSON value: what Parse applies
// before the envelope rules.
func scanValue(b []byte) *Error {
	var s scanner
	s.init(b)
	s.skipWS()
	if s.value(0) {
		s.skipWS()
		if s.pos != len(b) {
			s.unexpected("end of input")
		}
	}
	if s.err != nil {
		return s.err
	}
	return s.soft
}

// loneSurrogate finds \uD800-\uDFFF escapes that are not a proper pair.
// Leftmost-first matching consumes escaped backslashes before they can be
// mistaken for the start of an escape.
var loneSurrogate = regexp.MustCompile(`\\(?:\\|u[dD][89aAbB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(u[dD][89a-fA-F][0-9a-fA-F]{2}))`)

// stricter explains why input that encoding/json.Valid accepts is still
// refused by our rules, or returns "" when it must be accepted.
func stricter(b []byte) string {
	if !utf8.Valid(b) {
		return "invalid utf-8"
	}
	for _, m := range loneSurrogate.FindAllSubmatchIndex(b, -1) {
		if m[2] >= 0 {
			return "lone surrogate"
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type level struct {
		obj    bool
		keys   []string
		expKey bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			return "decoder: " + err.Error()
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].expKey = true
			}
			continue
		}
		if top != nil && top.obj && top.expKey {
			k := tok.(string)
			for _, p := range top.keys {
				if strings.EqualFold(p, k) {
					return "duplicate key"
				}
			}
			top.keys = append(top.keys, k)
			top.expKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &level{obj: d == '{', expKey: d == '{'})
			if len(stack) > maxDepth {
				return "too deep"
			}
			continue
		}
		if top != nil && top.obj {
			top.expKey = true
		}
	}
}

func TestDifferentialValid(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seeds := []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,2.5,-3e4,true,null,"s"]}}}`,
		`[{"a":"\u00e9\ud83d\ude00\n\\\"\/"},{"b":{}},[],0,-0.0E+1]`,
		`{"k":1,"K":2}`, `"\ud800"`, `"\\ud800"`, "\"\xff\"", `{"a":{"a":{"a":{}}}}`,
	}
	var accepted, rejected, explained int
	for i := range 60000 {
		var b []byte
		if i%3 == 0 {
			b = []byte(seeds[r.IntN(len(seeds))])
		} else {
			b = genValue(r, 0, nil)
		}
		for n := r.IntN(4); n > 0 && i%2 == 0; n-- {
			b = mutate(r, b)
		}
		ours := scanValue(b)
		valid := json.Valid(b)
		why := stricter(b)
		switch {
		case ours == nil && !valid:
			t.Fatalf("we accept what encoding/json rejects: %q", b)
		case ours == nil && why != "":
			t.Fatalf("we accept input with %s: %q", why, b)
		case ours != nil && valid && why == "":
			t.Fatalf("we reject valid input %q: %v", b, ours)
		case ours == nil:
			accepted++
		case valid:
			explained++
		default:
			rejected++
		}
		if m, err := Parse(b); err == nil && !json.Valid(m.Raw) {
			t.Fatalf("Parse accepted invalid JSON %q", b)
		}
	}
	t.Logf("accepted %d, rejected as invalid %d, rejected by stricter rules %d", accepted, rejected, explained)
	if accepted < 5000 || rejected < 5000 || explained < 1000 {
		t.Fatalf("generator is not exercising all outcomes")
	}
}

var (
	genKeys = []string{`"a"`, `"b"`, `"name"`, `"Name"`, `"n\u0061me"`, `"k"`, "\"\u212a\"", `"K"`, `"\u00e9"`, `"\u00c9"`, `""`, `"id"`, `"_meta"`}
	genStrs = []string{
		`""`, `"x"`, `"\"\\\/\b\f\n\r\t"`, `"\u0000"`, `"\u00e9"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`,
		`"\\ud800"`, "\"\u2028\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\x01\"", `"\x"`, `"\u12"`, `"é\U0001F600"`,
	}
	genNums = []string{`0`, `-0`, `1`, `-12`, `1.5`, `1e5`, `1E-5`, `-0.0e+0`, `12345678901234567890`, `01`, `1.`, `-`, `.5`, `1e`, `+1`}
	genLits = []string{`true`, `false`, `null`, `tru`, `nul`, `True`}
	genWS   = []string{"", "", "", " ", "\n", "\t", "\r\n "}
)

// genValue writes a random, mostly valid JSON value with colliding keys,
// tricky strings and the odd syntax error.
func genValue(r *rand.Rand, depth int, b []byte) []byte {
	b = append(b, genWS[r.IntN(len(genWS))]...)
	pick := r.IntN(10)
	if depth > 4 && pick < 4 {
		pick += 4
	}
	if r.IntN(200) == 0 {
		n := 60 + r.IntN(10)
		return append(b, strings.Repeat("[", n)+strings.Repeat("]", n)...)
	}
	switch {
	case pick < 2:
		b = append(b, '{')
		for i := range r.IntN(5) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, genWS[r.IntN(len(genWS))]...)
			b = append(b, genKeys[r.IntN(len(genKeys))]...)
			b = append(b, ':')
			b = genValue(r, depth+1, b)
		}
		b = append(b, '}')
	case pick < 4:
		b = append(b, '[')
		for i := range r.IntN(5) {
			if i > 0 {
				b = append(b, ',')
			}
			b = genValue(r, depth+1, b)
		}
		b = append(b, ']')
	case pick < 6:
		b = append(b, genStrs[r.IntN(len(genStrs))]...)
	case pick < 7:
		// Long strings with the odd special byte anywhere, to exercise the
		// eight-bytes-at-a-time path at every alignment.
		const chars = "abcdefgh ~\\\\\"\x00\x1f\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff"
		b = append(b, '"')
		for n := r.IntN(40); n > 0; n-- {
			if r.IntN(8) == 0 {
				b = append(b, chars[8+r.IntN(len(chars)-8)])
			} else {
				b = append(b, chars[r.IntN(8)])
			}
		}
		b = append(b, '"')
	case pick < 9:
		b = append(b, genNums[r.IntN(len(genNums))]...)
	default:
		b = append(b, genLits[r.IntN(len(genLits))]...)
	}
	return append(b, genWS[r.IntN(len(genWS))]...)
}

func mutate(r *rand.Rand, b []byte) []byte {
	const interesting = "{}[]\",:\\ u0123456789eE.-+ntfa\x00\x1f\x7f\x80\xc3\xa9\xed\xff"
	if len(b) == 0 {
		return append(b, interesting[r.IntN(len(interesting))])
	}
	i := r.IntN(len(b))
	switch r.IntN(3) {
	case 0:
		return append(b[:i:i], b[i+1:]...)
	case 1:
		c := interesting[r.IntN(len(interesting))]
		return append(append(b[:i:i], c), b[i:]...)
	default:
		out := bytes.Clone(b)
		out[i] = interesting[r.IntN(len(interesting))]
		return out
	}
}

func TestDifferentialCorners(t *testing.T) {
	// Cases where encoding/json.Valid and we must agree, and where we are
	// deliberately stricter.
	agree := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1e5`, `[1,[2,[3]]]`, `{"a":{"b":[]}}`, ` {"a" : 1 } `,
		`"\ud83d\ude00"`, `"\u00e9"`, "\"\u00e9\"", `{"a":1,"b":1}`, `{"é":1,"e":1}`, `{"ß":1,"ss":1}`,
		`01`, `1.`, `{"a":1,}`, `[1,]`, `"\x"`, "\"\x01\"", `{"a"}`, `nul`, `[`, ``, ` `, `1 2`,
	}
	for _, in := range agree {
		if ours, valid := scanValue([]byte(in)) == nil, json.Valid([]byte(in)); ours != valid {
			t.Errorf("%q: we say %v, encoding/json says %v", in, ours, valid)
		}
	}
	stricterOnly := []string{
		"\"\xff\"", "\"\xed\xa0\x80\"", `"\ud800"`, `"\udc00"`, `"\ud800\ud800"`,
		`{"a":1,"a":2}`, `{"a":1,"A":2}`, "{\"k\":1,\"\u212a\":2}", `{"a":[{"x":1,"X":1}]}`,
		strings.Repeat("[", 65) + strings.Repeat("]", 65),
	}
	for _, in := range stricterOnly {
		if !json.Valid([]byte(in)) {
			t.Errorf("%q: encoding/json rejects it, the case is pointless", in)
		}
		if scanValue([]byte(in)) == nil {
			t.Errorf("%q: accepted, want rejected", in)
		}
		if stricter([]byte(in)) == "" {
			t.Errorf("%q: oracle does not explain the rejection", in)
		}
	}
}
