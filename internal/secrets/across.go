package secrets

import (
	"slices"
	"strings"
	"unicode"
)

// acrossWindow bounds the word Across reads on each side of the cut: the
// keys with a format of their own are shorter (a PEM block split across
// two fields is not read).
const acrossWindow = 256

// acrossMin: the shortest key with a format of its own is longer; two
// words shorter together are passed over without a scan (most pairs of
// a JSON result's values).
const acrossMin = 16

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
	if len(ta)+len(tb) < acrossMin || ta == "" || tb == "" {
		return nil, len(ta)
	}
	plain, zw := stripZeroWidth(ta + tb)
	cut = len(ta)
	pa, _ := stripZeroWidth(ta)
	if !e.keywordBefore(plain, len(pa)) {
		return nil, cut // no rule's keyword starts in the first piece
	}
	scan := func(s string) []Finding {
		p, _ := stripZeroWidth(s)
		return e.scanPlain(p)
	}
	for _, f := range e.scanPlain(plain) {
		f.Start, f.End = zw.orig(f.Start), zw.orig(f.End-1)+1
		if f.Start < cut && f.End > cut && !contextRule(f.RuleID) {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return nil, cut
	}
	// A match one piece holds alone, by the same rule, that only reads on
	// into the other (a rule without an end bound) is that piece's own
	// scan's to find; another rule's finding in a piece (GH_AUTH=… as a
	// key = value) does not make the join's any less a cut key.
	alone := map[string]bool{}
	for _, f := range append(scan(ta), scan(tb)...) {
		alone[f.RuleID] = true
	}
	fs = slices.DeleteFunc(fs, func(f Finding) bool { return alone[f.RuleID] })
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

// keywordBefore reports whether a rule's keyword starts in s before cut:
// keywordHits' filter without its allocation, stopping at the first.
// A format rule's match starts at or before its keyword, so with no
// keyword in the first piece no match can span the cut.
func (e *Engine) keywordBefore(s string, cut int) bool {
	for p := 0; p+3 <= len(s) && p < cut; p++ {
		w := tri(s, p)
		h := triHash(w)
		if e.triBits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		b := e.bucket(w, h)
		if b == nil {
			continue
		}
		for _, ki := range b.kws {
			if hasFoldPrefix(s[p:], e.keywords[ki]) {
				return true
			}
		}
	}
	// A two-byte keyword can also end the text (keywordHits' last step).
	if i := len(s) - 2; i >= 0 && i < cut {
		for _, ki := range e.twoByte {
			if hasFoldPrefix(s[i:], e.keywords[ki]) {
				return true
			}
		}
	}
	return false
}
