package injectguard

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A gate is what every match of an expression must contain, read from
// the expression itself: clauses that must all hold, each a list of
// strings (lower case) one of which the lower-cased text must contain.
// Most windows around a trigger word hold the word and not the rest of
// the phrase ("ignore" without "instructions", a name without an
// order), and a few substring searches rule them out where the
// expression would walk every byte (the large ones on Go's slowest
// engine). It only says where no match can be: the expression still
// decides every match.
type gate [][]string

// foldsIntoASCII is the text that can match an ASCII letter of a
// case-insensitive literal without being one: the Kelvin sign (k) and
// the long s (s), the only runes outside ASCII whose case folds reach
// it. A window holding either is read by the expression whatever the
// gate says.
var foldsIntoASCII = []string{"\u212a", "\u017f"}

// newGate derives the gate of expr (as regexp compiles it); nil when
// the expression says nothing usable.
func newGate(expr string) gate {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return slices.DeleteFunc(gateOf(re), weak)
}

func gateOf(re *syntax.Regexp) gate {
	switch re.Op {
	case syntax.OpLiteral:
		if s := literalRun(re); s != "" {
			return gate{{s}}
		}
	case syntax.OpCharClass:
		// A class lists every rune it matches (case variants included),
		// so one of them is in the text as it is, ASCII letters lowered.
		var c []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			if re.Rune[k+1]-re.Rune[k] > 8 {
				return nil
			}
			for r := re.Rune[k]; r <= re.Rune[k+1]; r++ {
				c = append(c, strings.ToLower(string(r)))
				if r >= utf8.RuneSelf {
					c[len(c)-1] = string(r)
				}
			}
		}
		if len(c) > 0 && len(c) <= 8 {
			return gate{simplify(c)}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return gateOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return gateOf(re.Sub[0])
		}
	case syntax.OpConcat:
		var g gate
		for _, sub := range re.Sub {
			g = append(g, gateOf(sub)...)
		}
		return g
	case syntax.OpAlternate:
		// The k-th clause is the union of each branch's k-th strongest
		// (its last when it has fewer): a match meets all of its
		// branch's, so it meets each union. ("@copilot …" or "claude:
		// …": a name, and one of "@", ",", ":".)
		var gs []gate
		n := 0
		for _, sub := range re.Sub {
			g := byStrength(gateOf(sub))
			if len(g) == 0 {
				return nil
			}
			gs = append(gs, g)
			n = max(n, len(g))
		}
		var out gate
		for k := range min(n, 3) {
			var c []string
			for _, g := range gs {
				c = append(c, g[min(k, len(g)-1)]...)
			}
			out = append(out, simplify(c))
		}
		return out
	}
	return nil
}

// literalRun is the longest run of a literal that the text must hold as
// it is (ASCII letters lowered): in a case-insensitive literal, runes
// other than ASCII that have other cases are left out.
func literalRun(re *syntax.Regexp) string {
	fold := re.Flags&syntax.FoldCase != 0
	best, cur := "", ""
	for _, r := range re.Rune {
		if fold && r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
			cur = ""
			continue
		}
		if r < utf8.RuneSelf {
			cur += strings.ToLower(string(r))
		} else {
			cur += string(r)
		}
		if len(cur) > len(best) {
			best = cur
		}
	}
	return best
}

// byStrength orders g's clauses by their shortest string, longest
// first (fewer strings first among equals), leaving out those a letter
// or a space meets.
func byStrength(g gate) gate {
	g = slices.DeleteFunc(slices.Clone(g), weak)
	shortest := func(c []string) int {
		n := len(c[0])
		for _, s := range c {
			n = min(n, len(s))
		}
		return n
	}
	slices.SortStableFunc(g, func(a, b []string) int {
		if d := shortest(b) - shortest(a); d != 0 {
			return d
		}
		return len(a) - len(b)
	})
	return g
}

// weak reports a clause that a letter, a digit or a space meets: it
// holds in nearly every window and would only cost its search.
func weak(c []string) bool {
	return slices.ContainsFunc(c, func(s string) bool {
		return len(s) == 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f' ||
			'a' <= s[0] && s[0] <= 'z' || '0' <= s[0] && s[0] <= '9')
	})
}

// simplify drops the strings that hold another of the clause: the
// shorter one is found wherever they are.
func simplify(c []string) []string {
	slices.Sort(c)
	c = slices.Compact(c)
	var out []string
	for _, s := range c {
		if !slices.ContainsFunc(c, func(t string) bool { return t != s && strings.Contains(s, t) }) {
			out = append(out, s)
		}
	}
	return out
}

// open reports whether lower (lowerASCII of the text) may hold a match.
func (g gate) open(lower string) bool {
	if len(g) == 0 || containsAny(lower, foldsIntoASCII) {
		return true
	}
	for _, c := range g {
		if !containsAny(lower, c) {
			return false
		}
	}
	return true
}
