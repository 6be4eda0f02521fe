package injectguard

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/confusable"
)

// Instructions in disguise: spelled with look-alike letters, or encoded
// in base64 for the reader to decode and follow.
const (
	KindLookalike = "lookalike-instructions" // instructions spelled with Cyrillic, Greek or fullwidth look-alikes, digits for letters, or split by empty tags
	KindEncoded   = "encoded-instructions"   // base64 that decodes to instructions
	minB64        = 24                       // shortest base64 run decoded (18 bytes of text)
	maxB64        = 4 << 10                  // longer runs are data (images, archives), not a message to a reader
	maxB64Runs    = 32
)

// mayHold reports whether a text may hold a marker's words, so that a
// search for them can be skipped when it cannot: Scan knows from the
// prefilter's walk.
type mayHold func(*trigger) bool

// scanDisguised adds findings for instructions that scanMarkup would find
// in the folded or decoded form of text but not in text itself. A
// look-alike finding covers the whole text (folding moves offsets); an
// encoded one covers its base64 run. nonASCII is hasNonASCII(text); may
// is what text may hold.
func scanDisguised(text string, nonASCII bool, may mayHold, have []Finding, out []Finding) []Finding {
	// The look-alike finding is only added when text's own findings hold
	// none of these kinds: tested first, it spares a long text that has
	// one the folding and a second scanMarkup of the folded copy.
	if nonASCII && !hasKind(have, KindOverride, KindTemplate, KindForgedTurn) {
		if folded := confusable.Fold(text); folded != text && instructs(folded) {
			out = append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions spelled with look-alike letters"})
		}
	}
	out = respelled(text, nonASCII, may, have, out)
	if len(text) < minB64 {
		return out
	}
	runs := 0
	// Here i is at a byte that is not base64 or at the start of a run.
	for i := 0; i < len(text) && runs < maxB64Runs; {
		// A run is decoded only when it has minB64-2 bytes at least (two
		// '=' make up the rest), and such a run that starts in
		// text[i:e+1] holds text[e]. When that is not base64 no run
		// starting there counts, and the search goes on after it; when it
		// is, from the start of its run. Prose is read a byte in twenty.
		e := i + minB64 - 3
		if e >= len(text) {
			break
		}
		if !b64Byte[text[e]] {
			i = e + 1
			continue
		}
		probe := e
		for e-i >= 8 && b64Pairs8(text[e-8:]) { // back eight bytes a round
			e -= 8
		}
		for e > i && b64Byte[text[e-1]] {
			e--
		}
		i = e
		// text[i:probe+1] is base64: the run is read on from past it.
		j := min(probe+1, i+16)
		for end := min(len(text), i+16); j < end && b64Byte[text[j]]; {
			j++
		}
		if j == i+16 {
			// A long run (ids, data, filler; not a word of prose):
			// sixteen bytes a round from here.
			r := text[j:] // shrinking: its length proves the reads in bounds
			for len(r) >= 16 && b64Pairs8(r) && b64Pairs8(r[8:]) {
				r = r[16:]
			}
			if len(r) >= 8 && b64Run8(r) {
				r = r[8:]
			}
			j = len(text) - len(r)
			for j < len(text) && b64Byte[text[j]] {
				j++
			}
		}
		for k := 0; k < 2 && j < len(text) && text[j] == '='; k++ {
			j++
		}
		if n := j - i; n >= minB64 && n <= maxB64 {
			runs++
			if dec, what, ok := decodeRun(text[i:j]); ok && instructs(dec) {
				out = append(out, Finding{Kind: KindEncoded, Start: i, End: j,
					Detail: what + " that decodes to instructions"})
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

// b64Pairs8 is b64Run8 by pairs (pairClass): a long run costs a lookup
// per two bytes.
func b64Pairs8(w string) bool {
	_ = w[7]
	return pairClass[uint16(w[0])|uint16(w[1])<<8]&pairClass[uint16(w[2])|uint16(w[3])<<8]&
		pairClass[uint16(w[4])|uint16(w[5])<<8]&pairClass[uint16(w[6])|uint16(w[7])<<8]&pairB64 != 0
}

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

// decodeRun decodes a run of base64 bytes as hex when it is all hex
// digits of an even count (a hex run is base64 too, and decodes to
// binary as that), else as base64. what names the encoding.
func decodeRun(run string) (dec, what string, ok bool) {
	if len(run)%2 == 0 && isHex(run) {
		// A hash or an id decodes to binary, most often to first bytes
		// that are not UTF-8 (as in brokenStart).
		var start [3]byte
		if n, err := hex.Decode(start[:], []byte(run[:min(len(run), 6)])); err == nil && notUTF8(start[:n]) {
			return "", "", false
		}
		b, err := hex.DecodeString(run)
		if err == nil && readable(b) {
			return string(b), "hex", true
		}
		return "", "", false
	}
	dec, ok = decodeB64(run) // run is base64 bytes and '='
	return dec, "base64", ok
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// decodeText decodes a base64 run (standard or URL alphabet, padded or
// not) and keeps it only when it is readable text.
func decodeText(run string) (string, bool) {
	for i := 0; i < len(run); i++ {
		if c := run[i]; !b64Byte[c] && c != '=' {
			// Line breaks (which the decoder passes over) or bytes of no
			// alphabet: every encoding is tried, in order.
			return decodeWith(run, base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding)
		}
	}
	return decodeB64(run)
}

// decodeB64 is decodeText for a run of base64 bytes and '=' only (what
// scanDisguised passes). The encodings that can decode it without an
// error are known from its length and bytes, and at most one of them
// decodes it to anything the others would not, so one decode at most is
// run (none for most ids and filler).
func decodeB64(run string) (string, bool) {
	//   - A padded encoding decodes whole quanta of four only: it fails
	//     unless len(run)%4 == 0. An unpadded one fails on '=' and on a
	//     last quantum of one byte, and decodes a run of whole quanta
	//     without '=' as the padded one does.
	//   - The standard alphabet has '+' and '/', the URL alphabet '-' and
	//     '_'; the rest they share. A run with none of the four decodes
	//     the same in both, and is tried in the standard one first.
	whole := len(run)%4 == 0
	if !whole && (len(run)%4 == 1 || strings.IndexByte(run, '=') >= 0) {
		return "", false
	}
	padded, raw := base64.StdEncoding, base64.RawStdEncoding
	switch {
	case strings.IndexByte(run, '-') < 0 && strings.IndexByte(run, '_') < 0:
	case strings.IndexByte(run, '+') < 0 && strings.IndexByte(run, '/') < 0:
		padded, raw = base64.URLEncoding, base64.RawURLEncoding
	default:
		return "", false // both alphabets: no encoding decodes it
	}
	enc := raw
	if whole {
		enc = padded
	}
	if brokenStart(run, enc) {
		return "", false
	}
	return decodeWith(run, enc)
}

// brokenStart reports whether the bytes run's first four decode to in enc
// hold a sequence that is not UTF-8 whatever follows: then run decodes to
// no readable text. Most ids, hashes and filler decode to such bytes, and
// the test costs a tenth of decoding them.
func brokenStart(run string, enc *base64.Encoding) bool {
	if len(run) < 4 {
		return false
	}
	var src [4]byte
	var dst [3]byte
	copy(src[:], run)
	n, err := enc.Decode(dst[:], src[:])
	if err != nil {
		return false // the whole run fails as well, or it is decided there
	}
	// Base64 decodes four bytes at a time: the whole run's first bytes are
	// these.
	return notUTF8(dst[:n])
}

// notUTF8 reports whether p holds a sequence that is not UTF-8 whatever
// bytes follow p.
func notUTF8(p []byte) bool {
	for len(p) > 0 && utf8.FullRune(p) {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size == 1 {
			return true
		}
		p = p[size:]
	}
	return false
}

// decodeWith returns the first of encs that decodes run without an
// error to readable text, decoded.
func decodeWith(run string, encs ...*base64.Encoding) (string, bool) {
	if len(run) <= 256 {
		// A short run (an id, a token) is decoded on the stack in
		// buffers of its size: zeroing those for the longest run costs
		// more than the decoding.
		var src [256]byte
		var dst [256 / 4 * 3]byte
		for _, enc := range encs {
			n, err := enc.Decode(dst[:], src[:copy(src[:], run)])
			if err == nil && readable(dst[:n]) {
				return string(dst[:n]), true
			}
		}
		return "", false
	}
	return decodeLong(run, encs)
}

// decodeLong is decodeWith for a run of more than 256 bytes.
func decodeLong(run string, encs []*base64.Encoding) (string, bool) {
	// Runs are at most maxB64 bytes (scanDisguised): they are decoded on
	// the stack, and only text that is kept is copied out. Most runs are
	// ids and data that decode to binary.
	var src [maxB64]byte
	var dst [maxB64 / 4 * 3]byte
	for _, enc := range encs {
		var b []byte
		var err error
		if len(run) <= len(src) {
			var n int
			n, err = enc.Decode(dst[:], src[:copy(src[:], run)])
			b = dst[:n]
		} else {
			b, err = enc.DecodeString(run)
		}
		if err == nil && readable(b) {
			return string(b), true
		}
	}
	return "", false
}

// readable reports whether decoded bytes are text: valid UTF-8, at least
// 12 characters, nine in ten of them printable.
func readable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	printable := 0
	for _, r := range string(b) {
		if unicode.IsPrint(r) || r == '\n' || r == '\t' {
			printable++
		}
	}
	n := utf8.RuneCount(b)
	return n >= 12 && printable*10 >= n*9
}

// respelled adds a finding when text, read with its digits as letters
// ("1gn0r3") or without the empty tags that split its words
// ("ig<b></b>nore"), holds an override, a forged turn or a template
// token and text as it stands held no instruction (have holds what it
// did). nonASCII is hasNonASCII(text); a search for a marker that may
// says text cannot hold is skipped (most texts hold none).
func respelled(text string, nonASCII bool, may mayHold, have, out []Finding) []Finding {
	if len(text) > maxDisguised || slices.ContainsFunc(have, func(f Finding) bool { return !f.Control }) {
		return out
	}
	// Only what words say counts: the respelling also changes URLs and
	// markup, which the image and link checks would then misread.
	says := func(t string) bool {
		return slices.ContainsFunc(scanMarkup(t, nil), func(f Finding) bool {
			return f.Kind == KindOverride || f.Kind == KindForgedTurn || f.Kind == KindTemplate
		})
	}
	if folded, ok := unleet(text); ok && says(folded) {
		return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
			Detail: "instructions spelled with digits for letters"})
	}
	if may(tRoleTag) { // '<'
		if bare, ok := stripEmptyTags(text); ok && says(bare) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions split by empty tags"})
		}
	}
	// Numeric character references ("&#105;gnore"): a model reads them
	// as the letters they stand for. Named ones spell no ASCII letter.
	if hasPair(text, '&', '#') {
		if un := html.UnescapeString(text); un != text && says(un) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions written as character references"})
		}
	}
	// Characters that are not drawn (soft hyphens, invisible operators,
	// fillers) inside the words; zero-width spaces are found on their own.
	if nonASCII {
		if bare, ok := dropIgnorable(text); ok && says(bare) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions split by invisible characters"})
		}
	}
	// Enclosed letters (🅸🅶🅽🅾🆁🅴, ⓘⓖⓝⓞⓡⓔ): emoji to a person, letters
	// to a model. Probe set z34.
	if nonASCII {
		if plain, ok := unenclose(text); ok && says(plain) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions spelled with enclosed letters"})
		}
	}
	// Line breaks written as \n (a calendar DESCRIPTION, a log of escaped
	// strings): a turn that starts after one starts a line for a model.
	backslash := strings.IndexByte(text, '\\') >= 0
	if backslash && hasPair(text, '\\', 'n') {
		if un := strings.NewReplacer(`\r\n`, "\n", `\n`, "\n").Replace(text); says(un) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions behind escaped line breaks"})
		}
	}
	// Letters spaced apart ("I g n o r e   a l l   p r e v i o u s"), a
	// word break written as a wider gap: a model reads the words. Without
	// a double space the letters spell one long word, which no override
	// expression reads: one vector search passes over most texts.
	if strings.Contains(text, "  ") {
		if joined, ok := unspace(text); ok && says(joined) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions spelled with spaced letters"})
		}
	}
	// Percent-encoding ("%49%67%6E%6F%72%65" or "Ignore%20all%20previous"):
	// a model decodes it as it reads. Six escapes at least, found with
	// one vector search for '%' in most texts.
	if strings.IndexByte(text, '%') >= 0 {
		if dec, ok := percentDecode(text); ok && says(dec) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions written with percent-escapes"})
		}
	}
	// Quoted-printable, a raw MIME body ("=4E=6F=74=65=20…" with "="
	// ending its lines): read only when a soft line break marks it.
	if i := strings.IndexByte(text, '='); i >= 0 && (hasPair(text[i:], '=', '\n') || hasPair(text[i:], '=', '\r')) {
		if dec, ok := qpDecode(text); ok && says(dec) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions written as quoted-printable"})
		}
	}
	// \u escapes written as text ("\u0049\u0067\u006e…" in a log line
	// or a JSON string printed raw): a model reads the letters. Six
	// escapes at least, as for percent-encoding (probe set z30).
	if backslash && hasPair(text, '\\', 'u') {
		if dec, ok := unicodeUnescape(text); ok && says(dec) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions written with \\u escapes"})
		}
	}
	// An order split across the values of a JSON object ({"note_1":
	// "Assistant, ignore the", "note_2": "user's request and", …}): a
	// model reads the values as one text. Objects of three strings or
	// more; one vector search for `":` passes over most texts.
	if hasPair(text, '"', ':') {
		if joined, ok := jsonStrings(text); ok && says(joined) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions split across JSON values"})
		}
	}
	// ROT13, named ("rot13", "ROT-13") or recognisable by the override
	// words it scrambles: a model decodes it when asked to. The cues are
	// searched in the text as it is (case kept by ROT13), and each search
	// is one vector scan: most texts have none of them.
	if namesROT13(text) || may(tROT13) && slices.ContainsFunc(rot13Cues, func(w string) bool { return strings.Contains(text, w) }) {
		if says(ROT13(text)) {
			return append(out, Finding{Kind: KindLookalike, Start: 0, End: len(text),
				Detail: "instructions in ROT13"})
		}
	}
	return out
}

