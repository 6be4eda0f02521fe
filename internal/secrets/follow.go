package secrets

import (
	"regexp/syntax"
	"slices"
)

// follow is a cheap test that a rule's anchored form can match at a
// keyword hit, for forms that begin with one of a few literals followed by
// optional parts and then a required one, as in
// (?:password|pwd)["']?\s{0,16}[=:]…: after one of lits come bytes of
// skip, then a byte of need. Every match passes it (it over-approximates),
// so a failing hit is skipped without running the regex, whose cost grows
// with the window it is given even when it fails at its first bytes.
type follow struct {
	lits       []string // lower case: compared ASCII case-insensitively
	skip, need [256]bool
}

// followOf builds the test from the anchored form's elements, or returns
// nil when they do not have that shape.
func followOf(rest []*syntax.Regexp) *follow {
	if len(rest) < 2 {
		return nil
	}
	// The parser factors alternations (password|pwd is p(?:assword|wd)),
	// so the literals can span several leading elements.
	lits, ok := literalSet(rest[0])
	if !ok || len(lits) == 0 {
		return nil
	}
	k := 1
	for ; k < len(rest); k++ {
		more, ok := literalSet(rest[k])
		if !ok || len(lits)*len(more) > maxLits {
			break
		}
		next := make([]string, 0, len(lits)*len(more))
		for _, a := range lits {
			for _, b := range more {
				next = append(next, a+b)
			}
		}
		lits = next
	}
	f := &follow{lits: lits}
	for _, e := range rest[k:] {
		switch {
		case e.Op == syntax.OpQuest || e.Op == syntax.OpStar || e.Op == syntax.OpRepeat && e.Min == 0:
			consumable(e, &f.skip)
		case isEmptyWidth(e.Op):
			return nil
		default:
			need, nullable := firstBytes(e)
			if nullable {
				return nil
			}
			f.need = need
			return f
		}
	}
	return nil
}

// ok reports whether a match can begin at h: one of lits there, then skip
// bytes, then a need byte, all before limit (no match runs past it).
func (f *follow) ok(s string, h, limit int) bool {
	limit = min(limit, len(s))
	for _, l := range f.lits {
		if !hasFoldPrefix(s[h:], l) {
			continue
		}
		for j := h + len(l); j < limit; j++ {
			if f.need[s[j]] {
				return true
			}
			if !f.skip[s[j]] {
				break
			}
		}
	}
	return false
}

// maxLits bounds the strings literalSet expands a pattern into.
const maxLits = 64

// literalSet returns every string (ASCII, lower case) re can match, when
// re is built of literals, small classes, alternations and concatenations
// only and there are at most maxLits of them.
func literalSet(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false
			}
			b = append(b, lowerByte(byte(r)))
		}
		return []string{string(b)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r >= 0x80 || len(out) >= 8 {
					return nil, false
				}
				if s := string(rune(lowerByte(byte(r)))); !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture:
		return literalSet(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			ls, ok := literalSet(sub)
			if !ok || len(out)+len(ls) > maxLits {
				return nil, false
			}
			out = append(out, ls...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			ls, ok := literalSet(sub)
			if !ok || len(out)*len(ls) > maxLits {
				return nil, false
			}
			next := make([]string, 0, len(out)*len(ls))
			for _, a := range out {
				for _, b := range ls {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}
