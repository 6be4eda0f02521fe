package secrets

import (
	"cmp"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Most gitleaks rules end a secret at a quote, a space, a semicolon, an
// escaped newline or the end of the text. In text that leaves through a
// call, a secret is as often cut by URL and host-name punctuation: a path
// segment (/k/SECRET/pixel.gif), a DNS label (SECRET.attacker.example), a
// query (?k=SECRET&x=1). The outbound engine also accepts those as ends.
const (
	gitleaksEnd = `(?:[\x60'"\s;]|\\[nr]|$)`
	outboundEnd = `(?:[\x60'"\s;/.?&#,:@)\]>}<|]|\\[nr]|$)`
)

// Outbound returns the engine for arguments a call sends out (the secrets
// guard): the built-in rules with URL and host-name punctuation as
// secret ends too. Results keep the Default engine, whose ends are
// gitleaks' own.
var Outbound = sync.OnceValue(func() *Engine {
	e, err := Load(relaxEnds(rulesJSON), relaxEnds(extraJSON), outboundJSON)
	if err != nil {
		panic(fmt.Sprintf("secrets: embedded rules: %v", err))
	}
	e.foldLabels = true
	e.backwards = true
	return e
})

// scanReversed finds secrets written backwards: a model told to send a
// key "reversed, so filters miss it" needs no decoder, and the reader
// reverses it in one line. A reversed key is one word, so the runs of
// token bytes (letters, digits and _-+/=.~) between minReversed and
// maxReversed long are reversed, joined by line breaks, scanned with
// scan, and what is found mapped back onto s. Text is not read backwards
// as a whole: a second pass over every byte of every argument would
// cost as much as the forward one (BenchmarkOutbound), and a key stated
// with its name reversed ("X = nekot") is no more likely than any other
// wording. Only arguments are read this way: a result shows the reader
// nothing the reversed text hides.
func (e *Engine) scanReversed(s string, runs []span, scan func(string) []Finding) []Finding {
	view, segs := tokenWords(s, runs, func(dst []byte, w string) []byte {
		n := len(dst)
		dst = append(dst, w...)
		slices.Reverse(dst[n:])
		return dst
	})
	var out []Finding
	for _, f := range scanWords(view, segs, scan) {
		g, ok := wordOf(segs, f.Start, f.End)
		if !ok {
			continue
		}
		f.Start, f.End = g.j-(f.End-g.at), g.j-(f.Start-g.at)
		out = append(out, f)
	}
	return out
}

// wordSeg places one word of a view: view[at:at+j-i] is s[i:j],
// transformed.
type wordSeg struct{ at, i, j int }

// tokenRuns returns the runs of token bytes of s that are minReversed to
// maxReversed long. scanReversed and scanRot13 read the same runs, so
// Scan finds them once for both (a second walk was an eighth of the
// outbound engine's work on 64 KiB of filler).
// As b64Runs: i is 0 or follows a byte that is no token byte; the last
// byte of each minReversed window is tested first and the walk goes back
// from it, so words shorter than the window cost a few tests each.
func tokenRuns(s string) []span {
	var runs []span
	for i := 0; i+minReversed <= len(s); {
		k := i + minReversed - 1
		for k >= i && tokenByte[s[k]] {
			k--
		}
		if k >= i {
			i = k + 1
			continue
		}
		j := i + minReversed
		for j+8 <= len(s) && allIn8(&tokenBit, s[j:j+8]) {
			j += 8 // long runs (data, filler) are walked eight bytes a round
		}
		for j < len(s) && tokenByte[s[j]] {
			j++
		}
		if j-i <= maxReversed {
			runs = append(runs, span{i, j})
		}
		i = j + 1
	}
	return runs
}

// tokenWords writes the runs of s (tokenRuns) into a view, each
// transformed by put, one a line.
func tokenWords(s string, runs []span, put func(dst []byte, w string) []byte) ([]byte, []wordSeg) {
	if len(runs) == 0 {
		return nil, nil
	}
	segs := make([]wordSeg, 0, len(runs))
	view := make([]byte, 0, min(len(s)-runs[0].start, 4*maxReversed))
	for _, r := range runs {
		segs = append(segs, wordSeg{len(view), r.start, r.end})
		view = put(view, s[r.start:r.end])
		view = append(view, '\n')
	}
	return view, segs
}

// scanWords scans a view of words, if it has any.
func scanWords(view []byte, segs []wordSeg, scan func(string) []Finding) []Finding {
	if len(segs) == 0 {
		return nil
	}
	return scan(string(view))
}

// wordOf returns the word of the view a finding at [start, end) lies in,
// and false when it runs across a line break (not one word).
func wordOf(segs []wordSeg, start, end int) (wordSeg, bool) {
	k, _ := slices.BinarySearchFunc(segs, start, func(g wordSeg, off int) int { return cmp.Compare(g.at, off+1) })
	if k == 0 {
		return wordSeg{}, false
	}
	g := segs[k-1]
	return g, end <= g.at+g.j-g.i
}

// minReversed is the shortest word read backwards (the shortest key the
// rules know is about 20 bytes); maxReversed the longest (longer runs are
// data: base64 blobs, filler).
const (
	minReversed = 16
	maxReversed = 4096
)

var tokenByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlnum(byte(c)) || strings.IndexByte("_-+/=.~", byte(c)) >= 0
	}
	return t
}()

