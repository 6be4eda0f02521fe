package secrets

import "strings"

// Probe set z77 (written blind): secrets a reader finds by the layout
// around them, and values a name or a mask declares harmless.
//
//   - a table's column named for a credential: the rows of psql's output
//     under a "secret" column, an IAM credentials CSV's "Secret access
//     key". The key = value rules need the name on the value's line; in a
//     table it is the column's header (scanColumns).
//   - string literals side by side over a line break, which Python, C
//     and the shell join without an operator ('"hvs.CAES…"' then
//     '"8M1o…"' inside parentheses): concatView reads them joined
//     (lineJoin), as it reads "+" joins.
//   - a mask in brackets ("[scrubbed]", "<hidden>", "[REDACTED:…]"), an
//     unsigned JWT whatever rule found it, a key-named identifier
//     ("idempotency_key", "cache_key"; rules_extra.json) and a setting
//     whose name says it is published (NEXT_PUBLIC_…, a reCAPTCHA site
//     key, a publishable key) are no secret.

// maskWord reports whether secret is what a scrubber wrote in a value's
// place: one word or label in brackets ("[scrubbed]", "<hidden>",
// "(removed)", "{masked}", "[REDACTED:aws-access-token]"), letters and
// word separators only. A password of bracketed letters and no digit is
// no credential a key = value rule should stand on.
func maskWord(secret string) bool {
	n := len(secret)
	if n < 5 || n > 64 {
		return false
	}
	var closer byte
	switch secret[0] {
	case '[':
		closer = ']'
	case '<':
		closer = '>'
	case '(':
		closer = ')'
	case '{':
		closer = '}'
	default:
		return false
	}
	if secret[n-1] != closer {
		return false
	}
	for i := 1; i < n-1; i++ {
		switch c := secret[i]; {
		case 'a' <= c|0x20 && c|0x20 <= 'z', c == ' ', c == '_', c == '-', c == ':', c == '.':
		default:
			return false
		}
	}
	return true
}

// publicSetting reports whether the name that begins a generic rule's
// match says its value is published: a segment "public" or "publishable"
// (Next.js' NEXT_PUBLIC_, Expo's EXPO_PUBLIC_, Nuxt's NUXT_PUBLIC_ and
// SvelteKit's PUBLIC_ variables are bundled into every browser's copy of
// the page; Stripe's publishable key) or a site key (reCAPTCHA, hCaptcha,
// Turnstile: the page's half of a pair whose other half is the secret
// key), and no segment that names a secret beside it
// (NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY, publicSecretKey). Segments are
// split at '_', '.', '-' and a lower-case letter before an upper-case
// one (siteKey).
func publicSetting(match string) bool {
	end := 0
	for end < len(match) && (isWordByte(match[end]) || match[end] == '.' || match[end] == '-') {
		end++
	}
	name := match[:end]
	if len(name) < 6 {
		return false
	}
	public, prev := false, ""
	for i := 0; i < len(name); {
		j := i + 1
		for j < len(name) && name[j] != '_' && name[j] != '.' && name[j] != '-' &&
			!('a' <= name[j-1] && name[j-1] <= 'z' && 'A' <= name[j] && name[j] <= 'Z') {
			j++
		}
		seg := strings.ToLower(name[i:j])
		switch seg {
		case "public", "publishable", "sitekey":
			public = true
		case "key":
			public = public || prev == "site"
		case "secret", "private", "password", "passwd", "pwd", "passphrase", "service", "admin", "master", "signing", "server":
			return false
		}
		prev = seg
		for i = j; i < len(name) && (name[i] == '_' || name[i] == '.' || name[i] == '-'); i++ {
		}
	}
	return public
}

// lineJoin returns the join of two string literals side by side over the
// line break at s[p] (the closing quote, white space and a line
// continuation before it; white space and the next opening quote after
// it), as span{closing quote, after the opening quote}; ok false when
// there is none. Python, C and the shell join such literals without an
// operator. Each literal must be a literal: not empty, nor a triple
// quote.
func lineJoin(s string, p int) (span, bool) {
	q := p - 1
	for q > 0 && p-q < maxConcatGap && (s[q] == ' ' || s[q] == '\t' || s[q] == '\r') {
		q--
	}
	if q > 0 && s[q] == '\\' { // a continued line
		for q--; q > 0 && p-q < maxConcatGap && (s[q] == ' ' || s[q] == '\t'); q-- {
		}
	}
	if q < 1 || s[q] != '"' && s[q] != '\'' || s[q-1] == s[q] || !tokenPiece(s, q) {
		return span{}, false
	}
	j := p + 1
	for j < len(s) && j-q <= maxConcatGap && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j+1 >= len(s) || j-q > maxConcatGap || s[j] != '"' && s[j] != '\'' || s[j+1] == s[j] || s[j+1] == '\n' || s[j+1] == '\r' {
		return span{}, false
	}
	return span{q, j + 1}, true
}

