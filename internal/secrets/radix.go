package secrets

import (
	"encoding/ascii85"
	"encoding/binary"
	"strings"
)

// Encodings a model told to "encode the key first" can write in one line
// and its reader undo in another, beyond base64 and hex: bytes in hex
// with a separator between them (de:ad:be:ef, 0xde 0xad, de ad be ef),
// and the positional encodings of wallets and URL shorteners, base58 and
// base36, and the two base85 alphabets (Adobe's <~…~> and RFC 1924's,
// Python's b85encode). A run decodes to text or it is passed over:
// fingerprints, hashes and ids decode to binary. Only arguments are read
// this way (the outbound engine): a result shows the reader nothing the
// encoding hides, and the rules' keywords stay the results' prefilter.

// minHexBytes is the fewest separated hex bytes decoded (as minHex).
const minHexBytes = 16

// hexBytesView decodes runs of minHexBytes or more hex bytes written two
// digits each, optionally after 0x, with one separator (':', '-', '.' or
// a space) repeated between them, also over the line breaks of a dump
// (nextHexByte); at maps bytes as codesView's. A byte list with commas is
// codesView's; \xHH escapes are escView's.
func hexBytesView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	// A run is found at its first separator. As b64Runs: a run is at
	// least minHexRun bytes of hex digits, separators and 'x', so the
	// last byte of each such window is tested first and a byte outside
	// them skips the window; ordinary text costs a few tests a window.
	for i := 2; i+2 < len(s); i++ {
		if k := i - 2 + minHexRun - 1; k < len(s) && !hexRunByte[s[k]] {
			i = k + 2 // the next window starts after s[k]: its first separator is 2 on
			continue
		}
		if !hexSep[s[i]] || !isHex(s[i-1]) || !isHex(s[i-2]) {
			continue
		}
		p := i - 2
		if p >= 2 && s[p-2] == '0' && (s[p-1] == 'x' || s[p-1] == 'X') {
			p -= 2
		}
		if p < copied || p > 0 && (isAlnum(s[p-1]) || s[p-1] == '_') {
			continue
		}
		sep := s[i]
		q, count := p, 0
		for r := p; ; {
			m := hexByteAt(s, r)
			if m == 0 || r+m < len(s) && (isAlnum(s[r+m]) || s[r+m] == '_') {
				break
			}
			count++
			q = r + m
			if r = nextHexByte(s, q, sep); r < 0 {
				break
			}
		}
		if count < minHexBytes || !printableHexBytes(s[p:q], sep) {
			i = max(i, q)
			continue
		}
		v.keep(s, copied, p)
		for i := p; i >= 0 && i < q; {
			m := hexByteAt(s, i)
			v.put(s, unhex(s[i+m-2])<<4|unhex(s[i+m-1]), i)
			i = nextHexByte(s, i+m, sep)
		}
		copied, i = q, q
	}
	return v.done(s, copied)
}

// nextHexByte returns where the hex byte after the one that ends at s[q]
// starts: after the separator, or on the next line, as a dump wraps its
// bytes (od -An -tx1 at 16 a line, openssl's "…:ef:" then "4a:…"): after
// the line break (LF or CRLF, the separator may end the line) and the
// next line's indentation. -1 when none follows.
func nextHexByte(s string, q int, sep byte) int {
	if q+1 < len(s) && s[q] == sep && hexByteAt(s, q+1) > 0 {
		return q + 1
	}
	r := q
	if r < len(s) && s[r] == sep {
		r++
	}
	if r < len(s) && s[r] == '\r' {
		r++
	}
	if r >= len(s) || s[r] != '\n' {
		return -1
	}
	r++
	for r < len(s) && (s[r] == ' ' || s[r] == '\t') {
		r++
	}
	if hexByteAt(s, r) == 0 {
		return -1
	}
	return r
}

var hexSep = [256]bool{':': true, '-': true, '.': true, ' ': true}

// minHexRun is the length of the shortest run: minHexBytes bytes of two
// digits and the separators between them.
const minHexRun = 3*minHexBytes - 1