// tokenBit is tokenByte for allIn8.
var tokenBit = bitsOf(func(c byte) bool { return tokenByte[c] })

// scanLabels finds secrets in the labels of host names, read upper-cased.
// A name is case-insensitive on its way through DNS, so an exfiltrating
// client lowers a key it puts in a label, and keys whose format is upper
// case only (AWS key ids: AKIA… in [A-Z2-7]) lose nothing by it. A label
// that is all lower case is read once more in upper case; what a rule
// finds there is a secret sent out.
//
// A label ends at a dot, so the text is walked from dot to dot (IndexByte)
// and each label read back from its dot: the cost follows the dotted
// names in the text, not its length.
func (e *Engine) scanLabels(s string) []Finding {
	var out []Finding
	for d := 0; d < len(s); d++ {
		k := strings.IndexByte(s[d:], '.')
		if k < 0 {
			break
		}
		d += k
		// The label: the letters, digits and '-' just before the dot.
		i := d
		for i > 0 && (isAlnum(s[i-1]) || s[i-1] == '-') {
			i--
		}
		if d-i >= minLabel && hasLower(s[i:d]) && !hasUpper(s[i:d]) && twoLabelsAfter(s, d) {
			for _, f := range e.scanPlain(strings.ToUpper(s[i:d])) {
				f.Start, f.End = i+f.Start, i+f.End
				out = append(out, f)
			}
		}
	}
	return append(out, e.scanJoinedLabels(s)...)
}

// twoLabelsAfter reports whether the dot at d is followed by two more
// labels (a domain and its top-level domain): a key sent out in a label
// needs a name the sender owns after it (KEY.attacker.example). A word
// before a full stop ("asiakirjamallikansio.") or a file name
// ("api-….gif") has no such name after it, and upper-cased it can read as
// a key id (ASIA…) or an Octopus key (API-…).
func twoLabelsAfter(s string, d int) bool {
	j := d + 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
		j++
	}
	return j > d+1 && j+1 < len(s) && s[j] == '.' && isAlnum(s[j+1])
}

// scanJoinedLabels finds encoded secrets split over the labels of a host
// name (HEX1.HEX2.attacker.example): a label holds at most 63 bytes, so a
// hex- or base64-encoded key longer than that must be cut, and each piece
// alone decodes to nothing a rule knows. The labels of each dotted name
// are joined without their dots and the join's encoded runs are scanned;
// a finding covers the whole name.
//
// A dotted name starts at a letter or digit and runs over letters,
// digits, '-' and dots that a letter or digit follows. Only names with
// such a dot count, so the text is walked from dot to dot and each name
// found around its first dot.
func (e *Engine) scanJoinedLabels(s string) []Finding {
	var out []Finding
	inName := func(j int) bool {
		return isAlnum(s[j]) || s[j] == '-' || s[j] == '.' && j+1 < len(s) && isAlnum(s[j+1])
	}
	for d := 0; d < len(s); d++ {
		k := strings.IndexByte(s[d:], '.')
		if k < 0 {
			break
		}
		d += k
		if !inName(d) {
			continue
		}
		// Back to where the name's run of name bytes starts, then on to
		// its first letter or digit: a name does not start at '-' or '.'.
		i := d
		for i > 0 && inName(i-1) {
			i--
		}
		for i < d && !isAlnum(s[i]) {
			i++
		}
		if i == d {
			continue // nothing before this dot belongs to the name
		}
		j, dots := i, 0
		for j < len(s) && inName(j) {
			if s[j] == '.' {
				dots++
			}
			j++
		}
		if j-i-dots >= 2*minEncoded {
			joined := strings.ReplaceAll(s[i:j], ".", "")
			for _, f := range e.scanEncoded(joined) {
				f.Start, f.End = i, j
				out = append(out, f)
			}
		}
		for _, f := range base32Name(s[i:j], e.scanPlain) {
			f.Start, f.End = i, j
			out = append(out, f)
		}
		for _, f := range radixName(s[i:j], j-i-dots, e.scanPlain) {
			f.Start, f.End = i, j
			out = append(out, f)
		}
		d = j // the name's other dots are done
	}
	return out
}

// base32Name finds secrets base32-encoded in the first labels of a dotted
// name (B32A.B32B.x.attacker.example): base32 is the encoding DNS
// tunnels use, since a name keeps neither case nor '+' and '/'. The
// labels from the first on that are all base32 letters are joined, and
// each join that ends at a label's end and is long enough is decoded
// (either case) and, when it is printable text, scanned; a finding
// covers the whole name.
func base32Name(name string, scan func(string) []Finding) []Finding {
	var out []Finding
	joined := make([]byte, 0, len(name))
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || !isBase32(label) || len(joined)+len(label) > maxName {
			break
		}
		joined = append(joined, label...)
		n := len(joined)
		if n < minBase32 || n%8 == 1 || n%8 == 3 || n%8 == 6 {
			continue
		}
		dec, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(string(joined)))
		if err != nil || slices.ContainsFunc(dec, func(c byte) bool { return !printable(c) }) {
			continue
		}
		for _, f := range scan(string(dec)) {
			if !slices.ContainsFunc(out, func(g Finding) bool { return g.RuleID == f.RuleID && g.Hash == f.Hash }) {
				out = append(out, f)
			}
		}
	}
	return out
}

