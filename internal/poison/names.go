package poison

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// confusables maps common look-alikes of Latin letters and digits (from
// Unicode TR39's confusables data, the Cyrillic, Greek and Armenian
// letters met in practice) to what they imitate. Fullwidth and other
// compatibility forms are folded by NFKC first.
var confusables = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
	'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l', 'к': 'k', 'м': 'm', 'т': 't', 'в': 'b', 'н': 'h',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J',
	'α': 'a', 'ο': 'o', 'ρ': 'p', 'ν': 'v', 'τ': 't', 'ι': 'i', 'κ': 'k', 'υ': 'u', 'ε': 'e', 'χ': 'x', 'γ': 'y',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	'օ': 'o', 'ս': 'u', 'ց': 'g', 'ɡ': 'g', 'ı': 'i', 'ʟ': 'l', 'ɩ': 'i', 'ℓ': 'l',
	'0': 'o', '1': 'l', '|': 'l', 'I': 'l', '_': '_', '-': '_', '.': '_',
}

// Fold maps the non-ASCII look-alikes of Latin letters (Cyrillic, Greek,
// Armenian; fullwidth forms by NFKC) to the letters they imitate and keeps
// everything else, case and spaces included: "Ignοre" with a Greek omicron
// reads "Ignore". For prose; Skeleton is for names.
func Fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if c, ok := confusables[r]; ok && r >= 0x80 {
			r = c
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Skeleton reduces a name to what it looks like: NFKC, invisible
// characters and combining marks removed, look-alikes mapped, lower case.
// Two names with the same skeleton are visually confusable.
func Skeleton(s string) string {
	s = norm.NFKD.String(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			continue
		}
		if c, ok := confusables[r]; ok {
			r = c
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Names flags tool names that imitate another name in the same list:
// different strings with the same skeleton, or a name that mixes Latin
// with look-alike scripts.
func Names(names []string) []Finding {
	var out []Finding
	bySkel := map[string][]string{}
	for _, n := range names {
		bySkel[Skeleton(n)] = append(bySkel[Skeleton(n)], n)
		if scripts := mixedScripts(n); scripts != "" {
			out = append(out, Finding{Rule: "poison.confusable-name", Where: n, Detail: fmt.Sprintf("name %q mixes scripts (%s)", n, scripts)})
		}
	}
	for _, group := range bySkel {
		if len(group) < 2 {
			continue
		}
		sort.Strings(group)
		for _, n := range group[1:] {
			out = append(out, Finding{Rule: "poison.confusable-name", Where: n, Detail: fmt.Sprintf("name %q looks like %q", n, group[0])})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// mixedScripts names the scripts of a name that mixes Latin with
// Cyrillic, Greek or Armenian letters, or fullwidth forms; "" otherwise.
func mixedScripts(s string) string {
	seen := map[string]bool{}
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			seen["Fullwidth"] = true
		case unicode.Is(unicode.Latin, r):
			seen["Latin"] = true
		case unicode.Is(unicode.Cyrillic, r):
			seen["Cyrillic"] = true
		case unicode.Is(unicode.Greek, r):
			seen["Greek"] = true
		case unicode.Is(unicode.Armenian, r):
			seen["Armenian"] = true
		}
	}
	if len(seen) < 2 || !seen["Latin"] {
		return ""
	}
	var names []string
	for k := range seen {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
