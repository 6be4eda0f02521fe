package secrets

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// Forms a reader undoes without thinking, which hide a secret from rules
// that read the bytes as written: a quoted-printable mail body breaks a
// long token with soft line breaks ("=\r\n"); an HTML page breaks it
// with <wbr> or empty elements (<span></span>) that render as nothing;
// base64 of gzip (a Helm release, a compressed payload) or of UTF-16LE
// text (PowerShell's -EncodedCommand) decodes to bytes that are not text
// until they are inflated or narrowed.

// maxInflate bounds what a gzip stream inside base64 is inflated to: a
// few configuration files' worth; and no run inflates to more than
// maxRatio times its own length (text compresses 3 to 10 times), so
// a result packed with small bombs is scanned at most that many times
// over. Only runs in the text itself are inflated, not runs found in
// what a run decodes to (decodeAt).
const (
	maxInflate = 256 << 10
	maxRatio   = 8
)

// decodeAt decodes a base64 run found at the given decoding depth.
func decodeAt(s string, depth int) (string, bool) {
	if depth > 1 {
		return decodeB64(s)
	}
	return decodeB64Any(s)
}

// decodeB64Any is decodeB64, then, for a run that does not decode to
// text, base64 of gzip ("H4sI") or of UTF-16LE text: each is tried only
// when the run's first bytes have that form.
func decodeB64Any(s string) (string, bool) {
	if dec, ok := decodeB64(s); ok {
		return dec, true
	}
	if len(s) < 16 {
		return "", false
	}
	switch {
	case strings.HasPrefix(s, "H4sI"):
		return inflateB64(s)
	case strings.IndexByte("AQgw", s[1]) >= 0 && (s[2] == 'A' || s[2] == 'B'):
		// Bytes c 0 c' 0 …: the second sextet is c's low bits over a NUL,
		// the third the top two bits of an ASCII c'.
		return narrowB64(s)
	}
	return "", false
}

// rawB64 decodes s in either alphabet, padded or not.
func rawB64(s string) ([]byte, bool) {
	t := strings.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(t, "-_") {
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(t)
	return b, err == nil
}

func inflateB64(s string) (string, bool) {
	b, ok := rawB64(s)
	if !ok {
		return "", false
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return "", false
	}
	// A truncated stream still yields what it holds.
	out, _ := io.ReadAll(io.LimitReader(zr, int64(min(maxInflate, maxRatio*len(s)))))
	if len(out) < 8 || 10*unprintable(out) > len(out) {
		return "", false
	}
	return string(out), true
}

func narrowB64(s string) (string, bool) {
	b, ok := rawB64(s)
	if !ok || len(b) < 16 {
		return "", false
	}
	out := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] != 0 || !printable(b[i]) {
			return "", false
		}
		out = append(out, b[i])
	}
	return string(out), true
}

// hasQP reports whether s looks like a quoted-printable body: a soft line
// break, "=" at the end of a CRLF line as mail writes it, and the header
// that names the encoding. The break is looked for at '\r', which text
// without CRLF lines lacks ('=' is in every log line). A short body has
// no soft break but escapes its own '=' as "=3D" ("SECRET_KEY =3D '…'"),
// and a body pasted with its line ends normalised breaks at "=\n": with
// the header, either is a quoted-printable body too.
func hasQP(s string) bool {
	if len(s) < 3 {
		return false
	}
	// Every form needs a '=' and the header, so they are looked for
	// first: data without '=' is settled in one pass, and most text lacks
	// the header, whose words start with rarer bytes ('q', 'Q') than
	// "=3D" and "=\n" do ('=' is in every log line).
	if strings.IndexByte(s, '=') < 0 || !hasWord(s, "quoted-printable") && !hasWord(s, "Quoted-Printable") {
		return false
	}
	for i := 1; ; i++ {
		k := strings.IndexByte(s[i:], '\r')
		if k < 0 {
			break
		}
		i += k
		if s[i-1] == '=' && i+1 < len(s) && s[i+1] == '\n' {
			return true
		}
	}
	return strings.Contains(s, "=3D") || strings.Contains(s, "=\n")
}

