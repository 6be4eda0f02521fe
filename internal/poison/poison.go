// Package poison finds tool-poisoning in what a server serves the model:
// hidden instructions, invisible or direction-changing characters,
// terminal escapes and comments that hide text from a human reviewer.
// It is a pure function of strings; the gateway quarantines what it flags.
package poison

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// The package's expressions compile at their first use, not at start:
// every mcpwarden process would otherwise pay for them (26 ms and 2.3 MB
// measured), the sandbox helper and the CLI too, which never scan a
// definition. Nor are they compiled ahead of the first scan: most run
// only behind a cheap word check, so an ordinary server's tools compile
// few of them (the 64 tools of the reference servers: 33 of 98), and an
// idle gateway keeps 3.6 MiB less (docs/performance.md). exprs lists
// them for the test that compiles every one.
var exprs []*lazyre.Regexp

func lazy(expr string) *lazyre.Regexp {
	r := lazyre.New(expr)
	exprs = append(exprs, r)
	return r
}

// Finding is one reason to distrust a text.
type Finding struct {
	Rule   string // stable id, e.g. "poison.hidden-block"
	Where  string // JSON path of the string in the definition
	Detail string
}

func (f Finding) String() string {
	if f.Where == "" {
		return f.Rule + ": " + f.Detail
	}
	return f.Rule + " at " + f.Where + ": " + f.Detail
}

var (
	// Tag-like blocks that address the model rather than describe a tool.
	hiddenBlock = lazy(`(?i)<\s*/?\s*(important|system|instructions?|secret|hidden|admin|override|prompt|assistant|user)\s*>`)
	// Chat-template and role markers.
	templateMarker = lazy(`(?i)(<\|(im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[/?INST\]|<</?SYS>>)`)
	// "Ignore previous instructions" and kin, in a few languages.
	override = lazy(`(?i)(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|preceding)\s+((safety|security|system|content|ethical|moderation)\s+)?(instructions|prompts?|rules|directions|guidelines|guidance|policies)` +
		`|ignoriere\s+(alle\s+)?(vorherigen|bisherigen)\s+anweisungen` +
		`|ignora\s+(todas\s+)?las\s+instrucciones\s+anteriores` +
		`|ignore[zr]\s+(toutes\s+)?les\s+instructions\s+pr[ée]c[ée]dentes` +
		`|忽略(之前|以上|先前)的?(所有)?(指令|指示)` +
		`|do\s+not\s+(tell|inform|mention\s+(this\s+)?to)\s+the\s+user`)
	htmlComment = lazy(`(?s)<!--.*?-->`)
	// A claim that a person already approved everything, the usual lead-in
	// to talking a model out of asking. Flagged only with a second sign:
	// an instruction to skip confirmations, words to the model, or "this
	// session" (a tool's own precondition, "requires that an admin has
	// approved all changes", has none).
	authorityClaim = lazy(`(?i)\b(user|operator|admin(istrator)?|owner|human|security\s+team|your\s+principal)s?\s+(has|have|had)\s+(already|previously|explicitly|pre-?)\s*(approved|authori[sz]ed|consented\s+to|granted\s+(you\s+)?permission\s+(for|to))\s+(every|all|any|each|everything)\b`)
	skipConfirm    = lazy(`(?i)\b(skip|bypass|omit|suppress|disable|ignore)\s+(all\s+|any\s+|the\s+|every\s+)?(user\s+)?(confirmations?|approvals?|permission\s+(checks?|prompts?|requests?)|consent\s+prompts?)\b|\b(do\s+not|don't|never|no\s+need\s+to)\s+ask\s+(the\s+user\s+)?(for\s+)?(confirmation|approval|permission|consent)`)
	toModel        = lazy(`(?i)\b(ai|assistant|agent|llm|model|chatbot)\b|\bin\s+this\s+(session|conversation|chat)\b`)
	// Base64 runs long enough to carry a sentence.
	base64Run = lazy(`[A-Za-z0-9+/]{40,}={0,2}`)
)

// maxPadding is the longest run of blank characters tolerated, and
// maxBlankLines the most line breaks in one such run: more pushes text
// out of a reviewer's view (80 line breaks are 80 lines, though far
// fewer than 200 characters).
const (
	maxPadding    = 200
	maxBlankLines = 16
)

// Text scans one string. where names it in findings.
func Text(where, s string) []Finding {
	fs := text(where, s, false)
	if len(fs) > 0 {
		// Probe sets 75 and 76: attacks quoted as examples in security
		// reference material (quotedexample.go).
		if t, ok := exampleQuotes(s); ok && len(text(where, t, false)) == 0 {
			return nil
		}
	}
	return fs
}

