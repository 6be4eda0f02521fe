package injectguard

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// lowerASCII lowers A–Z only, so offsets stay those of the input. Text
// without capitals (most of a long result) is passed over and not
// copied; both the search and the lowering go eight bytes at a time.
func lowerASCII(s string) string {
	lower, _ := lowerASCIIHigh(s)
	return lower
}

// lowerASCIIHigh is lowerASCII(s) and hasNonASCII(s) from one pass over
// s: Scan needs both of the whole text.
func lowerASCIIHigh(s string) (string, bool) {
	var high uint64 // the words read, or-ed: a high bit is a byte ≥ 0x80
	// Sixteen bytes a round, a lookup per two, on a shrinking slice whose
	// length proves the loads in bounds: text without capitals is read
	// here whole.
	var class uint8 // the pairs' classes, or-ed
	w := s
	for len(w) >= 16 {
		c := pairClass8(w) | pairClass8(w[8:])
		class |= c
		if c&pairUpper != 0 {
			break
		}
		w = w[16:]
	}
	if class&pairHigh != 0 {
		high |= highs8
	}
	i := len(s) - len(w)
	for ; i+8 <= len(s); i += 8 {
		x := load64(s[i:])
		high |= x
		if upper8(x) != 0 {
			break
		}
	}
	for k := i; k < len(s); k++ {
		c := s[k]
		high |= uint64(c)
		if c >= 'A' && c <= 'Z' {
			b := []byte(s)
			w := b[i:] // shrinking: its length proves the reads in bounds
			for ; len(w) >= 8; w = w[8:] {
				x := binary.LittleEndian.Uint64(w)
				high |= x
				// A capital has bit 5 clear: setting it lowers the letter.
				binary.LittleEndian.PutUint64(w, x|upper8(x)>>2)
			}
			for j := len(b) - len(w); j < len(b); j++ {
				c := b[j]
				high |= uint64(c)
				if c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b), high&highs8 != 0
		}
	}
	return s, high&highs8 != 0
}

// Classes of two bytes, or-ed: pairB64 is set only when both are.
const (
	pairB64   = 1 << iota // base64 bytes (isB64Byte)
	pairUpper             // A–Z
	pairHigh              // ≥ 0x80
)

// pairClass describes two bytes at once, keyed by a 16-bit load (the
// first byte in the low byte): the passes that read every byte of a long
// text (lowering, base64 runs) cost a lookup per two bytes.
var pairClass = func() (t [1 << 16]uint8) {
	class := func(c byte) uint8 {
		var k uint8
		if isB64Byte(c) {
			k |= pairB64
		}
		if c >= 'A' && c <= 'Z' {
			k |= pairUpper
		}
		if c >= 0x80 {
			k |= pairHigh
		}
		return k
	}
	for k := range t {
		a, b := class(byte(k)), class(byte(k>>8))
		t[k] = a&b&pairB64 | (a|b)&^pairB64
	}
	return t
}()

// pairClass8 is the classes of w[:8]'s four pairs, or-ed.
func pairClass8(w string) uint8 {
	_ = w[7]
	return pairClass[uint16(w[0])|uint16(w[1])<<8] | pairClass[uint16(w[2])|uint16(w[3])<<8] |
		pairClass[uint16(w[4])|uint16(w[5])<<8] | pairClass[uint16(w[6])|uint16(w[7])<<8]
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
	// need, when set, are words (lower case) one of which a window must
	// also hold for re to run on it.
	need []string
	// near, when set, must also match on the match's line within
	// nearBytes of it.
	near *lazyRE
	// nearNot turns near around: a match is kept when near does not
	// match on its line.
	nearNot bool
	// nearPara looks for near in the match's paragraph (up to a blank
	// line) within paraBytes, not on its line: an order written for a
	// model wraps over several lines (a README's blockquote, a contract's
	// clause), its addressee on the first and its "no need to tell the
	// user" on the last.
	nearPara bool
	// nearAlts, when set, is read instead of near (nearalts.go).
	nearAlts nearMatcher
	// expr is re's source, from which the gate (what every match must
	// contain) is read at the first use.
	expr     string
	gateOnce sync.Once
	gate     gate
	// slot is t's place in the prefilter's list: hits[slot] are the
	// offsets of its words.
	slot int
}