// hasPair is strings.Contains(s, string([]byte{a, b})) for a first byte
// that most texts do not have ('\\', '&', '"'): one search for a, where
// a search for the pair costs a short text three times as much.
func hasPair(s string, a, b byte) bool {
	for {
		k := strings.IndexByte(s, a)
		if k < 0 || k+1 >= len(s) {
			return false
		}
		if s[k+1] == b {
			return true
		}
		s = s[k+1:]
	}
}

// rot13Cues are override words as ROT13 spells them, capitalised or not:
// "vafgehpgv" (instructi-), "vtaber" (ignore), "qvfertneq" (disregard).
// Each starts with a letter rare in English: a search stops at every
// occurrence of its first byte.
var rot13Cues = []string{"vafgehpgv", "Vafgehpgv", "vtaber", "Vtaber", "qvfertneq", "Qvfertneq"}

// namesROT13 reports whether text says "rot13", "ROT-13" or "rot 13".
func namesROT13(text string) bool {
	for i := 0; ; {
		k := strings.Index(text[i:], "13")
		if k < 0 {
			return false
		}
		at := i + k
		i = at + 2
		if at > 0 && (text[at-1] == '-' || text[at-1] == ' ') {
			at--
		}
		if at >= 3 && strings.EqualFold(text[at-3:at], "rot") {
			return true
		}
	}
}