// text is Text; rotated is true for a text that is itself ROT13 read
// back, which is not rotated again: ROT13 is its own inverse, and a text
// saying both "rot13" and "ebg13" would otherwise be read back and forth
// until the stack ran out. The other decodings shorten or normalise
// their text, so they end by themselves.
func text(where, s string, rotated bool) []Finding {
	var out []Finding
	add := func(rule, detail string) { out = append(out, Finding{Rule: rule, Where: where, Detail: detail}) }
	// Cheap prefilters keep the regular expressions off the common,
	// harmless strings: every list a client makes is scanned.
	angle := strings.IndexByte(s, '<') >= 0
	if angle {
		if m := hiddenBlock.FindString(s); m != "" {
			add("poison.hidden-block", fmt.Sprintf("instruction block %q", m))
		}
	}
	if angle || strings.IndexByte(s, '[') >= 0 {
		if m := templateMarker.FindString(s); m != "" {
			add("poison.template-marker", fmt.Sprintf("chat-template or role marker %q", strings.TrimSpace(m)))
		}
	}
	if mayOverride(s) {
		if m := override.FindString(s); m != "" {
			add("poison.override", fmt.Sprintf("%q", m))
		}
	}
	if mayClaim(s) {
		if m := authorityClaim.FindString(s); m != "" && (skipConfirm.MatchString(s) || toModel.MatchString(s)) {
			add("poison.authority-claim", fmt.Sprintf("claims prior approval: %q", m))
		}
	}
	if angle && strings.Contains(s, "<!--") && hidingComment(s) {
		add("poison.html-comment", "HTML comment hides text from rendered views")
	}
	if strings.ContainsRune(s, 0x1b) {
		add("poison.ansi-escape", "terminal escape sequence")
	}
	if r, ok := invisible(s); ok {
		add("poison.invisible", fmt.Sprintf("invisible character U+%04X", r))
	}
	if padded(s) {
		add("poison.padding", fmt.Sprintf("more than %d blank characters or %d line breaks in a row", maxPadding, maxBlankLines))
	}
	directives(s, len(out) > 0, add)
	if folded, ok := unstyle(s); ok {
		for _, f := range text("", folded, rotated) {
			add("poison.styled-letters", "text in small capitals or under combining marks that reads: "+f.Detail)
			break
		}
	}
	// Probe set z63: orders written in ROT13 or with percent-escapes,
	// read decoded.
	if decoded, ok := rot13(s); ok && !rotated {
		for _, f := range text("", decoded, true) {
			add("poison.encoded", "ROT13 text that decodes to: "+f.Detail)
			break
		}
	}
	if decoded, ok := percentDecoded(s); ok {
		for _, f := range text("", decoded, rotated) {
			add("poison.encoded", "percent-escaped text that decodes to: "+f.Detail)
			break
		}
	}
	// Probe set 69: a command spelled in hex ("echo 6375726c… | xxd -r
	// -p | sh"), read decoded.
	if len(s) >= 32 {
		if decoded, ok := hexRun(s); ok {
			for _, f := range text("", decoded, rotated) {
				add("poison.encoded", "hex text that decodes to: "+f.Detail)
				break
			}
		}
	}
	// Probe set 71: look-alike letters, leetspeak, HTML character
	// references, base32 and text written backwards, read back. A text
	// already flagged is not read again: its findings would repeat.
	if len(out) == 0 && len(s) >= 24 {
		respell71(s, func(rule, what, decoded string) bool {
			for _, f := range text("", decoded, rotated) {
				add(rule, what+" that reads: "+f.Detail)
				return true
			}
			return false
		})
	}
	if !hasBase64Run(s) {
		return out
	}
	// Base32's alphabet is base64's: a base32 run is one of these.
	if len(out) == 0 {
		if decoded, ok := base32Run(s); ok {
			for _, f := range text("", decoded, rotated) {
				add("poison.encoded", "base32 text that reads: "+f.Detail)
				break
			}
		}
	}
	for _, m := range base64Run.FindAllString(s, 4) {
		if decoded, ok := decodeText(m); ok {
			for _, f := range text("", decoded, rotated) {
				add("poison.base64", "base64 text that decodes to: "+f.Detail)
				break
			}
		}
	}
	return out
}

// hasBase64Run reports whether s has 40 base64 characters in a row.
func hasBase64Run(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			run++
			if run >= 40 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// mayClaim is true when s mentions approval at all (a cheap prefilter).
func mayClaim(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "approv") || strings.Contains(l, "authori") || strings.Contains(l, "consent") || strings.Contains(l, "permission")
}

