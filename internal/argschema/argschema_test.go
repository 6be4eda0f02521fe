package argschema

import (
	"errors"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/canon"
)

func mustParse(t testing.TB, s string) any {
	t.Helper()
	v, err := canon.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate(t *testing.T) {
	schema := `{"type":"object","properties":{"q":{"type":"string","maxLength":10},"n":{"type":"integer","minimum":1},"mail":{"type":"string","format":"email"}},"required":["q"],"additionalProperties":false}`
	s, err := Compile(mustParse(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args string
		ok   bool
		want string
	}{
		{`{"q":"hi"}`, true, ""},
		{`{"q":"hi","n":3}`, true, ""},
		{`{"q":"hi","n":3.0}`, true, ""},
		{`{"q":"hi","n":0}`, false, "/n"},
		{`{"q":"hi","n":1.5}`, false, "/n"},
		{`{"q":"01234567890"}`, false, "/q"},
		{`{}`, false, "q"},
		{`{"q":"x","extra":1}`, false, "extra"},
		{`{"q":"x","mail":"not-an-email"}`, false, "/mail"},
		{`{"q":"x","mail":"a@example.com"}`, true, ""},
		{`[]`, false, ""},
	}
	for _, tt := range tests {
		err := s.Validate(mustParse(t, tt.args))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.args, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not mention %q", tt.args, err, tt.want)
		}
	}
}

func TestCompileRefusesExternalRefs(t *testing.T) {
	for _, schema := range []string{
		`{"$ref":"https://example.com/s.json"}`,
		`{"$ref":"file:///etc/passwd"}`,
		`{"$ref":"other.json"}`,
		`{"properties":{"a":{"$ref":"/tmp/x.json"}}}`,
		`{"$id":"https://example.com/root.json","$ref":"defs.json"}`,
	} {
		_, err := Compile(mustParse(t, schema))
		if err == nil {
			t.Errorf("%s compiled", schema)
		} else if !errors.Is(err, ErrExternalRef) && !strings.Contains(err.Error(), "not allowed") {
			t.Logf("%s: %v", schema, err)
		}
	}
	// Internal references and the meta-schema itself are fine.
	for _, schema := range []string{
		`{"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s"}}}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`,
		`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`,
	} {
		if _, err := Compile(mustParse(t, schema)); err != nil {
			t.Errorf("%s: %v", schema, err)
		}
	}
}

func TestCompileRejectsBadSchema(t *testing.T) {
	for _, schema := range []string{`{"type":"strin"}`, `{"minimum":"x"}`, `{"pattern":"("}`} {
		if _, err := Compile(mustParse(t, schema)); err == nil {
			t.Errorf("%s compiled", schema)
		}
	}
}

func FuzzValidate(f *testing.F) {
	s, err := Compile(mustParse(f, `{"type":"object","properties":{"q":{"type":"string","pattern":"^[a-z]+$"},"n":{"type":"number","maximum":10}},"additionalProperties":false}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"q":"abc","n":3}`))
	f.Add([]byte(`{"q":"ABC","n":1e400}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := canon.Parse(in)
		if err != nil {
			return
		}
		_ = s.Validate(v)
	})
}
