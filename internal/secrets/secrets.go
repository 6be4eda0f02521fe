// Package secrets finds credentials in plain text: RE2 rules (data from
// gitleaks, see NOTICE) behind a keyword prefilter, with a per-rule Shannon
// entropy floor and allowlists for documentation placeholders. It also looks
// inside base64, hex and percent-encoded runs (also wrapped over lines) and
// through zero-width characters.
//
// Findings carry offsets and a SHA-256 of the secret, never the secret itself,
// so callers can audit and log them safely.
package secrets

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

//go:generate sh -c "go run gen/main.go -in \"$(GOFLAGS=-mod=mod go mod download -json github.com/zricethezav/gitleaks/v8@v8.30.1 | sed -n 's/^\\t\"Dir\": \"\\(.*\\)\",$/\\1/p')/config/gitleaks.toml\""

//go:embed rules.json
var rulesJSON []byte

// extraJSON holds mcpwarden's own rules, in the same format, for
// credentials gitleaks' rules leave alone (passwords in URLs).
//
//go:embed rules_extra.json
var extraJSON []byte

// outboundJSON holds rules of ours that only the outbound engine loads: a
// secret stated in words ("the secret is …") is found in what a call
// sends out. In results it would cost every scan of text dense with
// "key" and "token" about a seventh more (docs/performance.md).
//
//go:embed rules_outbound.json
var outboundJSON []byte

// Finding is one secret in the scanned text. Start and End are byte offsets
// into the text given to Scan; for an encoded secret they cover the whole
// encoded run. Hash is the hex SHA-256 of the (decoded) secret.
type Finding struct {
	RuleID     string
	Start, End int
	Hash       string
}

// Scan reports the secrets in text with the built-in rules, ordered by Start.
func Scan(text string) []Finding { return Default().Scan(text) }

// Redact masks every finding in text with [REDACTED:rule-id]. Every other
// occurrence of a found secret's text is masked too, so one value is never
// half-hidden.
func Redact(text string) (string, []Finding) { return Default().Redact(text) }

// Default returns the engine built from the embedded gitleaks rules.
var Default = sync.OnceValue(func() *Engine {
	e, err := Load(prefixedEnds(rulesJSON), extraJSON)
	if err != nil {
		panic(fmt.Sprintf("secrets: embedded rules: %v", err))
	}
	return e
})

// Engine is a compiled rule set. It is safe for concurrent use.
type Engine struct {
	rules    []*rule
	global   allow
	keywords []string         // distinct lower-case keywords
	kwRules  [][]int          // keyword index → rule indexes
	triBits  [triWords]uint64 // hashes of the keywords' first three bytes, see keywordHits
	triRank  [triWords]uint16 // set bits of triBits before each word: a hash's rank indexes tris
	tris     []triBucket      // by hash, for the hashes set in triBits
	twoByte  []int            // keyword indexes of two-byte keywords
	twoFirst [256]bool        // their first bytes
	always   []int            // rules without keywords
	count    int              // rules loaded (rules holds some twice, see Load)
	// columns is the gate entry of columnWords: where they occur, the
	// tables they head are read (scanColumns).
	columns int
	// foldLabels: also scan DNS labels upper-cased (the outbound engine).
	foldLabels bool
	// backwards: also scan the text reversed, in ROT13 and with split
	// keys joined (the outbound engine; split.go).
	backwards bool
	// hitSets keeps the hitSets of finished scans for the next ones.
	hitSets sync.Pool
}

// hitSet is keywordHits' answer: per rule index, the ascending distinct
// offsets where one of the rule's keywords starts, and the rules that
// have any. A scan with a hit used to allocate the per-rule table anew
// (24 bytes a rule, about 11 KiB) and walk all of it for the few rules
// hit; a short text paid more for that than for its keyword pass. The
// table is now reused (only the touched entries are emptied) and only
// the touched rules are walked.
type hitSet struct {
	byRule  [][]int
	touched []int // rule indexes with hits, in the order of their first
}

// newHits returns an empty hitSet for e's rules.
func (e *Engine) newHits() *hitSet {
	if h, ok := e.hitSets.Get().(*hitSet); ok {
		return h
	}
	return &hitSet{byRule: make([][]int, len(e.rules))}
}

// freeHits empties h and keeps it for a later scan. A rule's offsets
// that grew long (a large text dense with one keyword) are let go
// rather than kept.
func (e *Engine) freeHits(h *hitSet) {
	if h == nil {
		return
	}
	for _, ri := range h.touched {
		if cap(h.byRule[ri]) > 256 {
			h.byRule[ri] = nil
		} else {
			h.byRule[ri] = h.byRule[ri][:0]
		}
	}
	if cap(h.touched) > 256 {
		h.touched = nil
	} else {
		h.touched = h.touched[:0]
	}
	e.hitSets.Put(h)
}

// rules returns the rules with hits (in rule order once sorted).
func (h *hitSet) rules() []int {
	if h == nil {
		return nil
	}
	return h.touched
}

type rule struct {
	id      string
	re      *lazyre.Regexp
	entropy float64
	group   int
	allows  []allow
	before  int
	after   int
	// anchored, when set, is the rule from its keyword on (see anchorRule).
	anchored *anchor
	// gate, when not 0, is the index of a gate entry whose hits (the
	// rule's keywords, anchor.gate) the text must have for the rule to run;
	// gateOnly marks such an entry, which is never run itself.
	gate     int
	gateOnly bool
	// backstop marks a looser rule behind exact ones (vendor-prefixed-token
	// behind each vendor's own rule, bearer-token behind
	// authorization-header): it is not run at a hit where a finding of an
	// earlier rule starts or runs within the next 16 bytes, so a token an
	// exact rule found costs nothing more.
	backstop bool
	// repeated marks the capture groups inside a repetition, such as
	// ([a-z0-9]{4}-){3} in a UUID: with no secret group named, the first
	// group that matched is the secret (gitleaks' rule), and a repeated
	// group only ever holds its last piece (microsoft-teams-webhook masked
	// "5e6e-" of a whole URL). Such groups are passed over.
	repeated []bool
	// starts, when not nil, holds the bytes a match can begin with:
	// a window without them is not run (see startsOf).
	starts *startBytes
}