// holds reports whether hits, prefilt().hits of a text, found t's words.
func holds(hits [][]int, t *trigger) bool { return hits != nil && len(hits[t.slot]) > 0 }

// mayMatch reports whether lower, lowerASCII of a window, holds what
// every match of t.re must contain.
func (t *trigger) mayMatch(lower string) bool {
	if t.expr == "" {
		return true
	}
	t.gateOnce.Do(func() { t.gate = newGate(t.expr) })
	return t.gate.open(lower)
}

// unprefixed is para with the marks that continue a quotation or a
// comment over its lines ("> ", "# ", "// ", " * ") taken out, so that
// an order wrapped in a blockquote or a Makefile comment reads as one
// sentence; para itself when no line after the first has one.
func unprefixed(para string) string {
	if !strings.Contains(para, "\n") || !linePrefix.MatchString(para) {
		return para
	}
	return linePrefix.Get().ReplaceAllString(para, "\n")
}

var linePrefix = lazy(`\n[ \t]*(>|#+|//+|\*|--|;+)[ \t]?`)

// nearBytes is how far from a match near is looked for; paraBytes the
// same for a paragraph's near.
const (
	nearBytes = 300
	paraBytes = 600
)

// hasNear reports whether t.near matches on the line of text[start:end],
// within nearBytes either side.
func (t *trigger) hasNear(text string, start, end int) bool {
	if t.nearPara {
		lo, hi := max(0, start-paraBytes), min(len(text), end+paraBytes)
		if k := strings.LastIndex(text[lo:start], "\n\n"); k >= 0 {
			lo += k + 2
		}
		if k := strings.Index(text[end:hi], "\n\n"); k >= 0 {
			hi = end + k
		}
		return t.matchNear(unprefixed(text[lo:hi]))
	}
	lo, hi := max(0, start-nearBytes), min(len(text), end+nearBytes)
	if k := strings.LastIndexByte(text[lo:start], '\n'); k >= 0 {
		lo += k + 1
	}
	if k := strings.IndexByte(text[end:hi], '\n'); k >= 0 {
		hi = end + k
	}
	return t.matchNear(text[lo:hi])
}

func (t *trigger) matchNear(s string) bool {
	if t.nearAlts != nil {
		return t.nearAlts.MatchString(s)
	}
	return t.near.MatchString(s)
}

// find returns the matches of t.re (submatch indexes) in text, in order,
// given the offsets where t's words occur (hits, ascending) and lower,
// lowerASCII(text).
func (t *trigger) find(text, lower string, hits []int) [][]int {
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
		if t.need != nil && !containsAny(lower[w.start:w.end], t.need) || !t.mayMatch(lower[w.start:w.end]) {
			continue
		}
		for _, m := range t.re.FindAllStringSubmatchIndex(text[w.start:w.end], -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += w.start
				}
			}
			if t.near != nil && t.hasNear(text, m[0], m[1]) == t.nearNot {
				continue
			}
			out = append(out, m)
		}
	}
	return out
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
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
// text: a table keyed by each position's two bytes names the few words
// that can start there. One lookup per byte, and a branch that is rarely
// taken, for ordinary text and for long runs of letters and digits alike.
type prefilter struct {
	// pair maps a position's two bytes to 1 + an index into bucket (0:
	// no word of two or more bytes starts so), with pairSingle set when
	// the first byte is a one-byte word.
	pair   [1 << 16]uint16
	bucket []bucket
	single [256][]int // one-byte words: byte → trigger indexes
	n      int
	// next3 is keyed by a position's two bytes as one 16-bit load reads
	// them (the first in the low byte): the third bytes of the words that
	// open so, folded onto 64 bits (bit c&63 for each), all of them when
	// a word of one or two bytes starts there. One load and one shift rule
	// out most positions, of prose and of long runs of letters alike.
	next3 [1 << 16]uint64
	// quads marks the first four bytes of every word (a three-byte word
	// with each byte after it), hashed onto 1<<16 bits: in a run of
	// letters and digits most positions that pass next3 differ from every
	// word at the fourth byte, and this rules them out without a call.
	quads [1 << 10]uint64
}

