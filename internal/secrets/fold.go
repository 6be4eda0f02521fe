package secrets

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// A secret can reach a reader in forms that look the same once rendered:
// in fullwidth letters (ｇｈｐ＿…, U+FF01–FF5E, which NFKC folds to ASCII
// and a model reads as the token) or with some characters written as HTML
// character references (an HTML-escaped attribute holds "&#x2F;" for '/',
// and html/template writes '+' as "&#43;"). foldView undoes both so the
// rules see the token; findings are mapped back over the folded text.

// hasFoldable reports whether s holds a fullwidth ASCII form or a numeric
// character reference, the only things foldView changes.
func hasFoldable(s string) bool {
	// Every form but a character reference is non-ASCII. Most text is
	// pure ASCII, and one pass that says so answers for the dozen
	// IndexByte passes below (one per lead byte).
	if isASCII(s) {
		return strings.Contains(s, "&#")
	}
	for i := 0; ; i++ {
		k := strings.IndexByte(s[i:], 0xEF)
		if k < 0 || i+k+1 >= len(s) {
			break
		}
		i += k
		if s[i+1] == 0xBC || s[i+1] == 0xBD {
			return true
		}
	}
	return strings.Contains(s, "&#") || strings.Contains(s, "\xF0\x9D") || hasHomoglyph(s)
}

// le64 reads s[:8] as a little-endian word (the byte loads combine into
// one).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// mathAlnumAt returns the ASCII letter or digit that the mathematical
// alphanumeric symbol at s[i] (U+1D400–1D7FF: bold, italic, script,
// monospace … letters and digits, F0 9D 90–9F xx) is a styled form of,
// and its length; 𝚐𝚑𝚙_ is ghp_ to a reader, as a fullwidth form is.
// Such letters are styling, not words of a language, so they are folded
// wherever they stand. The Greek styles fold to nothing.
func mathAlnumAt(s string, i int) (byte, int) {
	if i+3 >= len(s) || s[i+1] != 0x9D || s[i+2] < 0x90 || s[i+2] > 0x9F {
		return 0, 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case r >= 0x1D400 && r <= 0x1D6A3:
		if k := byte((r - 0x1D400) % 52); k < 26 {
			return 'A' + k, n
		}
		return 'a' + byte((r-0x1D400)%52) - 26, n
	case r >= 0x1D7CE && r <= 0x1D7FF:
		return '0' + byte((r-0x1D7CE)%10), n
	}
	return 0, 0
}

// A key can also be spelled with Cyrillic or Greek letters that look
// like Latin ones (ѕhpat_… with U+0455, ghр_… with U+0440): a reader
// sees the token, a byte comparison does not. Such a letter is folded
// to its Latin twin only inside a mixed word, next to an ASCII letter,
// digit or '_': words wholly in Cyrillic or Greek stay as written, so
// Russian or Greek prose is not turned into Latin gibberish.
var homoglyphs = map[rune]byte{
	// Cyrillic
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'ѕ': 's', 'і': 'i', 'ј': 'j', 'ԁ': 'd', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O',
	'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J',
	'У': 'Y',
	// Greek
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K',
	'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	'ο': 'o', 'ν': 'v',
	// Latin letters of IPA and phonetics that render as plain ones (ɡhp_
	// with U+0261, the script g)
	'ɡ': 'g', 'ɑ': 'a', 'ı': 'i', 'ȷ': 'j', 'ɩ': 'i', 'ʏ': 'y',
}

// homoglyphLeads are the UTF-8 lead bytes of every rune in homoglyphs.
var homoglyphLeads = [...]byte{0xCE, 0xCF, 0xD0, 0xD1, 0xD4, 0xD2, 0xC4, 0xC8, 0xC9, 0xCA}

// hasHomoglyph reports whether s holds a homoglyph inside a mixed word.
func hasHomoglyph(s string) bool {
	for _, c := range homoglyphLeads {
		for i := 0; i < len(s); i++ {
			k := strings.IndexByte(s[i:], c)
			if k < 0 {
				break
			}
			i += k
			if _, n := homoglyphAt(s, i); n > 0 {
				return true
			}
		}
	}
	return false
}