// startBytes is the first two bytes a match can begin with, as bit sets.
type startBytes struct {
	first, second [4]uint64
	anySecond     bool // second byte not known: a one-byte match may end s
}

// startsOf returns the bytes a match of expr can begin with, nil when that
// is any byte or a match may be empty. When the pattern begins with one
// byte (a class of ASCII such as [?#&;]) and what follows cannot be empty,
// the second byte is known too: url-query-token's windows hold ';' in code
// and '&' in URLs, but hardly ever ';' or '&' before a letter its query
// names start with, and its regex, {16,1000} long, cost a window of 1.4 KiB
// half a million instructions on the NFA to find nothing.
func startsOf(expr string) *startBytes {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	first, nullable := firstBytes(re)
	if nullable {
		return nil
	}
	var sb startBytes
	for c, in := range first {
		if in {
			sb.first[c>>6] |= 1 << (c & 63)
		}
	}
	sb.second = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	if re.Op == syntax.OpConcat {
		i := 0
		for i < len(re.Sub) && isEmptyWidth(re.Sub[i].Op) {
			i++
		}
		if i+1 < len(re.Sub) && minLen(re.Sub[i]) == 1 && byteMaxLen(re.Sub[i]) == 1 {
			rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[i+1:], Flags: re.Flags}
			if second, nullable := firstBytes(rest); !nullable {
				sb.second = [4]uint64{}
				for c, in := range second {
					if in {
						sb.second[c>>6] |= 1 << (c & 63)
					}
				}
			}
		}
	}
	all := [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	if sb.first == all && sb.second == all {
		return nil
	}
	sb.anySecond = sb.second == all
	return &sb
}

// in reports whether s holds a byte a match can begin with, followed by
// one that can be its second byte (a match is two bytes or more when the
// second is known; else one byte will do).
func (sb *startBytes) in(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; sb.first[c>>6]&(1<<(c&63)) != 0 {
			if i+1 < len(s) {
				if d := s[i+1]; sb.second[d>>6]&(1<<(d&63)) != 0 {
					return true
				}
			} else if sb.anySecond {
				return true
			}
		}
	}
	return false
}

type allow struct {
	target    string
	and       bool
	regexes   []*lazyre.Regexp
	needs     []*need // each regex's literal prefilter
	stopwords *wordSet
}

type fileRules struct {
	Global struct {
		Regexes   []string `json:"regexes"`
		Stopwords []string `json:"stopwords"`
	} `json:"global"`
	Rules []fileRule `json:"rules"`
	// Allow adds allowlists to rules of any file by id: our own
	// exceptions to gitleaks' rules, kept out of the generated file.
	Allow []struct {
		ID         string      `json:"id"`
		Allowlists []fileAllow `json:"allowlists"`
	} `json:"allow"`
}

type fileRule struct {
	ID          string      `json:"id"`
	Regex       string      `json:"regex"`
	Keywords    []string    `json:"keywords"`
	Entropy     float64     `json:"entropy"`
	SecretGroup int         `json:"secretGroup"`
	Backstop    bool        `json:"backstop"`
	Allowlists  []fileAllow `json:"allowlists"`
	// Prefixes makes the entry one rule per prefix, under one id: {prefix}
	// in Regex stands for the prefix (quoted) and the prefix is that
	// rule's keyword. Each stays a small expression anchored at its own
	// hits; one alternation of all the prefixes made a program large
	// enough that every hit of any of them cost several times more.
	Prefixes []string `json:"prefixes"`
	sibling  bool     // a second or later rule of one Prefixes entry
}

// expandPrefixes returns rules with each Prefixes entry made one rule per
// prefix. Several Prefixes entries may share an id, each with the body its
// prefixes have (a fixed length of hex for some vendors, any length for
// others): the id stays one rule.
func expandPrefixes(rules []fileRule) ([]fileRule, error) {
	var out []fileRule
	seen := map[string]bool{}
	for _, fr := range rules {
		if len(fr.Prefixes) == 0 {
			out = append(out, fr)
			continue
		}
		if !strings.Contains(fr.Regex, "{prefix}") {
			return nil, fmt.Errorf("secrets: rule %s: prefixes without {prefix} in its regex", fr.ID)
		}
		for i, p := range fr.Prefixes {
			v := fr
			v.Regex = strings.ReplaceAll(fr.Regex, "{prefix}", regexp.QuoteMeta(p))
			v.Keywords = []string{p}
			v.sibling = i > 0 || seen[fr.ID]
			out = append(out, v)
		}
		seen[fr.ID] = true
	}
	return out, nil
}

type fileAllow struct {
	Target    string   `json:"target"`
	And       bool     `json:"and"`
	Regexes   []string `json:"regexes"`
	Stopwords []string `json:"stopwords"`
}