// hexRunByte is the bytes of a run: digits, separators, 'x', and the
// line breaks and indentation of a dump whose lines are shorter than
// minHexRun (openssl's 15 bytes a line).
var hexRunByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isHex(byte(c)) || hexSep[c] || c == 'x' || c == 'X' || c == '\n' || c == '\r' || c == '\t'
	}
	return
}()

// hexByteAt returns the length of the hex byte written at s[i]: 2 for
// "hh", 4 for "0xhh"; 0 when there is none.
func hexByteAt(s string, i int) int {
	if i+4 <= len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && isHex(s[i+2]) && isHex(s[i+3]) {
		return 4
	}
	if i+2 <= len(s) && isHex(s[i]) && isHex(s[i+1]) {
		return 2
	}
	return 0
}

// printableHexBytes reports whether the hex bytes of run, separated by
// sep, decode to text (as decodeHex: at most a tenth unprintable).
func printableHexBytes(run string, sep byte) bool {
	n, bad := 0, 0
	for i := 0; i >= 0 && i < len(run); {
		m := hexByteAt(run, i)
		if m == 0 {
			break
		}
		if !printable(unhex(run[i+m-2])<<4 | unhex(run[i+m-1])) {
			bad++
		}
		n++
		i = nextHexByte(run, i+m, sep)
	}
	return 10*bad <= n
}

// Bounds of the radix runs: a key is at least minRadix characters once
// encoded (base36 of 16 bytes is 25); runs longer than maxRadix are data (and decoding base58 costs
// the square of the length).
const (
	minRadix = 24
	maxRadix = 512
)

const b58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// b85Alphabet is RFC 1924's, which Python's base64.b85encode and git's
// binary patches use.
const b85Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"

var b58Val, b85Val = func() (b58, b85 [256]int8) {
	for i := range b58 {
		b58[i], b85[i] = -1, -1
	}
	for i := 0; i < len(b58Alphabet); i++ {
		b58[b58Alphabet[i]] = int8(i)
	}
	for i := 0; i < len(b85Alphabet); i++ {
		b85[b85Alphabet[i]] = int8(i)
	}
	return
}()

// b85Bit marks the bytes of b85Val for allIn8.
var b85Bit = bitsOf(func(c byte) bool { return b85Val[c] >= 0 })

// scanRadix finds secrets in runs of s encoded in base58, base36 or
// base85 (both alphabets); a finding covers the whole run.
func (e *Engine) scanRadix(s string, scan func(string) []Finding) []Finding {
	var out []Finding
	found := func(dec string, ok bool, i, j int) {
		if !ok {
			return
		}
		for _, f := range scan(dec) {
			f.Start, f.End = i, j
			out = append(out, f)
		}
	}
	// Adobe's ascii85 is delimited: <~ … ~>.
	for p := 1; p < len(s); {
		// '~' is rarer than '<' (markup), so it is the byte looked for.
		k := strings.IndexByte(s[p:], '~')
		if k < 0 {
			break
		}
		if s[p+k-1] != '<' {
			p += k + 1
			continue
		}
		i := p + k - 1
		l := strings.Index(s[i+2:], "~>")
		if l < 0 {
			break
		}
		j := i + 2 + l + 2
		dec, ok := decodeA85(s[i+2 : j-2])
		found(dec, ok, i, j)
		p = j
	}
	// Runs of base85 bytes (a superset of base58's and base36's), each
	// read in the encodings its bytes allow.
	for p := 0; p+minRadix <= len(s); {
		k := p + minRadix - 1
		for k >= p && b85Val[s[k]] >= 0 {
			k--
		}
		if k >= p {
			p = k + 1
			continue
		}
		j := p + minRadix
		for j+8 <= len(s) && allIn8(&b85Bit, s[j:j+8]) {
			j += 8 // long runs (data, filler) are walked eight bytes a round
		}
		for j < len(s) && b85Val[s[j]] >= 0 {
			j++
		}
		if j-p <= maxRadix {
			for _, r := range radixViews(s[p:j]) {
				found(r.dec, r.ok, p, j)
			}
			// The letters and digits between punctuation (v=RUN&x=1).
			for a := p; a < j; {
				b := a
				for b < j && isAlnum(s[b]) {
					b++
				}
				if b-a >= minRadix && b-a < j-p {
					for _, r := range radixViews(s[a:b]) {
						found(r.dec, r.ok, a, b)
					}
				}
				a = b + 1
			}
		}
		p = j + 1
	}
	return out
}