// quadBit is where the four bytes x (the first in the low byte) fall in
// prefilter.quads.
func quadBit(x uint32) uint32 { return x * 0x9E3779B1 >> 16 }

func (p *prefilter) addQuad(x uint32) {
	h := quadBit(x)
	p.quads[h>>6] |= 1 << (h & 63)
}

// third is a word's third byte, -1 for a two-byte word.
func third(w string) int {
	if len(w) < 3 {
		return -1
	}
	return int(w[2])
}

// pairSingle marks, in prefilter.pair, a first byte that is a word of
// its own.
const pairSingle = 1 << 15

// bucket is the words that start with one pair of bytes. third marks
// the bytes that follow the pair in them (all 256 when a word is the
// pair alone), so most positions that share a pair with a word are
// passed over without comparing words.
type bucket struct {
	third   [4]uint64
	entries []entry
	// entries[:two] are the two-byte words, compared at every position.
	// The rest, in the order of their third byte, are grouped: has3 marks
	// the third bytes of the longer words, and the words with the r-th
	// of them (counting up) are entries[group[r]:group[r+1]], so a
	// position goes straight to the words that share its third byte.
	two   int
	has3  [4]uint64
	group []uint16
	// four[r] marks the fourth bytes of group r's words (all 256 when
	// one is three bytes long): in a run of letters and digits most
	// positions that share three bytes with a word differ at the fourth.
	four [][4]uint64
}

// rank is the number of bytes below c marked in set.
func rank(set *[4]uint64, c byte) int {
	n := bits.OnesCount64(set[c>>6] & (1<<(c&63) - 1))
	for k := range c >> 6 {
		n += bits.OnesCount64(set[k])
	}
	return n
}

type entry struct {
	word string
	t    int
	// same: word is the previous entry's (another trigger keyed on it),
	// whose comparison is reused.
	same bool
}

