package secrets

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// isZeroWidth reports the invisible runes stripped before scanning: they
// split a secret for a human reader's regex but not for the one who
// pastes it. Besides the zero-width spaces and joiners: the soft hyphen
// (shown only at a line break), the combining grapheme joiner, the
// Mongolian vowel separator, the direction marks and isolates, and the
// invisible operators.
func isZeroWidth(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x180E, r == 0xFEFF:
		return true
	case 0x200B <= r && r <= 0x200F, 0x202A <= r && r <= 0x202E, 0x2060 <= r && r <= 0x2064, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// zwMap maps offsets in the stripped text back to the original: each entry
// is a stripped offset from which on the original runs ahead by cum bytes.
type zwMap []struct{ at, cum int }

func (m zwMap) orig(i int) int {
	k, _ := slices.BinarySearchFunc(m, i, func(e struct{ at, cum int }, i int) int { return cmp.Compare(e.at, i+1) })
	if k == 0 {
		return i
	}
	return i + m[k-1].cum
}

// invisibleAt returns the length of the invisible span at s[i], 0 if
// there is none: a zero-width rune, or an ANSI control sequence (ESC [
// parameters final byte, the colour codes of terminal logs), which a
// terminal does not show and which therefore splits a secret as well as a
// zero-width space does.
func invisibleAt(s string, i int) int {
	if s[i] == 0x1B {
		return csiLen(s, i)
	}
	return zeroWidthAt(s, i)
}

// maxCSI bounds the control sequences stripped; longer ones are left.
const maxCSI = 32

// csiLen returns the length of the control sequence ESC [ P* I* F at
// s[i] (P in 0x30–0x3F, I in 0x20–0x2F, F in 0x40–0x7E), or 0.
func csiLen(s string, i int) int {
	if i+2 >= len(s) || s[i+1] != '[' {
		return 0
	}
	j := i + 2
	for j < len(s) && j-i < maxCSI && s[j] >= 0x30 && s[j] <= 0x3F {
		j++
	}
	for j < len(s) && j-i < maxCSI && s[j] >= 0x20 && s[j] <= 0x2F {
		j++
	}
	if j < len(s) && j-i < maxCSI && s[j] >= 0x40 && s[j] <= 0x7E {
		return j + 1 - i
	}
	return 0
}

// stripZeroWidth returns s without its invisible spans (invisibleAt) and
// the map of where they were (nil when there were none).
func stripZeroWidth(s string) (string, zwMap) {
	ascii := asciiPrefix(s)
	// In ASCII text (most) only a control sequence can be invisible, and
	// it starts with ESC: without one there is nothing to strip, and no
	// finder to set up.
	if ascii == len(s) && strings.IndexByte(s, 0x1B) < 0 {
		return s, nil
	}
	zf := newZWFinder(s, ascii)
	first := zf.nextSpan(0)
	if first < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	var m zwMap
	cum := 0
	last := 0
	for i := first; i >= 0; i = zf.nextSpan(i) {
		n := invisibleAt(s, i)
		b.WriteString(s[last:i])
		cum += n
		if k := len(m); k > 0 && m[k-1].at == b.Len() {
			m[k-1].cum = cum
		} else {
			m = append(m, struct{ at, cum int }{b.Len(), cum})
		}
		last = i + n
		i += n
	}
	b.WriteString(s[last:])
	return b.String(), m
}

// zwFinder finds the invisible spans of s in order. Every invisible rune
// (isZeroWidth) encodes with one of the lead bytes C2, CD, E1, E2 or EF,
// and every control sequence starts with ESC (1B), so it looks for those
// bytes with strings.IndexByte (vector code) instead of testing every
// byte. It remembers where the next of each lead byte is, so a text full
// of one of them (typographic quotes are E2 80 9C) is still read once.
type zwFinder struct {
	s    string
	next [len(zwLeads)]int // next of each lead byte at or after the last position asked for; -1: none left
	// ascii is where the first byte that is not ASCII is: the lead bytes
	// other than ESC are looked for from there, so ASCII text (JSON, logs,
	// code) is read once for them all, not once for each.
	ascii int
}

var zwLeads = [...]byte{0xC2, 0xCD, 0xE1, 0xE2, 0xEF, 0x1B}

// newZWFinder returns the finder of s, whose first ascii bytes are ASCII
// (asciiPrefix). It is a value, kept on its caller's stack.
func newZWFinder(s string, ascii int) zwFinder {
	z := zwFinder{s: s, ascii: ascii}
	for k := range z.next {
		z.next[k] = -2
	}
	return z
}

// nextSpan returns the offset of the first invisible span at or after
// from, or -1. Calls must come with increasing from.
func (z *zwFinder) nextSpan(from int) int {
	end := len(z.s) - 1 // a span is at least two bytes
	for from < end {
		i := -1
		for k, c := range zwLeads {
			if z.next[k] != -1 && z.next[k] < from {
				at := from
				if c >= 0x80 {
					at = max(from, z.ascii)
				}
				z.next[k] = -1
				if at < end {
					z.next[k] = indexFrom(z.s[:end], at, c)
				}
			}
			if n := z.next[k]; n >= 0 && (i < 0 || n < i) {
				i = n
			}
		}
		if i < 0 {
			return -1
		}
		if invisibleAt(z.s, i) > 0 {
			return i
		}
		from = i + 1
	}
	return -1
}

// indexFrom is strings.IndexByte of s[from:] as an offset into s.
func indexFrom(s string, from int, c byte) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// zeroWidthAt returns the length of the invisible rune at s[i], 0 if
// there is none.
func zeroWidthAt(s string, i int) int {
	if s[i] < 0xC2 {
		return 0
	}
	if r, n := utf8.DecodeRuneInString(s[i:]); n > 1 && isZeroWidth(r) {
		return n
	}
	return 0
}

const minEncoded = 16

func isB64(c byte) bool { return b64Byte[c] }

var b64Byte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_' || c == '='
	}
	return t
}()

