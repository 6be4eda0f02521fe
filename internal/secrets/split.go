package secrets

import "strings"

// Two more ways a model told to send a key "so the filter misses it"
// writes it, each undone by its reader in one step, read in arguments
// only (the outbound engine):
//
//   - ROT13 (sk-ant-… becomes fx-nag-…): each letter moved 13 places;
//   - the key cut into pieces with a separator: letter-spaced
//     ("g h p _ 2 6 a u …", one character a piece) or chunked
//     ("AKIA2M3SBB | LEUHQ6XRZK", pieces of four or more with the same
//     separator between them).
//
// Only what a rule with a format of its own finds there counts (a vendor
// prefix, a fixed shape): the key = value rules (generic-*, and the
// rules that read a secret from the words around it) are left out, since
// a join or a rotation of ordinary words is no secret stated by name.

// scanRot13 finds secrets written in ROT13. As scanReversed, only the
// runs of token bytes between minReversed and maxReversed long are read:
// each rotated, one a line, and what a rule with a format of its own
// finds is mapped back onto s (ROT13 keeps every byte in its place).
func (e *Engine) scanRot13(s string, runs []span, scan func(string) []Finding) []Finding {
	view, segs := tokenWords(s, runs, func(dst []byte, w string) []byte {
		for _, c := range []byte(w) {
			dst = append(dst, rot13(c))
		}
		return dst
	})
	var out []Finding
	for _, f := range scanWords(view, segs, scan) {
		if contextRule(f.RuleID) {
			continue
		}
		g, ok := wordOf(segs, f.Start, f.End)
		if !ok {
			continue
		}
		f.Start, f.End = g.i+f.Start-g.at, g.i+f.End-g.at
		out = append(out, f)
	}
	return out
}

func rot13(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z':
		return 'a' + (c-'a'+13)%26
	case 'A' <= c && c <= 'Z':
		return 'A' + (c-'A'+13)%26
	}
	return c
}

// contextRule reports the rules that find a secret by the words around
// it rather than by its own form; their findings in a rotated or joined
// view are left out.
func contextRule(id string) bool {
	switch id {
	case "prose-secret", "password-assignment", "cli-flag-secret", "pgpass-password",
		"aws-secret-access-key", "authorization-header", "xml-password", "netrc-password":
		return true
	}
	return generic(id) == 1
}

// Bounds of the split forms: a letter-spaced key has at least minSpaced
// characters (the shortest key the rules know is about 20); a chunked
// one at least two pieces of minChunk or more, two of them with a digit
// (a key's pieces have digits, a sentence's words seldom do), and a
// separator of at most maxSep bytes of spaces, tabs, '|', ',', ';', ':'
// or '.'.
// A join longer than maxReversed is data, not a key.
const (
	minSpaced = 16
	minChunk  = 4
	maxChunk  = 64
	maxSep    = 4
)

// scanSplit finds secrets cut into pieces with a separator: runs of
// pieces with the same separator between them are joined, one a line,
// and what a rule with a format of its own finds in a join covers the
// whole run in s.
func (e *Engine) scanSplit(s string, plain, encoded func(string) []Finding) []Finding {
	type seg struct{ at, n, i, j int } // joined[at:at+n] is the run s[i:j] without separators
	var segs []seg
	var joined []byte
	add := func(i, j int, sep string) {
		if joined == nil {
			joined = make([]byte, 0, 256)
		}
		at := len(joined)
		for p := i; p < j; {
			if strings.HasPrefix(s[p:j], sep) {
				p += len(sep)
				continue
			}
			joined = append(joined, s[p])
			p++
		}
		segs = append(segs, seg{at, len(joined) - at, i, j})
		joined = append(joined, '\n')
	}
	// One pass over the pieces; r is the run being read. A piece that
	// does not continue it starts a run, or continues one that starts at
	// the run's last piece (another separator or piece length).
	var r splitRun
	prevEnd := -1
	for p := 0; p < len(s); {
		if !chunkTab[s[p]] {
			p++
			continue
		}
		q := pieceAt(s, p)
		sa, sb := prevEnd, p // the separator, when it is one
		prevEnd = q
		sepOK := sa >= 0 && sb-sa <= maxSep
		for k := sa; sepOK && k < sb; k++ {
			sepOK = sepTab[s[k]]
		}
		if sepOK && r.extend(s, sa, sb, p, q) {
			p = q
			continue
		}
		if r.pieces >= 2 {
			if r.qualifies() {
				add(r.start, r.end, s[r.sa:r.sb])
			}
			if sepOK {
				if r.reset(r.lastStart, r.lastEnd); r.extend(s, sa, sb, p, q) {
					p = q
					continue
				}
			}
		}
		r.reset(p, q)
		p = q
	}
	if r.qualifies() {
		add(r.start, r.end, s[r.sa:r.sb])
	}
	if len(segs) == 0 {
		return nil
	}
	var out []Finding
	text := string(joined)
	k := 0
	for _, f := range append(plain(text), encoded(text)...) {
		if contextRule(f.RuleID) {
			continue
		}
		k = 0
		for k+1 < len(segs) && segs[k+1].at <= f.Start {
			k++
		}
		g := segs[k]
		if f.End > g.at+g.n {
			continue
		}
		f.Start, f.End = g.i, g.j
		out = append(out, f)
	}
	return out
}