// ROT13 returns s with its ASCII letters rotated by 13.
func ROT13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}

// dropIgnorable returns text without the format characters (Cf: soft
// hyphen, invisible times, word joiner …), variation selectors and the
// combining grapheme joiner, with the Hangul fillers (drawn blank, as a
// space) as spaces, and whether it held any of them.
func dropIgnorable(text string) (string, bool) {
	filler := func(r rune) bool { return r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 }
	ignorable := func(r rune) bool {
		return unicode.Is(unicode.Cf, r) || isVS(r) || r == 0x034F || r >= 0x180B && r <= 0x180F || filler(r)
	}
	if strings.IndexFunc(text, ignorable) < 0 {
		return text, false
	}
	return strings.Map(func(r rune) rune {
		switch {
		case filler(r):
			return ' '
		case ignorable(r):
			return -1
		}
		return r
	}, text), true
}

// maxDisguised bounds the texts read again with digits or empty tags
// taken out: the forms are written to fool a reader of a short message.
const maxDisguised = 16 << 10

// leet maps the digits written for letters ("1gn0r3").
var leet = [256]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't'}

// leetWord classes the bytes of a word unleet reads: leetLetter for
// A–Z and a–z, leetDigit for a digit in leet, 0 for the rest.
var leetWord = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case isLetter(byte(c)):
			t[c] = leetLetter
		case leet[c] != 0:
			t[c] = leetDigit
		}
	}
	return t
}()