// homoglyphAt returns the Latin letter a homoglyph at s[i] stands for
// and its length, when a byte of a mixed word touches it: an ASCII
// letter, digit or '_' before or after, or another homoglyph that does.
func homoglyphAt(s string, i int) (byte, int) {
	r, n := utf8.DecodeRuneInString(s[i:])
	c, ok := homoglyphs[r]
	if !ok {
		return 0, 0
	}
	// Walk over neighbouring homoglyphs to the first byte on each side
	// that is not one, and ask whether either is a word byte.
	j := i + n
	for j < len(s) {
		r2, m := utf8.DecodeRuneInString(s[j:])
		if _, ok := homoglyphs[r2]; !ok {
			break
		}
		j += m
	}
	k := i
	for k > 0 {
		r2, m := utf8.DecodeLastRuneInString(s[:k])
		if _, ok := homoglyphs[r2]; !ok {
			break
		}
		k -= m
	}
	if j < len(s) && isWordByte(s[j]) || k > 0 && isWordByte(s[k-1]) {
		return c, n
	}
	return 0, 0
}

// foldView returns s with fullwidth ASCII forms (and the ideographic
// space) folded to ASCII and
// numeric character references (&#NN; and &#xHH;) that name printable
// ASCII decoded, and at, which gives for each byte of the result the
// offset in s of the form it came from, with one more entry, len(s), for
// the end. ok is false when nothing changed.
func foldView(s string) (out string, at []int, ok bool) {
	if !hasFoldable(s) {
		return s, nil, false
	}
	var v view
	for i := 0; i < len(s); {
		if c, n := foldAt(s, i); n > 0 {
			v.put(s, c, i)
			i += n
			continue
		}
		v.keep(s, i, i+1)
		i++
	}
	return v.done(s, len(s))
}

// foldAt returns the ASCII byte that the form at s[i] stands for and the
// form's length, or 0, 0.
func foldAt(s string, i int) (byte, int) {
	switch s[i] {
	case 0xEF:
		// U+FF01–FF5E is EF BC 81–BF or EF BD 80–9E; U+FF01 + k is '!' + k.
		if i+2 < len(s) {
			switch {
			case s[i+1] == 0xBC && s[i+2] >= 0x81 && s[i+2] <= 0xBF:
				return '!' + s[i+2] - 0x81, 3
			case s[i+1] == 0xBD && s[i+2] >= 0x80 && s[i+2] <= 0x9E:
				return '`' + s[i+2] - 0x80, 3
			}
		}
	case 0xE3:
		// The ideographic space (U+3000, E3 80 80) that fullwidth text
		// is spaced with.
		if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
			return ' ', 3
		}
	case '&':
		return charRef(s, i)
	case 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD4, 0xC4, 0xC8, 0xC9, 0xCA:
		return homoglyphAt(s, i)
	case 0xF0:
		return mathAlnumAt(s, i)
	}
	return 0, 0
}

// maxCharRef bounds a reference's length: &#x0000007E; is the longest
// spelling of printable ASCII we decode.
const maxCharRef = 12

// charRef decodes the numeric character reference at s[i] ("&#"), when it
// names printable ASCII.
func charRef(s string, i int) (byte, int) {
	if i+3 >= len(s) || s[i+1] != '#' {
		return 0, 0
	}
	j, base := i+2, 10
	if s[j] == 'x' || s[j] == 'X' {
		j, base = j+1, 16
	}
	k := j
	for k < len(s) && k-i < maxCharRef && isDigitIn(s[k], base) {
		k++
	}
	if k == j || k >= len(s) || s[k] != ';' {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[j:k], base, 8)
	if err != nil || v < 0x21 || v > 0x7E {
		return 0, 0
	}
	return byte(v), k + 1 - i
}

func isDigitIn(c byte, base int) bool {
	if '0' <= c && c <= '9' {
		return true
	}
	return base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')
}

// scanFolded scans the folded view of s, when it differs from s, and maps
// its findings back onto s: each covers the forms its bytes came from.
func (e *Engine) scanFolded(s string) []Finding {
	v, at, ok := foldView(s)
	if !ok {
		return nil
	}
	var out []Finding
	for _, f := range append(e.scanPlain(v), e.scanEncoded(v)...) {
		f.Start, f.End = at[f.Start], at[f.End]
		out = append(out, f)
	}
	return out
}