// Load compiles a rule set in the rules.json format. Further files add
// their rules (their global allowlists are ignored).
func Load(data []byte, more ...[]byte) (*Engine, error) {
	var f fileRules
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("secrets: decode rules: %w", err)
	}
	for _, d := range more {
		var g fileRules
		if err := json.Unmarshal(d, &g); err != nil {
			return nil, fmt.Errorf("secrets: decode rules: %w", err)
		}
		f.Rules = append(f.Rules, g.Rules...)
		f.Allow = append(f.Allow, g.Allow...)
	}
	for _, p := range f.Allow {
		for i := range f.Rules {
			if f.Rules[i].ID == p.ID {
				f.Rules[i].Allowlists = append(slices.Clip(f.Rules[i].Allowlists), p.Allowlists...)
			}
		}
	}
	e := &Engine{}
	var err error
	if f.Rules, err = expandPrefixes(f.Rules); err != nil {
		return nil, err
	}
	if e.global.regexes, e.global.needs, err = compileAll(f.Global.Regexes); err != nil {
		return nil, err
	}
	e.global.stopwords = newWordSet(lowerAll(f.Global.Stopwords))
	kwIndex := map[string]int{}
	buckets := map[uint32]*triBucket{}
	for _, fr := range f.Rules {
		fr.Regex = lineEnds(fr.Regex)
		re, err := lazyre.Checked(fr.Regex)
		if err != nil {
			return nil, fmt.Errorf("secrets: rule %s: %w", fr.ID, err)
		}
		r := &rule{id: fr.ID, re: re, entropy: fr.Entropy, group: fr.SecretGroup, backstop: fr.Backstop, before: 256, after: 1024,
			starts: startsOf(fr.Regex)}
		if r.group == 0 {
			r.repeated = repeatedGroups(fr.Regex)
		}
		if n := ruleMaxLen(fr.Regex); n >= 0 && n < r.after {
			r.before, r.after = n, n
		} else if n < 0 && (strings.Contains(fr.Regex, "[\\s\\S") || strings.Contains(fr.Regex, "(?s")) {
			// Multi-line bodies such as PEM keys run far past their keyword.
			r.after = 16 << 10
		}
		keywords := make([]string, len(fr.Keywords))
		for i, kw := range fr.Keywords {
			keywords[i] = asciiLower(kw)
		}
		var inside []string // keywords of an anchored rule left to a window scan
		if a, ok := anchorRule(fr.Regex, keywords); ok {
			r.anchored = a
			keywords, inside = a.keywords, a.inside
		}
		for _, fa := range fr.Allowlists {
			a := allow{target: fa.Target, and: fa.And, stopwords: newWordSet(lowerAll(fa.Stopwords))}
			if a.regexes, a.needs, err = compileAll(fa.Regexes); err != nil {
				return nil, fmt.Errorf("secrets: rule %s: %w", fr.ID, err)
			}
			r.allows = append(r.allows, a)
		}
		if !fr.sibling {
			e.count++
		}
		ri := len(e.rules)
		e.rules = append(e.rules, r)
		if len(fr.Keywords) == 0 {
			e.always = append(e.always, ri)
			continue
		}
		e.addKeywords(ri, keywords, kwIndex, buckets)
		if a := r.anchored; a != nil && len(a.gate) > 0 && !slices.ContainsFunc(a.gate, func(k string) bool { return len(k) < 2 }) {
			r.gate = len(e.rules)
			e.rules = append(e.rules, &rule{id: r.id, gateOnly: true})
			e.addKeywords(r.gate, a.gate, kwIndex, buckets)
		}
		if len(inside) > 0 {
			// The same rule, unanchored, for the keywords that cannot
			// begin its anchored form. Its findings equal the anchored
			// one's where both match, and Scan drops such duplicates.
			w := *r
			w.anchored = nil
			e.rules = append(e.rules, &w)
			e.addKeywords(len(e.rules)-1, inside, kwIndex, buckets)
		}
	}
	e.columns = len(e.rules)
	e.rules = append(e.rules, &rule{id: "generic-api-key", gateOnly: true}) // the rule it mostly feeds, as a gate entry bears its rule's id
	e.addKeywords(e.columns, columnWords, kwIndex, buckets)
	e.finishIndex(buckets)
	return e, nil
}

// addKeywords makes rule ri run at the hits of keywords.
func (e *Engine) addKeywords(ri int, keywords []string, kwIndex map[string]int, buckets map[uint32]*triBucket) {
	for _, kw := range keywords {
		if len(kw) < 2 {
			e.always = append(e.always, ri)
			continue
		}
		ki, ok := kwIndex[kw]
		if !ok {
			ki = len(e.keywords)
			kwIndex[kw] = ki
			e.keywords = append(e.keywords, kw)
			e.kwRules = append(e.kwRules, nil)
			e.indexKeyword(ki, buckets)
		}
		if !slices.Contains(e.kwRules[ki], ri) {
			e.kwRules[ki] = append(e.kwRules[ki], ri)
		}
	}
}

// triBucket is what keywordHits looks at when a hash is in the bitmap.
type triBucket struct {
	tri uint32 // the first three bytes (bit 5 set in each) of all kws; 0 when they differ
	kws []int  // keyword indexes with this hash
	// fourth has bit c&63 set for the fourth byte c of each keyword, all
	// bits when one is shorter: most text that starts as a keyword does
	// ("con" of context for confluence, "ext" of text for ext_), and its
	// fourth byte tells it apart without comparing each keyword.
	fourth uint64
	heads  []kwHead // kws' heads, in kws' order
}

// kwHead is a keyword's first eight bytes (all when shorter), each with
// bit 5 set, and the mask of those bytes: text whose first eight bytes,
// folded the same way, differ under the mask cannot start the keyword,
// which one comparison of words tells ("confluent" against "configure").
type kwHead struct {
	head, mask uint64
	ki         int
}

