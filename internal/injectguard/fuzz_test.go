package injectguard

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzScan(f *testing.F) {
	for _, tc := range attackCases() {
		f.Add(tc.text)
	}
	for _, tc := range benignCases() {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := Scan(text)
		for _, f := range fs {
			if f.Start < 0 || f.End > len(text) || f.Start >= f.End || f.Kind == "" {
				t.Fatalf("bad finding %+v for %d bytes", f, len(text))
			}
		}
		neutral := Neutralize(text, fs)
		if utf8.ValidString(text) && !utf8.ValidString(neutral) {
			t.Fatalf("rewrite broke UTF-8")
		}
		for _, g := range Scan(neutral) {
			if g.Kind == KindTag || g.Kind == KindANSIConceal {
				t.Fatalf("%s left after rewrite: %q", g.Kind, neutral)
			}
		}
		if strings.ContainsRune(neutral, 0x202E) || strings.ContainsRune(neutral, 0x202D) {
			t.Fatalf("bidi override left after rewrite: %q", neutral)
		}
		if len(fs) == 0 && neutral != text {
			t.Fatalf("clean text rewritten")
		}
	})
}