const (
	leetLetter = 1 << iota
	leetDigit
)

// unleet returns text with the digits of words that also hold letters
// read as letters, and whether any word was changed. Numbers alone
// ("203.0.113.9", "2026") stay as they are.
func unleet(text string) (string, bool) {
	// Most text has none of the digits: a vector search for each is
	// cheaper than one pass testing every byte.
	if !slices.ContainsFunc([]byte("013457"), func(c byte) bool { return strings.IndexByte(text, c) >= 0 }) {
		return text, false
	}
	// One pass: text[start:i] is a word (a run of letters and leet
	// digits) so far, class its bytes' classes or-ed.
	var b []byte
	class, start := uint8(0), 0
	for i := 0; i < len(text); i++ {
		if k := leetWord[text[i]]; k != 0 {
			class |= k
			continue
		}
		if class == leetLetter|leetDigit {
			b = unleetWord(b, text, start, i)
		}
		class, start = 0, i+1
	}
	if class == leetLetter|leetDigit {
		b = unleetWord(b, text, start, len(text))
	}
	if b == nil {
		return text, false
	}
	return string(b), true
}

// unleetWord reads the digits of text[start:end] as letters in b, a
// copy of text made at the first word.
func unleetWord(b []byte, text string, start, end int) []byte {
	if b == nil {
		b = []byte(text)
	}
	w := b[start:end]
	for k, c := range w {
		w[k] = unleetByte[c]
	}
	return b
}

