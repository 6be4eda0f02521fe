package poison

import "strings"

// bigrams is a 512-bit set of the byte pairs of a lower-case text. A
// word with a pair not in the set is not in the text, so the word lists
// that gate the probe set 75 expressions skip most of their
// strings.Contains calls: a gate of twenty words cost about 10,000
// instructions on a 90-character description, the set and its look-ups
// about a tenth of that.
type bigrams [8]uint64

func pairBit(a, b byte) uint { return (uint(a)*131 + uint(b)) % 509 }

func newBigrams(l string) (g bigrams) {
	for i := 0; i+1 < len(l); i++ {
		h := pairBit(l[i], l[i+1])
		g[h>>6] |= 1 << (h & 63)
	}
	return g
}

// contains is strings.Contains(l, w) for the l the set was made of.
func (g *bigrams) contains(l, w string) bool {
	for i := 0; i+1 < len(w); i++ {
		h := pairBit(w[i], w[i+1])
		if g[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return strings.Contains(l, w)
}

// hasAny is hasAny(l, ws...) for the l the set was made of.
func (g *bigrams) hasAny(l string, ws ...string) bool {
	for _, w := range ws {
		if g.contains(l, w) {
			return true
		}
	}
	return false
}