// hasWord is strings.Contains for a needle whose first byte is rare in
// s: it only ever steps with IndexByte, where strings.Index, after a few
// false starts, compares the needle at every offset.
func hasWord(s, w string) bool {
	for i := 0; ; {
		k := strings.IndexByte(s[i:], w[0])
		if k < 0 {
			return false
		}
		i += k
		if strings.HasPrefix(s[i:], w) {
			return true
		}
		i++
	}
}

// qpView removes soft line breaks and decodes =XX, with at mapping each
// byte of the result to its offset in s (and len(s) for the end).
func qpView(s string) (out string, at []int, ok bool) {
	if !hasQP(s) {
		return s, nil, false
	}
	var v view
	for i := 0; i < len(s); {
		if s[i] == '=' {
			switch {
			case strings.HasPrefix(s[i:], "=\r\n"):
				v.drop()
				i += 3
				continue
			case strings.HasPrefix(s[i:], "=\n"):
				v.drop()
				i += 2
				continue
			case i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
				v.put(s, unhex(s[i+1])<<4|unhex(s[i+2]), i)
				i += 3
				continue
			}
		}
		v.keep(s, i, i+1)
		i++
	}
	return v.done(s, len(s))
}

// isUpperHex: quoted-printable writes its escapes in upper case (RFC
// 2045), which keeps "=ab" in ordinary text what it is.
func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// maxTag bounds an element or comment removed by tagView.
const maxTag = 128

// hasInvisibleTag reports whether s may hold a tag that renders as
// nothing between two characters.
func hasInvisibleTag(s string) bool {
	for i := 0; ; i++ {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 || i+k+1 >= len(s) {
			return false
		}
		i += k
		if c := s[i+1]; c == '/' || c == '!' || 'a' <= c|0x20 && c|0x20 <= 'z' {
			if invisibleTag(s, i) > 0 {
				return true
			}
		}
	}
}

// inlineTags are the elements that set no break around their text: the
// reader sees "<b>ghp_</b>abc" as one word.
var inlineTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true, "data": true,
	"del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true, "kbd": true, "mark": true,
	"s": true, "samp": true, "small": true, "span": true, "strong": true, "sub": true, "sup": true,
	"time": true, "tt": true, "u": true, "var": true,
}

// invisibleTag returns the length of the tag at s[i] that renders as
// nothing: <wbr>, <wbr/>, an empty element such as <span></span> or
// <b class="x"></b>, a comment, or the opening or closing tag of an
// inline element; 0 otherwise.
func invisibleTag(s string, i int) int {
	rest := s[i:min(len(s), i+2*maxTag)]
	if strings.HasPrefix(rest, "<!--") {
		if k := strings.Index(rest[4:], "-->"); k >= 0 && k < maxTag {
			return 4 + k + 3
		}
		return 0
	}
	j := 1
	if len(rest) > 1 && rest[1] == '/' {
		j = 2
	}
	for j < len(rest) && isAlnum(rest[j]) {
		j++
	}
	name := rest[1:j]
	if name == "" {
		return 0
	}
	k := strings.IndexByte(rest, '>')
	if k < 0 || k > maxTag || strings.ContainsAny(rest[j:k], "<\n") {
		return 0
	}
	if name[0] == '/' {
		if inlineTags[strings.ToLower(name[1:])] {
			return k + 1
		}
		return 0
	}
	if strings.EqualFold(name, "wbr") || inlineTags[strings.ToLower(name)] {
		return k + 1
	}
	closing := "</" + name + ">"
	if len(rest) >= k+1+len(closing) && strings.EqualFold(rest[k+1:k+1+len(closing)], closing) {
		return k + 1 + len(closing)
	}
	return 0
}

// tagView removes the tags invisibleTag finds, mapping bytes as qpView.
func tagView(s string) (out string, at []int, ok bool) {
	if !hasInvisibleTag(s) {
		return s, nil, false
	}
	var v view
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if n := invisibleTag(s, i); n > 0 {
				v.drop()
				i += n
				continue
			}
		}
		v.keep(s, i, i+1)
		i++
	}
	return v.done(s, len(s))
}

