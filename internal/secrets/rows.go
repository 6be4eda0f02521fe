package secrets

import "strings"

// A key cut into pieces one a line: the rows of a table ("| 1 |
// `sk-5CUZ…` |", "| 2 | `Affq…` |"), the items of a list ("part 1:
// AKIA2M3S…"), the lines of a code block, with "join the parts in order"
// for the reader. scanSplit reads pieces within a line; here the lines
// around the pieces are the separator. Such lines share a frame: the same
// text before and after the piece, but for a counter's digits (1, 2 …
// 10). The pieces of consecutive lines with one frame are joined when
// they have the shape of a key cut every n bytes (splitRun's chunked
// rule: all as long as the first but the last, two or more with a
// digit), and, as in scanSplit, only a rule with a format of its own
// counts there, and only across a cut: a line's own piece is the plain
// scan's. Arguments only (the outbound engine), as scanSplit.

// Bounds of a row: a piece is minChunk to maxRowPiece bytes (base64's 76
// a line, xxd -p's 60 fit), a line at most maxRowLine (the frame is a
// table's or list's markup and a label).
const (
	maxRowPiece = 80
	maxRowLine  = 256
)

// scanRows finds secrets cut into pieces one a line.
func (e *Engine) scanRows(s string, plain, encoded func(string) []Finding) []Finding {
	if strings.IndexByte(s, '\n') < 0 {
		return nil // one line: most short arguments
	}
	type seg struct {
		at, n, i, j int   // joined[at:at+n] is the pieces of s[i:j]
		cuts        []int // offsets in joined where a piece ends and the next begins
	}
	var segs []seg
	var joined []byte
	col := rowColumn{s: s}
	end := func() {
		if col.qualifies() {
			if joined == nil {
				joined = make([]byte, 0, 256)
			}
			g := seg{at: len(joined), i: col.pieces[0].start, j: col.pieces[len(col.pieces)-1].end}
			for k, p := range col.pieces {
				if k > 0 {
					g.cuts = append(g.cuts, len(joined))
				}
				joined = append(joined, s[p.start:p.end]...)
			}
			g.n = len(joined) - g.at
			segs = append(segs, g)
			joined = append(joined, '\n')
		}
		col.reset()
	}
	flush := func() {
		if len(col.pieces) > 0 {
			end()
		}
	}
	// The line before is s[pa:pe], without its line break; pa is -1
	// when it cannot be a row (empty or longer than maxRowLine).
	pa, pe := -1, -1
	for ls := 0; ls < len(s); {
		le, next := len(s), len(s)
		if k := strings.IndexByte(s[ls:], '\n'); k >= 0 {
			le, next = ls+k, ls+k+1
		}
		if le > ls && s[le-1] == '\r' {
			le--
		}
		switch {
		case le == ls || le-ls > maxRowLine:
			flush()
			pa, ls = -1, next
			continue
		case pa < 0 || !frameEnds(s, span{pa, pe}, span{ls, le}):
			flush()
		default:
			if a, b, ok := framePieces(s, span{pa, pe}, span{ls, le}); !ok {
				flush()
			} else if !col.extend(a, b) {
				// Another column, or the pieces lost a key's shape.
				flush()
				col.extend(a, b)
			}
		}
		pa, pe, ls = ls, le, next
	}
	flush()
	if len(segs) == 0 {
		return nil
	}
	var out []Finding
	text := string(joined)
	for _, f := range append(plain(text), encoded(text)...) {
		if contextRule(f.RuleID) {
			continue
		}
		k := 0
		for k+1 < len(segs) && segs[k+1].at <= f.Start {
			k++
		}
		g := segs[k]
		if f.End > g.at+g.n {
			continue
		}
		cut := false
		for _, c := range g.cuts {
			cut = cut || f.Start < c && c < f.End
		}
		if cut {
			f.Start, f.End = g.i, g.j
			out = append(out, f)
		}
	}
	return out
}

// rowColumn is the column of pieces scanRows reads: each line's piece,
// all as long as the first (minChunk to maxRowPiece bytes) but the last,
// which may be shorter or one longer (a key cut every n bytes).
type rowColumn struct {
	s      string
	pieces []span
	digits int // pieces with a digit
	closed bool
}

func (c *rowColumn) reset() {
	c.pieces, c.digits, c.closed = c.pieces[:0], 0, false
}

