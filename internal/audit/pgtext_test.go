package audit

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPGText: whatever a client sends, the value for a text column is
// valid UTF-8 without NUL (PostgreSQL would refuse the batch), valid text
// passes unchanged, and sanitising is idempotent (so query filters, run
// through it too, match what was stored).
func FuzzPGText(f *testing.F) {
	for _, s := range []string{"", "read_file", "read\x00file", "s\xff\xfe", "é\x00\xc3", "\uFFFD", "a\x00\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := pgText(s)
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("pgText(%q) = %q", s, got)
		}
		if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && got != s {
			t.Fatalf("valid %q changed to %q", s, got)
		}
		if pgText(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
