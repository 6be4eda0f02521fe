package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScanEnvelope(t *testing.T) {
	msg := []byte(` { "result" : {"a":[1,{"b":"x\"}]"}]} , "jsonrpc":"2.0", "id" : 1000000000001 } `)
	env, err := scanEnvelope(msg)
	if err != nil {
		t.Fatal(err)
	}
	if string(env.ID) != "1000000000001" || string(env.Result) != `{"a":[1,{"b":"x\"}]"}]}` || env.Error != nil || env.Method != nil {
		t.Fatalf("got %+v", env)
	}
	for _, bad := range []string{``, `[]`, `{"id":1`, `{"id":"unterminated}`, `{"id" 1}`, `{"id":1,}`, `{"id":{"a":1}`} {
		if _, err := scanEnvelope([]byte(bad)); err == nil {
			t.Errorf("scanEnvelope(%q): no error", bad)
		}
	}
}

func TestSkipStringEscapes(t *testing.T) {
	for _, s := range []string{`"a"`, `"\\"`, `"\\\""`, `"\"\\"`, `"\u0022"`} {
		end, err := skipString([]byte(s+`,`), 0)
		if err != nil || end != len(s) {
			t.Errorf("skipString(%s) = %d, %v; want %d", s, end, err, len(s))
		}
	}
}

func FuzzScanEnvelopeAgreesWithEncodingJSON(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":5,"result":{"content":[]}}`))
	f.Add([]byte(`{"id":"a\"b","method":"x","params":{"k":[true,null,-1.5e3]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := scanEnvelope(b)
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil || err != nil {
			return // the scanner only has to be right on valid JSON objects
		}
		if id, ok := m["id"]; ok && string(env.ID) != string(id) {
			t.Fatalf("id %q, encoding/json %q", env.ID, id)
		}
	})
}

func echoResponse(id, quotedText string) []byte {
	return []byte(`{"jsonrpc":"2.0","id":` + id + `,"result":{"content":[{"type":"text","text":` + quotedText + `}]}}`)
}

func TestVerifyEcho(t *testing.T) {
	tpl := newCallTemplate(100, false, false)
	id := tpl.setID(1000000000042)
	q := string(tpl.quotedText)
	if err := verifyEcho(echoResponse(string(id), q), id, tpl.quotedText); err != nil {
		t.Fatalf("good response rejected: %v", err)
	}
	// Equivalent JSON escaping is accepted.
	escaped := `"\u0031` + q[2:]
	if err := verifyEcho(echoResponse(string(id), escaped), id, tpl.quotedText); err != nil {
		t.Fatalf("escaped echo rejected: %v", err)
	}
	// The modern result shape (extra members) is accepted.
	modern := []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"result":{"_meta":{"x":{}},"content":[{"type":"text","text":` + q + `}],"resultType":"complete"}}`)
	if err := verifyEcho(modern, id, tpl.quotedText); err != nil {
		t.Fatalf("modern response rejected: %v", err)
	}
	bad := map[string][]byte{
		"wrong id":      echoResponse("1000000000043", q),
		"wrong text":    echoResponse(string(id), `"`+strings.Repeat("x", 100)+`"`),
		"short text":    echoResponse(string(id), q[:50]+`"`),
		"error":         []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"error":{"code":-32000,"message":"denied"}}`),
		"isError":       []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"result":{"isError":true,"content":[{"type":"text","text":` + q + `}]}}`),
		"two items":     []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"result":{"content":[{"type":"text","text":` + q + `},{"type":"text","text":"x"}]}}`),
		"image":         []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,"result":{"content":[{"type":"image","text":` + q + `}]}}`),
		"no result":     []byte(`{"jsonrpc":"2.0","id":` + string(id) + `}`),
		"not an object": []byte(`[1]`),
	}
	for name, msg := range bad {
		if err := verifyEcho(msg, id, tpl.quotedText); err == nil {
			t.Errorf("%s: accepted %s", name, msg)
		}
	}
	err := verifyEcho(bad["error"], id, tpl.quotedText)
	if re, ok := err.(*rpcError); !ok || re.Code != -32000 || re.Message != "denied" {
		t.Errorf("error response: got %v", err)
	}
}

func TestCallTemplate(t *testing.T) {
	for _, payload := range []int{1, 12, 13, 64, 65536} {
		for _, modern := range []bool{false, true} {
			tpl := newCallTemplate(payload, modern, true)
			id := tpl.setID(1000000000777)
			if tpl.buf[len(tpl.buf)-1] != '\n' {
				t.Fatal("stdio template does not end in newline")
			}
			var req struct {
				ID     json.Number `json:"id"`
				Method string      `json:"method"`
				Params struct {
					Name      string `json:"name"`
					Arguments struct {
						Text string `json:"text"`
					} `json:"arguments"`
					Meta map[string]json.RawMessage `json:"_meta"`
				} `json:"params"`
			}
			if err := json.Unmarshal(tpl.buf, &req); err != nil {
				t.Fatalf("payload %d: invalid JSON: %v", payload, err)
			}
			text := req.Params.Arguments.Text
			if req.ID.String() != "1000000000777" || string(id) != "1000000000777" || req.Method != "tools/call" || req.Params.Name != "echo" {
				t.Fatalf("payload %d: bad request %s", payload, tpl.buf[:min(len(tpl.buf), 200)])
			}
			if len(text) != payload {
				t.Fatalf("payload %d: text has %d bytes", payload, len(text))
			}
			if payload >= idWidth && !strings.HasPrefix(text, "1000000000777") {
				t.Fatalf("payload %d: text does not start with the id: %.20s", payload, text)
			}
			if q, _ := json.Marshal(text); string(q) != string(tpl.quotedText) {
				t.Fatalf("payload %d: quotedText mismatch", payload)
			}
			if modern != (req.Params.Meta["io.modelcontextprotocol/protocolVersion"] != nil) {
				t.Fatalf("payload %d modern=%v: _meta %v", payload, modern, req.Params.Meta)
			}
			c := tpl.clone()
			tpl.setID(1000000000778)
			if string(c.quotedText) == string(tpl.quotedText) && payload >= idWidth {
				t.Fatal("clone shares its buffer")
			}
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	r, err := parseProcStatus("Name:\tx\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t5\n")
	if err != nil || r.RSSKiB != 10240 || r.HWMKiB != 20480 {
		t.Fatalf("got %+v, %v", r, err)
	}
	if _, err := parseProcStatus("Name:\tx\n"); err == nil {
		t.Fatal("no error without VmRSS")
	}
}
