package secrets

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
)

// This file keeps the matching path as it was before the speed work of
// 2026-11-26 (pair-table prefilter over a lowered copy, hits sorted by
// rule, anchored regexes on the whole window after a hit, byte-by-byte
// encoded-run and zero-width scans, the old base64 decoder, allowlist
// regexes and stopwords tried one by one without prefilters), so the
// tests can check that the fast path reports exactly the same findings
// (TestFastPathMatchesReference, FuzzFastPathMatchesReference).

type refIndex struct {
	pairIdx [1 << 16]uint16
	pairs   [][]int
}

var refIndexes sync.Map // *Engine → *refIndex

func (e *Engine) refIdx() *refIndex {
	if v, ok := refIndexes.Load(e); ok {
		return v.(*refIndex)
	}
	x := &refIndex{}
	for ki, kw := range e.keywords {
		p := uint16(kw[0])<<8 | uint16(kw[1])
		if x.pairIdx[p] == 0 {
			x.pairs = append(x.pairs, nil)
			x.pairIdx[p] = uint16(len(x.pairs))
		}
		x.pairs[x.pairIdx[p]-1] = append(x.pairs[x.pairIdx[p]-1], ki)
	}
	v, _ := refIndexes.LoadOrStore(e, x)
	return v.(*refIndex)
}

func (e *Engine) refScan(text string) []Finding {
	plain, zw := refStripZeroWidth(text)
	var out []Finding
	add := func(f Finding) {
		f.Start, f.End = zw.orig(f.Start), zw.orig(f.End-1)+1
		out = append(out, f)
	}
	for _, f := range e.refScanPlain(plain) {
		add(f)
	}
	for _, f := range e.refScanEncoded(plain) {
		add(f)
	}
	for _, f := range e.scanFolded(plain) {
		add(f)
	}
	for _, f := range e.scanViews(plain) {
		add(f)
	}
	if e.foldLabels {
		for _, f := range e.refScanLabels(plain) {
			add(f)
		}
	}
	if e.backwards {
		runs := tokenRuns(plain)
		for _, f := range e.scanReversed(plain, runs, e.refScanPlain) {
			add(f)
		}
		for _, f := range e.scanRot13(plain, runs, e.refScanPlain) {
			add(f)
		}
		for _, f := range e.scanSplit(plain, e.refScanPlain, e.refScanEncoded) {
			add(f)
		}
		for _, f := range e.scanRows(plain, e.refScanPlain, e.refScanEncoded) {
			add(f)
		}
		for _, f := range scanGrouped(plain, e.refScanPlain) {
			add(f)
		}
		for _, f := range e.scanRadix(plain, func(dec string) []Finding { return append(e.refScanPlain(dec), e.refScanEncoded(dec)...) }) {
			add(f)
		}
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), strings.Compare(a.RuleID, b.RuleID))
	})
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b })
}