// headOf returns kw's kwHead.
func headOf(kw string, ki int) kwHead {
	h := kwHead{ki: ki}
	for i := 0; i < len(kw) && i < 8; i++ {
		h.head |= uint64(kw[i]|0x20) << (8 * i)
		h.mask |= 0xFF << (8 * i)
	}
	return h
}

// finishIndex lays the buckets out in hash order, indexed by rank.
func (e *Engine) finishIndex(buckets map[uint32]*triBucket) {
	n := 0
	for k := range e.triBits {
		e.triRank[k] = uint16(n)
		n += bits.OnesCount64(e.triBits[k])
	}
	e.tris = make([]triBucket, n)
	for h, b := range buckets {
		for _, ki := range b.kws {
			b.heads = append(b.heads, headOf(e.keywords[ki], ki))
		}
		e.tris[int(e.triRank[h>>6])+bits.OnesCount64(e.triBits[h>>6]&(1<<(h&63)-1))] = *b
	}
}

// indexKeyword enters keyword ki in the hash table of first three bytes
// that keywordHits reads. A two-byte keyword may be followed by any byte,
// so it is entered under every third byte.
func (e *Engine) indexKeyword(ki int, buckets map[uint32]*triBucket) {
	kw := e.keywords[ki]
	add := func(third byte) {
		w := tri(kw[:2]+string(third), 0)
		h := triHash(w)
		e.triBits[h>>6] |= 1 << (h & 63)
		b := buckets[h]
		if b == nil {
			b = &triBucket{tri: w}
			buckets[h] = b
		}
		if b.tri != w {
			b.tri = 0
		}
		if !slices.Contains(b.kws, ki) {
			b.kws = append(b.kws, ki)
		}
		if len(kw) < 4 {
			b.fourth = ^uint64(0)
		} else {
			b.fourth |= 1 << (kw[3] & 63)
		}
	}
	if len(kw) > 2 {
		add(kw[2])
		return
	}
	e.twoByte = append(e.twoByte, ki)
	e.twoFirst[kw[0]] = true
	for c := range 256 {
		add(byte(c))
	}
}

// RuleCount reports how many rules the engine runs.
func (e *Engine) RuleCount() int { return e.count }

// compileAll compiles an allowlist's expressions, each with its literal
// prefilter. An allowlist only asks whether any of them matches; most name
// words a candidate does not contain, so most never run. (Joined into one
// alternation they ran on every candidate: gitleaks' global list has one
// branch, ^(?i:a+|b+|…)$, that needs no word, and one unanchored branch,
// so the whole alternation was tried at every offset.)
func compileAll(exprs []string) ([]*lazyre.Regexp, []*need, error) {
	var res []*lazyre.Regexp
	var needs []*need
	for _, s := range exprs {
		re, err := lazyre.Checked(s)
		if err != nil {
			return nil, nil, fmt.Errorf("secrets: allowlist %q: %w", s, err)
		}
		res = append(res, re)
		needs = append(needs, needOf(s))
	}
	return res, needs, nil
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// asciiLower lowers A–Z only, so byte offsets stay aligned with the input.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Scan reports the secrets in text, ordered by Start then RuleID.
func (e *Engine) Scan(text string) []Finding {
	if text == "" {
		return nil // every finding covers some bytes
	}
	plain, zw := stripZeroWidth(text)
	var out []Finding
	add := func(f Finding) {
		f.Start, f.End = zw.orig(f.Start), zw.orig(f.End-1)+1
		out = append(out, f)
	}
	for _, f := range e.scanPlain(plain) {
		add(f)
	}
	for _, f := range e.scanEncoded(plain) {
		add(f)
	}
	for _, f := range e.scanFolded(plain) {
		add(f)
	}
	for _, f := range e.scanViews(plain) {
		add(f)
	}
	if e.foldLabels {
		for _, f := range e.scanLabels(plain) {
			add(f)
		}
	}
	if e.backwards {
		runs := tokenRuns(plain)
		for _, f := range e.scanReversed(plain, runs, e.scanPlain) {
			add(f)
		}
		for _, f := range e.scanRot13(plain, runs, e.scanPlain) {
			add(f)
		}
		for _, f := range e.scanSplit(plain, e.scanPlain, e.scanEncoded) {
			add(f)
		}
		for _, f := range e.scanRows(plain, e.scanPlain, e.scanEncoded) {
			add(f)
		}
		for _, f := range scanGrouped(plain, e.scanPlain) {
			add(f)
		}
		for _, f := range e.scanRadix(plain, func(dec string) []Finding { return append(e.scanPlain(dec), e.scanEncoded(dec)...) }) {
			add(f)
		}
	}
	if len(out) < 2 {
		return out // nothing to order or merge
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), strings.Compare(a.RuleID, b.RuleID))
	})
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b })
}

type span struct{ start, end int }

// scanPlain runs every rule whose keyword occurs, on windows around the
// keyword hits only, so a long text costs one pass plus regex work near hits.
// Tables whose header names a credential column are read too (scanColumns).
func (e *Engine) scanPlain(s string) []Finding { return e.scanPlainCols(s, true) }

// scanPlainOnly is scanPlain without reading tables (scanColumns' own scan).
func (e *Engine) scanPlainOnly(s string) []Finding { return e.scanPlainCols(s, false) }