// minJoinPiece is the shortest literal lineJoin joins to the next: a
// key is cut where its line grew long, not after a few bytes.
const minJoinPiece = 8

// tokenPiece reports whether the literal that ends at the quote s[q] is
// a piece of a token: minJoinPiece to maxChunk bytes of a token's
// alphabet from its opening quote on the same line, and not a path (a
// '/' with no upper-case letter: Go's import blocks are lines of
// literals side by side, "net/http" over "cel.dev/cel-go/common", and a
// visit to each cost a scan of the block).
func tokenPiece(s string, q int) bool {
	upper, slash := false, false
	for i := q - 1; i >= 0 && q-i <= maxChunk+1; i-- {
		switch c := s[i]; {
		case c == s[q]:
			n := q - i - 1
			return n >= minJoinPiece && (upper || !slash)
		case 'A' <= c && c <= 'Z':
			upper = true
		case c == '/':
			slash = true
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '=', c == '_', c == '.', c == '-':
		default:
			return false
		}
	}
	return false
}

// Bounds of a table scanColumns reads: a header line of at most
// maxHeaderLine bytes, of cells at most maxHeaderCell bytes each.
const (
	maxHeaderLine = 512
	maxHeaderCell = 48
)

// columnWords are the words of a column's name that make its cells
// credentials to the key = value rules: the header line is looked at
// only where one of them is (the engine's keyword pass finds them).
var columnWords = []string{"secret", "password", "passwd", "passphrase", "token", "credential", "apikey", "api_key", "api key", "api-key"}

// scanColumns reads the tables around the hits (offsets of columnWords
// in s) whose header row names a column for a credential: psql's and
// markdown's tables ("secret" over a "---+---" rule, then rows), CSV and
// TSV with a header row ("Access key ID,Secret access key"). Each cell
// of such a column is scanned as NAME=CELL; what a key = value rule
// (contextRule) finds in the cell is reported there. A rule with a
// format of its own finds the cell alone in the plain scan already.
func (e *Engine) scanColumns(s string, hits []int) []Finding {
	type seg struct{ at, i, n int } // probe[at:at+n] is s[i:i+n]
	var probe []byte
	var segs []seg
	done := -1 // the end of the last table read
	for _, h := range hits {
		if h < done {
			continue
		}
		t, ok := headerAt(s, h)
		if !ok {
			continue
		}
		name := t.name(s)
		end := t.rows(s, func(i, j int) {
			probe = append(probe, name...)
			probe = append(probe, '=')
			segs = append(segs, seg{len(probe), i, j - i})
			probe = append(probe, s[i:j]...)
			probe = append(probe, '\n')
		})
		done = end
	}
	if len(segs) == 0 {
		return nil
	}
	var out []Finding
	for _, f := range e.scanPlainOnly(string(probe)) {
		if !contextRule(f.RuleID) {
			continue
		}
		for _, g := range segs {
			if g.at <= f.Start && f.End <= g.at+g.n {
				f.Start, f.End = g.i+f.Start-g.at, g.i+f.End-g.at
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// table is a header row scanColumns reads: the line s[ls:le], its cells
// split at sep, and the column col that names a credential.
type table struct {
	ls, le int
	sep    byte
	cells  int // the header's cells that are not empty
	n      int // cells a row has, empty ones too
	seps   int // separators a row has
	col    int
	cs, ce int // the column's name in s
}

// headerAt returns the table whose header row holds offset h inside a
// cell that names a credential.
func headerAt(s string, h int) (table, bool) {
	var t table
	// The line's end first: IndexByte is quick, and most hits are in a
	// text of one line (a short argument, a sentence).
	k := strings.IndexByte(s[h:min(len(s), h+maxHeaderLine+1)], '\n')
	if k < 0 {
		return t, false // no next line, or a longer line
	}
	t.le = h + k
	from := max(0, h-maxHeaderLine)
	t.ls = strings.LastIndexByte(s[from:h], '\n') + 1 + from
	if t.ls == from && from > 0 || t.le-t.ls > maxHeaderLine {
		return t, false // a longer line
	}
	line := s[t.ls:t.le]
	switch {
	case strings.IndexByte(line, '|') >= 0:
		t.sep = '|'
	case line[0] == ' ' || line[0] == '\t':
		return t, false // only a pipe table is indented: this is code
	case strings.IndexByte(line, '\t') >= 0:
		t.sep = '\t'
	case strings.IndexByte(line, ',') >= 0:
		t.sep = ','
	case strings.IndexByte(line, ';') >= 0:
		t.sep = ';'
	default:
		return t, false
	}
	// Every cell of a header is a name, and one names a credential; a
	// pipe table's outer bars leave an empty first and last cell.
	t.col = -1
	cells := t.split(s, t.ls, t.le)
	for c, sp := range cells {
		if sp.end == sp.start {
			if t.sep == '|' && (c == 0 || c == len(cells)-1) {
				continue
			}
			return t, false
		}
		if !headerCell(s[sp.start:sp.end], c == 0 || c == 1 && t.sep == '|') {
			return t, false
		}
		if sp.start <= h && h < sp.end {
			t.col, t.cs, t.ce = c, sp.start, sp.end
		}
		t.cells++
	}
	t.n, t.seps = len(cells), strings.Count(line, string(t.sep))
	if t.col < 0 || t.cells < 2 {
		return t, false
	}
	// The header is the table's first row: the line before is no row.
	if t.ls > 0 {
		ps := strings.LastIndexByte(s[max(0, t.ls-1-maxHeaderLine):t.ls-1], '\n') + 1 + max(0, t.ls-1-maxHeaderLine)
		if prev := s[ps : t.ls-1]; t.row(prev) && !ruleLine(prev) {
			return t, false
		}
	}
	return t, true
}

// headerCell reports whether c (trimmed) is a column's name: up to five
// words of letters, at most two digits, no punctuation of code ('.',
// '(', '=', a quote). In the first cell (label) ": " may end labels
// before it (the result scanner writes a string's keys before its first
// line: "content: text: Access key ID,Secret access key").
func headerCell(c string, label bool) bool {
	if len(c) > maxHeaderCell {
		return false
	}
	digits, letters, spaces := 0, 0, 0
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case 'a' <= b|0x20 && b|0x20 <= 'z':
			letters++
		case '0' <= b && b <= '9':
			digits++
		case b == ' ':
			spaces++
		case b == '_' || b == '-' || b == '#' || b == '/':
		case b == ':' && label && (i+1 == len(c) || c[i+1] == ' '):
		default:
			return false
		}
	}
	return letters > 0 && digits <= 2 && spaces <= 4
}

// split returns the trimmed cells of the line s[ls:le]: spaces, quotes
// and backquotes around a cell are not its text. A CSV cell in double
// quotes may hold the separator.
func (t *table) split(s string, ls, le int) []span {
	var out []span
	for i := ls; i <= le; {
		j := i
		if t.sep == ',' || t.sep == ';' {
			k := i
			for k < le && s[k] == ' ' {
				k++
			}
			if k < le && s[k] == '"' {
				if m := strings.IndexByte(s[k+1:le], '"'); m >= 0 {
					j = k + 1 + m
				}
			}
		}
		if m := strings.IndexByte(s[j:le], t.sep); m >= 0 {
			j += m
		} else {
			j = le
		}
		a, b := i, j
		for a < b && trimTab[s[a]] {
			a++
		}
		for b > a && trimTab[s[b-1]] {
			b--
		}
		out = append(out, span{a, b})
		i = j + 1
	}
	return out
}

var trimTab = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\"'`") {
		t[c] = true
	}
	return
}()