func (e *Engine) refScanPlain(s string) []Finding {
	if len(s) == 0 {
		return nil
	}
	x := e.refIdx()
	lower := asciiLower(s)
	var pairs []ruleHit
	for i := 0; i+1 < len(lower); i++ {
		pi := x.pairIdx[uint16(lower[i])<<8|uint16(lower[i+1])]
		if pi == 0 {
			continue
		}
		for _, ki := range x.pairs[pi-1] {
			if strings.HasPrefix(lower[i:], e.keywords[ki]) {
				for _, ri := range e.kwRules[ki] {
					pairs = append(pairs, ruleHit{ri, i})
				}
			}
		}
	}
	hits := groupHits(pairs)
	var out []Finding
	seen := map[span]bool{}
	run := func(r *rule, w span) {
		sub := s[w.start:w.end]
		for _, m := range r.re.Get().FindAllStringSubmatchIndex(sub, -1) {
			if f, ok := e.refCheck(r, s, w.start, m, w.start+m[0]); ok {
				k := span{f.Start, f.End}
				if !seen[k] {
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
	gated := map[int]bool{} // gate entries with hits
	for _, g := range hits {
		if len(g.offs) > 0 {
			gated[g.rule] = true
		}
	}
	for _, g := range hits {
		ri, rh := g.rule, g.offs
		r := e.rules[ri]
		if r.gateOnly || r.gate != 0 && !gated[r.gate] {
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
			if r.backstop && covered(out, h) || !a.boundaryOK(s, h) || a.needsOp && !opNear(s, h) {
				continue
			}
			m := a.re.Get().FindStringSubmatchIndex(s[h:min(len(s), h+r.after)])
			if m == nil {
				continue
			}
			if f, ok := e.refCheck(r, s, h, m, a.matchStart(s, h)); ok && !seen[span{f.Start, f.End}] {
				seen[span{f.Start, f.End}] = true
				out = append(out, f)
			}
		}
	}
	for _, g := range hits {
		if g.rule == e.columns && len(g.offs) > 0 {
			out = append(out, e.scanColumns(s, g.offs)...)
		}
	}
	return out
}

func (e *Engine) refCheck(r *rule, s string, base int, m []int, matchStart int) (Finding, bool) {
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
	if r.entropy > 0 && entropy(secret) <= entropyFloor(r.entropy, secret) {
		return Finding{}, false
	}
	if placeholder(secret) || publicKey(secret) || maskWord(secret) || e.global.refAllowed(secret, "", "") || unsignedJWT(secret) {
		return Finding{}, false
	}
	match := s[matchStart : base+m[1]]
	if generic(r.id) == 1 && publicSetting(match) {
		return Finding{}, false
	}
	for _, a := range r.allows {
		if a.refAllowed(secret, match, lineAt(s, matchStart, base+m[1])) {
			return Finding{}, false
		}
	}
	sum := sha256.Sum256([]byte(secret))
	return Finding{RuleID: r.id, Start: ss, End: se, Hash: hex.EncodeToString(sum[:])}, true
}

func (a *allow) refAllowed(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	reHit, swHit := false, false
	for _, re := range a.regexes {
		if re.Get().MatchString(target) {
			reHit = true
			break
		}
	}
	var stopwords []string
	if a.stopwords != nil {
		stopwords = a.stopwords.list
	}
	if len(stopwords) > 0 {
		ls := strings.ToLower(secret)
		for _, w := range stopwords {
			if strings.Contains(ls, w) {
				swHit = true
				break
			}
		}
	}
	if a.and {
		return (len(a.regexes) == 0 || reHit) && (len(stopwords) == 0 || swHit)
	}
	return reHit || swHit
}

func (e *Engine) refScanEncoded(s string) []Finding { return e.refScanEncodedAt(s, 1) }

// refDecoded is what the rules find in dec, and, above the deepest level,
// in what dec itself decodes to.
func (e *Engine) refDecoded(dec string, depth int) []Finding {
	fs := e.refScanPlain(dec)
	if depth < maxDecodeDepth {
		fs = append(fs, e.refScanEncodedAt(dec, depth+1)...)
	}
	return fs
}

func (e *Engine) refScanEncodedAt(s string, depth int) []Finding {
	var out []Finding
	for i := 0; i < len(s); {
		if !isB64(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isB64(s[j]) {
			j++
		}
		if j-i >= minEncoded {
			for pi, pj := range padded(s, i, j) {
				if dec, ok := refDecodeB64Any(s[pi:pj], depth); ok {
					for _, f := range e.refDecoded(dec, depth) {
						f.Start, f.End = pi, pj
						out = append(out, f)
					}
				}
				if f, ok := botToken(s, pi, pj); ok {
					out = append(out, f)
				}
			}
			// and each '/'-separated segment of a run that has one
			if segs := strings.Split(s[i:j], "/"); len(segs) > 1 {
				at := i
				for _, seg := range segs {
					if len(seg) >= minEncoded {
						if dec, ok := refDecodeB64Any(seg, depth); ok {
							for _, f := range e.refDecoded(dec, depth) {
								f.Start, f.End = at, at+len(seg)
								out = append(out, f)
							}
						}
					}
					at += len(seg) + 1
				}
			}
		}
		i = j
	}
	for i, j := range hexRuns(s) { // the same on both paths
		if dec, ok := decodeHex(s[i:j]); ok {
			for _, f := range e.refDecoded(dec, depth) {
				f.Start, f.End = i, j
				out = append(out, f)
			}
		}
	}
	for _, b := range refWrapped(s) {
		n := len(out)
		decodeWrapped(refJoined(s, b), depth, func(dec string) {
			for _, f := range e.refDecoded(dec, depth) {
				f.Start, f.End = b.start, b.end
				if !fromLine(out[:n], b, f) {
					out = append(out, f)
				}
			}
		})
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
		st, en := p, p
		for st > 0 && s[st-1] > ' ' {
			st--
		}
		for en < len(s) && s[en] > ' ' {
			en++
		}
		dec, offs := decodePercent(s[st:en])
		for _, f := range e.refScanPlain(dec) {
			end := en
			if f.End < len(offs) {
				end = st + offs[f.End]
			}
			f.Start, f.End = st+offs[f.Start], end
			out = append(out, f)
		}
		if depth < maxDecodeDepth {
			for _, f := range e.refScanEncodedAt(dec, depth+1) {
				f.Start, f.End = st, en
				out = append(out, f)
			}
		}
		i = en
	}
	return out
}

func refStripZeroWidth(s string) (string, zwMap) {
	var b strings.Builder
	var m zwMap
	cum, last := 0, 0
	for i := 0; i+1 < len(s); i++ {
		n := invisibleAt(s, i)
		if n == 0 {
			continue
		}
		b.WriteString(s[last:i])
		cum += n
		if k := len(m); k > 0 && m[k-1].at == b.Len() {
			m[k-1].cum = cum
		} else {
			m = append(m, struct{ at, cum int }{b.Len(), cum})
		}
		last = i + n
		i += n - 1
	}
	if m == nil {
		return s, nil
	}
	b.WriteString(s[last:])
	return b.String(), m
}

type ruleHit struct{ rule, off int }

type ruleHits struct {
	rule int
	offs []int // ascending, distinct
}

// groupHits groups keyword hits by rule, in rule order.
func groupHits(pairs []ruleHit) []ruleHits {
	if len(pairs) == 0 {
		return nil
	}
	slices.SortStableFunc(pairs, func(a, b ruleHit) int { return cmp.Compare(a.rule, b.rule) })
	var out []ruleHits
	for _, p := range pairs {
		if n := len(out); n > 0 && out[n-1].rule == p.rule {
			if o := out[n-1].offs; o[len(o)-1] != p.off {
				out[n-1].offs = append(o, p.off)
			}
			continue
		}
		out = append(out, ruleHits{p.rule, []int{p.off}})
	}
	return out
}

// refDecodeB64Any tries gzip and UTF-16LE on every run of the text that
// is not text, where decodeB64Any tries each only after the run's first
// bytes.
func refDecodeB64Any(s string, depth int) (string, bool) {
	if dec, ok := refDecodeB64(s); ok || depth > 1 {
		return dec, ok
	}
	if len(s) < 16 {
		return "", false
	}
	if dec, ok := inflateB64(s); ok {
		return dec, true
	}
	return narrowB64(s)
}

func refDecodeB64(s string) (string, bool) {
	t := strings.TrimRight(s, "=")
	var enc *base64.Encoding
	if strings.ContainsAny(t, "-_") {
		if strings.ContainsAny(t, "+/") {
			return "", false
		}
		enc = base64.RawURLEncoding
	} else {
		enc = base64.RawStdEncoding
	}
	if strings.IndexByte(t, '=') >= 0 || len(t)%4 == 1 {
		return "", false
	}
	dec, err := enc.DecodeString(t)
	if err != nil || len(dec) < 8 {
		return "", false
	}
	printable := 0
	for _, c := range dec {
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' {
			printable++
		}
	}
	if printable*10 < len(dec)*9 {
		return "", false
	}
	return string(dec), true
}

// refScanLabels is scanLabels walking every byte: each maximal run of
// letters, digits and '-' that a dot ends is a label.
func (e *Engine) refScanLabels(s string) []Finding {
	var out []Finding
	for i := 0; i < len(s); {
		j := i
		lower := false
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			lower = lower || 'a' <= s[j] && s[j] <= 'z'
			j++
		}
		if j-i >= minLabel && j < len(s) && s[j] == '.' && lower && !hasUpper(s[i:j]) && twoLabelsAfter(s, j) {
			for _, f := range e.refScanPlain(strings.ToUpper(s[i:j])) {
				f.Start, f.End = i+f.Start, i+f.End
				out = append(out, f)
			}
		}
		i = j + 1
	}
	return append(out, e.refScanJoinedLabels(s)...)
}

// refScanJoinedLabels is scanJoinedLabels walking every byte.
func (e *Engine) refScanJoinedLabels(s string) []Finding {
	var out []Finding
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j, dots := i, 0
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-' || s[j] == '.' && j+1 < len(s) && isAlnum(s[j+1])) {
			if s[j] == '.' {
				dots++
			}
			j++
		}
		if dots > 0 && j-i-dots >= 2*minEncoded {
			joined := strings.ReplaceAll(s[i:j], ".", "")
			for _, f := range e.refScanEncoded(joined) {
				f.Start, f.End = i, j
				out = append(out, f)
			}
		}
		if dots > 0 {
			for _, f := range base32Name(s[i:j], e.refScanPlain) {
				f.Start, f.End = i, j
				out = append(out, f)
			}
			for _, f := range radixName(s[i:j], j-i-dots, e.refScanPlain) {
				f.Start, f.End = i, j
				out = append(out, f)
			}
		}
		i = j + 1
	}
	return out
}

// refWrapped is wrapFinder reading the text line by line: each line that
// is white space and one run of base64 bytes, and the lines after it
// with the same white space and a run as wide, and one narrower.
func refWrapped(s string) []wrapBlock {
	var out []wrapBlock
	var cur wrapBlock
	end := func() {
		if cur.lines >= 2 {
			out = append(out, cur)
		}
		cur = wrapBlock{}
	}
	for ls := 0; ls < len(s); {
		le, next := len(s), len(s)
		if k := strings.IndexByte(s[ls:], '\n'); k >= 0 {
			le, next = ls+k, ls+k+1
		}
		body := strings.TrimRight(s[ls:le], "\r")
		if len(body) < le-ls-1 { // more than one CR
			body = s[ls:le]
		}
		rest := strings.TrimLeft(body, " \t")
		indent := body[:len(body)-len(rest)]
		run := rest != "" && strings.IndexFunc(rest, func(r rune) bool { return r > 0x7F || !isB64(byte(r)) }) < 0
		start := ls + len(indent)
		switch {
		case run && cur.lines > 0 && !cur.short && indent == cur.indent && len(rest) <= cur.width:
			cur.end = start + len(rest)
			cur.lines++
			cur.short = len(rest) < cur.width
		default:
			end()
			if run && len(rest) >= minEncoded {
				cur = wrapBlock{start: start, end: start + len(rest), indent: indent, width: len(rest), lines: 1}
			}
		}
		ls = next
	}
	end()
	return out
}

// refJoined is wrapBlock.joined keeping every base64 byte of the block.
func refJoined(s string, b wrapBlock) string {
	var buf []byte
	for k := b.start; k < b.end; k++ {
		if isB64(s[k]) {
			buf = append(buf, s[k])
		}
	}
	return string(buf)
}
