package secrets

import (
	"slices"
	"strings"
)

// Probe set z64 (written blind): three ways a result writes a key that a
// reader joins or decodes without thinking, each undone by a view
// (views.go) in results and arguments alike:
//
//   - a line continuation: a backslash at a line's end, which the shell,
//     C, Python and make remove with the line break ("sk-proj-…\" then
//     "K_Zt…" on the next line). contView removes them; what any rule
//     finds across one covers every piece.
//   - string literals joined by a concatenation operator ("sk_live_" +
//     "51Tx…" + "qTeE…"; '||' in SQL, '&' in Basic), also over line
//     breaks and continuations. concatView joins them; only a rule with a
//     format of its own counts there (a join of ordinary words is no
//     secret stated by name, as in scanSplit). Literals side by side
//     over a line break (C, Python, the shell) are joined too since
//     probe set z77 (lineJoin); side by side on one line and joined by
//     '.' (PHP, Perl, Lua) they are not read: finding them costs a visit
//     at every quote or every dot.
//   - a run of \xHH (or \u00HH) escapes naming printable ASCII (a byte
//     string, b"\x67\x68\x70\x5f…"). escRunView decodes runs of
//     minEscRun or more in results; the outbound engine decodes every
//     such escape already (escView).

// contView removes the line continuations of s (a backslash before
// "\n" or "\r\n"), mapping bytes as qpView.
func contView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(s[i:], '\\')
		if k < 0 {
			break
		}
		p := i + k
		n := 0
		switch {
		case strings.HasPrefix(s[p+1:], "\n"):
			n = 2
		case strings.HasPrefix(s[p+1:], "\r\n"):
			n = 3
		default:
			i = p
			continue
		}
		v.keep(s, copied, p)
		v.drop()
		copied, i = p+n, p+n-1
	}
	return v.done(s, copied)
}

// maxConcatGap bounds the bytes between two joined literals: the
// operator and the spaces or line break around it.
const maxConcatGap = 24

// concatJoin returns the end of the join that starts at the closing
// quote s[q] (the opening quote of the next literal, plus one), or 0 when
// none does. A join is an operator ("+", "++", "||", "&")
// with white space, line breaks and line continuations around it, then
// the same quote and a literal that is not empty.
func concatJoin(s string, q int) int {
	// Most quotes are followed by a word, a ':' or a ','.
	if q == 0 || q+2 >= len(s) || !joinTab[s[q+1]] {
		return 0
	}
	c := s[q]
	if s[q-1] == c {
		return 0 // an empty literal, or no literal before
	}
	j := concatGap(s, q, q+1)
	op := 0
	if j+1 < len(s) {
		switch s[j] {
		case '+':
			op = 1
			if s[j+1] == s[j] {
				op = 2
			}
		case '|':
			if s[j+1] == '|' {
				op = 2
			}
		case '&':
			op = 1
		}
	}
	if op == 0 {
		return 0
	}
	j = concatGap(s, q, j+op)
	if j+1 >= len(s) || s[j] != c || s[j+1] == c {
		return 0
	}
	return j + 1
}

// joinTab holds the bytes that can follow a closing quote in a join.
var joinTab = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n\\+|&") {
		t[c] = true
	}
	return
}()

// concatGap skips the white space, line breaks and line continuations
// at s[j] and returns where they end; len(s) when they run past
// maxConcatGap bytes after the quote at q (no join).
func concatGap(s string, q, j int) int {
	for j < len(s) {
		if j-q > maxConcatGap {
			return len(s)
		}
		switch s[j] {
		case ' ', '\t', '\n', '\r':
			j++
		case '\\':
			if j+1 < len(s) && s[j+1] == '\n' {
				j += 2
				continue
			}
			return j
		default:
			return j
		}
	}
	return j
}