// unleetByte is leet as a whole map: the letter a leet digit stands for,
// every other byte itself.
var unleetByte = func() (t [256]byte) {
	for c := range 256 {
		t[c] = byte(c)
		if leet[c] != 0 {
			t[c] = leet[c]
		}
	}
	return t
}()

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// stripEmptyTags returns text without the empty elements and lone tags
// that split a word ("ig<b></b>nore"), and whether there were any: a tag
// with letters right before and right after it.
func stripEmptyTags(text string) (string, bool) {
	if strings.IndexByte(text, '<') < 0 {
		return text, false
	}
	var b strings.Builder
	changed := false
	last := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '<' || i == 0 || !isLetter(text[i-1]) {
			continue
		}
		// A run of tags, each at most 32 bytes, directly followed by a letter.
		j := i
		for j < len(text) && text[j] == '<' {
			k := strings.IndexByte(text[j:min(len(text), j+32)], '>')
			if k < 0 {
				break
			}
			j += k + 1
		}
		if j == i || j >= len(text) || !isLetter(text[j]) {
			continue
		}
		b.WriteString(text[last:i])
		last, changed = j, true
		i = j - 1
	}
	if !changed {
		return text, false
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// minSpaced is the fewest one-character tokens in a row read as spaced
// letters: lists of initials and digits ("a b c", "1 0 1") are shorter
// or spell nothing an override would.
const minSpaced = 8

// unspace returns text with its runs of spaced single characters ("i g n
// o r e  a l l") joined into words, a gap of two spaces or more read as
// a word break, and whether there was any such run.
func unspace(text string) (string, bool) {
	single := func(i int) bool { // text[i] is a one-byte token
		return text[i] > ' ' && text[i] < 0x7f && (i == 0 || text[i-1] == ' ') && (i+1 == len(text) || text[i+1] == ' ')
	}
	var b []byte
	last := 0
	for i := 0; i < len(text); i++ {
		if !single(i) {
			// Skip to the next " x " (a one-byte token between spaces),
			// eight bytes at a time: prose has few.
			k := nextSingle(text, i)
			if k < 0 {
				break
			}
			i = k
			if !single(i) {
				continue
			}
		}
		// A run: single tokens separated by spaces.
		n, j, end := 1, i+1, i+1
		for j < len(text) && text[j] == ' ' {
			k := j
			for k < len(text) && text[k] == ' ' {
				k++
			}
			if k == len(text) || !single(k) {
				break
			}
			n, end, j = n+1, k+1, k+1
		}
		if n < minSpaced {
			i = end - 1
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(text))
		}
		b = append(b, text[last:i]...)
		for k := i; k < end; k++ {
			if text[k] != ' ' {
				b = append(b, text[k])
				continue
			}
			w := k
			for w < end && text[w] == ' ' {
				w++
			}
			if w-k >= 2 {
				b = append(b, ' ')
			}
			k = w - 1
		}
		last, i = end, end-1
	}
	if b == nil {
		return text, false
	}
	return string(append(b, text[last:]...)), true
}

