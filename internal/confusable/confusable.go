// Package confusable folds look-alike characters (Cyrillic, Greek and
// Armenian letters that imitate Latin ones, fullwidth and other
// compatibility forms) to what they imitate: for reading text that hides
// an instruction behind look-alike letters, and for comparing names that
// imitate each other.
package confusable

import (
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