// minBase32 is the shortest join decoded: 16 bytes of text. maxName is
// the longest: a name DNS resolves holds at most 253 bytes, and the bound
// keeps a name of thousands of one-letter labels linear.
const (
	minBase32 = 26
	maxName   = 253
)

func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('a' <= c && c <= 'z' || '2' <= s[i] && s[i] <= '7') {
			return false
		}
	}
	return true
}

// minLabel is the shortest label read upper-cased: the shortest key id
// (AWS) is 20 characters.
const minLabel = 16

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func hasLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return true
		}
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// relaxEnds rewrites the rules' trailing end class to outboundEnd.
func relaxEnds(data []byte) []byte {
	return rewriteEnds(data, func(string) bool { return true }, outboundEnd)
}

// rewriteEnds replaces the trailing gitleaksEnd of each rule of a rules
// file that which accepts with end. Malformed data is returned as
// it is: Load reports the error.
func rewriteEnds(data []byte, which func(re string) bool, end string) []byte {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return data
	}
	rules, _ := doc["rules"].([]any)
	for _, r := range rules {
		m, _ := r.(map[string]any)
		if re, ok := m["regex"].(string); ok && strings.HasSuffix(re, gitleaksEnd) && which(re) {
			m["regex"] = strings.TrimSuffix(re, gitleaksEnd) + end
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data
	}
	return out
}

// keywordList is the lower-case keywords of the built-in rules (both
// engines'), read
// without compiling any rule (building the engine takes tens of
// milliseconds; reading the keywords, about one). A rule written with
// Prefixes has each prefix as its keyword (expandPrefixes).
var keywordList = sync.OnceValue(func() []string {
	var f, g, o fileRules
	_ = json.Unmarshal(rulesJSON, &f)
	_ = json.Unmarshal(extraJSON, &g)
	_ = json.Unmarshal(outboundJSON, &o)
	var out []string
	for _, r := range slices.Concat(f.Rules, g.Rules, o.Rules) {
		for _, k := range slices.Concat(r.Keywords, r.Prefixes) {
			out = append(out, asciiLower(k))
		}
	}
	return out
})

// MayContain reports whether Scan could find anything in text: whether
// text, or a base64 or hex run of it (or a block of runs wrapped over
// lines) decoded as Scan decodes them (to the same depth), holds a
// keyword of some rule, or text has what Scan decodes otherwise
// (percent escapes, character references, non-ASCII such as zero-width
// characters, control sequences) or a bot token (botToken). A false
// answer is certain, and costs no rule compilation: callers that check a
// few short values (a configuration) use it to spare a process the
// engine.
func MayContain(text string) bool { return mayContain(text, 1) }

func mayContain(text string, depth int) bool {
	if hasKeyword(text) || mayView(text) {
		return true
	}
	// decoded is the same question about what a run decodes to.
	decoded := func(dec string) bool {
		if depth < maxDecodeDepth {
			return mayContain(dec, depth+1)
		}
		return hasKeyword(dec)
	}
	for i, j := range hexRuns(text) {
		if dec, ok := decodeHex(text[i:j]); ok && decoded(dec) {
			return true
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '%' || c >= 0x80 || c == 0x1B || (c == '&' && i+1 < len(text) && text[i+1] == '#') || (c == '\\' && i+1 < len(text) && text[i+1] == 'u') { // encoded, or split by invisible spans
			return true
		}
		if !isB64(c) {
			i++
			continue
		}
		j := i
		for j < len(text) && isB64(text[j]) {
			j++
		}
		for pi, pj := range padded(text, i, j) {
			if dec, ok := decodeAt(text[pi:pj], depth); ok && decoded(dec) {
				return true
			}
			if _, ok := botToken(text, pi, pj); ok {
				return true
			}
		}
		for _, seg := range strings.Split(text[i:j], "/") { // as scanEncoded tries them
			if dec, ok := decodeAt(seg, depth); ok && len(seg) >= minEncoded && decoded(dec) {
				return true
			}
		}
		i = j
	}
	var wrapped wrapFinder // runs wrapped over lines, as scanEncoded reads them
	for i, j := range b64Runs(text) {
		wrapped.add(text, i, j)
	}
	for _, b := range wrapped.done(text) {
		hit := false
		decodeWrapped(b.joined(text), depth, func(dec string) { hit = hit || decoded(dec) })
		if hit {
			return true
		}
	}
	return false
}

func hasKeyword(text string) bool {
	lower := asciiLower(text)
	for _, k := range keywordList() {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}