// nextSingle returns the offset of the first one-byte token between two
// spaces (" x ") whose token is at or after from, or -1. It reads eight
// bytes at a time: a word with a space at byte j and j+2 but not j+1.
func nextSingle(text string, from int) int {
	i := max(0, from-1) // the space before the token
	for ; i+8 <= len(text); i += 6 {
		s := spaces8(load64(text[i:]))
		if m := s & (s >> 16) &^ (s >> 8); m != 0 {
			return i + bits.TrailingZeros64(m)/8 + 1
		}
	}
	for ; i+2 < len(text); i++ {
		if text[i] == ' ' && text[i+2] == ' ' && text[i+1] != ' ' {
			return i + 1
		}
	}
	return -1
}

// spaces8 has the high bit set in each byte of x that is a space, and no
// other bit.
func spaces8(x uint64) uint64 {
	const lows7 = 0x7f7f7f7f7f7f7f7f
	y := x ^ ' '*ones8 // zero where x has a space
	// Each byte of y without its high bit, plus 0x7f, carries into the
	// high bit unless it was zero; no byte carries into the next.
	return ^((y&lows7 + lows7) | y) & highs8
}

// minEscapes is the fewest percent-escapes a text is decoded for: a
// URL's "%20" or a "50%" in prose is not an encoded message.
const minEscapes = 6

// percentDecode returns text with its %XX escapes decoded (invalid ones
// kept as they are), and whether it held at least minEscapes of them.
func percentDecode(text string) (string, bool) { return unescapeHex(text, '%') }

// qpDecode returns text read as quoted-printable (a raw MIME body): its
// soft line breaks ("=" at a line's end) joined and its =XX escapes
// decoded, and whether it held at least minEscapes escapes. A mail
// client decodes the body before a person reads it; a model handed the
// raw message decodes it as it reads (probe set z70).
func qpDecode(text string) (string, bool) {
	joined := strings.NewReplacer("=\r\n", "", "=\n", "").Replace(text)
	return unescapeHex(joined, '=')
}

