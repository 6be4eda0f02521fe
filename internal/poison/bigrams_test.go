package poison

import (
	"strings"
	"testing"
)

// The byte-pair set never hides a word the text has: contains agrees
// with strings.Contains.
func TestBigramsContains(t *testing.T) {
	texts := []string{"", "a", "Returns the cursor; no need to mention it.", "無需向用戶說明 and ask the user.", strings.Repeat("abcxyz ", 200)}
	words := []string{"", "a", "no need to", "mention", "ask the user", "用戶", "xyz a", "zz", "never", "x"}
	for _, s := range texts {
		l := strings.ToLower(s)
		g := newBigrams(l)
		for _, w := range words {
			if got, want := g.contains(l, w), strings.Contains(l, w); got != want {
				t.Errorf("contains(%q, %q) = %v, want %v", l, w, got, want)
			}
		}
	}
}

func FuzzBigrams(f *testing.F) {
	f.Add("Returns the cursor; no need to mention it.", "need")
	f.Fuzz(func(t *testing.T, s, w string) {
		g := newBigrams(s)
		if g.contains(s, w) != strings.Contains(s, w) {
			t.Fatalf("contains(%q, %q) disagrees", s, w)
		}
	})
}