type radixDec struct {
	dec string
	ok  bool
}

// radixViews decodes run in each of the encodings whose alphabet holds
// all its bytes: base58 when it has letters of both cases and a digit,
// base36 when it is of one case with a letter past f (plain hex is
// hexRuns'), base85 when it has a byte outside the letters and digits
// (a run of letters and digits alone is far likelier another encoding
// or an identifier).
func radixViews(run string) []radixDec {
	// What the run's bytes are, or-ed from a table: a lookup and an or a
	// byte, where a switch and a test cost several.
	var cls uint8
	for i := 0; i < len(run); i++ {
		cls |= radixClass[run[i]]
	}
	alnum, b58ok := cls&rcOther == 0, cls&rcNotB58 == 0
	upper, lower, digit, pastF := cls&rcUpper != 0, cls&rcLower != 0, cls&rcDigit != 0, cls&rcPastF != 0
	var out []radixDec
	if !alnum {
		if dec, ok := decodeB85(run); ok {
			out = append(out, radixDec{dec, true})
		}
		return out
	}
	if b58ok && upper && lower && digit {
		if dec, ok := decodeB58(run); ok {
			out = append(out, radixDec{dec, true})
		}
	}
	if upper != lower && digit && pastF {
		if b := base36Bytes(run); len(b) >= minEncoded/2 && 10*unprintable(b) <= len(b) {
			out = append(out, radixDec{string(b), true})
		}
	}
	return out
}

// The classes of a byte radixViews reads a run by.
const (
	rcDigit  = 1 << iota // 0-9
	rcLower              // a-z
	rcUpper              // A-Z
	rcPastF              // a letter past f or F
	rcOther              // not a letter or digit
	rcNotB58             // not in b58Alphabet
)

var radixClass = func() (t [256]uint8) {
	for i := range 256 {
		c := byte(i)
		switch {
		case '0' <= c && c <= '9':
			t[c] |= rcDigit
		case 'a' <= c && c <= 'z':
			t[c] |= rcLower
			if c > 'f' {
				t[c] |= rcPastF
			}
		case 'A' <= c && c <= 'Z':
			t[c] |= rcUpper
			if c > 'F' {
				t[c] |= rcPastF
			}
		default:
			t[c] |= rcOther
		}
		if b58Val[c] < 0 {
			t[c] |= rcNotB58
		}
	}
	return t
}()

// base36Bytes returns the number a run of base36 digits (either case)
// writes, as big-endian bytes without leading zeros: what math/big's
// SetString(run, 36) and Bytes give, without lowering a copy of the run
// and the big.Int's allocations. Six digits at a time (36^6 < 2^32) are
// folded into 32-bit limbs, least significant first; a run is at most
// maxRadix digits, 2,647 bits.
func base36Bytes(run string) []byte {
	var limbs [(maxRadix*5170/1000+31)/32 + 1]uint32 // log2(36) < 5.170
	n := 0
	for i := 0; i < len(run); {
		k := min(6, len(run)-i)
		mul, add := uint64(1), uint64(0)
		for _, c := range []byte(run[i : i+k]) {
			mul *= 36
			add = add*36 + uint64(b36Val[c])
		}
		for l := 0; l < n; l++ {
			t := uint64(limbs[l])*mul + add
			limbs[l], add = uint32(t), t>>32
		}
		if add != 0 {
			limbs[n] = uint32(add)
			n++
		}
		i += k
	}
	b := make([]byte, 0, 4*n)
	for l := n - 1; l >= 0; l-- {
		b = binary.BigEndian.AppendUint32(b, limbs[l])
	}
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// b36Val is the value of a base36 digit, either case (radixViews only
// passes runs of letters and digits).
var b36Val = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = uint8(c-'a'+10), uint8(c-'a'+10)
	}
	return t
}()

