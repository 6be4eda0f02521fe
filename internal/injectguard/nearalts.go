package injectguard

import (
	"regexp/syntax"
	"strings"
	"sync"
)

// A near expression that starts with "‖" (after "¶" or "!", if any) is
// read as its top-level alternatives, each gated (gate.go) and run only
// when the span holds what it must: the second signals of the
// role-addressed orders (roleaddress.go) are many phrase families, and
// one expression of all of them walks every byte of a paragraph on Go's
// slowest engine (milliseconds a paragraph), where most families' words
// are not in it at all. The gates' words are found in one pass of a
// prefilter of their own, as Scan finds the trigger words.
type nearAlts struct {
	expr  string
	once  sync.Once
	alts  []gatedRE
	words *prefilter
	// slot maps a gate word to its place in words' hits.
	slot map[string]int
}

type gatedRE struct {
	re   *lazyRE
	gate gate
}

func newNearAlts(expr string) *nearAlts { return &nearAlts{expr: expr} }

func (n *nearAlts) build() {
	var subs []string
	if re, err := syntax.Parse(n.expr, syntax.Perl|syntax.FoldCase); err == nil && re.Op == syntax.OpAlternate {
		for _, sub := range re.Sub {
			subs = append(subs, sub.String())
		}
	} else {
		subs = []string{n.expr}
	}
	n.slot = map[string]int{}
	var ts []*trigger
	for _, e := range subs {
		g := newGate(`(?i)` + e)
		for _, c := range g {
			for _, w := range c {
				if _, ok := n.slot[w]; !ok {
					n.slot[w] = len(ts)
					ts = append(ts, &trigger{words: []string{w}})
				}
			}
		}
		n.alts = append(n.alts, gatedRE{lazy(`(?i)` + e), g})
	}
	n.words = newPrefilter(ts)
}

// MatchString reports whether any alternative matches s.
func (n *nearAlts) MatchString(s string) bool {
	n.once.Do(n.build)
	lower := lowerASCII(s)
	all := containsAny(lower, foldsIntoASCII)
	hits := n.words.hits(lower)
	has := func(c []string) bool {
		for _, w := range c {
			if hits != nil && len(hits[n.slot[w]]) > 0 {
				return true
			}
		}
		return false
	}
next:
	for _, a := range n.alts {
		if !all {
			for _, c := range a.gate {
				if !has(c) {
					continue next
				}
			}
		}
		if a.re.MatchString(s) {
			return true
		}
	}
	return false
}

// nearMatcher is what hasNear runs instead of the one expression.
type nearMatcher interface{ MatchString(string) bool }

// compileNear reads a near that starts with "‖" as gated alternatives.
func compileNear(near string) (nearMatcher, bool) {
	if alts, ok := strings.CutPrefix(near, "‖"); ok {
		return newNearAlts(alts), true
	}
	return nil, false
}