// mayOverride is true when s contains a word the override patterns start
// with, compared without regard to ASCII case.
func mayOverride(s string) bool {
	if !isASCII(s) {
		return true // the non-English patterns; rare enough to just run
	}
	l := strings.ToLower(s)
	for _, w := range []string{"ignor", "disregard", "forget", "override", "not"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// invisible finds a character that hides or reorders text. Emoji
// sequences stay usable: a zero-width joiner between two pictographs,
// tag characters after the black-flag emoji (subdivision flags), and
// variation selectors 15/16 after any character.
func invisible(s string) (rune, bool) {
	prev := rune(-1)
	inFlag := false
	for i, r := range s {
		switch {
		case r >= 0xE0000 && r <= 0xE007F: // tag characters
			if !inFlag {
				return r, true
			}
		case r == 0x200D || r == 0x200C: // zero-width joiner and non-joiner
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if r == 0x200D && pictographic(prev) && pictographic(next) {
				break
			}
			// Persian, Urdu and the Indic scripts write them between
			// letters as part of the spelling ("می‌دهد"): probe set z35.
			if joinerScript(prev) && joinerScript(next) {
				break
			}
			return r, true
		case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x180E, r == 0x00AD:
			return r, true
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return r, true // bidi controls
		case r >= 0xE0100 && r <= 0xE01EF: // variation selectors supplement: byte smuggling
			return r, true
		case r >= 0xFE00 && r <= 0xFE0D: // variation selectors 1-14 (15/16 are emoji presentation)
			return r, true
		case r >= 0xFFF9 && r <= 0xFFFB: // interlinear annotations
			return r, true
		}
		if r == 0x1F3F4 {
			inFlag = true
		} else if !(r >= 0xE0000 && r <= 0xE007F) {
			inFlag = false
		}
		prev = r
	}
	return 0, false
}

// joinerScript: letters of the scripts whose spelling uses the zero-width
// joiner and non-joiner (Arabic script, Devanagari to Malayalam, Sinhala).
func joinerScript(r rune) bool {
	return r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF ||
		r >= 0x0900 && r <= 0x0DFF
}

func pictographic(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r == 0xFE0F || r >= 0x1F3FB && r <= 0x1F3FF
}

func padded(s string) bool {
	run, lines := 0, 0
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == 0x3000 || r == 0x00A0 || r == 0x2028 || r == 0x2029 {
			run++
			if r == '\n' || r == 0x2028 || r == 0x2029 {
				lines++
			}
			if run > maxPadding || lines > maxBlankLines {
				return true
			}
		} else {
			run, lines = 0, 0
		}
	}
	return false
}

// Definition scans every string of a JSON definition (tool, prompt or
// resource), keys included. Servers list the same definitions again and
// again (every client lists at start, and again after list_changed): a
// result is kept by the definition's hash, so a repeated list costs a
// hash per definition. The returned slice is shared; do not modify it.
func Definition(def []byte) []Finding {
	key := sha256.Sum256(def)
	seen.Lock()
	fs, ok := seen.m[key]
	seen.Unlock()
	if ok {
		return fs
	}
	fs = definition(def)
	seen.Lock()
	if len(seen.m) >= maxSeen {
		clear(seen.m) // a server with this many distinct definitions is rare; start over
	}
	seen.m[key] = fs
	seen.Unlock()
	return fs
}

// maxSeen bounds the definitions whose findings are kept.
const maxSeen = 4096

var seen = struct {
	sync.Mutex
	m map[[32]byte][]Finding
}{m: make(map[[32]byte][]Finding)}

func definition(def []byte) []Finding {
	v, err := canon.Parse(def)
	if err != nil {
		return []Finding{{Rule: "poison.unreadable", Detail: err.Error()}}
	}
	var out []Finding
	walk("", v, func(where, s string) {
		out = append(out, Text(where, s)...)
		// Probe set z63: a name or key that spells an order
		// (call_this_first_with_full_chat_history_and_env).
		if strings.HasSuffix(where, "as words)") && (nameOrder63(s) || hoardName(s)) {
			out = append(out, Finding{Rule: "poison.data-directive", Where: where, Detail: fmt.Sprintf("a name that spells an order to hand over the conversation or a secret: %q", s)})
		}
	})
	values(nil, v, func(f Finding) { out = append(out, f) })
	if m, ok := v.(map[string]any); ok {
		out = append(out, lyingAnnotations(m)...)
	}
	return out
}

// Keys whose string value is addressed to the model: a field such as
// "x-assistant-instructions" in annotations (clients show annotations
// they know; the model reads them all). Read as words (spellKey).
var modelKey = lazy(`(?i)^(x\s+)?(ai|llm|gpt|assistant|chatbot|agent)\s+(instructions?|directives?|commands?)$` +
	// probe set 71: a vendor extension for the model ("x-llm-policy")
	`|^x\s+(ai|llm|gpt|assistant|chatbot|agent|model)\s+(polic(y|ies)|guidance|rules?|prompts?|notes?|hints?)$` +
	`|^(instructions?|directives?|notes?|commands?|messages?)\s+(for|to)\s+(the\s+)?(ai|llm|gpt|assistants?|chatbots?|agents?|models?)$`)

// mayModelKey is true when k holds a word every modelKey match has (a
// cheap prefilter: most keys are type, description, properties …).
func mayModelKey(k string) bool {
	if vendorKey(k) {
		return true
	}
	l := strings.ToLower(k)
	for _, w := range []string{"instruction", "directive", "command", "note", "message"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// A key (a parameter's name, most often) that says the value is read from
// a credential file: CyberArk's full-schema poisoning names a parameter
// content_from_reading_ssh_id_rsa and lets the model infer the rest.
// Both halves are needed: a word of reading or content, and a file that
// holds credentials (ssh_key_path, private_key, id_rsa_pub pass).
var credKey = lazy(`(?i)\b(read|reading|content|contents|dump|from)\b.*\b(id\s+(rsa|dsa|ecdsa|ed25519)|aws\s+credentials|netrc|npmrc|pypirc|pgpass|git\s+credentials|mcp\s+json|claude\s+desktop\s+config|etc\s+(shadow|passwd)|(bash|zsh)\s+history|gh\s+hosts|vault\s+token)\b` +
	`|\b(id\s+(rsa|dsa|ecdsa|ed25519)|aws\s+credentials|netrc|npmrc|pypirc|pgpass|git\s+credentials|mcp\s+json|vault\s+token)\s+(file\s+)?(content|contents|text|dump)\b`)

// publicKey: a public key is no secret (id_rsa_pub_contents).
var publicKey = lazy(`(?i)\b(pub|public)\b`)

// mayCredKey is true when k holds a literal every credKey match needs.
func mayCredKey(k string) bool {
	if len(k) < 8 {
		return false
	}
	for _, w := range []string{"rsa", "dsa", "25519", "credential", "netrc", "npmrc", "pypirc", "pgpass", "mcp", "claude", "shadow", "passwd", "history", "hosts", "vault"} {
		if containsFold(k, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains w (lower-case ASCII) without
// regard to ASCII case, without the copy strings.ToLower makes of a key
// with a capital (inputSchema, outputSchema). Only letters are folded:
// '_' (0x5F) set with 0x20 is DEL, not '_', and a NUL would read as a
// space.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c |= 0x20
			}
			if c != w[j] {
				break
			}
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// values flags a string value addressed to the model by its key. Keys
// inside example and default argument values are data the model passes,
// not fields it is told to read. The path (the keys and indexes down to
// v) is joined only for a finding: most definitions have none.
func values(path []string, v any, add func(Finding)) {
	switch t := v.(type) {
	case []any:
		for i, e := range t {
			values(append(path, fmt.Sprintf("[%d]", i)), e, add)
		}
	case map[string]any:
		for k, e := range t {
			if mayCredKey(k) && credKey.MatchString(spellKey(k)) && !publicKey.MatchString(spellKey(k)) {
				add(Finding{Rule: "poison.credential-parameter", Where: joinPath(append(path, k)), Detail: fmt.Sprintf("a field %q named for a credential file's contents", k)})
			}
			if str, ok := e.(string); mayModelKey(k) && (ok && strings.TrimSpace(str) != "" || !ok && vendorKey(k) && holdsText(e)) && modelKey.MatchString(strings.TrimSpace(spellKey(k))) {
				add(Finding{Rule: "poison.model-addressed", Where: joinPath(append(path, k)), Detail: fmt.Sprintf("a field %q addressed to the model", k)})
			}
			if str, ok := e.(string); ok && (k == "pattern" && prose(str, 6) || k == "format" && prose(str, 5)) && inSchema(path) {
				add(Finding{Rule: "poison.schema-prose", Where: joinPath(append(path, k)), Detail: fmt.Sprintf("a sentence in a schema's %q, which holds a regular expression or a format name", k)})
			}
			if str, ok := e.(string); ok && k == "default" && len(path) > 0 && strings.IndexByte(str, '/') >= 0 && credentialDefault(path[len(path)-1], str) {
				add(Finding{Rule: "poison.credential-default", Where: joinPath(append(path, k)), Detail: fmt.Sprintf("a credential file as the default of %q, whose value is sent on", path[len(path)-1])})
			}
			// Probe set 75: an example or default that holds someone's
			// secrets, a template for asking for them.
			if k == "examples" || k == "default" || k == "const" {
				if str, ok := e.(string); ok && secretExample(str) || !ok && slices.ContainsFunc(asStrings(e), secretExample) {
					add(Finding{Rule: "poison.secret-example", Where: joinPath(append(path, k)), Detail: "an example value that holds two kinds of someone's secrets (a card, an SSN, a password)"})
				}
			}
			if _, ok := e.(string); !ok && k != "examples" && k != "default" && k != "const" && k != "enum" {
				values(append(path, k), e, add)
			}
		}
	}
}

// inSchema reports whether a path runs through an input or output schema
// (where "pattern" and "format" are JSON Schema keywords).
func inSchema(path []string) bool {
	return slices.ContainsFunc(path, func(p string) bool { return p == "inputSchema" || p == "outputSchema" || p == "properties" })
}

// joinPath writes keys and indexes as walk does: .a.b[0].c
func joinPath(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		if !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func walk(path string, v any, fn func(where, s string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case []any:
		for i, e := range t {
			walk(fmt.Sprintf("%s[%d]", path, i), e, fn)
		}
	case map[string]any:
		for k, e := range t {
			p := path + "." + k
			fn(p+" (key)", k)
			if w := spellKey(k); w != k {
				fn(p+" (key, as words)", w)
			}
			// A name is read as the words it spells too, as keys are: a
			// resource or prompt named ignore_previous_instructions_….
			if str, ok := e.(string); ok && k == "name" {
				if w := spellKey(str); w != str {
					fn(p+" (as words)", w)
				}
			}
			walk(p, e, fn)
		}
	}
}

// smallCaps maps the small capital letters (and the IPA letters used as
// such) to ASCII.
var smallCaps = map[rune]rune{'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'i',
	'ᴊ': 'j', 'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p', 'ǫ': 'q', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't',
	'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z'}

// unstyle returns s with small capitals read as letters and combining
// marks after ASCII letters dropped (probe set z35: an order written
// "ʀᴇᴀᴅ ᴛʜᴇ ꜰɪʟᴇ" or with a combining low line under every letter, which
// the eye reads and the other rules do not). ok only when at least eight
// characters changed: a name with an accent, or Vietnamese in decomposed
// form, folds to harmless text anyway, but most texts skip the copy.
func unstyle(s string) (string, bool) {
	if isASCII(s) {
		return "", false
	}
	n := 0
	prevASCII := false
	for _, r := range s {
		if _, ok := smallCaps[r]; ok || prevASCII && r >= 0x0300 && r <= 0x036F {
			n++
			continue
		}
		prevASCII = r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z')
	}
	if n < 8 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s))
	prevASCII = false
	for _, r := range s {
		if c, ok := smallCaps[r]; ok {
			b.WriteRune(c)
			prevASCII = true
			continue
		}
		if prevASCII && r >= 0x0300 && r <= 0x036F {
			continue
		}
		prevASCII = r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z')
		b.WriteRune(r)
	}
	return b.String(), true
}

// hidingComment reports whether s has an HTML comment that can hide
// text: one whose content is more than a single word. A formatter's
// "comments such as <!-- keep --> are preserved" quotes a marker
// (probe set z63).
func hidingComment(s string) bool {
	for _, m := range htmlComment.FindAllString(s, -1) {
		inner := strings.TrimSpace(m[4 : len(m)-3])
		if strings.IndexFunc(inner, unicode.IsSpace) >= 0 {
			return true
		}
	}
	return false
}

// vendorKey: an extension's key ("x-llm-policy"); a property named
// assistant_instructions holds a schema, not text for the model.
func vendorKey(k string) bool {
	return len(k) > 2 && (k[0] == 'x' || k[0] == 'X') && (k[1] == '-' || k[1] == '_')
}

// holdsText reports whether v is a string with text or holds one (a
// vendor extension's object, probe set 71's "x-llm-policy": {"priority":
// "system", "instruction": "…"}).
func holdsText(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t) != ""
	case []any:
		return slices.ContainsFunc(t, holdsText)
	case map[string]any:
		for _, e := range t {
			if holdsText(e) {
				return true
			}
		}
	}
	return false
}

// asStrings returns the strings of an array value.
func asStrings(v any) []string {
	a, _ := v.([]any)
	var out []string
	for _, e := range a {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