// A setting written as a name/value pair ({"name": "DB_PASSWORD",
// "value": "…"} in a HAR file, a Postman collection or a Kubernetes env
// list, "- name: API_TOKEN / value: …" in YAML, and the "name: K / value:
// V" lines the result scanner flattens JSON to) puts the name where the
// key = value rules cannot see it. pairView joins them: K=V.
var pairRe = lazyre.New(`^(?i)(?:name|key)["']?[ \t]{0,8}:[ \t]{0,8}["']?([A-Za-z0-9_.-]{2,64})(["']?[ \t]{0,8},?\s{0,64}?-?[ \t]{0,8}["']?value["']?[ \t]{0,8}:[ \t]{0,8}["']?)$`)

// maxPair bounds how far before "value" its name is looked for.
const maxPair = 200

// pairName returns the offset of the last "name" or "key" (any case,
// not inside a word) in s[from:to], or -1: the regex runs only there,
// anchored.
func pairName(s string, from, to int) int {
	for j := to - 3; j >= from; j-- {
		switch c := s[j] | 0x20; {
		case c == 'n' && hasFoldPrefix(s[j:to], "name"), c == 'k' && hasFoldPrefix(s[j:to], "key"):
			if j == 0 || !isWordByte(s[j-1]) {
				return j
			}
		}
	}
	return -1
}

// pairView rewrites each name/value pair as NAME=VALUE, mapping bytes as
// qpView.
func pairView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for i := 0; i < len(s); i++ {
		// "value" itself is looked for: a 'v' in a word or a run of
		// letters cost a step each.
		k := strings.Index(s[i:], "value")
		if k < 0 {
			break
		}
		i += k
		// The window ends after the value's own opening: the quote, or
		// the spaces after the colon.
		e := i + len("value")
		for e < len(s) && e-i < 24 && (s[e] == '"' || s[e] == '\'' || s[e] == ':' || s[e] == ' ' || s[e] == '\t') {
			e++
		}
		// The nearest name before "value" that begins a pair.
		var m []int
		st := -1
		for to := i; m == nil; to = st + 2 {
			if st = pairName(s, max(copied, i-maxPair), to); st < 0 {
				break
			}
			m = pairRe.FindStringSubmatchIndex(s[st:e])
		}
		if m == nil {
			continue
		}
		sep, sepEnd := st+m[4], st+m[5]
		v.keep(s, copied, sep)
		v.put(s, '=', sep)
		copied = sepEnd
		i = e - 1
	}
	return v.done(s, copied)
}

// scanViews scans the quoted-printable and tag-free views of s, the
// views with line continuations removed and string literals joined
// (probe64.go), in results the view with runs of \x escapes decoded,
// and in arguments the view with every escape and character codes
// decoded, when they differ from s, and maps their findings back: each covers the bytes its view bytes
// came from. Lists of codes are read in arguments only: a result shows
// the reader nothing they hide, and numbers are common in results.
func (e *Engine) scanViews(s string) []Finding {
	// Called one by one, not from a list of views: most texts need none,
	// and every scan paid for the list.
	out := e.scanView(s, qpView, nil)
	out = e.scanView(s, tagView, out)
	out = e.scanView(s, pairView, out)
	if strings.IndexByte(s, '\\') >= 0 {
		out = e.scanChanged(s, contView, false, out)
		if !e.backwards {
			out = e.scanChanged(s, escRunView, false, out) // escView reads them in arguments
		}
	}
	if hasQuote(s) {
		out = e.scanChanged(s, concatView, true, out)
	}
	if e.backwards {
		out = e.scanView(s, escView, out)
		out = e.scanView(s, codesView, out)
		out = e.scanView(s, hexBytesView, out)
		out = e.scanView(s, spelledView, out)
	}
	return out
}