// row reports whether line has the header's number of separators.
func (t *table) row(line string) bool {
	if t.sep == ',' || t.sep == ';' {
		return strings.Count(line, string(t.sep)) >= t.seps && len(t.split(line, 0, len(line))) == t.n
	}
	return strings.Count(line, string(t.sep)) == t.seps
}

// ruleLine reports whether line is a table's rule: dashes, with '+', '|',
// ':', '=' and spaces ("-----+-----", "|---|:--:|", "+----+").
func ruleLine(line string) bool {
	dashes := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '-', '=':
			dashes++
		case '+', '|', ':', ' ', '\t', '\r':
		default:
			return false
		}
	}
	return dashes >= 3
}

// name returns the column's name with spaces made underscores
// ("Secret_access_key"), as a key = value rule reads a name, and a label
// before it left out ("text: ").
func (t *table) name(s string) string {
	n := s[t.cs:t.ce]
	if i := strings.LastIndexByte(n, ':'); i >= 0 {
		n = strings.TrimLeft(n[i+1:], " ")
	}
	return strings.ReplaceAll(n, " ", "_")
}

// rows calls cell with the bounds of the column's cell in each row after
// the header (rules between them passed over) and returns where the
// table ends.
func (t *table) rows(s string, cell func(i, j int)) int {
	ls := t.le + 1
	for ls < len(s) {
		le := len(s)
		if k := strings.IndexByte(s[ls:], '\n'); k >= 0 {
			le = ls + k
		}
		line := s[ls:le]
		switch {
		case ruleLine(line):
		case t.row(line):
			// A credential is one word: a cell with a space in it is
			// text (a sentence's clause between commas).
			if cs := t.split(s, ls, le); t.col < len(cs) && cs[t.col].end > cs[t.col].start && !strings.ContainsAny(s[cs[t.col].start:cs[t.col].end], " \t") {
				cell(cs[t.col].start, cs[t.col].end)
			}
		default:
			return ls
		}
		ls = le + 1
	}
	return len(s)
}