func (e *Engine) scanPlainCols(s string, cols bool) []Finding {
	if len(s) == 0 {
		return nil
	}
	hits := e.keywordHits(s)
	var out []Finding
	// seen is made at the first finding: most scans have none, and a
	// map made up front cost every scan its setup (a random seed).
	var seen map[span]bool
	ops := newOpSpan()
	run := func(r *rule, w span) {
		sub := s[w.start:w.end]
		if r.starts != nil && !r.starts.in(sub) {
			return
		}
		for _, m := range r.re.Get().FindAllStringSubmatchIndex(sub, -1) {
			if f, ok := e.check(r, s, w.start, m, w.start+m[0]); ok {
				k := span{f.Start, f.End}
				if !seen[k] {
					if seen == nil {
						seen = map[span]bool{}
					}
					seen[k] = true
					out = append(out, f)
				}
			}
		}
	}
	for _, ri := range e.always {
		clear(seen)
		run(e.rules[ri], span{0, len(s)})
	}
	if hits != nil {
		// In rule order, as a walk of all rules meets them.
		slices.Sort(hits.touched)
	}
	for _, ri := range hits.rules() {
		rh := hits.byRule[ri]
		r := e.rules[ri]
		if r.gateOnly || r.gate != 0 && len(hits.byRule[r.gate]) == 0 {
			continue
		}
		clear(seen)
		if r.anchored == nil {
			for _, w := range windows(s, rh, r.before, r.after) {
				run(r, w)
			}
			continue
		}
		a := r.anchored
		for _, h := range rh {
			if r.backstop && covered(out, h) || !a.boundaryOK(s, h) || a.needsOp && !ops.near(s, h) || a.value != nil && !a.value.near(s, h) || a.lit != nil && !a.lit.near(s, h) || a.run != nil && !a.run.near(s, h) || a.follow != nil && !a.follow.ok(s, h, h+r.after) {
				continue
			}
			end, ok := a.window(s, h, min(len(s), h+r.after))
			if !ok {
				continue
			}
			m := a.re.Get().FindStringSubmatchIndex(s[h:end])
			if m == nil {
				continue
			}
			if f, ok := e.check(r, s, h, m, a.matchStart(s, h)); ok && !seen[span{f.Start, f.End}] {
				if seen == nil {
					seen = map[span]bool{}
				}
				seen[span{f.Start, f.End}] = true
				out = append(out, f)
			}
		}
	}
	// A header needs a row after it: a text of one line has none.
	if cols && hits != nil && len(hits.byRule[e.columns]) > 0 && strings.IndexByte(s[hits.byRule[e.columns][0]:], '\n') >= 0 {
		out = append(out, e.scanColumns(s, hits.byRule[e.columns])...)
	}
	e.freeHits(hits)
	return out
}

// keywordHits finds every keyword (ASCII case-insensitive) in s in one
// pass and returns, per rule index, the ascending distinct offsets where
// one of the rule's keywords starts (a hitSet, which the caller gives
// back with freeHits); nil when there is none. The pass tests
// a hash of each three bytes against a 16 KiB bitmap of the keywords'
// first three bytes (two-byte keywords are entered with every third byte):
// about 5 % of the positions of ordinary text pass, and only there are the
// keywords compared. The hash folds case by setting bit 5 of each byte
// (A–Z become a–z; a few punctuation and control bytes meet others, which
// only costs a comparison).
func (e *Engine) keywordHits(s string) *hitSet {
	if len(s) < 2 {
		return nil
	}
	var hits *hitSet
	// Eight bytes are read at once and the six trigrams that start in
	// their first six are tested, shifting the word a byte at a time: the
	// bitmap's word is a product of the low three bytes (triHash) and its
	// bit the low six bits of the first, which BTQ takes from x itself.
	// Two such words a round, twelve trigrams: the round's own cost is
	// paid once per twelve bytes. Written out, not as a loop over the six
	// shifts: the loop costs BenchmarkScan 9 % (73.3 M against 67.2 M
	// instructions), this being the engine's hottest code.
	tb := &e.triBits
	t := s // the text from the next three bytes to test
	for ; len(t) >= 14; t = t[12:] {
		x := le64(t[:8]) | 0x2020202020202020
		if triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t), uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+1, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+2, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+3, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+4, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+5, uint32(x), hits)
		}
		x = le64(t[6:14]) | 0x2020202020202020
		if triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+6, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+7, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+8, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+9, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+10, uint32(x), hits)
		}
		if x >>= 8; triIn(tb, x) {
			hits = e.hashHit(s, len(s)-len(t)+11, uint32(x), hits)
		}
	}
	// The tail, under fourteen bytes: six trigrams from a word while
	// eight bytes are left, then the last few from the text's last eight
	// bytes, read as one word and shifted to p (a short text is mostly
	// tail, and three byte loads a trigram cost it more than its round).
	p := len(s) - len(t)
	for ; p+8 <= len(s); p += 6 {
		x := le64(s[p:]) | 0x2020202020202020
		for k := range 6 {
			if triIn(tb, x) {
				hits = e.hashHit(s, p+k, uint32(x), hits)
			}
			x >>= 8
		}
	}
	if len(s) >= 8 {
		// p is past len(s)-8, the word's start, by 1 to 5 when a trigram
		// is left.
		q := len(s) - 8
		x := (le64(s[q:]) | 0x2020202020202020) >> (8 * uint(p-q))
		for ; p+3 <= len(s); p++ {
			if triIn(tb, x) {
				hits = e.hashHit(s, p, uint32(x), hits)
			}
			x >>= 8
		}
	}
	for ; p+3 <= len(s); p++ {
		if w := tri(s, p); triIn(tb, uint64(w)) {
			hits = e.hashHit(s, p, w, hits)
		}
	}
	// The loop saw starts up to len(s)-3; a two-byte keyword can also end
	// the text. Most texts end with no such keyword's first byte before
	// their last, and the keywords are not compared.
	if !e.twoFirst[lowerTab[s[len(s)-2]]] {
		return hits
	}
	return e.keywordsAt(s, len(s)-2, e.twoByte, hits)
}

