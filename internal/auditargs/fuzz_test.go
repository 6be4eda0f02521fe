package auditargs

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/canon"
)

func FuzzRedactJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"password":"hunter2hunter2hunter2"}`, `{"a":[1,2,{"b":null}]}`,
		`{"k":"` + ghp + `"}`, `"x"`, `[[[[[[]]]]]]`, `{"a":"\u00e9\u0000"}`} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxString: 32, MaxItems: 4, MaxDepth: 4, MaxBytes: 256}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := RedactJSON(data, lim)
		if !json.Valid(v.JSON) {
			t.Fatalf("invalid view %q", v.JSON)
		}
		if len(v.JSON) > maxView(lim) {
			t.Fatalf("view of %d bytes", len(v.JSON))
		}
		if tree, err := canon.Parse(data); err == nil {
			if c, err := canon.Append(nil, tree); err == nil {
				if got := RedactCanonical(tree, c, lim); !bytes.Equal(got.JSON, v.JSON) {
					t.Fatalf("RedactCanonical %q, Redact %q", got.JSON, v.JSON)
				}
			}
		}
	})
}
