package injectguard

import (
	"strings"
	"unicode/utf8"
)

// Probe set z34 (2026-11-26): tool results of MCP servers.

// quotedMention reports whether text[start:end], an override phrase, is
// the whole of a quotation: "a README with 'ignore previous
// instructions' made the agent open a PR", OWASP's "inputs such as
// \"ignore previous instructions\"". An issue thread or a search result
// about prompt injection names the phrase; an order goes on after it.
func quotedMention(text string, start, end int) bool {
	if c := text[end-1]; !isLetter(c) {
		return false // a key ("instructions_for_the_assistant":) ends in its colon
	}
	open, _ := utf8.DecodeLastRuneInString(text[:start])
	if !strings.ContainsRune(`'"“‘`+"`", open) {
		return false
	}
	rest := strings.TrimLeft(text[end:], ".,…")
	closeQ, _ := utf8.DecodeRuneInString(rest)
	switch open {
	case '“':
		return closeQ == '”'
	case '‘':
		return closeQ == '’'
	}
	return closeQ == open
}

// wikiWhite is Jira and Confluence wiki markup that colours text white
// ({color:#ffffff}…{color}): the page shows a blank, a model reads it.
var wikiWhite = lazy(`(?is)\{color:\s*(#f{3}|#f{6}|white)\s*\}(.*?)\{color\}`)

// wikiHidden adds a finding for white wiki text that addresses the model
// or gives orders. The caller has found "{color:" in lower (tWikiColor).
func wikiHidden(text, lower string, out []Finding) []Finding {
	for _, m := range wikiWhite.FindAllStringSubmatchIndex(text, -1) {
		hidden := text[m[4]:m[5]]
		if len(hidden) > maxHiddenScanned {
			hidden = hidden[:maxHiddenScanned]
		}
		if addressesModel(hidden) || commands(hidden+"\n") {
			out = append(out, Finding{Kind: KindHiddenHTML, Start: m[0], End: m[1], Detail: "wiki text coloured white holds instructions"})
		}
	}
	return out
}

// unenclose spells the enclosed Latin letters (circled Ⓐ ⓐ, parenthesized
// 🄐, squared 🄰, negative circled 🅐 and negative squared 🅰, which
// chat apps draw as emoji) as ASCII letters. ok is false when text has
// none.
func unenclose(text string) (string, bool) {
	if !strings.Contains(text, "\xF0\x9F\x84") && !strings.Contains(text, "\xF0\x9F\x85") &&
		!strings.Contains(text, "\xF0\x9F\x86") && !strings.Contains(text, "\xE2\x92") && !strings.Contains(text, "\xE2\x93") {
		return text, false
	}
	changed := false
	s := strings.Map(func(r rune) rune {
		var base rune
		switch {
		case r >= 0x24B6 && r <= 0x24CF:
			base = 0x24B6
		case r >= 0x24D0 && r <= 0x24E9:
			base = 0x24D0
		case r >= 0x1F110 && r <= 0x1F129:
			base = 0x1F110
		case r >= 0x1F130 && r <= 0x1F149:
			base = 0x1F130
		case r >= 0x1F150 && r <= 0x1F169:
			base = 0x1F150
		case r >= 0x1F170 && r <= 0x1F189:
			base = 0x1F170
		default:
			return r
		}
		changed = true
		return 'a' + r - base
	}, text)
	return s, changed
}
