package pathguard

import (
	"strings"
	"unicode/utf8"
)

// Probe set z57 (fuzzdb's traversals-8-deep-exotic-encoding list): ".."
// joined by %u escapes of private-use code points (..%uF025, ..%uEFC8)
// passed as names. Windows' best-fit tables map the symbol-font block
// U+F000–U+F0FF onto bytes 0x00–0xFF (U+F02E is '.', U+F02F '/', U+F05C
// '\'), and the lists carry other private-use code points for the same
// purpose. privateUseDotSegment reads those symbol-font dots and slashes as
// ASCII, and any other private-use character that touches a dot as a
// separator, and reports a ".." segment that appears only then. Names with
// private-use icons away from dots (a Nerd Font glyph before a word) pass.
func privateUseDotSegment(s string) bool {
	if !strings.Contains(s, ".") && !strings.ContainsRune(s, 0xF02E) {
		return false
	}
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	prevDot := false
	for i, r := range s {
		switch {
		case r == 0xF02E:
			b.WriteByte('.')
			changed, prevDot = true, true
			continue
		case r == 0xF02F || r == 0xF05C:
			b.WriteByte('/')
			changed = true
		case r >= 0xE000 && r <= 0xF8FF && (prevDot || nextIsDot(s[i+utf8.RuneLen(r):])):
			b.WriteByte('/')
			changed = true
		default:
			b.WriteRune(r)
		}
		prevDot = r == '.'
	}
	if !changed {
		return false
	}
	for seg := range strings.SplitSeq(b.String(), "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

func nextIsDot(rest string) bool {
	return strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "\uF02E")
}