// scanView adds to out what the rules find in view's view of s.
func (e *Engine) scanView(s string, view func(string) (string, []int, bool), out []Finding) []Finding {
	v, at, ok := view(s)
	if !ok {
		return out
	}
	for _, w := range changed(s, v, at) {
		for _, f := range append(e.scanPlain(v[w.start:w.end]), e.scanEncoded(v[w.start:w.end])...) {
			f.Start, f.End = at[w.start+f.Start], at[w.start+f.End]
			out = append(out, f)
		}
	}
	return out
}

// viewReach is how far from a change a view is scanned: a secret that
// the change made whole, with the name before it that a key = value rule
// needs, lies within it. One pair of names in a long result does not
// cost a second scan of all of it.
const viewReach = 1024

// changed returns the spans of the view v (of s, mapped by at) within
// viewReach of a byte the view changed or a place it removed bytes,
// merged where they overlap.
func changed(s, v string, at []int) []span {
	var out []span
	for k := 0; k < len(v); k++ {
		if at[k+1] == at[k]+1 && v[k] == s[at[k]] {
			continue
		}
		a, b := max(0, k-viewReach), min(len(v), k+viewReach)
		if n := len(out); n > 0 && a <= out[n-1].end {
			out[n-1].end = b
		} else {
			out = append(out, span{a, b})
		}
	}
	return out
}

// mayView reports whether scanViews could see something s does not show.
func mayView(s string) bool {
	if hasQP(s) || hasInvisibleTag(s) {
		return true
	}
	if _, _, ok := pairView(s); ok {
		return true
	}
	for _, v := range [...]func(string) (string, []int, bool){contView, concatView, escRunView} {
		if _, _, ok := v(s); ok {
			return true
		}
	}
	_, _, ok := codesView(s)
	return ok
}

// unsignedJWT reports whether s is a JWT with no signature whose header
// names the "none" algorithm: anyone can write one, so it grants nothing
// a server should honour, and test fixtures hold them by the dozen.
func unsignedJWT(s string) bool {
	head, rest, ok := strings.Cut(s, ".")
	if !ok || !strings.HasSuffix(rest, ".") || strings.Count(rest, ".") != 1 {
		return false
	}
	b, ok := rawB64(head)
	if !ok {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(b, &h) == nil && strings.EqualFold(h.Alg, "none")
}

// escView decodes \u00XX and \xXX escapes that name printable ASCII:
// JSON or JavaScript held as text in an argument (the argument's own JSON
// is decoded once, what it holds is not) can spell a key that way.
func escView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(s[i:], '\\')
		if k < 0 {
			break
		}
		i += k
		c, n := escAt(s, i)
		if n == 0 {
			continue
		}
		v.keep(s, copied, i)
		v.put(s, c, i)
		copied = i + n
		i += n - 1
	}
	return v.done(s, copied)
}

// escAt decodes the escape at s[i] ('\\'), when it names printable ASCII.
// JSON held as a string in JSON ({"config": "{\"key\": \"SG.…\"}"}) writes
// a quote as \" one level down, \\\" two levels down: the backslashes
// before a quote, an apostrophe or a slash are dropped however many they
// are, so the rules see the quote that ends a key; two or more before n,
// r or t stand for the line break or tab of a deeper level (read as a
// space), and one or
// more before u00XX or xXX for the character.
func escAt(s string, i int) (byte, int) {
	b := i
	for b < len(s) && s[b] == '\\' {
		b++
	}
	if b < len(s) {
		switch c := s[b]; c {
		case '"', '\'', '/':
			return c, b + 1 - i
		case 'n', 'r', 't':
			if b-i >= 2 {
				return ' ', b + 1 - i // a break or a tab ends a key as a space does
			}
		}
	}
	j := b - 1 // the last backslash
	var h string
	n := 0
	switch {
	case strings.HasPrefix(s[j:], `\u00`) && j+6 <= len(s):
		h, n = s[j+4:j+6], j+6-i
	case strings.HasPrefix(s[j:], `\x`) && j+4 <= len(s):
		h, n = s[j+2:j+4], j+4-i
	default:
		return 0, 0
	}
	if !isDigitIn(h[0], 16) || !isDigitIn(h[1], 16) {
		return 0, 0
	}
	c := unhex(h[0])<<4 | unhex(h[1])
	if c < 0x21 || c > 0x7E {
		return 0, 0
	}
	return c, n
}