// extend adds the piece b, the piece a of the line before found with it
// (framePieces), when a is the column's last and b keeps its shape; an
// empty column starts with both.
func (c *rowColumn) extend(a, b span) bool {
	if len(c.pieces) == 0 {
		if n := a.end - a.start; n < minChunk || n > maxRowPiece {
			return false
		}
		c.add(a)
	} else if c.closed || c.pieces[len(c.pieces)-1] != a {
		return false
	}
	n, m := c.pieces[0].end-c.pieces[0].start, b.end-b.start
	if m > n+1 || c.samePrefix(b) {
		if len(c.pieces) == 1 {
			c.reset()
		}
		return false
	}
	c.closed = m != n
	c.add(b)
	return true
}

func (c *rowColumn) add(p span) {
	c.pieces = append(c.pieces, p)
	c.digits += hasDigit(c.s[p.start:p.end])
}

// samePrefix reports whether the piece p starts with the first three
// bytes of the column's first: a list of values of one format, keys or
// ids one a line ("rk_test_…", "rk_test_…"), not one key cut in pieces,
// whose pieces after the first are random.
func (c *rowColumn) samePrefix(p span) bool {
	f := c.pieces[0]
	return f.end-f.start >= 3 && p.end-p.start >= 3 && c.s[f.start:f.start+3] == c.s[p.start:p.start+3]
}

// qualifies reports whether the column is read as a cut key: two pieces
// or more, two of them with a digit (a key's pieces have digits, a
// list's words seldom do), no longer than a key joined.
func (c *rowColumn) qualifies() bool {
	return len(c.pieces) >= 2 && c.digits >= 2 && c.pieces[len(c.pieces)-1].end-c.pieces[0].start <= maxReversed
}

// framePieces finds the pieces of the lines s[a] and s[b] when the lines
// differ in one run of piece bytes (chunkTab) and nowhere else but in
// runs of digits (a counter): the text before the piece is the same in
// both, and the text after it.
func framePieces(s string, a, b span) (pa, pb span, ok bool) {
	A, B := s[a.start:a.end], s[b.start:b.end]
	// The text before: the same up to the first difference that is not
	// a counter's, then back to where the piece starts.
	i, k := 0, 0
	for i < len(A) && k < len(B) {
		if isDigit(A[i]) && isDigit(B[k]) {
			i, k = digitsEnd(A, i), digitsEnd(B, k)
			continue
		}
		if A[i] != B[k] {
			break
		}
		i, k = i+1, k+1
	}
	for i > 0 && chunkTab[A[i-1]] {
		i--
	}
	for k > 0 && chunkTab[B[k-1]] {
		k--
	}
	// The text after, read back to the piece and no further.
	j, l := len(A), len(B)
	for j > i && l > k {
		if isDigit(A[j-1]) && isDigit(B[l-1]) {
			j, l = digitsStart(A, j, i), digitsStart(B, l, k)
			continue
		}
		if A[j-1] != B[l-1] {
			break
		}
		j, l = j-1, l-1
	}
	for j < len(A) && chunkTab[A[j]] {
		j++
	}
	for l < len(B) && chunkTab[B[l]] {
		l++
	}
	if j <= i || l <= k || !allChunk(A[i:j]) || !allChunk(B[k:l]) {
		return span{}, span{}, false
	}
	return span{a.start + i, a.start + j}, span{b.start + k, b.start + l}, true
}

// frameEnds is what framePieces needs of the lines' first and last
// bytes, tested first: most pairs of lines fail it. Each end is the
// frame's (the same byte, or digits, which are piece bytes) or the
// piece's (piece bytes in both).
func frameEnds(s string, a, b span) bool {
	x, y := s[a.start], s[b.start]
	if x != y && !(chunkTab[x] && chunkTab[y]) {
		return false
	}
	x, y = s[a.end-1], s[b.end-1]
	return x == y || chunkTab[x] && chunkTab[y]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitsEnd returns the end of the run of digits at s[i].
func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// digitsStart returns the start of the run of digits that ends at s[j],
// no further back than from.
func digitsStart(s string, j, from int) int {
	for j > from && isDigit(s[j-1]) {
		j--
	}
	return j
}

func allChunk(s string) bool {
	for i := 0; i < len(s); i++ {
		if !chunkTab[s[i]] {
			return false
		}
	}
	return true
}