// concatView removes the joins between string literals (concatJoin,
// and lineJoin's over a line break without an operator), the quotes
// around them included, so that "sk_live_" + "51Tx…" reads
// "sk_live_51Tx…"; bytes are mapped as qpView's. A text dense with
// quotes (JSON) would cost a visit at every quote: joins are looked for
// from their operators instead (by IndexByte), the closing quote found
// back over the white space before them. '.' (PHP, Perl, Lua's "..") is
// in every sentence and file name: a visit at each cost BenchmarkScan
// 2.5 %, so those joins are not read.
func concatView(s string) (out string, at []int, ok bool) {
	var joins []span
	try := func(q int) {
		if end := concatJoin(s, q); end > 0 {
			joins = append(joins, span{q, end})
		}
	}
	for _, op := range [...]byte{'+', '|', '&'} {
		for i := 0; i < len(s); i++ {
			k := strings.IndexByte(s[i:], op)
			if k < 0 {
				break
			}
			p := i + k
			i = p
			q := p - 1
			for q > 0 && p-q < maxConcatGap {
				if s[q] == ' ' || s[q] == '\t' || s[q] == '\r' {
					q--
				} else if s[q] == '\n' {
					q--
					if s[q] == '\\' { // a continued line
						q--
					}
				} else {
					break
				}
			}
			if q > 0 && (s[q] == '"' || s[q] == '\'') {
				try(q)
			}
		}
	}
	// Literals side by side over a line break (lineJoin), looked for
	// from the line breaks: most lines end with no quote, which the
	// byte before the break tells.
	for p := strings.IndexByte(s, '\n'); p > 0; {
		switch s[p-1] {
		case '"', '\'', '\r', ' ', '\t', '\\':
			if j, ok := lineJoin(s, p); ok {
				joins = append(joins, j)
			}
		}
		k := strings.IndexByte(s[p+1:], '\n')
		if k < 0 {
			break
		}
		p += k + 1
	}
	if len(joins) == 0 {
		return s, nil, false
	}
	slices.SortFunc(joins, func(a, b span) int { return a.start - b.start })
	var v view
	copied := 0
	for _, j := range joins {
		if j.start < copied {
			continue // found twice, or overlapping
		}
		v.keep(s, copied, j.start)
		v.drop()
		copied = j.end
	}
	return v.done(s, copied)
}

// hasQuote reports whether s holds a quote of a kind concatView joins.
func hasQuote(s string) bool {
	return strings.IndexByte(s, '"') >= 0 || strings.IndexByte(s, '\'') >= 0
}

// minEscRun is the fewest escapes in a row escRunView decodes: four
// name a vendor prefix (\x67\x68\x70\x5f is "ghp_"); one or two are
// code's own (a '\x1b' of a colour code is not printable anyway).
const minEscRun = 4

// escRunView decodes runs of minEscRun or more \xHH or \u00HH escapes in a
// row that name printable ASCII, mapping bytes as qpView's.
func escRunView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(s[i:], '\\')
		if k < 0 {
			break
		}
		p := i + k
		// The run of escapes starting at p.
		j, n := p, 0
		for j < len(s) && s[j] == '\\' {
			b := j
			for b < len(s) && s[b] == '\\' {
				b++
			}
			if b >= len(s) || s[b] != 'x' && s[b] != 'u' {
				break
			}
			_, m := escAt(s, j)
			if m == 0 {
				break
			}
			j += m
			n++
		}
		if n < minEscRun {
			i = max(p, j-1)
			continue
		}
		v.keep(s, copied, p)
		for q := p; q < j; {
			c, m := escAt(s, q)
			v.put(s, c, q)
			q += m
		}
		copied = j
		i = j - 1
	}
	return v.done(s, copied)
}

// scanChanged is scanView for the views above: a finding counts only
// when the view changed a byte inside it (what lies beside a change the
// plain scan reads as well, and a window cut through a long value, such
// as a private key's body, is no secret of the view's), and, with
// formatOnly, only when its rule has a format of its own.
func (e *Engine) scanChanged(s string, view func(string) (string, []int, bool), formatOnly bool, out []Finding) []Finding {
	v, at, ok := view(s)
	if !ok {
		return out
	}
	for _, w := range changed(s, v, at) {
		for _, f := range append(e.scanPlain(v[w.start:w.end]), e.scanEncoded(v[w.start:w.end])...) {
			a, b := w.start+f.Start, w.start+f.End
			if formatOnly && contextRule(f.RuleID) || !changedIn(s, v, at, a, b) {
				continue
			}
			f.Start, f.End = at[a], at[b]
			out = append(out, f)
		}
	}
	return out
}

// changedIn reports whether the view v (of s, mapped by at) changed a
// byte of v[a:b] or removed bytes inside it.
func changedIn(s, v string, at []int, a, b int) bool {
	for k := a; k < b; k++ {
		if k > a && at[k] != at[k-1]+1 || v[k] != s[at[k]] {
			return true
		}
	}
	return false
}
