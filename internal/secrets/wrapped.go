package secrets

// Encoders wrap what they write: xxd -p at 60 hex digits a line, base64(1)
// and MIME at 76 characters, openssl and PEM at 64. A key whose encoding
// runs over a line break is whole in no line's decoding (a 40-byte token
// in hex at 30 bytes a line always is), and each line alone decodes to a
// piece no rule knows. The lines of such a block are joined and decoded
// as one run, in results and arguments alike: lines that hold nothing
// but one run of base64 or hex bytes each, after the same indentation,
// every one as wide as the first but the last, which may be shorter.
// Ordinary text rarely has them: a line of words has spaces in it, and a
// column of hashes or ids joined decodes to binary, as each did alone.

// wrapBlock is a block of wrapped lines: s[start:end] runs from the
// first line's run to the last line's.
type wrapBlock struct {
	start, end int
	indent     string // the white space before each line's run
	width      int    // the first line's run: every line but the last is as wide
	next       int    // where the line after the block's last starts
	lines      int
	short      bool // the last line is narrower: the block is closed
}

// wrapFinder gathers the blocks of wrapped lines from the base64 runs of
// a text, fed in order (b64Runs): a run that fills its line continues
// the block of the line before it, or starts one.
type wrapFinder struct {
	cur    wrapBlock
	blocks []wrapBlock
}

// add feeds the run s[i:j]. With no block being read, a run that ends
// inside its line (a byte above CR after it; addLine tells the rest
// apart) or ends the text starts none: settled inline, as most are.
func (w *wrapFinder) add(s string, i, j int) {
	if w.cur.lines == 0 && (j == len(s) || s[j] > '\r') {
		return
	}
	w.addLine(s, i, j)
}

// addLine is add's slow path: a run that ends its line or the text, or
// any run while a block is read.
func (w *wrapFinder) addLine(s string, i, j int) {
	c := &w.cur
	indent, next, ok := wholeLine(s, i, j)
	if ok && c.lines > 0 && !c.short && c.next == i-len(indent) && indent == c.indent && j-i <= c.width {
		c.end, c.next = j, next
		c.lines++
		c.short = j-i < c.width
		return
	}
	if c.lines > 0 {
		w.flush(s)
	}
	if ok {
		w.cur = wrapBlock{start: i, end: j, indent: indent, width: j - i, next: next, lines: 1}
	}
}

// flush ends the block being read. A last line too short to be a run of
// its own (under minEncoded bytes) is looked for after it.
func (w *wrapFinder) flush(s string) {
	c := &w.cur
	if c.lines == 0 {
		return
	}
	if !c.short && c.next < len(s) && len(s)-c.next > len(c.indent) && s[c.next:c.next+len(c.indent)] == c.indent {
		p := c.next + len(c.indent)
		q := p
		for q < len(s) && q-p < c.width && isB64(s[q]) {
			q++
		}
		if _, _, ok := wholeLine(s, p, q); ok && q > p && q-p < c.width {
			c.end = q
			c.lines++
		}
	}
	if c.lines >= 2 {
		w.blocks = append(w.blocks, *c)
	}
	c.lines = 0
}

// done returns the blocks of two lines or more.
func (w *wrapFinder) done(s string) []wrapBlock {
	if w.cur.lines > 0 {
		w.flush(s)
	}
	return w.blocks
}

// wholeLine reports whether the run s[i:j] is all its line holds after
// white space (spaces and tabs), which it returns, and where the next
// line starts (len(s) at the end of the text).
func wholeLine(s string, i, j int) (indent string, next int, ok bool) {
	ls := i
	for ls > 0 && (s[ls-1] == ' ' || s[ls-1] == '\t') {
		ls--
	}
	if ls > 0 && s[ls-1] != '\n' {
		return "", 0, false
	}
	e := j
	if e < len(s) && s[e] == '\r' {
		e++
	}
	if e < len(s) {
		if s[e] != '\n' {
			return "", 0, false
		}
		e++
	}
	return s[ls:i], e, true
}

// joined returns the block's runs without the line breaks and the
// indentation between them: a line's run is width bytes (the last's may
// be fewer), then CRLF or LF and the indentation.
func (b wrapBlock) joined(s string) string {
	buf := make([]byte, 0, b.end-b.start)
	for p := b.start; p < b.end; {
		q := min(p+b.width, b.end)
		buf = append(buf, s[p:q]...)
		if q < b.end && s[q] == '\r' {
			q++
		}
		p = q + 1 + len(b.indent)
	}
	return string(buf)
}

// allHex reports whether s is hex digits only.
func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// decodeWrapped decodes a block's join as scanEncoded decodes a run: as
// base64 and, when it is hex digits only, as hex. Each decoding that is
// text is passed to found.
func decodeWrapped(joined string, depth int, found func(dec string)) {
	if dec, ok := decodeAt(joined, depth); ok {
		found(dec)
	}
	if len(joined) >= minHex && allHex(joined) {
		if dec, ok := decodeHex(joined); ok {
			found(dec)
		}
	}
}

// scanWrapped adds to out (the findings of s's runs so far) what the
// rules find in the blocks of s decoded, at depth as scanEncodedAt, each
// covering its block. What a line's own run holds was found already.
func (e *Engine) scanWrapped(s string, blocks []wrapBlock, depth int, out []Finding) []Finding {
	for _, b := range blocks {
		n := len(out)
		decodeWrapped(b.joined(s), depth, func(dec string) {
			fs := e.scanPlain(dec)
			if depth < maxDecodeDepth {
				fs = append(fs, e.scanEncodedAt(dec, depth+1)...)
			}
			for _, f := range fs {
				f.Start, f.End = b.start, b.end
				if !fromLine(out[:n], b, f) {
					out = append(out, f)
				}
			}
		})
	}
	return out
}

// fromLine reports whether a finding of a block was found already by
// the run of one of its lines (out holds those): the same secret by the
// same rule. Only what the join adds is kept.
func fromLine(out []Finding, b wrapBlock, f Finding) bool {
	for _, g := range out {
		if g.RuleID == f.RuleID && g.Hash == f.Hash && b.start <= g.Start && g.End <= b.end {
			return true
		}
	}
	return false
}