// decodeB58 decodes a base58 run (Bitcoin's alphabet) and keeps it only
// if it is mostly printable text.
func decodeB58(run string) (string, bool) {
	// Base 58 to base 256 in place: each digit multiplies the number so
	// far by 58 and adds itself.
	// The number is built from the end of buf (base 256 needs fewer
	// bytes than base 58 digits).
	var buf [maxRadix]byte
	top := len(buf) // buf[top:] holds the number
	for i := 0; i < len(run); i++ {
		carry := int(b58Val[run[i]])
		for k := len(buf) - 1; k >= top; k-- {
			carry += 58 * int(buf[k])
			buf[k] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			top--
			buf[top] = byte(carry)
			carry >>= 8
		}
	}
	b := buf[top:]
	if len(b) < minEncoded/2 || 10*unprintable(b) > len(b) {
		return "", false
	}
	return string(b), true
}

// decodeB85 decodes an RFC 1924 base85 run (the last group may be short,
// as Python writes it without padding) and keeps it only if it is mostly
// printable text.
func decodeB85(run string) (string, bool) {
	if len(run)%5 == 1 {
		return "", false
	}
	b := make([]byte, 0, len(run)*4/5+4)
	bad := 0
	for i := 0; i < len(run); i += 5 {
		var acc uint64
		n := min(5, len(run)-i)
		for k := range 5 {
			d := uint64(84) // padding with the last digit, as the decoders do
			if k < n {
				d = uint64(b85Val[run[i+k]])
			}
			acc = acc*85 + d
		}
		if acc > 0xFFFFFFFF {
			return "", false
		}
		w := []byte{byte(acc >> 24), byte(acc >> 16), byte(acc >> 8), byte(acc)}
		b = append(b, w[:n-1]...)
		if bad += unprintable(w[:n-1]); 10*bad > len(run)*4/5 {
			return "", false
		}
	}
	if len(b) < minEncoded/2 || 10*unprintable(b) > len(b) {
		return "", false
	}
	return string(b), true
}

// decodeA85 decodes the inside of an Adobe <~ … ~> block (white space
// ignored) and keeps it only if it is mostly printable text.
func decodeA85(in string) (string, bool) {
	if len(in) < minRadix || len(in) > 64<<10 {
		return "", false
	}
	dst := make([]byte, len(in))
	n, _, err := ascii85.Decode(dst, []byte(in), true)
	if err != nil || n < minEncoded/2 || 10*unprintable(dst[:n]) > n {
		return "", false
	}
	return string(dst[:n]), true
}

// radixName finds base58 or base36 secrets in the first labels of a
// dotted name, joined (RUN1.RUN2.x.attacker.example), as base32Name does
// for base32: a label holds 63 bytes, so a longer run is cut.
func radixName(name string, bytes int, scan func(string) []Finding) []Finding {
	// Most names are words: only one whose first labels hold minRadix
	// letters and digits, a digit among them, is read further (bytes is
	// the name's length without its dots).
	if bytes < minRadix {
		return nil
	}
	n, digit := 0, false
	for i := 0; i < len(name) && (isAlnum(name[i]) || name[i] == '.'); i++ {
		if name[i] != '.' {
			n++
		}
		digit = digit || '0' <= name[i] && name[i] <= '9'
	}
	if n < minRadix || !digit {
		return nil
	}
	var out []Finding
	joined := make([]byte, 0, len(name))
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(joined)+len(label) > maxName || strings.IndexFunc(label, func(r rune) bool { return r > 0x7F || !isAlnum(byte(r)) }) >= 0 {
			break
		}
		joined = append(joined, label...)
		if len(joined) < minRadix {
			continue
		}
		for _, r := range radixViews(string(joined)) {
			out = append(out, scan(r.dec)...)
		}
	}
	return out
}