// b64Runs yields the maximal runs s[i:j] of base64 bytes at least
// minEncoded long. It tests the last byte of each minEncoded-byte window
// first and walks back from it: a non-base64 byte there rules out every
// run starting in the window before it, so ordinary text (words shorter
// than the window) costs a few byte tests per window, not one per byte.
func b64Runs(s string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		// i is 0 or follows a non-base64 byte: where a run may start.
		for i := 0; i+minEncoded <= len(s); {
			// Walked in a slice of the window, whose bounds the
			// compiler then knows.
			w := s[i : i+minEncoded]
			k := minEncoded - 1
			for k >= 0 && b64Byte[w[k]] {
				k--
			}
			if k >= 0 {
				i += k + 1 // w[k] ends every run starting in w[:k]
				continue
			}
			j := i + minEncoded
			for j+8 <= len(s) && b64Run8(s[j:j+8]) {
				j += 8 // long runs (ids, data, filler) are walked eight bytes a round
			}
			for j < len(s) && b64Byte[s[j]] {
				j++
			}
			if !yield(i, j) {
				return
			}
			i = j + 1
		}
	}
}

// padded splits the base64 run s[i:j] after each group of '=' inside it
// and yields the pieces at least minEncoded long. '=' only pads the end of
// an encoding, so "d=SECRETB64==" in a query string is the name "d" and an
// encoding; a run without '=' inside is yielded whole.
func padded(s string, i, j int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		start := i
		// '=' is looked for with IndexByte (vector code): most runs have
		// none, or only at their end.
		for k := i; k < j; k++ {
			e := strings.IndexByte(s[k:j], '=')
			if e < 0 {
				break
			}
			k += e
			for k+1 < j && s[k+1] == '=' {
				k++
			}
			// s[k] ends a group of '='.
			if k+1 == j {
				break
			}
			if k+1-start >= minEncoded && !yield(start, k+1) {
				return
			}
			start = k + 1
		}
		if j-start >= minEncoded {
			yield(start, j)
		}
	}
}

// b64Bit is b64Byte as 0 or 1, for b64Run8.
var b64Bit = func() (t [256]uint8) {
	for c := range 256 {
		if b64Byte[c] {
			t[c] = 1
		}
	}
	return t
}()

