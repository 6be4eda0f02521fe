package poison

import (
	"strings"
)

// Probe set 46 (held-out public poisoning data: DVMCP, mcp-poison's
// fixtures, the GenSecAI proof of concept, an attack arena): forms the
// rules elsewhere did not know.
//
//   - an instruction block under a made-up tag: an upper-case name
//     (<GLOBAL>, <GLOBAL_OVERRIDE>) or a name of words that call it a
//     rule (<Mandatory Dev Security Protocol>), opened and closed around
//     an order. Upper-case HTML (<B>, <TABLE>) and placeholders with no
//     closing tag (<URL>) are not blocks;
//   - "do not mention this policy", "do not include this instruction in
//     your visible response", "do not mention the second message to the
//     user": hiding the definition's own order, not a secret's value;
//   - an override label ("SYSTEM OVERRIDE:", "ADMIN OVERRIDE (…):")
//     followed by an order;
//   - a standing order about every command the model runs ("all shell
//     commands you execute must be prefixed with …").
var (
	// A tag's name: an upper-case identifier, or up to six words.
	tagOpen = lazy(`<([A-Z][A-Z0-9_]{2,40}|[A-Za-z][A-Za-z-]*(?:[ _][A-Za-z][A-Za-z-]*){1,5})>`)
	// Words that make a tag's name a rule book.
	ruleName = lazy(`(?i)\b(protocol|policy|directive|mandate|mandatory|override|requirements?|rules?|instructions?|orders?|priority|compliance)\b|(^|_)(OVERRIDE|POLICY|PROTOCOL|DIRECTIVE|MANDATE|GLOBAL|PRIORITY|HIDDEN|SECRET)(_|$)`)
	// An order inside a made-up block.
	blockOrder = lazy(`(?i)\b(must|always|never|do\s+not|don't|before\s+(any|every|using|calling|analy[sz]ing|answering)|hijack|redirect|reroute|intercept|exfiltrat\w*|steal|forward|send|read|bypass|secretly|silently|quietly)\b`)
	// Hiding the definition's own order.
	concealOwn = lazy(`(?i)\b(never|do\s+not|don't)\s+(mention|reveal|disclose)\s+(this|these|the\s+(above|following|second|extra|additional|hidden|previous))\s+((\w+\s+){0,2}(polic(y|ies)|instructions?|steps?|rules?|requirements?|messages?|calls?|actions?|protocols?|directives?|notes?|audits?|checks?)\b)` +
		`|\b(never|do\s+not|don't)\s+(include|put)\s+(this|these|the\s+(above|following))\s+(\w+\s+)?(instructions?|notes?|directives?|polic(y|ies)|text|steps?)\s+in\s+(your|the)\s+(visible\s+|final\s+)?(response|answer|reply|output)` +
		`|\b(never|do\s+not|don't)\s+(mention|reveal|disclose|tell)\s+(this|these|that|the\s+(second|extra|additional|hidden|other))\s+(\w+\s+){0,2}to\s+the\s+(user|human)\b`)
	// "SYSTEM OVERRIDE:", "ADMIN OVERRIDE (provider policy):".
	overrideLabel = lazy(`(?i)\b(system|admin(istrator)?|security|policy|priority|developer|root)\s+override\s*(\([^)\n]{0,80}\))?\s*:`)
	labelOrder    = lazy(`(?i)\b(you\s+)?(must|shall|always|never|do\s+not|don't)\b`)
	// "all shell commands you execute must be prefixed with …".
	everyCommand = lazy(`(?i)\b(all|every|each|any)\s+(\w+\s+)?(commands?|queries|requests|calls|messages|emails)\s+(that\s+)?you\s+(execute|run|send|issue|make|write)\s+(must|should|shall|need\s+to|have\s+to|are\s+to)\s+(always\s+|also\s+)?(be\s+)?(prefixed|prepended|preceded|suffixed|appended|wrapped|followed|routed|redirected|proxied|copied|cc'?d|bcc'?d)\b`)
)

// htmlUpper are HTML element names a description may write in capitals.
var htmlUpper = map[string]bool{"DIV": true, "SPAN": true, "FONT": true, "TABLE": true, "CODE": true, "PRE": true,
	"STRONG": true, "CENTER": true, "BODY": true, "HTML": true, "HEAD": true, "TITLE": true, "SCRIPT": true,
	"STYLE": true, "BLOCKQUOTE": true, "LINK": true, "META": true, "FORM": true, "INPUT": true, "SELECT": true,
	"OPTION": true, "TEXTAREA": true, "BUTTON": true, "LABEL": true, "THEAD": true, "TBODY": true, "NOBR": true,
	"SMALL": true, "BIG": true, "SUB": true, "SUP": true, "KBD": true, "VAR": true, "SAMP": true, "ABBR": true}

// madeUpBlock finds an order under a made-up tag. s holds '<'.
func madeUpBlock(s string) (string, bool) {
	if !strings.Contains(s, "</") {
		return "", false
	}
	for _, m := range tagOpen.FindAllStringSubmatchIndex(s, 8) {
		name := s[m[2]:m[3]]
		if htmlUpper[name] {
			continue
		}
		end := strings.Index(s[m[1]:], "</"+name+">")
		if end < 0 {
			continue
		}
		upper := strings.ToUpper(name) == name && !strings.ContainsRune(name, ' ')
		if !upper && !ruleName.MatchString(name) {
			continue
		}
		if upper && strings.Count(name, "_") == 0 && !ruleName.MatchString(name) {
			// A one-word capital tag (<NOTE>, <EXAMPLE>) is a block only
			// around an order that moves or hides something.
			if !blockMoves.MatchString(s[m[1] : m[1]+end]) {
				continue
			}
		} else if !blockOrder.MatchString(s[m[1] : m[1]+end]) {
			continue
		}
		return "<" + name + ">", true
	}
	return "", false
}

var blockMoves = lazy(`(?i)\b(hijack|redirect|reroute|intercept|exfiltrat\w*|steal|secretly|silently|quietly|attacker)\b|\b(forward|send|read|upload)\b[^.]{0,60}\b(all|every|keys?|secrets?|credentials|passwords?|tokens?)\b`)

// labelOrders adds the findings of the expressions above; l is s in
// lower case.
func labelOrders(s, l string, add func(rule, detail string)) {
	if strings.IndexByte(s, '<') >= 0 {
		if m, ok := madeUpBlock(s); ok {
			add("poison.hidden-block", "instruction block under a made-up tag "+quoteShort(m))
		}
	}
	if strings.Contains(l, "do not") || strings.Contains(l, "never") || strings.Contains(l, "don't") {
		if m := concealOwn.FindString(s); m != "" {
			add("poison.concealment", "tells the model to hide its orders from the user: "+quoteShort(m))
		}
	}
	if strings.Contains(l, "override") {
		if loc := overrideLabel.FindStringIndex(s); loc != nil {
			rest := s[loc[1]:]
			if len(rest) > 240 {
				rest = rest[:240]
			}
			if labelOrder.MatchString(rest) {
				add("poison.role-label", "an override label that gives the model an order: "+quoteShort(s[loc[0]:loc[1]]))
			}
		}
	}
	if strings.Contains(l, " you ") {
		if m := everyCommand.FindString(s); m != "" {
			add("poison.shadowing", "a standing order about every command the model runs: "+quoteShort(m))
		}
	}
}
