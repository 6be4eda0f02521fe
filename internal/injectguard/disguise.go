package injectguard

import (
	"encoding/base64"
	"unicode"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/confusable"
)

// Instructions in disguise: spelled with look-alike letters, or encoded
// in base64 for the reader to decode and follow.
const (
	KindLookalike = "lookalike-instructions" // instructions spelled with Cyrillic, Greek or fullwidth look-alikes
	KindEncoded   = "encoded-instructions"   // base64 that decodes to instructions
	minB64        = 24                       // shortest base64 run decoded (18 bytes of text)
	maxB64        = 4 << 10                  // longer runs are data (images, archives), not a message to a reader
	maxB64Runs    = 32
)

// scanDisguised adds findings for instructions that scanMarkup would find
// in the folded or decoded form of text but not in text itself. A
// look-alike finding covers the whole text (folding moves offsets); an
// encoded one covers its base64 run. nonASCII is hasNonASCII(text).
func scanDisguised(text string, nonASCII bool, have []Finding, out []Finding) []Finding {
	if nonASCII {
		if folded := confusable.Fold(text); folded != text && instructs(folded) && !hasKind(have, KindOverride, KindTemplate, KindForgedTurn) {
			out = append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions spelled with look-alike letters"})
		}
	}
	if len(text) < minB64 {
		return out
	}
	runs := 0
	for i := 0; i < len(text) && runs < maxB64Runs; {
		if !b64Byte[text[i]] {
			i++
			continue
		}
		j := i
		for end := min(len(text), i+16); j < end && b64Byte[text[j]]; {
			j++
		}
		if j == i+16 {
			// A long run (ids, data, filler; not a word of prose): eight
			// bytes a round from here.
			for j+8 <= len(text) && b64Run8(text[j:j+8]) {
				j += 8
			}
			for j < len(text) && b64Byte[text[j]] {
				j++
			}
		}
		for k := 0; k < 2 && j < len(text) && text[j] == '='; k++ {
			j++
		}
		if n := j - i; n >= minB64 && n <= maxB64 {
			runs++
			if dec, ok := decodeText(text[i:j]); ok && instructs(dec) {
				out = append(out, Finding{Kind: KindEncoded, Start: i, End: j,
					Detail: "base64 that decodes to instructions"})
			}
		}
		i = j
	}
	return out
}

func isB64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-'
}

// b64Byte is isB64Byte as a table: the run loop above reads every byte
// of a result, and a lookup is a third of the comparisons' instructions.
// b64Bit is the same as 0 or 1, for b64Run8.
var b64Byte, b64Bit = func() (t [256]bool, u [256]uint8) {
	for c := range 256 {
		if isB64Byte(byte(c)) {
			t[c], u[c] = true, 1
		}
	}
	return t, u
}()

// b64Run8 reports whether all eight bytes of w are base64 bytes, with one
// branch instead of eight.
func b64Run8(w string) bool {
	_ = w[7]
	return b64Bit[w[0]]&b64Bit[w[1]]&b64Bit[w[2]]&b64Bit[w[3]]&b64Bit[w[4]]&b64Bit[w[5]]&b64Bit[w[6]]&b64Bit[w[7]] != 0
}

// instructs reports whether text carries visible planted instructions.
func instructs(text string) bool {
	for _, f := range scanMarkup(text, nil) {
		if !f.Control {
			return true
		}
	}
	return false
}

func hasKind(fs []Finding, kinds ...string) bool {
	for _, f := range fs {
		for _, k := range kinds {
			if f.Kind == k {
				return true
			}
		}
	}
	return false
}

// decodeText decodes a base64 run (standard or URL alphabet, padded or
// not) and keeps it only when it is readable text.
func decodeText(run string) (string, bool) {
	// Runs are at most maxB64 bytes (scanDisguised): they are decoded on
	// the stack, and only text that is kept is copied out. Most runs are
	// ids and data that decode to binary.
	var src [maxB64]byte
	var dst [maxB64 / 4 * 3]byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		var b []byte
		var err error
		if len(run) <= len(src) {
			var n int
			n, err = enc.Decode(dst[:], src[:copy(src[:], run)])
			b = dst[:n]
		} else {
			b, err = enc.DecodeString(run)
		}
		if err != nil || !utf8.Valid(b) {
			continue
		}
		printable := 0
		for _, r := range string(b) {
			if unicode.IsPrint(r) || r == '\n' || r == '\t' {
				printable++
			}
		}
		if n := utf8.RuneCount(b); n >= 12 && printable*10 >= n*9 {
			return string(b), true
		}
	}
	return "", false
}