func newPrefilter(ts []*trigger) *prefilter {
	p := &prefilter{n: len(ts)}
	for ti, t := range ts {
		t.slot = ti
		for _, w := range t.words {
			if len(w) == 1 {
				p.single[w[0]] = append(p.single[w[0]], ti)
				continue
			}
			k := uint16(w[0])<<8 | uint16(w[1])
			if p.pair[k] == 0 {
				p.bucket = append(p.bucket, bucket{})
				p.pair[k] = uint16(len(p.bucket))
			}
			b := &p.bucket[p.pair[k]-1]
			if j := slices.IndexFunc(b.entries, func(e entry) bool { return e.word == w }); j >= 0 {
				// Next to the entries with the same word: one comparison
				// serves every trigger keyed on it.
				for j+1 < len(b.entries) && b.entries[j+1].same {
					j++
				}
				b.entries = slices.Insert(b.entries, j+1, entry{w, ti, true})
			} else {
				b.entries = append(b.entries, entry{w, ti, false})
			}
			if len(w) == 2 {
				b.third = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			} else {
				b.third[w[2]>>6] |= 1 << (w[2] & 63)
			}
		}
	}
	if len(p.bucket) >= pairSingle {
		panic("injectguard: too many trigger word pairs")
	}
	// Each bucket's entries in the order of their third byte (two-byte
	// words first), so that a position walks only the entries that share
	// its third byte. Stable: an entry marked same stays after the entry
	// whose word it repeats.
	for i := range p.bucket {
		bk := &p.bucket[i]
		slices.SortStableFunc(bk.entries, func(a, b entry) int { return cmp.Compare(third(a.word), third(b.word)) })
		for k, e := range bk.entries {
			t := third(e.word)
			if t < 0 {
				bk.two = k + 1
				continue
			}
			if bk.has3[t>>6]&(1<<(t&63)) == 0 {
				bk.has3[t>>6] |= 1 << (t & 63)
				bk.group = append(bk.group, uint16(k))
				bk.four = append(bk.four, [4]uint64{})
			}
			f := &bk.four[len(bk.four)-1]
			if len(e.word) == 3 {
				*f = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			} else {
				f[e.word[3]>>6] |= 1 << (e.word[3] & 63)
			}
		}
		bk.group = append(bk.group, uint16(len(bk.entries)))
	}
	for c := range 256 {
		if len(p.single[c]) > 0 {
			for d := range 256 {
				p.pair[c<<8|d] |= pairSingle
			}
		}
	}
	for k, b := range p.pair {
		switch {
		case b&pairSingle != 0:
			p.next3[k>>8|k&0xff<<8] = ^uint64(0)
		case b != 0:
			t := &p.bucket[b-1].third
			p.next3[k>>8|k&0xff<<8] = t[0] | t[1] | t[2] | t[3]
		}
	}
	// Words of one or two bytes set all of next3 for their pair, which
	// the walk takes as a sign to skip quads: they have no fourth byte.
	for _, t := range ts {
		for _, w := range t.words {
			switch {
			case len(w) >= 4:
				p.addQuad(uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(w[3])<<24)
			case len(w) == 3:
				for c := range 256 {
					p.addQuad(uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(c)<<24)
				}
			}
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
	at := func(i int, b uint16) {
		if b&pairSingle != 0 {
			for _, ti := range p.single[lower[i]] {
				add(ti, i)
			}
		}
		if b &^= pairSingle; b != 0 {
			bk := &p.bucket[b-1]
			// A pair's bucket holds every word that opens with it ("re":
			// reveal, regardless, recommend): the two-byte words, then
			// only the group whose third byte is the text's.
			match := false
			walk := func(es []entry) {
				for _, e := range es {
					if !e.same {
						// The fourth byte first: a group's words share
						// three, and most differ at the fourth.
						match = (len(e.word) < 4 || i+3 < len(lower) && lower[i+3] == e.word[3]) && strings.HasPrefix(lower[i:], e.word)
					}
					if match {
						add(e.t, i)
					}
				}
			}
			walk(bk.entries[:bk.two])
			if i+2 < len(lower) {
				if c := lower[i+2]; bk.has3[c>>6]&(1<<(c&63)) != 0 {
					r := rank(&bk.has3, c)
					if i+3 < len(lower) {
						if d := lower[i+3]; bk.four[r][d>>6]&(1<<(d&63)) == 0 {
							return
						}
					}
					walk(bk.entries[bk.group[r]:bk.group[r+1]])
				}
			}
		}
	}
	// Long runs of letters and digits open a bucket at many pairs ("de"
	// of "defgh") whose third byte starts no word: next3 passes over
	// those, and over pairs that open no word, without a call. The last
	// pair has no third byte and goes to at as it is.
	pair, next3, quads := &p.pair, &p.next3, &p.quads
	n := len(lower)
	i, last := 0, n-2 // positions before last have a third byte
	for ; i < last; i++ {
		k := uint16(lower[i]) | uint16(lower[i+1])<<8
		m := next3[k]
		if m>>(lower[i+2]&63)&1 == 0 {
			continue
		}
		if i+3 < n && m != ^uint64(0) {
			if h := quadBit(uint32(k) | uint32(lower[i+2])<<16 | uint32(lower[i+3])<<24); quads[h>>6]>>(h&63)&1 == 0 {
				continue
			}
		}
		at(i, pair[k<<8|k>>8])
	}
	if i+1 < n {
		if b := pair[uint16(lower[i])<<8|uint16(lower[i+1])]; b != 0 {
			at(i, b)
		}
	}
	if i := len(lower) - 1; i >= 0 && len(p.single[lower[i]]) > 0 {
		at(i, pairSingle) // the last byte starts no pair
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
