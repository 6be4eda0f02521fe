package injectguard

import (
	"cmp"
	"slices"
	"strings"
)

// lowerASCII lowers A–Z only, so offsets stay those of the input.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// trigger is a regular expression run only on windows around the
// literals (lower case) that every match contains: a long result costs a
// few substring searches instead of a case-insensitive regex pass.
type trigger struct {
	re            *lazyRE
	words         []string
	before, after int // window around a hit; every match must fit in it
	// anchored matches start at a hit: re (which must begin with ^) runs
	// once on text[hit:hit+after].
	anchored bool
}

// find returns the matches of t.re (submatch indexes) in text, in order,
// given the offsets where t's words occur (hits, ascending).
func (t *trigger) find(text string, hits []int) [][]int {
	if len(hits) == 0 {
		return nil
	}
	if t.anchored {
		return t.findAnchored(text, hits)
	}
	wins := make([]span, 0, len(hits))
	for _, h := range hits {
		wins = append(wins, span{max(0, h-t.before), min(len(text), h+t.after)})
	}
	sortSpans(wins)
	merged := wins[:1]
	for _, w := range wins[1:] {
		if last := &merged[len(merged)-1]; w.start <= last.end {
			last.end = max(last.end, w.end)
			continue
		}
		merged = append(merged, w)
	}
	var out [][]int
	for _, w := range merged {
		for _, m := range t.re.FindAllStringSubmatchIndex(text[w.start:w.end], -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += w.start
				}
			}
			out = append(out, m)
		}
	}
	return out
}

func sortSpans(s []span) {
	slices.SortFunc(s, func(a, b span) int { return cmp.Compare(a.start, b.start) })
}

func (t *trigger) findAnchored(text string, hits []int) [][]int {
	var out [][]int
	next := 0
	for _, h := range hits {
		if h < next {
			continue
		}
		m := t.re.FindStringSubmatchIndex(text[h:min(len(text), h+t.after)])
		if m == nil {
			continue
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += h
			}
		}
		out = append(out, m)
		next = m[1]
	}
	return out
}

// prefilter finds every trigger word in one pass over the lower-cased
// text: a table keyed by the first two bytes names the few words that
// can start there.
type prefilter struct {
	pair   [1 << 16]uint16 // first two bytes → 1 + index into buckets
	bucket [][]entry
	single [256][]int // one-byte words: byte → trigger indexes
	// first marks the bytes some word starts with (firstSingle,
	// firstPair): the pass skips the others with one lookup each.
	first [256]uint8
	n     int
}

const (
	firstSingle = 1 << iota
	firstPair
)

type entry struct {
	word string
	t    int
}

func newPrefilter(ts []*trigger) *prefilter {
	p := &prefilter{n: len(ts)}
	for ti, t := range ts {
		for _, w := range t.words {
			if len(w) == 1 {
				p.single[w[0]] = append(p.single[w[0]], ti)
				p.first[w[0]] |= firstSingle
				continue
			}
			p.first[w[0]] |= firstPair
			k := uint16(w[0])<<8 | uint16(w[1])
			if p.pair[k] == 0 {
				p.bucket = append(p.bucket, nil)
				p.pair[k] = uint16(len(p.bucket))
			}
			p.bucket[p.pair[k]-1] = append(p.bucket[p.pair[k]-1], entry{w, ti})
		}
	}
	return p
}

// hits returns, per trigger, the ascending offsets of its words in lower.
func (p *prefilter) hits(lower string) [][]int {
	var out [][]int // allocated at the first hit: most text has none
	add := func(ti, i int) {
		if out == nil {
			out = make([][]int, p.n)
		}
		if h := out[ti]; len(h) == 0 || h[len(h)-1] != i {
			out[ti] = append(h, i)
		}
	}
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		f := p.first[c]
		if f == 0 {
			continue
		}
		if f&firstSingle != 0 {
			for _, ti := range p.single[c] {
				add(ti, i)
			}
		}
		if f&firstPair == 0 || i+1 >= len(lower) {
			continue
		}
		b := p.pair[uint16(c)<<8|uint16(lower[i+1])]
		if b == 0 {
			continue
		}
		for _, e := range p.bucket[b-1] {
			if strings.HasPrefix(lower[i:], e.word) {
				add(e.t, i)
			}
		}
	}
	return out
}