// triWords is the size of triBits in words: 16 KiB, in which about 1 % of
// the bits are set, so few text trigrams that begin no keyword pass.
const (
	triWords = 1 << 11
	triShift = 32 - 11 // a product's top 11 bits pick the word
)

// triMul is the multiplier of triHash. Its low byte is 0, so a 32-bit
// product drops the operand's top byte: only the low three bytes count.
const triMul = 0x9E3779B1 << 8 & 0xFFFFFFFF

// triIn reports whether the low three bytes of x, each with bit 5 set,
// have their hash (triHash) set in tb (an Engine's triBits).
func triIn(tb *[triWords]uint64, x uint64) bool {
	return tb[uint32(x)*triMul>>triShift]&(1<<(x&63)) != 0
}

// tri returns the three bytes of s from p, each with bit 5 set, the
// first lowest.
func tri(s string, p int) uint32 {
	return (uint32(s[p]) | uint32(s[p+1])<<8 | uint32(s[p+2])<<16) | 0x202020
}

// hashHit compares the keywords whose trigram hash is that of w, the
// three bytes at p (see tri; a byte above them is ignored, and the hash
// is a set bit of triBits), with the text at p. A bucket whose keywords
// share their first three bytes is passed over when those differ from the
// text's (another trigram with the same hash).
func (e *Engine) hashHit(s string, p int, w uint32, hits *hitSet) *hitSet {
	w &= 0xFFFFFF
	b := e.bucket(w, triHash(w))
	if b == nil || b.fourth != ^uint64(0) && (p+3 >= len(s) || b.fourth&(1<<(lowerTab[s[p+3]]&63)) == 0) {
		return hits
	}
	return e.headsAt(s, p, b.heads, hits)
}

// headsAt is keywordsAt for a bucket's keywords, each compared first by
// its head (kwHead) with the eight bytes at s[i], read once.
func (e *Engine) headsAt(s string, i int, heads []kwHead, hits *hitSet) *hitSet {
	var x uint64
	if i+8 <= len(s) {
		x = le64(s[i:]) | 0x2020202020202020
	} else {
		// Past the end x holds 0, which no keyword's byte is (each has
		// bit 5 set).
		for j := len(s) - 1; j >= i; j-- {
			x = x<<8 | uint64(s[j]|0x20)
		}
	}
	for _, h := range heads {
		if x&h.mask == h.head && hasFoldPrefix(s[i:], e.keywords[h.ki]) {
			hits = e.addHit(i, h.ki, hits)
		}
	}
	return hits
}

// bucket returns the keywords whose trigram hash is h (a set bit of
// triBits), nil when the bucket's keywords share their first three bytes
// and those are not w's (see tri). A pointer, not the slice: the scan's
// inner loop reaches here at a few percent of its positions.
func (e *Engine) bucket(w uint32, h uint32) *triBucket {
	b := &e.tris[int(e.triRank[h>>6])+bits.OnesCount64(e.triBits[h>>6]&(1<<(h&63)-1))]
	if b.tri != 0 && b.tri != w {
		return nil
	}
	return b
}

// triHash maps three bytes w (see tri) to 16 bits: a bitmap word from a
// product of all three, the bit in it from the first byte's low six bits.
func triHash(w uint32) uint32 { return w*triMul>>triShift<<6 | w&63 }

var lowerTab = func() (t [256]byte) {
	for c := range 256 {
		t[c] = lowerByte(byte(c))
	}
	return t
}()

// keywordsAt adds those of the keywords kws that start at s[i] to hits.
func (e *Engine) keywordsAt(s string, i int, kws []int, hits *hitSet) *hitSet {
	for _, ki := range kws {
		if hasFoldPrefix(s[i:], e.keywords[ki]) {
			hits = e.addHit(i, ki, hits)
		}
	}
	return hits
}

// addHit adds offset i to the hits of keyword ki's rules.
func (e *Engine) addHit(i, ki int, hits *hitSet) *hitSet {
	if hits == nil {
		hits = e.newHits()
	}
	for _, ri := range e.kwRules[ki] {
		o := hits.byRule[ri]
		if len(o) == 0 {
			hits.touched = append(hits.touched, ri)
		} else if o[len(o)-1] == i {
			continue
		}
		hits.byRule[ri] = append(o, i)
	}
	return hits
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldPrefix reports whether s starts with kw (lower-case) once A–Z in
// s are lowered.
func hasFoldPrefix(s, kw string) bool {
	if len(s) < len(kw) {
		return false
	}
	// The last byte first: keywordsAt is reached where the first three
	// bytes already look right (a shared trigram: "con" of context for
	// contentful, confluence, …), and the end tells most of those apart.
	if n := len(kw) - 1; n >= 0 && lowerTab[s[n]] != kw[n] {
		return false
	}
	for i := 0; i < len(kw); i++ {
		if lowerTab[s[i]] != kw[i] {
			return false
		}
	}
	return true
}

// windows turns keyword hits into merged spans, widened to the nearest line
// break (within a bound) so anchors like ^ and \b see real boundaries.
func windows(s string, hits []int, before, after int) []span {
	var ws []span
	for _, h := range hits {
		st, en := max(0, h-before), min(len(s), h+after)
		if st > 0 {
			if i := strings.LastIndexByte(s[max(0, st-256):st], '\n'); i >= 0 {
				st = max(0, st-256) + i + 1
			} else {
				st = max(0, st-256)
			}
		}
		if en < len(s) {
			if i := strings.IndexByte(s[en:min(len(s), en+256)], '\n'); i >= 0 {
				en += i
			} else {
				en = min(len(s), en+256)
			}
		}
		if n := len(ws); n > 0 && st <= ws[n-1].end {
			ws[n-1].end = max(ws[n-1].end, en)
			continue
		}
		ws = append(ws, span{st, en})
	}
	return ws
}

// isWordByte is a table lookup: the anchors test a byte on each side of
// every keyword hit with it, and four range tests cost more.
func isWordByte(c byte) bool { return wordTab[c] }

var wordTab = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
	}
	return t
}()