// unescapeHex decodes the escapes esc followed by two hex digits.
func unescapeHex(text string, esc byte) (string, bool) {
	unhex := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	n := 0
	for i := strings.IndexByte(text, esc); i >= 0 && i+2 < len(text); {
		_, ok1 := unhex(text[i+1])
		_, ok2 := unhex(text[i+2])
		if ok1 && ok2 {
			n++
		}
		k := strings.IndexByte(text[i+1:], esc)
		if k < 0 {
			break
		}
		i += 1 + k
	}
	if n < minEscapes {
		return text, false
	}
	b := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		if text[i] == esc && i+2 < len(text) {
			h, ok1 := unhex(text[i+1])
			l, ok2 := unhex(text[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
				continue
			}
		}
		b = append(b, text[i])
	}
	return string(b), true
}

// jsonStrings returns the string values of the JSON text that hold two
// words or more (keys, labels and names left out) joined by spaces, and
// whether there were three or more. Text that
// is not JSON as a whole gives false.
func jsonStrings(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if t == "" || t[0] != '{' && t[0] != '[' || !threeSpaced(t) {
		return "", false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	// inObj[i] is true for an object; key[i] whether its next string is a key.
	var inObj, key []bool
	var vals []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if n := len(inObj); n > 0 && inObj[n-1] {
					key[n-1] = true
				}
				inObj, key = append(inObj, v == '{'), append(key, v == '{')
			default:
				inObj, key = inObj[:len(inObj)-1], key[:len(key)-1]
			}
			continue
		case string:
			if n := len(inObj); n > 0 && inObj[n-1] && key[n-1] {
				key[n-1] = false
				continue
			}
			if strings.IndexByte(strings.TrimSpace(v), ' ') >= 0 {
				vals = append(vals, v) // a piece of prose, not a label or a name
			}
		}
		if n := len(inObj); n > 0 && inObj[n-1] {
			key[n-1] = true
		}
	}
	if len(vals) < 3 {
		return "", false
	}
	return strings.Join(vals, " "), true
}

// threeSpaced reports whether JSON text t may hold three string values
// with a space in them: whether three of its quoted strings, paired as
// JSON pairs quotes (a backslash escapes the next byte), hold a space or
// an escape (which may be one). The decoder's strings are such pieces of
// t, so jsonStrings need not start a decoder (and make its errors) for
// an id list or a record of labels and numbers.
func threeSpaced(t string) bool {
	n := 0
	for {
		i := strings.IndexByte(t, '"')
		if i < 0 {
			return false
		}
		spaced := false
		j := i + 1
		for ; j < len(t) && t[j] != '"'; j++ {
			switch t[j] {
			case ' ':
				spaced = true
			case '\\':
				spaced = true
				j++
			}
		}
		if spaced {
			if n++; n == 3 {
				return true
			}
		}
		if j >= len(t) {
			return false
		}
		t = t[j+1:]
	}
}

// unicodeUnescape returns text with its \uXXXX escapes decoded (a
// surrogate pair as one character, a lone or invalid one kept as it is),
// and whether it held at least minEscapes of them.
func unicodeUnescape(text string) (string, bool) {
	hex4 := func(s string) (rune, bool) {
		if len(s) < 4 {
			return 0, false
		}
		var r rune
		for i := range 4 {
			c := s[i]
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	n := 0
	for i := strings.Index(text, `\u`); i >= 0; {
		if _, ok := hex4(text[i+2:]); ok {
			n++
		}
		k := strings.Index(text[i+2:], `\u`)
		if k < 0 {
			break
		}
		i += 2 + k
	}
	if n < minEscapes {
		return text, false
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); i++ {
		if text[i] == '\\' && i+1 < len(text) && text[i+1] == 'u' {
			if r, ok := hex4(text[i+2:]); ok {
				if utf16.IsSurrogate(r) {
					if i+7 < len(text) && text[i+6] == '\\' && text[i+7] == 'u' {
						if r2, ok := hex4(text[i+8:]); ok {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								b.WriteRune(d)
								i += 11
								continue
							}
						}
					}
				} else {
					b.WriteRune(r)
					i += 5
					continue
				}
			}
		}
		b.WriteByte(text[i])
	}
	return b.String(), true
}