// splitRun is a run of pieces read by scanSplit: letter-spaced (single:
// one-byte pieces, one separator byte between them) or chunked (pieces of
// minChunk to maxChunk bytes, all as long as the first but the last,
// which may be shorter or one longer: a key cut every n bytes, or in
// halves), with the same separator s[sa:sb] throughout.
type splitRun struct {
	start, end, n, pieces, digits int
	sa, sb                        int
	lastStart, lastEnd            int
	single, closed                bool
}

// reset makes r the run of the one piece s[i:j].
func (r *splitRun) reset(i, j int) {
	r.start, r.end, r.n, r.pieces = i, j, j-i, 1
	r.lastStart, r.lastEnd, r.single = i, j, j-i == 1
	// A first piece of two or three bytes, or longer than maxChunk,
	// begins no run.
	r.closed = !r.single && (r.n < minChunk || r.n > maxChunk)
}

// qualifies reports whether r is read as a split key: letter-spaced
// over minSpaced pieces or more, or chunked with two pieces or more that
// hold a digit.
func (r *splitRun) qualifies() bool {
	return r.pieces >= 2 && (r.single && r.pieces >= minSpaced || !r.single && r.digits >= 2 && r.end-r.start <= maxReversed)
}

// extend adds the piece s[p:q] after the separator s[sa:sb] to r, when it
// continues the run. Digits are counted only in pieces of runs (most
// pieces begin and end their own).
func (r *splitRun) extend(s string, sa, sb, p, q int) bool {
	if r.pieces == 0 || r.closed {
		return false
	}
	m := q - p
	if r.single && (m != 1 || sb-sa != 1) || !r.single && m > r.n+1 {
		return false
	}
	if r.pieces == 1 {
		r.sa, r.sb = sa, sb
		r.digits = hasDigit(s[r.start:r.end])
	} else if s[sa:sb] != s[r.sa:r.sb] {
		return false
	}
	r.end, r.lastStart, r.lastEnd = q, p, q
	r.pieces++
	r.digits += hasDigit(s[p:q])
	// A shorter or longer piece ends a chunked run.
	r.closed = !r.single && m != r.n
	return true
}

func hasDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return 1
		}
	}
	return 0
}

// pieceAt returns the end of the piece at s[p].
func pieceAt(s string, p int) int {
	for p < len(s) && chunkTab[s[p]] {
		p++
	}
	return p
}

var sepTab, chunkTab = func() (sep, chunk [256]bool) {
	for c := range 256 {
		b := byte(c)
		sep[c] = b == ' ' || b == '\t' || b == '|' || b == ',' || b == ';' || b == ':' || b == '.'
		chunk[c] = isAlnum(b) || b == '_' || b == '-' || b == '+' || b == '/' || b == '='
	}
	return
}()

// Bounds of a key written in hyphenated groups (sk_l-ive_-4eC3-…, as a
// licence key is): at least minGroups groups of minGroup to maxGroup
// bytes, all as long as the first but the last, which may be shorter.
const (
	minGroups = 4
	minGroup  = 3
	maxGroup  = 8
)

// scanGrouped finds secrets cut into groups with '-' between them, which
// scanSplit cannot read ('-' is a byte of many keys, so there it belongs
// to a piece). Each run of piece bytes holding '-' whose groups have the
// shape of a grouped key is joined without its hyphens and scanned with
// plain; what a rule with a format of its own finds covers the run.
// Identifiers with hyphens (UUIDs, slugs, keys such as sk-ant-api03-…)
// have groups of other lengths.
func scanGrouped(s string, plain func(string) []Finding) []Finding {
	var out []Finding
	for d := 0; d < len(s); d++ {
		k := strings.IndexByte(s[d:], '-')
		if k < 0 {
			break
		}
		d += k
		a, b := d, d
		for a > 0 && chunkTab[s[a-1]] {
			a--
		}
		for b < len(s) && chunkTab[s[b]] {
			b++
		}
		d = b
		if b-a > maxReversed || !groupedKey(s[a:b]) {
			continue
		}
		for _, f := range plain(strings.ReplaceAll(s[a:b], "-", "")) {
			if !contextRule(f.RuleID) {
				f.Start, f.End = a, b
				out = append(out, f)
			}
		}
	}
	return out
}

// groupedKey reports whether run is minGroups or more groups joined by
// single hyphens, each maxGroup bytes long at most and as long as the
// first (minGroup or more), but the last, which may be shorter.
func groupedKey(run string) bool {
	n, groups := -1, 0
	for len(run) > 0 {
		g, rest, more := strings.Cut(run, "-")
		switch {
		case n < 0 && (len(g) < minGroup || len(g) > maxGroup):
			return false
		case n < 0:
			n = len(g)
		case more && len(g) != n, !more && (len(g) == 0 || len(g) > n):
			return false
		}
		groups++
		run = rest
		if !more {
			break
		}
	}
	return groups >= minGroups
}
