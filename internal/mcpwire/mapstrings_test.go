package mcpwire

import (
	"strings"
	"testing"
)

func TestMapStrings(t *testing.T) {
	in := []byte(`{"content": [ {"type":"text","text":"a \"secret\" here\n"} ], "n": 1.5e3, "x\u0041": "secret"}`)
	var seen []string
	out, changed := MapStrings(in, func(s string, key bool) (string, bool) {
		if key {
			seen = append(seen, "key:"+s)
		} else {
			seen = append(seen, s)
		}
		if !key && strings.Contains(s, "secret") {
			return strings.ReplaceAll(s, "secret", "[X]"), true
		}
		return s, false
	})
	want := `{"content": [ {"type":"text","text":"a \"[X]\" here\n"} ], "n": 1.5e3, "x\u0041": "[X]"}`
	if !changed || string(out) != want {
		t.Errorf("MapStrings = %s, %v\nwant %s", out, changed, want)
	}
	if got := strings.Join(seen, "|"); got != "key:content|key:type|text|key:text|a \"secret\" here\n|key:n|key:xA|secret" {
		t.Errorf("visited %q", got)
	}
	if !Valid(out) {
		t.Errorf("output is not valid JSON")
	}
	same, changed := MapStrings(in, func(s string, key bool) (string, bool) { return s, false })
	if changed || &same[0] != &in[0] {
		t.Errorf("unchanged input was copied")
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		`{"a":1}`: true, `[1,"x"]`: true, ` "s" `: true, `{"a":1,"a":2}`: false, `{"a":1,"A":2}`: false,
		`{"a":}`: false, `[1,]`: false, `"\ud800"`: false, ``: false,
	} {
		if got := Valid([]byte(s)); got != want {
			t.Errorf("Valid(%s) = %v", s, got)
		}
	}
}