// b64Run8 reports whether all eight bytes of w are base64 bytes, with one
// branch instead of eight.
func b64Run8(w string) bool {
	_ = w[7]
	return b64Bit[w[0]]&b64Bit[w[1]]&b64Bit[w[2]]&b64Bit[w[3]]&b64Bit[w[4]]&b64Bit[w[5]]&b64Bit[w[6]]&b64Bit[w[7]] != 0
}

// bitsOf turns a byte class into 0 or 1 a byte, for allIn8.
func bitsOf(in func(c byte) bool) (t [256]uint8) {
	for c := range 256 {
		if in(byte(c)) {
			t[c] = 1
		}
	}
	return t
}

// allIn8 is b64Run8 for another class: whether all eight bytes of w are
// in the class tab marks. The walks to the end of a long run (filler,
// data) use it to take eight bytes a round.
func allIn8(tab *[256]uint8, w string) bool {
	_ = w[7]
	return tab[w[0]]&tab[w[1]]&tab[w[2]]&tab[w[3]]&tab[w[4]]&tab[w[5]]&tab[w[6]]&tab[w[7]] != 0
}

// isHex is a table lookup: hexRuns walks every byte of hex-looking text
// (ids, hashes, digits) with it, and three range tests cost more.
func isHex(c byte) bool { return hexTab[c] }

var hexTab = func() (t [256]bool) {
	for c := range 256 {
		t[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	return t
}()

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// maxDecodeDepth is how many encodings deep scanEncoded looks: base64 of
// base64, or base64 whose padding a URL percent-encoded (%3D%3D), is one
// step from the plain kind and as easy to write.
const maxDecodeDepth = 2

// scanEncoded decodes base64, hex and percent-encoded runs, and what they
// decode to once more (maxDecodeDepth), and scans what they hide. A
// finding in a base64 or hex run covers the whole run; one in a
// percent-encoded run maps back byte for byte, or covers the run when it
// was found a level deeper.
func (e *Engine) scanEncoded(s string) []Finding { return e.scanEncodedAt(s, 1) }

func (e *Engine) scanEncodedAt(s string, depth int) []Finding {
	var out []Finding
	// hidden adds what the rules find in dec, decoded from s[i:j], as
	// findings covering s[i:j].
	hidden := func(dec string, ok bool, i, j int) {
		if !ok {
			return
		}
		fs := e.scanPlain(dec)
		if depth < maxDecodeDepth {
			fs = append(fs, e.scanEncodedAt(dec, depth+1)...)
		}
		for _, f := range fs {
			f.Start, f.End = i, j
			out = append(out, f)
		}
	}
	// Every hex run of minHex bytes or more lies in a base64 run at least
	// as long (hex digits are base64 bytes, and a base64 run ends where
	// a byte of neither is): without such a base64 run the text is not
	// walked again for hex.
	hexLong := false
	var wrapped wrapFinder
	for ri, rj := range b64Runs(s) {
		hexLong = hexLong || rj-ri >= minHex
		wrapped.add(s, ri, rj)
		for i, j := range padded(s, ri, rj) {
			dec, ok := decodeAt(s[i:j], depth)
			hidden(dec, ok, i, j)
			if f, ok := botToken(s, i, j); ok {
				out = append(out, f)
			}
		}
		// '/' is a base64 byte and a path separator: an encoding in one
		// segment of a URL path (/u/ENCODED/x.gif) runs into its
		// neighbours, which shifts its alignment (and a URL-alphabet
		// encoding beside '/' is refused as mixed). Each segment is tried
		// on its own too.
		slashed := strings.IndexByte(s[ri:rj], '/') >= 0
		for i := ri; slashed && i < rj; {
			j := rj
			if k := strings.IndexByte(s[i:rj], '/'); k >= 0 {
				j = i + k
			}
			if j-i >= minEncoded && j-i < rj-ri {
				dec, ok := decodeAt(s[i:j], depth)
				hidden(dec, ok, i, j)
			}
			i = j + 1
		}
	}
	if hexLong {
		for i, j := range hexRuns(s) {
			dec, ok := decodeHex(s[i:j])
			hidden(dec, ok, i, j)
		}
	}
	if blocks := wrapped.done(s); blocks != nil {
		out = e.scanWrapped(s, blocks, depth, out)
	}
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '%')
		if k < 0 {
			break
		}
		p := i + k
		if p+2 >= len(s) || !isHex(s[p+1]) || !isHex(s[p+2]) {
			i = p + 1
			continue
		}
		// The run is the stretch of non-space bytes around the escape.
		st, en := p, p
		for st > 0 && s[st-1] > ' ' {
			st--
		}
		for en < len(s) && s[en] > ' ' {
			en++
		}
		dec, offs := decodePercent(s[st:en])
		for _, f := range e.scanPlain(dec) {
			end := en
			if f.End < len(offs) {
				end = st + offs[f.End]
			}
			f.Start, f.End = st+offs[f.Start], end
			out = append(out, f)
		}
		if depth < maxDecodeDepth {
			for _, f := range e.scanEncodedAt(dec, depth+1) {
				f.Start, f.End = st, en
				out = append(out, f)
			}
		}
		i = en
	}
	return out
}