// check applies the secret group, entropy and allowlists to one match at
// m (relative to base in s).
func (e *Engine) check(r *rule, s string, base int, m []int, matchStart int) (Finding, bool) {
	ss, se := m[0], m[1]
	if r.group > 0 && 2*r.group+1 < len(m) {
		ss, se = m[2*r.group], m[2*r.group+1]
	} else if r.group == 0 {
		for g := 1; 2*g+1 < len(m); g++ {
			if g < len(r.repeated) && r.repeated[g] {
				continue
			}
			if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
				ss, se = m[2*g], m[2*g+1]
				break
			}
		}
	}
	if ss < 0 || se <= ss {
		return Finding{}, false
	}
	ss, se = base+ss, base+se
	secret := s[ss:se]
	// gitleaks skips a candidate whose entropy is at or below the floor:
	// the floor must be exceeded (5hzeahvy1y2jdv88 has 3.5 exactly).
	if r.entropy > 0 && entropy(secret) <= entropyFloor(r.entropy, secret) {
		return Finding{}, false
	}
	if r.id == "bip39-mnemonic" && !mnemonicLength(secret) {
		return Finding{}, false
	}
	// A masked tail marks a token's shown head in a result; in an
	// argument the sender writes the tail, and "***" after a key must not
	// let it out.
	if placeholder(secret) || !e.backwards && maskedAfter(s[se:]) || publicKey(secret) || maskWord(secret) || e.global.allowed(secret, "", "") || strings.HasPrefix(secret, "eyJ") && unsignedJWT(secret) {
		return Finding{}, false
	}
	match := s[matchStart : base+m[1]]
	if generic(r.id) == 1 && publicSetting(match) {
		return Finding{}, false
	}
	for _, a := range r.allows {
		if a.allowed(secret, match, lineAt(s, matchStart, base+m[1])) {
			return Finding{}, false
		}
	}
	sum := sha256.Sum256([]byte(secret))
	return Finding{RuleID: r.id, Start: ss, End: se, Hash: hex.EncodeToString(sum[:])}, true
}

