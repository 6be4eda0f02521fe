package secrets

import (
	"strings"
	"testing"
)

func FuzzScan(f *testing.F) {
	for _, tc := range secretCases() {
		f.Add(tc.text)
	}
	for _, tc := range benignCases() {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := Scan(text)
		if len(fs) > 0 && !MayContain(text) {
			t.Fatalf("MayContain said no, Scan found %s", fs[0].RuleID)
		}
		for _, f := range fs {
			if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
				t.Fatalf("finding %+v out of bounds for %d bytes", f, len(text))
			}
			if len(f.Hash) != 64 {
				t.Fatalf("hash %q", f.Hash)
			}
		}
		// The outbound engine reads more views (reversed, ROT13, rejoined
		// words, decoded labels); what it finds must still be a place in
		// the text.
		for _, f := range Outbound().Scan(text) {
			if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
				t.Fatalf("outbound finding %+v out of bounds for %d bytes", f, len(text))
			}
		}
		out, rfs := Redact(text)
		if len(rfs) != len(fs) {
			t.Fatalf("Redact found %d, Scan %d", len(rfs), len(fs))
		}
		for _, f := range rfs {
			if sec := text[f.Start:f.End]; strings.Contains(out, sec) {
				t.Fatalf("redacted output still holds %s secret at %d:%d", f.RuleID, f.Start, f.End)
			}
		}
	})
}
