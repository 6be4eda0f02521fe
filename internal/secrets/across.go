package secrets

import (
	"strings"
	"unicode"
)

// acrossWindow bounds the word Across reads on each side of the cut: the
// keys with a format of their own are shorter (a PEM block split across
// two fields is not read).
const acrossWindow = 256

// Across reports the secrets that a text cut in two leaves in neither
// piece: the last word of a and the first word of b read as one. A model
// told to send a key so that no single field holds it writes the first
// half in one argument and the rest in another (an email's subject and
// body); each half alone is no longer the key's format, and the two
// meet with no space between them only where the key was cut. A finding
// counts only when it spans the cut and its rule has a format of its own:
// the rules that read a secret from the words around it would find one in
// any two fields' words. Offsets are in the joined words, of which cut is
// the first's length.
func (e *Engine) Across(a, b string) (fs []Finding, cut int) {
	ta, tb := lastWord(a), firstWord(b)
	if ta == "" || tb == "" {
		return nil, len(ta)
	}
	plain, zw := stripZeroWidth(ta + tb)
	cut = len(ta)
	for _, f := range append(e.scanPlain(plain), e.scanEncoded(plain)...) {
		f.Start, f.End = zw.orig(f.Start), zw.orig(f.End-1)+1
		if f.Start < cut && f.End > cut && !contextRule(f.RuleID) {
			fs = append(fs, f)
		}
	}
	return fs, cut
}

// lastWord returns the end of s after its last white space, at most
// acrossWindow bytes.
func lastWord(s string) string {
	w := s[strings.LastIndexFunc(s, unicode.IsSpace)+1:]
	return w[max(0, len(w)-acrossWindow):]
}

// firstWord returns the start of s up to its first white space, at most
// acrossWindow bytes.
func firstWord(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i]
	}
	return s[:min(len(s), acrossWindow)]
}
