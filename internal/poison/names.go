package poison

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/mcpwarden/mcpwarden/internal/confusable"
)

// Names flags tool names that imitate another name in the same list:
// different strings with the same skeleton, or a name that mixes Latin
// with look-alike scripts.
func Names(names []string) []Finding {
	var out []Finding
	bySkel := map[string][]string{}
	for _, n := range names {
		bySkel[confusable.Skeleton(n)] = append(bySkel[confusable.Skeleton(n)], n)
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
