package injectguard

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Character classes that hide text or change its order.
func isZeroWidth(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E:
		return true
	}
	return r >= 0x2061 && r <= 0x2064 || r >= 0xFFF9 && r <= 0xFFFB
}

func isBidi(r rune) bool { return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 }
func isTag(r rune) bool  { return r >= 0xE0000 && r <= 0xE007F }
func isVS(r rune) bool   { return r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0100 && r <= 0xE01EF }

// hidden is what forms a run of invisible characters. Variation
// selectors are counted apart: one after a visible character is how
// emoji and CJK variants are written.
func hidden(r rune) bool { return isZeroWidth(r) || isBidi(r) || isTag(r) }

// pictographic is an over-approximation of the emoji a zero-width joiner
// may join (ZWJ sequences such as 👨‍👩‍👧, 🏳️‍🌈, 🏃‍♀️, 👩🏽‍💻).
func pictographic(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2190 && r <= 0x21FF || r >= 0x2300 && r <= 0x23FF ||
		r >= 0x2600 && r <= 0x27BF || r >= 0x2B00 && r <= 0x2BFF || r == 0x00A9 || r == 0x00AE ||
		r == 0x203C || r == 0x2049 || r == 0x2122 || r == 0x2139 || r == 0x3030 || r == 0x303D ||
		r == 0x3297 || r == 0x3299 || r == 0x20E3
}

// complexLetter is a letter or mark of a script beyond Latin, Greek
// and Cyrillic, where ZWJ and ZWNJ shape words (Persian, Arabic, Indic
// scripts) and ZWSP marks word breaks (Thai, Khmer, Myanmar, CJK).
func complexLetter(r rune) bool {
	return r >= 0x0590 && (unicode.IsLetter(r) || unicode.IsMark(r))
}

func cjk(r rune) bool {
	return r >= 0x3400 && r <= 0x4DBF || r >= 0x4E00 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF ||
		r >= 0x20000 && r <= 0x3134F
}

// rtl is a letter of a right-to-left script.
func rtl(r rune) bool {
	return r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFC ||
		r >= 0x10800 && r <= 0x10FFF || r >= 0x1E800 && r <= 0x1EFFF
}

func asciiGraphic(r rune) bool { return r > 0x20 && r < 0x7f }

// scanRunes finds invisible characters that smuggle or reorder text.
func scanRunes(text string, out []Finding) []Finding {
	hasRTL := -1 // unknown until a bidi isolate needs it
	base := rune(-1)
	prevVS := false
	vsStart, vsCount := 0, 0
	runStart := -1
	flushVS := func(end int) {
		if vsCount >= 2 {
			out = append(out, Finding{Kind: KindVariation, Start: vsStart, End: end, Control: true,
				Detail: fmt.Sprintf("%d variation selectors in a row", vsCount)})
		}
		vsCount = 0
	}
	for i, r := range text {
		if isVS(r) {
			if !prevVS {
				vsStart = i
			}
			vsCount++
			prevVS = true
			if vsCount == 1 && r >= 0xE0100 && !cjk(base) {
				// A supplementary selector belongs after an ideograph.
				out = append(out, Finding{Kind: KindVariation, Start: i, End: i + utf8.RuneLen(r), Control: true,
					Detail: fmt.Sprintf("variation selector U+%04X after U+%04X", r, max(base, 0))})
			}
			continue
		}
		if prevVS {
			flushVS(i)
			prevVS = false
		}
		if hidden(r) {
			if runStart < 0 {
				runStart = i
			}
			continue
		}
		if runStart >= 0 {
			if hasRTL < 0 && hasBidiIsolate(text[runStart:i]) {
				hasRTL = boolInt(containsRTL(text))
			}
			out = judgeRun(text, runStart, i, base, r, hasRTL == 1, out)
			runStart = -1
		}
		base = r
	}
	if prevVS {
		flushVS(len(text))
	}
	if runStart >= 0 {
		if hasRTL < 0 && hasBidiIsolate(text[runStart:]) {
			hasRTL = boolInt(containsRTL(text))
		}
		out = judgeRun(text, runStart, len(text), base, -1, hasRTL == 1, out)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hasBidiIsolate(s string) bool {
	for _, r := range s {
		if isBidi(r) && r != 0x202D && r != 0x202E {
			return true
		}
	}
	return false
}

func containsRTL(s string) bool {
	for _, r := range s {
		if rtl(r) {
			return true
		}
	}
	return false
}

// judgeRun decides about the run text[start:end] of hidden characters
// between the visible runes prev and next (-1 at either end of text).
func judgeRun(text string, start, end int, prev, next rune, rtlText bool, out []Finding) []Finding {
	run := text[start:end]
	n := utf8.RuneCountInString(run)
	var tags, bidi, overrides, zw int
	for _, r := range run {
		switch {
		case isTag(r):
			tags++
		case isBidi(r):
			bidi++
			if r == 0x202D || r == 0x202E {
				overrides++
			}
		default:
			zw++
		}
	}
	add := func(kind, detail string) []Finding {
		return append(out, Finding{Kind: kind, Start: start, End: end, Control: true, Detail: detail})
	}
	switch {
	case tags > 0:
		if tags == n && flagTags(run, prev) {
			return out
		}
		return add(KindTag, fmt.Sprintf("%d invisible tag characters (hidden ASCII)", tags))
	case overrides > 0:
		return add(KindBidi, "bidi override reorders the text a reader sees")
	case bidi > 0 && !rtlText:
		return add(KindBidi, "bidi isolate or embedding in text without a right-to-left script")
	case zw == 0:
		return out
	case n >= 2:
		return add(KindZeroWidth, fmt.Sprintf("%d invisible characters in a row", n))
	}
	r, _ := utf8.DecodeRuneInString(run)
	switch {
	case r == 0xFEFF && start == 0:
		return out // byte order mark
	case r == 0x200D && pictographic(prev) && pictographic(next):
		return out // emoji ZWJ sequence
	case (r == 0x200C || r == 0x200D) && (complexLetter(prev) || complexLetter(next)):
		return out // Persian, Arabic and Indic shaping
	case r >= 0x2061 && r <= 0x2064 || r >= 0xFFF9 && r <= 0xFFFB || r == 0x180E:
		return add(KindZeroWidth, fmt.Sprintf("invisible character U+%04X", r))
	case asciiGraphic(prev) && asciiGraphic(next):
		return add(KindZeroWidth, fmt.Sprintf("invisible character U+%04X splits a word", r))
	}
	return out
}

// flagTags reports whether run is the tag sequence of a subdivision flag
// (🏴 followed by a few lower-case letters or digits and CANCEL TAG).
func flagTags(run string, prev rune) bool {
	if prev != 0x1F3F4 {
		return false
	}
	n := 0
	last := rune(0)
	for _, r := range run {
		n++
		last = r
		if r != 0xE007F && !(r >= 0xE0061 && r <= 0xE007A || r >= 0xE0030 && r <= 0xE0039) {
			return false
		}
	}
	return last == 0xE007F && n >= 3 && n <= 8
}