// lineEnds makes every '$' of a rule's regex (outside a class, not
// escaped) match at the end of a line as well as at the end of the text:
// "(?m:$)". A rule that ends a secret at "$" (sidekiq-sensitive-url's
// "(?:[/#?:]|$)") means the end of the value, which a file or a log puts
// at a line's end; RE2's "$" is the end of the whole text, so such a
// secret on any line but the last was never found. Most rules also end
// at \s, where this changes nothing.
//
// A rule that spans lines itself (a "\\n" in it, or "(?s)"), such as
// putty-private-key's "…(?:\\r?\\n(?:Private-MAC|$)|$)", keeps its "$":
// there a line's end is not the secret's.
func lineEnds(expr string) string {
	if !strings.Contains(expr, "$") || strings.Contains(expr, "(?s") {
		return expr
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			if expr[i+1] == 'n' || expr[i+1] == 'r' {
				return expr
			}
			b.WriteByte(c)
			b.WriteByte(expr[i+1])
			i++
			continue
		case inClass && c == '[' && i+1 < len(expr) && expr[i+1] == ':':
			// A POSIX class such as [:alnum:] inside a class.
			if k := strings.Index(expr[i:], ":]"); k > 0 {
				b.WriteString(expr[i : i+k+2])
				i += k + 1
				continue
			}
		case inClass && c == ']':
			inClass = false
		case !inClass && c == '[':
			inClass = true
			b.WriteByte(c)
			// A ']' or '^]' right after '[' is a member, not the end.
			if i+1 < len(expr) && expr[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case !inClass && c == '$':
			b.WriteString("(?m:$)")
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// covered reports whether a finding overlaps the 16 bytes from offset h.
func covered(out []Finding, h int) bool {
	for _, f := range out {
		if f.Start < h+16 && h < f.End {
			return true
		}
	}
	return false
}

func lineAt(s string, start, end int) string {
	ls := strings.LastIndexByte(s[:start], '\n') + 1
	le := strings.IndexByte(s[end:], '\n')
	if le < 0 {
		return s[ls:]
	}
	return s[ls : end+le]
}

func (a *allow) allowed(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	if a.and {
		return (len(a.regexes) == 0 || a.regexHit(target)) && (a.stopwords == nil || a.stopwords.in(strings.ToLower(secret)))
	}
	return a.regexHit(target) || a.stopwords != nil && a.stopwords.in(strings.ToLower(secret))
}

// regexHit reports whether one of the allowlist's regexes matches target,
// running only those whose prefilter target meets.
func (a *allow) regexHit(target string) bool {
	var lower string
	ascii := isASCII(target)
	if ascii {
		lower = asciiLower(target)
	}
	for i, re := range a.regexes {
		if ascii && !a.needs[i].met(lower) {
			continue
		}
		if re.Get().MatchString(target) {
			return true
		}
	}
	return false
}

// placeholders are documentation values that must never be reported.
var placeholders = []string{
	"akiaiosfodnn7example",
	"wjalrxutnfemi/k7mdeng/bpxrficyexamplekey",
	"example", "your-api-key", "your_api_key", "yourapikey", "your-token", "your_token",
	"your-secret", "your_secret", "placeholder",
	// "…AccessTokenHere", "api_key_here": the slot to fill in.
	"tokenhere", "token_here", "token-here", "keyhere", "key_here", "key-here",
	"secrethere", "secret_here", "secret-here", "xxxxxxxx", "********", "<redacted>", "redacted",
	// The TOTP seed of the Key Uri Format documentation (Google
	// Authenticator's wiki), copied into countless MFA guides.
	"jbswy3dpehpk3pxp",
	// The HS256 example tokens of jwt.io (secrets "your-256-bit-secret"
	// and "a-string-secret-at-least-256-bits-long"), quoted by every JWT
	// tutorial and library test.
	strings.ToLower("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
	strings.ToLower("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30"),
}

// publicPrefixes start keys that a vendor issues to be shipped in web
// pages: Stripe's publishable keys and Mapbox's public tokens. A generic
// key = value rule would otherwise mask them in every front-end file.
// Their secret counterparts (sk_live_, sk.eyJ) differ in the prefix.
// Supabase's publishable keys (sb_publishable_) are the same kind;
// their secret keys begin sb_secret_.
// PostHog's project keys (phc_) are its write-only ingestion keys, made
// for the page's own script; its personal keys (phx_) are secrets.
var publicPrefixes = []string{"pk_live_", "pk_test_", "pk.eyJ", "sb_publishable_", "phc_"}

// mnemonicLength reports whether a run of words the bip39-mnemonic rule
// found has a length a BIP-39 seed phrase has: 12, 15, 18, 21 or 24
// words (128 to 256 bits of entropy). A run of another length is a
// sentence, not a wallet's seed.
func mnemonicLength(run string) bool {
	n := len(strings.Fields(run))
	return n >= 12 && n <= 24 && n%3 == 0
}

func publicKey(secret string) bool {
	for _, p := range publicPrefixes {
		if strings.HasPrefix(secret, p) {
			return true
		}
	}
	return false
}

func placeholder(secret string) bool {
	ls := strings.ToLower(secret)
	for _, p := range placeholders {
		if strings.Contains(ls, p) {
			return true
		}
	}
	return false
}

// maskedAfter reports whether the text after a candidate starts with a
// run of '#' or '*': the rest of the value masked
// (xoxp-572370529330-573807301142-572331691188-####…), so what matched
// is a token's shown head, not the token.
func maskedAfter(rest string) bool {
	return strings.HasPrefix(rest, "###") || strings.HasPrefix(rest, "***")
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if len(s) < 256 {
		return shortEntropy(s)
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// shortEntropy is entropy for s shorter than 256 bytes (most
// candidates): its counts fit a byte, and the bytes that occur are kept
// in a bitmap, so only they are summed, not all 256 counts. They are
// summed in the same order, by byte value, so the result is the same to
// the last bit (a floor is compared with <=).
func shortEntropy(s string) float64 {
	var counts [256]uint8
	var seen [4]uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		counts[c]++
		seen[c>>6] |= 1 << (c & 63)
	}
	n := float64(len(s))
	h := 0.0
	for k, m := range seen {
		for ; m != 0; m &= m - 1 {
			p := float64(counts[k<<6|bits.TrailingZeros64(m)]) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// hexFloor is the entropy floor of a long hexadecimal secret. Rules set
// their floors for keys of many letters; hex has 16, at most 4 bits a
// byte, and one random 32-digit hex key in five falls under gitleaks'
// 3.5 (a Datadog or Twilio key, a Linode token) while a key below 3.0
// is a one-in-several-thousand draw. The lower floor only lets such
// draws through: a hex value the rule finds at 3.5 it found before.
const hexFloor = 3.0

// entropyFloor is the floor a rule's candidate must reach: the rule's
// own, or hexFloor for a hex run of 32 digits or more.
func entropyFloor(floor float64, secret string) float64 {
	if floor <= hexFloor || floor >= 4 || len(secret) < 32 {
		return floor // a floor of 4 bits keeps hex out on purpose (prose-secret)
	}
	lower, upper := false, false
	for i := 0; i < len(secret); i++ {
		switch c := secret[i]; {
		case '0' <= c && c <= '9':
		case 'a' <= c && c <= 'f':
			lower = true
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return floor
		}
	}
	if lower && upper {
		return floor // mixed case is no hex encoding
	}
	return hexFloor
}

// repeatedGroups returns, by capture index, whether a group sits inside
// a repetition that can match it more than once (*, +, {n,m}); nil when none does or expr does not
// parse (Load reports that).
func repeatedGroups(expr string) []bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var out []bool
	var walk func(r *syntax.Regexp, rep bool)
	walk = func(r *syntax.Regexp, rep bool) {
		switch r.Op {
		case syntax.OpStar, syntax.OpPlus:
			rep = true
		case syntax.OpRepeat:
			rep = rep || r.Max != 1 // {0,1} is an optional group, whole when it matches
		case syntax.OpCapture:
			if rep {
				for len(out) <= r.Cap {
					out = append(out, false)
				}
				out[r.Cap] = true
			}
		}
		for _, sub := range r.Sub {
			walk(sub, rep)
		}
	}
	walk(re, false)
	return out
}

// generic ranks the catch-all rule after provider rules, so a mask names
// the most specific rule that matched.
func generic(id string) int {
	if strings.HasPrefix(id, "generic") {
		return 1
	}
	return 0
}

// Redact masks each finding and every other occurrence of its text.
func (e *Engine) Redact(text string) (string, []Finding) {
	m := e.Masker()
	fs := m.Learn(text)
	if len(fs) == 0 {
		return text, nil
	}
	out, _ := m.Mask(text)
	return out, fs
}
