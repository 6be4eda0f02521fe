package upstream

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestScanParamDecls(t *testing.T) {
	for _, tt := range []struct {
		name, schema string
		want         []string // header names, in any order
		err          string
	}{
		{"none", `{"type":"object","properties":{"q":{"type":"string"}}}`, nil, ""},
		{"top", `{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"n":{"type":"integer"}}}`, []string{"Mcp-Param-Region"}, ""},
		{"nested", `{"properties":{"a":{"type":"object","properties":{"b":{"type":"integer","x-mcp-header":"b-id"}}}}}`, []string{"Mcp-Param-B-Id"}, ""},
		{"several", `{"properties":{"x":{"type":"boolean","x-mcp-header":"X"},"y":{"type":"number","x-mcp-header":"Y"}}}`, []string{"Mcp-Param-X", "Mcp-Param-Y"}, ""},
		{"root", `{"type":"string","x-mcp-header":"R"}`, nil, "only permitted"},
		{"under items", `{"properties":{"l":{"type":"array","items":{"type":"string","x-mcp-header":"L"}}}}`, nil, "only permitted"},
		{"under anyOf", `{"properties":{"l":{"anyOf":[{"type":"string","x-mcp-header":"L"}]}}}`, nil, "only permitted"},
		{"under $defs", `{"$defs":{"d":{"type":"string","x-mcp-header":"D"}},"properties":{}}`, nil, "only permitted"},
		{"object type", `{"properties":{"o":{"type":"object","x-mcp-header":"O"}}}`, nil, "type"},
		{"no type", `{"properties":{"o":{"x-mcp-header":"O"}}}`, nil, "type"},
		{"bad token", `{"properties":{"s":{"type":"string","x-mcp-header":"a b"}}}`, nil, "not an HTTP token"},
		{"CRLF token", `{"properties":{"s":{"type":"string","x-mcp-header":"a\r\nX-Evil: 1"}}}`, nil, "not an HTTP token"},
		{"empty", `{"properties":{"s":{"type":"string","x-mcp-header":""}}}`, nil, "not an HTTP token"},
		{"not a string", `{"properties":{"s":{"type":"string","x-mcp-header":7}}}`, nil, "not an HTTP token"},
		{"case twins", `{"properties":{"a":{"type":"string","x-mcp-header":"Tenant"},"b":{"type":"string","x-mcp-header":"tenant"}}}`, nil, "declared twice"},
		{"not JSON", `{`, nil, "inputSchema"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			decls, err := scanParamDecls(json.RawMessage(tt.schema))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, d := range decls {
				got[d.header] = true
			}
			if len(got) != len(tt.want) {
				t.Fatalf("headers %v, want %v", got, tt.want)
			}
			for _, h := range tt.want {
				if !got[h] {
					t.Fatalf("headers %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestParamDeclValue(t *testing.T) {
	d := paramDecl{path: []string{"a", "b"}, typ: "string"}
	for _, tt := range []struct {
		args, want string
		has        bool
	}{
		{`{"a":{"b":"eu"}}`, "eu", true},
		{`{"a":{"b":"\u00e9t\u00e9"}}`, "été", true},
		{`{"a":{"b":true}}`, "true", true},
		{`{"a":{"b":42}}`, "42", true},
		{`{"a":{"b":42.0}}`, "42", true},
		{`{"a":{"b":4.2e1}}`, "42", true},
		{`{"a":{"b":-1.5}}`, "-1.5", true},
		{`{"a":{"b":9007199254740993}}`, "", false}, // beyond the safe range
		{`{"a":{"b":null}}`, "", false},
		{`{"a":{}}`, "", false},
		{`{"a":5}`, "", false},
		{`{"a":{"b":[1]}}`, "", false},
		{`{"a":{"b":{"c":1}}}`, "", false},
	} {
		got, has, err := d.value(json.RawMessage(tt.args))
		if err != nil || got != tt.want || has != tt.has {
			t.Errorf("%s: got %q %v %v, want %q %v", tt.args, got, has, err, tt.want, tt.has)
		}
	}
}

func TestParamSameValue(t *testing.T) {
	n := paramDecl{typ: "integer"}
	s := paramDecl{typ: "string"}
	for _, tt := range []struct {
		d      paramDecl
		header string
		body   string
		same   bool
	}{
		{n, "42", "42", true},
		{n, "42.0", "42", true},
		{n, "042", "42", true},
		{n, "4.2e1", "42", false}, // not the canonical decimal form: compared as text
		{n, "43", "42", false},
		{s, "eu", "eu", true},
		{s, "EU", "eu", false},
		{s, "42.0", "42", false},
	} {
		if got := tt.d.sameValue(tt.header, tt.body); got != tt.same {
			t.Errorf("%s %q vs %q: %v", tt.d.typ, tt.header, tt.body, got)
		}
	}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"plain", "plain", true},
		{"=?base64?w6l0w6k=?=", "été", true},
		{"=?base64?w6l0w6k?=", "", false}, // not canonical (padding)
		{"=?base64?/w==?=", "", false},    // not UTF-8
		{"=?base64?", "=?base64?", true},  // no closing sentinel: plain
	} {
		got, ok := decodeParamHeader(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decode %q = %q %v", tt.in, got, ok)
		}
	}
}

func FuzzScanParamDecls(f *testing.F) {
	for _, s := range []string{
		`{"properties":{"region":{"type":"string","x-mcp-header":"Region"}}}`,
		`{"properties":{"a":{"properties":{"b":{"type":"integer","x-mcp-header":"B"}}}}}`,
		`{"properties":{"l":{"items":{"type":"string","x-mcp-header":"L"}}}}`,
		`{"$defs":{"d":{"x-mcp-header":"D"}}}`, `[]`, `null`, `{"properties":1}`,
	} {
		f.Add([]byte(s), []byte(`{"region":"eu","a":{"b":1}}`))
	}
	f.Fuzz(func(t *testing.T, schema, args []byte) {
		decls, err := scanParamDecls(schema)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, d := range decls {
			if len(d.path) == 0 || !strings.HasPrefix(d.header, hdrParamPrefix) || strings.ContainsAny(d.header, " \r\n:") {
				t.Fatalf("bad declaration %+v", d)
			}
			if seen[d.header] {
				t.Fatalf("header %s twice", d.header)
			}
			seen[d.header] = true
			v, has, err := d.value(args)
			if err == nil && has && !d.sameValue(v, v) && d.typ != "integer" && d.typ != "number" {
				t.Fatalf("value %q not equal to itself", v)
			}
			if has {
				if got, ok := decodeParamHeader(encodeHeaderValue(v)); !ok || got != v {
					t.Fatalf("header round trip %q -> %q", v, got)
				}
			}
		}
	})
}

// A tool missing from the gateway's own listing is not listed for again
// on every call: it declares nothing until the list changes or a while
// has passed.
func TestParamToolsRelist(t *testing.T) {
	var p paramTools
	if _, known, _ := p.lookup("hidden"); known {
		t.Fatal("known before any listing")
	}
	p.learn(json.RawMessage(`{"tools":[{"name":"a","inputSchema":{"properties":{"r":{"type":"string","x-mcp-header":"R"}}}},{"name":"b","inputSchema":{"properties":{"o":{"x-mcp-header":"O"}}}}]}`))
	if d, known, bad := p.lookup("a"); !known || len(d) != 1 || bad != "" {
		t.Fatalf("a: %v %v %q", d, known, bad)
	}
	if _, known, bad := p.lookup("b"); !known || bad == "" {
		t.Fatalf("b (invalid declaration) not reported: %v %q", known, bad)
	}
	if _, known, _ := p.lookup("hidden"); known {
		t.Fatal("a tool never listed is known before the gateway tried itself")
	}
	p.tried = time.Now()
	if d, known, _ := p.lookup("hidden"); !known || d != nil {
		t.Fatalf("after a listing, a missing tool must count as declaring nothing: %v %v", d, known)
	}
	p.tried = time.Now().Add(-2 * relistAfter)
	if _, known, _ := p.lookup("hidden"); known {
		t.Fatal("a missing tool is never listed for again")
	}
	p.tried = time.Now()
	p.forget()
	if _, known, _ := p.lookup("a"); known {
		t.Fatal("forget kept what was learned")
	}
}
