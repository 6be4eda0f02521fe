package injectguard

import (
	"cmp"
	"encoding/binary"
	"slices"
	"strings"
)

// lowerASCII lowers A–Z only, so offsets stay those of the input. Text
// without capitals (most of a long result) is passed over and not
// copied; both the search and the lowering go eight bytes at a time.
func lowerASCII(s string) string {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if upper8(load64(s[i:])) != 0 {
			break
		}
	}
	for k := i; k < len(s); k++ {
		if c := s[k]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			j := i
			for ; j+8 <= len(b); j += 8 {
				x := binary.LittleEndian.Uint64(b[j:])
				// A capital has bit 5 clear: setting it lowers the letter.
				binary.LittleEndian.PutUint64(b[j:], x|upper8(x)>>2)
			}
			for ; j < len(b); j++ {
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

const ones8, highs8 = 0x0101010101010101, 0x8080808080808080

// load64 reads s[:8] as a little-endian word (the compiler makes it one
// load).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// upper8 has the high bit set in each byte of x that is in A–Z, and no
// other bit. Each byte y of x with its high bit cleared is below 0x80, so
// y+(0x80−'A') and y+(0x80−'Z'−1) carry into no other byte and have their
// high bit set exactly when y ≥ 'A' and y > 'Z'; bytes of x with the high
// bit set are left out.
func upper8(x uint64) uint64 {
	y := x &^ highs8
	return (y + (0x80-'A')*ones8) &^ (y + (0x80-'Z'-1)*ones8) &^ x & highs8
}
