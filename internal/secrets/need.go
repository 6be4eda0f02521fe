package secrets

import (
	"math/bits"
	"regexp/syntax"
	"strings"
)

// need is a literal prefilter for a regex: a condition on which lower-case
// strings a text must contain for the regex to be able to match anywhere in
// it. It over-approximates the regex (a true answer proves nothing; a false
// one proves no match), so allowlist regexes, most of which name words
// absent from a given candidate, run only when their words are there. A
// nil *need is no condition.
type need struct {
	lits []string // one of these occurs (a leaf)
	and  []*need  // all of these hold
	or   []*need  // one of these holds
}

// needOf derives the prefilter of a pattern; nil when it has none.
func needOf(expr string) *need {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return needOfRe(re)
}

func needOfRe(re *syntax.Regexp) *need {
	switch re.Op {
	case syntax.OpLiteral:
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil
			}
			b = append(b, byte(r))
		}
		if len(b) == 0 {
			return nil
		}
		return &need{lits: []string{asciiLower(string(b))}}
	case syntax.OpCapture, syntax.OpPlus:
		return needOfRe(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return needOfRe(re.Sub[0])
		}
	case syntax.OpConcat:
		var all []*need
		for _, s := range re.Sub {
			if n := needOfRe(s); n != nil {
				all = append(all, n)
			}
		}
		switch len(all) {
		case 0:
			return nil
		case 1:
			return all[0]
		}
		return &need{and: all}
	case syntax.OpAlternate:
		var any []*need
		var lits []string
		for _, s := range re.Sub {
			n := needOfRe(s)
			if n == nil {
				return nil // this branch can match without any literal
			}
			if n.lits != nil {
				lits = append(lits, n.lits...)
			} else {
				any = append(any, n)
			}
		}
		if lits != nil {
			any = append(any, &need{lits: lits})
		}
		if len(any) == 1 {
			return any[0]
		}
		return &need{or: any}
	}
	return nil
}

// met reports whether lower (a text with A–Z lowered) fulfils n.
func (n *need) met(lower string) bool {
	if n == nil {
		return true
	}
	switch {
	case n.lits != nil:
		for _, l := range n.lits {
			if strings.Contains(lower, l) {
				return true
			}
		}
		return false
	case n.and != nil:
		for _, c := range n.and {
			if !c.met(lower) {
				return false
			}
		}
		return true
	}
	for _, c := range n.or {
		if c.met(lower) {
			return true
		}
	}
	return false
}

// isASCII reports whether s has only ASCII bytes. The prefilter compares
// ASCII-lowered text only: under (?i), k and s also match the Kelvin sign
// and the long s, so a text with other bytes goes straight to the regex;
// and most text is pure ASCII, which answers hasFoldable at once. It
// reads 32 bytes a round, a fraction of an instruction a byte.
func isASCII(s string) bool { return asciiPrefix(s) == len(s) }

// asciiPrefix returns the offset of the first byte of s that is not
// ASCII, len(s) when there is none, reading 32 bytes a round, then 8,
// and the last 8 bytes of a text of 8 or more as one word (overlapping
// bytes already read), so a short text's tail costs a word, not a test
// per byte: the scans ask this of every text they get.
func asciiPrefix(s string) int {
	i := 0
	for ; i+32 <= len(s); i += 32 {
		t := s[i : i+32]
		if (le64(t[:8])|le64(t[8:16])|le64(t[16:24])|le64(t[24:]))&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i+8 <= len(s); i += 8 {
		if m := le64(s[i:]) & 0x8080808080808080; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i < len(s) && len(s) >= 8 {
		// The bytes before i are ASCII: the first high bit is at or after i.
		if m := le64(s[len(s)-8:]) & 0x8080808080808080; m != 0 {
			return len(s) - 8 + bits.TrailingZeros64(m)/8
		}
		return len(s)
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return i
		}
	}
	return i
}

// wordSet answers "does the text contain one of these words" in one pass
// over the text, looking words up by their first two bytes, instead of
// one strings.Contains per word (gitleaks' generic rule has hundreds of
// stopwords).
type wordSet struct {
	bits  [1 << 10]uint64     // first two bytes of some word
	byTwo map[uint16][]string // first two bytes → words
	short []string            // words under two bytes
	list  []string            // all the words
}

func newWordSet(words []string) *wordSet {
	if len(words) == 0 {
		return nil
	}
	ws := &wordSet{byTwo: map[uint16][]string{}, list: words}
	for _, w := range words {
		if len(w) < 2 {
			ws.short = append(ws.short, w)
			continue
		}
		k := uint16(w[0])<<8 | uint16(w[1])
		ws.bits[k>>6] |= 1 << (k & 63)
		ws.byTwo[k] = append(ws.byTwo[k], w)
	}
	return ws
}

// in reports whether s contains one of the words.
func (ws *wordSet) in(s string) bool {
	for _, w := range ws.short {
		if strings.Contains(s, w) {
			return true
		}
	}
	for i := 0; i+1 < len(s); i++ {
		k := uint16(s[i])<<8 | uint16(s[i+1])
		if ws.bits[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, w := range ws.byTwo[k] {
			if strings.HasPrefix(s[i:], w) {
				return true
			}
		}
	}
	return false
}