// decodePercent decodes %XX escapes and '+'; offs[k] is the input offset where
// output byte k starts.
func decodePercent(s string) (string, []int) {
	b := make([]byte, 0, len(s))
	offs := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			offs = append(offs, i)
			i += 2
		case c == '+':
			b = append(b, ' ')
			offs = append(offs, i)
		default:
			b = append(b, c)
			offs = append(offs, i)
		}
	}
	return string(b), offs
}

// decodeB64 decodes s as standard or URL base64 and keeps the result only
// if it is mostly printable text.
func decodeB64(s string) (string, bool) {
	t := strings.TrimRight(s, "=")
	whole := len(t) * 6 / 8
	// Most runs are binary (hashes, random ids, filler): mostlyPrintableB64
	// gives them up before anything else is looked at or allocated.
	if len(t)%4 == 1 || whole < 8 || !mostlyPrintableB64(t, whole) {
		return "", false
	}
	// The bytes that choose the alphabet are looked for with IndexByte
	// (vector code): a long run of letters and digits costs a fraction of
	// an instruction per byte instead of a table lookup each. A '=' inside
	// was refused above.
	url := strings.IndexByte(t, '-') >= 0 || strings.IndexByte(t, '_') >= 0
	std := strings.IndexByte(t, '+') >= 0 || strings.IndexByte(t, '/') >= 0
	if url && std {
		return "", false
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	dec, err := enc.DecodeString(t)
	if err != nil || len(dec) != whole {
		return "", false
	}
	return string(dec), true
}

// b64Val is a byte's base64 value in either alphabet ('+' and '-' are 62,
// '/' and '_' 63), 0xFF for a byte of neither.
var b64Val = func() (t [256]uint8) {
	for c := range 256 {
		t[c] = 0xFF
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = uint8(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// unprintTab is 1 for a byte printable rejects.
var unprintTab = bitsOf(func(c byte) bool { return !printable(c) })

// mostlyPrintableB64 reports whether t (unpadded, not 1 byte past a
// multiple of 4) decodes to whole bytes of which at most a tenth are
// unprintable; false as well when t holds a byte of neither alphabet. It
// decodes as it counts, into nothing, and stops once the count passes the
// tenth: unprintable bytes only add up, so a 64 KiB run of ids or filler
// is decided in its first few KiB. A run that mixes the alphabets decodes
// here as if it did not (the caller refuses it).
func mostlyPrintableB64(t string, whole int) bool {
	bad := 0
	// The count is compared once a piece: a sixteenth of t, from 8 to
	// 256 bytes (a multiple of 4), so a run is given up a few bytes after
	// its count passes the tenth, at a compare per 8 bytes at most.
	step := min(256, max(8, len(t)/16&^3))
	for i := 0; i < len(t); {
		end := min(len(t), i+step)
		for ; i+4 <= end; i += 4 {
			a, b, c, d := b64Val[t[i]], b64Val[t[i+1]], b64Val[t[i+2]], b64Val[t[i+3]]
			if a|b|c|d > 63 {
				return false
			}
			v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
			bad += int(unprintTab[byte(v>>16)] + unprintTab[byte(v>>8)] + unprintTab[byte(v)])
		}
		switch end - i { // the last 2 or 3 bytes: 1 or 2 bytes decoded
		case 1:
			return false
		case 2, 3:
			a, b, c := b64Val[t[i]], b64Val[t[i+1]], uint8(0)
			if end-i == 3 {
				c = b64Val[t[i+2]]
			}
			if a|b|c > 63 {
				return false
			}
			bad += int(unprintTab[a<<2|b>>4])
			if end-i == 3 {
				bad += int(unprintTab[b<<4|c>>2])
			}
			i = end
		}
		if 10*bad > whole { // under 90 % printable
			return false
		}
	}
	return true
}

func unprintable(b []byte) int {
	n := 0
	for _, c := range b {
		if !printable(c) {
			n++
		}
	}
	return n
}

// printable is text a decoded secret may hold: printable ASCII and line
// breaks and tabs.
func printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' }

// minHex is the shortest hex run decoded: 16 bytes of text, shorter than
// any credential the rules know.
const minHex = 32

// hexRuns yields the maximal runs s[i:j] of hex digits at least minHex
// long. Most are hashes and ids, which decodeHex rejects (they decode to
// binary); a token written in hex decodes to its text.
func hexRuns(s string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		// As b64Runs: test the last byte of each window and walk back, so
		// text costs a few tests per window rather than one per byte.
		for i := 0; i+minHex <= len(s); {
			w := s[i : i+minHex]
			k := minHex - 1
			for k >= 0 && isHex(w[k]) {
				k--
			}
			if k >= 0 {
				i += k + 1
				continue
			}
			j := i + minHex
			for j < len(s) && isHex(s[j]) {
				j++
			}
			if !yield(i, j) {
				return
			}
			i = j + 1
		}
	}
}

// decodeHex decodes an even-length hex run and keeps it only if it is
// mostly printable text (the test decodeB64 applies).
func decodeHex(s string) (string, bool) {
	s = s[:len(s)&^1]
	n := len(s) / 2
	// Most runs are hashes and ids: count the unprintable bytes first and
	// stop once they pass a tenth, with nothing allocated.
	bad := 0
	for k := range n {
		c := unhex(s[2*k])<<4 | unhex(s[2*k+1])
		if !printable(c) {
			if bad++; 10*bad > n {
				return "", false
			}
		}
	}
	b := make([]byte, n)
	for k := range b {
		b[k] = unhex(s[2*k])<<4 | unhex(s[2*k+1])
	}
	return string(b), true
}

// botToken finds a Discord bot token whose first part is the base64 run
// s[i:j]: ID.TTTTTT.HMAC, where ID is the bot's numeric id (a snowflake,
// 17 to 20 digits) base64-encoded without padding. The token has no fixed
// prefix for a keyword rule; that its first part decodes to a decimal id,
// followed by a six-character and a long part, is what marks it.
func botToken(s string, i, j int) (Finding, bool) {
	if j-i < 23 || j-i > 27 || j >= len(s) || s[j] != '.' {
		return Finding{}, false
	}
	id, err := base64.RawStdEncoding.DecodeString(s[i:j])
	if err != nil || len(id) < 17 || len(id) > 20 || id[0] == '0' || strings.Trim(string(id), "0123456789") != "" {
		return Finding{}, false
	}
	k := j + 1
	for k < len(s) && k-j-1 < 6 && isB64URL(s[k]) {
		k++
	}
	if k-j-1 != 6 || k >= len(s) || s[k] != '.' {
		return Finding{}, false
	}
	end := k + 1
	for end < len(s) && isB64URL(s[end]) {
		end++
	}
	if n := end - k - 1; n < 27 || n > 64 || entropy(s[k+1:end]) < 3.5 {
		return Finding{}, false
	}
	sum := sha256.Sum256([]byte(s[i:end]))
	return Finding{RuleID: "discord-bot-token", Start: i, End: end, Hash: hex.EncodeToString(sum[:])}, true
}

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }
