package secrets

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// anchorRule prepares the fast path for a rule whose matches start at one of
// its keywords, give or take a short lead such as [\w.-]{0,50}? or \b: it
// returns that remainder compiled as ^(?:…) and the longest lead. At each
// keyword hit the anchored form fails within a few bytes when nothing is
// there, so the full regex runs only on small windows that can match. ok is
// false when some keyword cannot begin the remainder (the keyword sits in the
// middle of the pattern); such rules scan windows around hits instead.
func anchorRule(expr string, keywords []string) (a *anchor, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	a = &anchor{}
	var rest []*syntax.Regexp
	if re.Op == syntax.OpConcat {
		rest = re.Sub
	} else {
		rest = []*syntax.Regexp{re}
	}
	for len(rest) > 1 {
		s := rest[0]
		switch {
		case s.Op == syntax.OpWordBoundary && !a.wordBoundary && a.leadMax == 0:
			a.wordBoundary = true
		case s.Op == syntax.OpRepeat && s.Min == 0 && s.Max > 0 && s.Max <= 64 && isClass(s.Sub[0]) &&
			!a.wordBoundary && a.leadMax == 0:
			a.leadSet, _ = firstBytes(s.Sub[0])
			a.leadMax = s.Max
		default:
			goto done
		}
		rest = rest[1:]
	}
done:
	tail := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest, Flags: re.Flags}
	for _, kw := range keywords {
		if canBegin(tail, kw) {
			a.keywords = append(a.keywords, kw)
		} else {
			a.inside = append(a.inside, kw)
		}
	}
	if len(a.inside) > 0 {
		// A keyword from inside the pattern (NRAK in a rule that starts
		// at new-relic) never begins a match, so anchored at its hits the
		// rule would never fire. When every match begins with one of a
		// few literals (new-relic|newrelic|new_relic), those are where it
		// is anchored instead; the keywords inside are found by the
		// pattern itself. Otherwise they are left to a window scan.
		if lits, ok := literalStarts(tail); ok {
			if len(a.keywords) == 0 {
				a.gate = a.inside
			}
			for _, l := range lits {
				if !slices.Contains(a.keywords, l) {
					a.keywords = append(a.keywords, l)
				}
			}
			a.inside = nil
		}
	}
	if len(a.keywords) == 0 {
		return nil, false
	}
	// gitleaks' key = value rules need an assignment operator a short way
	// after the keyword; looking for one byte of it is far cheaper than the
	// regex. A rule whose other branch is a bare token (atlassian-api-token:
	// key = value | \bATATT3…) needs none there: required at every hit,
	// the operator left that branch dead.
	a.needsOp = re.Op != syntax.OpAlternate && strings.Contains(expr, `(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`)
	skip := 0
	if re.Op == syntax.OpConcat {
		skip = len(re.Sub) - len(rest)
	}
	a.re = lazyre.Build(func() string { return anchoredForm(expr, skip) })
	a.follow = followOf(rest)
	consumable(tail, &a.consume)
	a.consumesAll = !slices.Contains(a.consume[:], false)
	a.minLen = minLen(tail)
	a.tailCut(rest)
	if a.needsOp {
		a.value = valueOf(rest)
	}
	a.lit = literalOf(rest)
	if a.value == nil {
		a.run = runOf(rest)
	}
	return a, true
}

// runTest is the valueTest of a rule without an operator: after a bounded
// head (spaced-keyword-secret's "secret" and [ \t]{1,4}) comes an element
// whose shortest match is a run of at least n bytes of its own set; where
// no such run starts min to max bytes from the hit, after head bytes only,
// the rule cannot match. In prose ("secret is out: the launch") the word
// after the keyword is short.
type runTest struct {
	head     [256]bool
	min, max int
	set      [256]bool
	n        int
}

// runOf returns the runTest of the first element, after a bounded head,
// that is not a literal and matches 8 bytes or more; nil when there is none.
func runOf(rest []*syntax.Regexp) *runTest {
	for k := 1; k < len(rest); k++ {
		head := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest[:k]}
		maxB := byteMaxLen(head)
		if maxB < 0 {
			return nil
		}
		if rest[k].Op == syntax.OpLiteral || minLen(rest[k]) < 8 {
			continue
		}
		t := &runTest{min: minLen(head), max: maxB, n: minLen(rest[k])}
		consumable(head, &t.head)
		consumable(rest[k], &t.set)
		if !slices.Contains(t.set[:], false) {
			return nil
		}
		return t
	}
	return nil
}

func (t *runTest) near(s string, h int) bool {
	if h > len(s) {
		return false
	}
	w := s[h:] // offsets from h: the compiler knows their bounds
	end := 0   // the end of the run of set bytes that starts at or before i
	for i := 0; i <= t.max && i < len(w); i++ {
		if i >= t.min {
			if end < i {
				end = i
			}
			for end < len(w) && end-i < t.n && t.set[w[end]] {
				end++
			}
			if end-i >= t.n {
				return true
			}
		}
		if !t.head[w[i]] {
			return false
		}
	}
	return false
}

// literalTest is a literal every match holds a short way from its start
// ("PRIVATE KEY" after -----BEGIN and up to 100 bytes of [ A-Z0-9_-]).
// A hit without it is not run: private-key and private-key-truncated met
// "-----BEGIN PUBLIC KEY-----" in tool results and each run of their
// regexes on the NFA took some tens of thousands of instructions to fail.
type literalTest struct {
	head     [256]bool // bytes the elements before the literal consume
	min, max int       // bytes they consume, at least and at most
	lit      string    // the literal (lower case if fold), or its head
	fold     bool
}

// literalOf returns the test for the first literal of three bytes or more
// after a bounded head, nil when there is none. Under (?i) only the
// literal's bytes before one with a fold beyond ASCII (k, s) are used.
func literalOf(rest []*syntax.Regexp) *literalTest {
	for k := 1; k < len(rest); k++ {
		head := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest[:k]}
		maxB := byteMaxLen(head)
		if maxB < 0 {
			return nil
		}
		l := rest[k]
		if l.Op != syntax.OpLiteral {
			continue
		}
		t := &literalTest{min: minLen(head), max: maxB, fold: l.Flags&syntax.FoldCase != 0}
		var b strings.Builder
		for _, r := range l.Rune {
			if r >= 0x80 {
				break
			}
			if t.fold {
				if f := unicode.SimpleFold(r); f >= 0x80 || unicode.SimpleFold(f) != r {
					break // a fold beyond ASCII, or more than one
				}
				r = rune(lowerByte(byte(r)))
			}
			b.WriteByte(byte(r))
		}
		if b.Len() < 3 {
			continue
		}
		t.lit = b.String()
		consumable(head, &t.head)
		return t
	}
	return nil
}

// near reports whether the literal can be where a match at h needs it:
// min to max bytes from h, after head bytes only.
func (t *literalTest) near(s string, h int) bool {
	if !t.fold {
		// The first place will do: a byte that is not a head byte
		// before it is before any later place too.
		lo, hi := min(len(s), h+t.min), min(len(s), h+t.max+len(t.lit))
		i := strings.Index(s[lo:hi], t.lit)
		if i < 0 {
			return false
		}
		for j := h; j < lo+i; j++ {
			if !t.head[s[j]] {
				return false
			}
		}
		return true
	}
	// Under (?i) each place is compared, ASCII case folded.
	for i := h; i <= h+t.max && i < len(s); i++ {
		if i >= h+t.min && hasFoldPrefix(s[i:], t.lit) {
			return true
		}
		if !t.head[s[i]] {
			return false
		}
	}
	return false
}

// valueTest is a byte-level test that a key = value rule's value can be
// where the pattern puts it. At most hits of the generic rule in prose and
// logs the operator is followed by a word or two ("Authorization: Bearer
// <", "password = changeme"), never the ten value bytes the rule needs, yet
// the backtracker took about a microsecond to say so at each.
type valueTest struct {
	head    [256]bool // bytes the elements before the operator consume
	headMax int       // and at most how many
	opFirst [256]bool // bytes the operator starts with, none of them in head
	span    int       // most bytes of the operator and what may follow it before the value
	val     [256]bool // bytes the value consumes
	valMin  int       // and at least how many
}

// valueOf derives a valueTest from the anchored form's elements, nil when
// they do not have the shape head, operator, optional bounded elements,
// value. Since no operator byte is a head byte, the operator of any match
// starts at the first byte from the hit that is not a head byte; the value
// starts within span bytes after that and is valMin value bytes in a row.
func valueOf(rest []*syntax.Regexp) *valueTest {
	t := &valueTest{}
	o := -1
	for i, sub := range rest {
		first, nullable := firstBytes(sub)
		only := !nullable
		for c, in := range first {
			if in && !strings.ContainsRune("=>:|?,", rune(c)) {
				only = false
			}
		}
		if only {
			o = i
			t.opFirst = first
			break
		}
	}
	if o <= 0 {
		return nil
	}
	head := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest[:o]}
	consumable(head, &t.head)
	if t.headMax = byteMaxLen(head); t.headMax < 0 {
		return nil
	}
	for c, in := range t.opFirst {
		if in && t.head[c] {
			return nil
		}
	}
	if t.span = byteMaxLen(rest[o]); t.span <= 0 {
		return nil
	}
	for _, sub := range rest[o+1:] {
		if n := minLen(sub); n > 0 {
			t.valMin = n
			consumable(sub, &t.val)
			return t
		}
		n := byteMaxLen(sub)
		if n < 0 {
			return nil
		}
		t.span += n
	}
	return nil
}

// near reports whether a match at h could have its value where the rule
// puts it (see valueTest); false only when none can.
func (t *valueTest) near(s string, h int) bool {
	j := h
	for end := min(len(s), h+t.headMax+1); j < end && t.head[s[j]]; j++ {
	}
	if j >= len(s) || !t.opFirst[s[j]] {
		return false
	}
	run := 0
	for i, end := j+1, min(len(s), j+t.span+t.valMin); i < end; i++ {
		if !t.val[s[i]] {
			run = 0
			continue
		}
		if run++; run >= t.valMin {
			return true
		}
	}
	return false
}

// tailCut prepares the second bound of window for a pattern that is a
// bounded head, an unbounded middle and a bounded last element, as in
// gitleaks' key = value rules: keyword, spacing and operator (at most P
// bytes), the value ([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}), then one
// terminator. From P bytes past the hit on, a match is in the middle or the
// last element, so at the first byte q there that the middle cannot
// consume it has at most the last element's bytes left: it ends by q+F,
// and the assertions it tests look at bytes up to s[q+F] at most. The
// whole-pattern byte set of window cannot say that: the terminator takes
// spaces, quotes and newlines, so the windows of the generic rule ran on
// through the next log lines (about 200 bytes where the match is 50), and
// those of long-token-assignment, whose terminator is [^…], always ran the
// full 1 KiB, past what the backtracker takes, on Go's slower NFA.
func (a *anchor) tailCut(rest []*syntax.Regexp) {
	a.tailFrom = -1
	k, head := 0, 0
	for ; k < len(rest)-1; k++ {
		n := byteMaxLen(rest[k])
		if n < 0 {
			break
		}
		head += n
	}
	if k == 0 || k >= len(rest)-1 {
		return
	}
	last := byteMaxLen(rest[len(rest)-1])
	if last < 0 {
		return
	}
	mid := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest[k : len(rest)-1]}
	consumable(mid, &a.tailSet)
	if !slices.Contains(a.tailSet[:], false) {
		return // the middle takes any byte: no bound
	}
	a.tailFrom, a.tailLast = head, last
}

// byteMaxLen bounds the bytes a match of re can span, or -1 if it is
// unbounded. Unlike maxLen it counts each rune at its UTF-8 length (a
// case-folded k may be the three-byte Kelvin sign), so it is tight for the
// ASCII patterns of the rules.
func byteMaxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			m := runeBytes(r)
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					m = max(m, runeBytes(f))
				}
			}
			n += m
		}
		return n
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		return runeBytes(re.Rune[len(re.Rune)-1]) // ranges ascend
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 4
	case syntax.OpCapture, syntax.OpQuest:
		return byteMaxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpRepeat:
		n := byteMaxLen(re.Sub[0])
		if n < 0 || re.Max < 0 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat, syntax.OpAlternate:
		t := 0
		for _, sub := range re.Sub {
			n := byteMaxLen(sub)
			if n < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				t += n
			} else {
				t = max(t, n)
			}
		}
		return t
	}
	return 0 // empty-width, empty match, no match
}

// runeBytes is r's UTF-8 length; 4 for what utf8 cannot encode (RE2
// matches no such rune, so it only over-approximates).
func runeBytes(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return 4
}

// anchoredForm prints ^(?:…) of expr's elements from skip on, the
// anchored form anchorRule derived. It parses expr again rather than
// keep the tree from the load: the rules' trees were 1.5 MB of an idle
// gateway's heap, and most rules are never compiled. expr was parsed at
// load, so it parses here.
func anchoredForm(expr string, skip int) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic(fmt.Sprintf("secrets: rule parsed at load fails now: %v", err))
	}
	rest := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		rest = re.Sub[skip:]
	}
	tail := &syntax.Regexp{Op: syntax.OpConcat, Sub: rest, Flags: re.Flags}
	return (&syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{{Op: syntax.OpBeginText}, tail}}).String()
}

// consumable adds to set every byte a match of re can consume: the bytes
// of its literals (with their case folds) and classes; all bytes from 0x80
// up as soon as any rune beyond ASCII can match. It over-approximates.
func consumable(re *syntax.Regexp, set *[256]bool) {
	add := func(r rune) {
		if r < 0x80 {
			set[r] = true
			return
		}
		for i := 0x80; i < 256; i++ {
			set[i] = true
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			add(r)
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					add(f)
				}
			}
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < 0x80; r++ {
				set[r] = true
			}
			if re.Rune[i+1] >= 0x80 {
				add(0x80)
			}
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		for i := range set {
			set[i] = true
		}
	}
	for _, sub := range re.Sub {
		consumable(sub, set)
	}
}

// window returns where to end the text the anchored form runs on at hit h,
// at most limit: one byte past the first byte from h that no match can
// consume. No match path can get past that byte, and every assertion a
// path can test (\b, $, ^) at or before it sees the same bytes as in the
// longer text (that byte included, so $ does not match before it), so
// the match is the same as on s[h:limit]; and a shorter text lets Go's
// regexp use its backtracker instead of the slower NFA (the backtracker
// takes texts up to 256 Kibit / program size, 576 bytes for gitleaks'
// generic rule, whose windows are 1 KiB).
//
// ok is false when no match fits: a match consumes at least minLen bytes,
// all of them before that byte.
func (a *anchor) window(s string, h, limit int) (end int, ok bool) {
	// The loops read slices of s, whose bounds the compiler knows: no
	// bounds check per byte.
	if from := h + a.tailFrom; a.tailFrom >= 0 && from < limit {
		t := s[from:limit]
		for k := 0; k < len(t); k++ {
			if !a.tailSet[t[k]] {
				limit = min(limit, from+k+a.tailLast+1)
				break
			}
		}
	}
	if a.consumesAll {
		return limit, limit-h >= a.minLen
	}
	if h < limit {
		t := s[h:limit]
		for k := 0; k < len(t); k++ {
			if !a.consume[t[k]] {
				return h + k + 1, k >= a.minLen
			}
		}
	}
	return limit, limit-h >= a.minLen
}

// minLen bounds from below the bytes a match of re consumes (a rune is at
// least one byte).
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += minLen(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if m := minLen(sub); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0 // empty-width, star, quest, no match
}

// anchor is a rule's fast form: the regex after its lead, anchored at a
// keyword hit. The lead is either one \b, checked by hand, or one short
// optional class run like [\w.-]{0,50}?, which only widens the whole match
// (what "match" allowlists see) and never changes the secret group.
type anchor struct {
	re       *lazyre.Regexp
	keywords []string // the keywords that can start the anchored form
	inside   []string // the rule's other keywords: a window scan at their hits
	// gate holds the rule's own keywords when none of them can begin a
	// match and it is anchored at the literals its matches begin with
	// instead (https:// for a rule keyed on its host name): it runs only
	// on a text that holds one of them, as gitleaks runs a rule only on a
	// fragment with a keyword, not at every https://.
	gate         []string
	follow       *follow // nil: no such test (follow.go)
	wordBoundary bool
	leadSet      [256]bool
	leadMax      int
	needsOp      bool
	value        *valueTest   // nil: no such test
	lit          *literalTest // nil: no such test
	run          *runTest     // nil: no such test
	consume      [256]bool    // bytes a match of re can consume, see window
	// tailFrom (-1: none), tailSet and tailLast are the second bound of
	// window, see tailCut: the head's most bytes, the bytes the middle can
	// consume, the last element's most bytes.
	tailFrom    int
	tailSet     [256]bool
	tailLast    int
	consumesAll bool
	minLen      int // see minLen
}

// opNear reports whether a key = value rule could match at h: past the
// keyword and [ \t\w.-]{0,20} and up to three of [\s'"] must come an operator
// byte. It over-approximates the regex, so it only ever saves work.
func opNear(s string, h int) bool {
	end := min(len(s), h+opWindow)
	j := h
	for j < end && (isWordByte(s[j]) || s[j] == ' ' || s[j] == '\t' || s[j] == '.' || s[j] == '-') {
		j++
	}
	for k := 0; k < 3 && j < end && (s[j] == '\'' || s[j] == '"' || s[j] == '\n' || s[j] == '\r' ||
		s[j] == '\f' || s[j] == '\v' || s[j] == ' ' || s[j] == '\t'); k++ {
		j++
	}
	return j < end && strings.IndexByte("=>:|,?", s[j]) >= 0
}

// opSkipTab is the bytes opNear walks over before the quotes: \w, ' ',
// '\t', '.' and '-', one lookup a byte (opSpan's walk).
var opSkipTab = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isWordByte(byte(c)) || c == ' ' || c == '\t' || c == '.' || c == '-'
	}
	return t
}()

// opSpan is opNear for the hits of one scan. In prose the walk over
// opSkipTab bytes runs the whole window, and the key = value rules ask
// at every hit of "key", "token", "access" …: the stretch of s known to
// be all such bytes, s[lo:hi], is kept, and a hit inside it starts its
// walk at hi. The answers are opNear's.
type opSpan struct{ lo, hi int }

// newOpSpan returns an opSpan that knows nothing yet.
func newOpSpan() opSpan { return opSpan{lo: 1, hi: 0} }

// near is opNear(s, h), s being the same text at every call.
func (o *opSpan) near(s string, h int) bool {
	end := min(len(s), h+opWindow)
	j := h
	in := o.lo <= h && h <= o.hi
	if in {
		j = min(o.hi, end) // s[h:o.hi] are opSkipTab bytes
	}
	for j < end && opSkipTab[s[j]] {
		j++
	}
	if !in {
		o.lo, o.hi = h, j
	} else if j > o.hi {
		o.hi = j
	}
	for k := 0; k < 3 && j < end && (s[j] == '\'' || s[j] == '"' || s[j] == '\n' || s[j] == '\r' ||
		s[j] == '\f' || s[j] == '\v' || s[j] == ' ' || s[j] == '\t'); k++ {
		j++
	}
	return j < end && strings.IndexByte("=>:|,?", s[j]) >= 0
}

// opWindow bounds how far after a keyword hit the operator of a key = value
// rule can start: the keyword group, [ \t\w.-]{0,20} and [\s'"]{0,3}.
const opWindow = 96

// matchStart is where the rule's full match begins when its anchored form
// matches at h.
func (a *anchor) matchStart(s string, h int) int {
	i := h
	for i > 0 && h-i < a.leadMax && a.leadSet[s[i-1]] {
		i--
	}
	return i
}

// boundaryOK checks a leading \b that the anchored form dropped.
func (a *anchor) boundaryOK(s string, h int) bool {
	if !a.wordBoundary {
		return true
	}
	before := h > 0 && isWordByte(s[h-1])
	after := h < len(s) && isWordByte(s[h])
	return before != after
}

// maxLen bounds the bytes a match of re can span, or -1 if it is unbounded.
func maxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return 4 * len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 4
	case syntax.OpCapture:
		return maxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return -1
	case syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpRepeat:
		n := maxLen(re.Sub[0])
		if n < 0 || re.Max < 0 {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat:
		t := 0
		for _, s := range re.Sub {
			n := maxLen(s)
			if n < 0 {
				return -1
			}
			t += n
		}
		return t
	case syntax.OpAlternate:
		t := 0
		for _, s := range re.Sub {
			n := maxLen(s)
			if n < 0 {
				return -1
			}
			t = max(t, n)
		}
		return t
	}
	return 0
}

// ruleMaxLen is maxLen of a pattern, -1 when unbounded or unparsable.
func ruleMaxLen(expr string) int {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return -1
	}
	return maxLen(re)
}

// literalStarts returns the literals (lower case, three bytes or more)
// that every match of re begins with, when there are such.
func literalStarts(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		var b strings.Builder
		for _, r := range re.Rune {
			if r >= 0x80 {
				break
			}
			b.WriteByte(lowerByte(byte(r)))
		}
		return []string{b.String()}, b.Len() >= 3
	case syntax.OpCapture:
		return literalStarts(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !isEmptyWidth(sub.Op) {
				return literalStarts(sub)
			}
		}
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			ls, ok := literalStarts(sub)
			if !ok {
				return nil, false
			}
			out = append(out, ls...)
		}
		return out, true
	}
	return nil, false
}

// canBegin reports whether a match of re can begin with kw (lower case,
// ASCII): literals are compared byte by byte, through concatenations,
// captures and alternations; anything else is judged by kw's first byte
// (firstBytes), which over-approximates.
//
// A keyword that a class, not a literal, would consume first is not
// where matches begin: azure-ad-client-secret is [\w~.]{3}\dQ~… with
// the keyword q~, which the class admits too, so anchored at "Q~" the
// rule only ever tried matches starting there and found none
// (qrS8Q~… begins four bytes earlier). Such a keyword is left to the
// window scan, unless a leading class may also be skipped (then the
// keyword is looked for after it, as with any nullable part).
func canBegin(re *syntax.Regexp, kw string) bool {
	_, done, ok := kwRest(re, kw)
	return (ok || done) && !classBegins(re, kw)
}

// classBegins reports whether the first bytes of kw that re would
// consume fall to a repeated class that cannot be skipped: there the
// keyword may sit anywhere in the match, not at its start.
func classBegins(re *syntax.Regexp, kw string) bool {
	switch re.Op {
	case syntax.OpCapture:
		return classBegins(re.Sub[0], kw)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if isEmptyWidth(sub.Op) {
				continue
			}
			if sub.Op == syntax.OpAlternate {
				// (?:^|[\s=]) and kin: a delimiter, then the match proper.
				if _, nullable := firstBytes(sub); nullable {
					continue
				}
			}
			return classBegins(sub, kw)
		}
		return false
	case syntax.OpRepeat:
		if re.Min == 0 {
			return false
		}
		first, _ := firstBytes(re.Sub[0])
		return isClass(re.Sub[0]) && re.Max != 1 && (first[kw[0]] || first[upperByte(kw[0])])
	case syntax.OpPlus:
		first, _ := firstBytes(re.Sub[0])
		return isClass(re.Sub[0]) && (first[kw[0]] || first[upperByte(kw[0])])
	}
	return false
}

// kwRest matches kw against the start of re. ok false: re cannot begin
// with kw. done: it can, and nothing more is known or needed. Otherwise
// rest is what of kw is left after re's whole match.
func kwRest(re *syntax.Regexp, kw string) (rest string, done, ok bool) {
	if kw == "" {
		return "", true, true
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return kw, false, true
	case syntax.OpLiteral:
		i := 0
		for ; i < len(re.Rune) && i < len(kw); i++ {
			r := re.Rune[i]
			if r >= 0x80 || lowerByte(byte(r)) != lowerByte(kw[i]) {
				return "", false, false
			}
		}
		if i == len(kw) {
			return "", true, true
		}
		return kw[i:], false, true
	case syntax.OpCapture:
		return kwRest(re.Sub[0], kw)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			r, d, o := kwRest(sub, kw)
			if !o || d {
				return r, d, o
			}
			kw = r
		}
		return kw, false, true
	case syntax.OpAlternate:
		var rests []string
		for _, sub := range re.Sub {
			r, d, o := kwRest(sub, kw)
			if d {
				return "", true, true
			}
			if o && !slices.Contains(rests, r) {
				rests = append(rests, r)
			}
		}
		switch len(rests) {
		case 0:
			return "", false, false
		case 1:
			return rests[0], false, true
		}
		return "", true, true // branches consume kw differently: give up
	}
	first, nullable := firstBytes(re)
	if first[kw[0]] || first[upperByte(kw[0])] {
		return "", true, true
	}
	if nullable {
		return kw, false, true
	}
	return "", false, false
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func isEmptyWidth(op syntax.Op) bool {
	switch op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return false
}

func isClass(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpLiteral:
		return re.Op != syntax.OpLiteral || len(re.Rune) == 1
	}
	return false
}

// firstBytes over-approximates the bytes a match of re can start with.
func firstBytes(re *syntax.Regexp) (set [256]bool, nullable bool) {
	all := func() {
		for i := range set {
			set[i] = true
		}
	}
	addRune := func(lo, hi rune, fold bool) {
		for r := lo; r <= hi && r < 0x80; r++ {
			set[r] = true
			if fold {
				set[upperByte(byte(r))] = true
				if 'A' <= r && r <= 'Z' {
					set[r+'a'-'A'] = true
				}
			}
		}
		if hi >= 0x80 {
			for i := 0x80; i < 256; i++ {
				set[i] = true
			}
		}
		if fold && (lo <= 'k' && 'k' <= hi || lo <= 's' && 's' <= hi || lo <= 'K' && 'K' <= hi || lo <= 'S' && 'S' <= hi) {
			// Kelvin sign and long s fold to k and s.
			for i := 0x80; i < 256; i++ {
				set[i] = true
			}
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return set, true
		}
		addRune(re.Rune[0], re.Rune[0], re.Flags&syntax.FoldCase != 0)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			addRune(re.Rune[i], re.Rune[i+1], false)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		all()
	case syntax.OpCapture:
		return firstBytes(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		set, _ = firstBytes(re.Sub[0])
		return set, true
	case syntax.OpPlus:
		return firstBytes(re.Sub[0])
	case syntax.OpRepeat:
		set, nullable = firstBytes(re.Sub[0])
		return set, nullable || re.Min == 0
	case syntax.OpConcat:
		for _, s := range re.Sub {
			fs, n := firstBytes(s)
			for i, b := range fs {
				set[i] = set[i] || b
			}
			if !n {
				return set, false
			}
		}
		return set, true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			fs, n := firstBytes(s)
			for i, b := range fs {
				set[i] = set[i] || b
			}
			nullable = nullable || n
		}
		return set, nullable
	default:
		if isEmptyWidth(re.Op) {
			return set, true
		}
		all()
		return set, true
	}
	return set, false
}