// minCodes is the shortest list of character codes codesView decodes:
// shorter than any credential the rules know.
const minCodes = 16

// charCode parses one character code at s[i], decimal (103) or hex
// (0x67), and returns its value and length; n is 0 when there is none or
// it is not printable ASCII.
func charCode(s string, i int) (c byte, n int) {
	j, base := i, 10
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		j, base = i+2, 16
	}
	v, k := 0, j
	for k < len(s) && k-j < 3 && isDigitIn(s[k], base) {
		v = v*base + int(unhex(s[k]))
		k++
	}
	if k == j || k < len(s) && isAlnum(s[k]) || v < 0x20 || v > 0x7E {
		return 0, 0
	}
	return byte(v), k - i
}

// codeList returns the end of the list of character codes starting at
// s[i] and the number of codes in it.
func codeList(s string, i int) (end, n int) {
	end = i
	for {
		_, k := charCode(s, i)
		if k == 0 {
			return end, n
		}
		n++
		end = i + k
		i = end
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] != ',' {
			return end, n
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\n') {
			i++
		}
	}
}

// codesView decodes lists of minCodes or more character codes
// ([103, 104, 112, …], String.fromCharCode(…), a C byte array), which a
// model told to hide a key writes in one line and its reader decodes in
// another; at maps bytes as qpView's.
func codesView(s string) (out string, at []int, ok bool) {
	var v view
	copied := 0
	for p := 0; p < len(s); {
		k := strings.IndexByte(s[p:], ',')
		if k < 0 {
			break
		}
		c := p + k
		// A code, then another: "103,104", "103, 104" or "0x67,0x68".
		if c == 0 || !isDigitIn(s[c-1], 16) || c+2 >= len(s) || !isDigitIn(s[c+1], 10) && !(s[c+1] == ' ' && isDigitIn(s[c+2], 10)) {
			p = c + 1
			continue
		}
		// The first code of a list begins after a byte that is not part
		// of a number.
		st := c
		for st > 0 && c-st < 4 && isAlnum(s[st-1]) {
			st--
		}
		if st > 0 && (isAlnum(s[st-1]) || s[st-1] == ',' || s[st-1] == ' ' && st > 1 && s[st-2] == ',') {
			p = c + 1 // inside a list already judged too short
			continue
		}
		end, n := codeList(s, st)
		if n < minCodes {
			p = c + 1
			continue
		}
		v.keep(s, copied, st)
		for i := st; i < end; {
			c, n := charCode(s, i)
			v.put(s, c, i)
			i += n
			for i < end && !isAlnum(s[i]) {
				i++
			}
		}
		copied, p = end, end
	}
	return v.done(s, copied)
}

// view builds a text derived from s, with at mapping each of its bytes
// to the offset in s of the form it came from and one more entry, len(s),
// for the end. Bytes are kept, put in place of a form, or dropped.
type view struct {
	b       strings.Builder
	at      []int
	changed bool
}

func (v *view) grow(s string) {
	if v.at == nil {
		v.b.Grow(len(s))
		v.at = make([]int, 0, len(s)+1)
	}
}

// keep copies s[from:to] as it is.
func (v *view) keep(s string, from, to int) {
	v.grow(s)
	for j := from; j < to; j++ {
		v.b.WriteByte(s[j])
		v.at = append(v.at, j)
	}
}

// put writes c for the form that starts at offset i of s.
func (v *view) put(s string, c byte, i int) {
	v.grow(s)
	v.b.WriteByte(c)
	v.at = append(v.at, i)
	v.changed = true
}

// drop notes bytes of s left out.
func (v *view) drop() { v.changed = true }

// done keeps s[from:] and returns the view, or s itself (ok false) when
// nothing was put or dropped.
func (v *view) done(s string, from int) (out string, at []int, ok bool) {
	if !v.changed {
		return s, nil, false
	}
	v.keep(s, from, len(s))
	return v.b.String(), append(v.at, len(s)), true
}
