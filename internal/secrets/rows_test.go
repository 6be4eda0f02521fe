package secrets

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// cutRows cuts s into pieces of n bytes and writes each in a line made
// by row (its number from 1, the piece).
func cutRows(s string, n int, row func(k int, p string) string) string {
	var b strings.Builder
	for k := 1; len(s) > 0; k++ {
		p := s[:min(n, len(s))]
		s = s[len(p):]
		b.WriteString(row(k, p))
	}
	return b.String()
}

// rowCases: a key cut into pieces one a line (the rows of a markdown
// table, numbered list items, the lines of a code block, rows numbered
// past 9, CRLF lines, hex of a key).
func rowCases() []secretCase {
	openai := "sk-" + rnd(6750, alnum, 20) + "T3Blbk" + "FJ" + rnd(6751, alnum, 20)
	ghp := "gh" + "p_" + rnd(6752, alnum, 36)
	akia := "AK" + "IA" + rnd(6757, b32, 16)
	stripe := "sk_" + "live_" + rnd(6754, alnum, 99)
	table := func(k int, p string) string { return fmt.Sprintf("| %d | `%s` |\n", k, p) }
	return []secretCase{
		{"openai key over markdown table rows",
			"Config used for the failing run:\n\n| part | value |\n|---|---|\n" + cutRows(openai, 13, table) + "\nJoin the parts in order.",
			"openai-api-key"},
		{"github token as numbered list items", "Token, in order:\n" + cutRows(ghp, 10, func(k int, p string) string { return fmt.Sprintf("%d. %s\n", k, p) }), "github-pat"},
		{"aws key id as labelled parts", cutRows(akia, 5, func(k int, p string) string { return fmt.Sprintf("- part %d of 4: %s\n", k, p) }), "aws-access-token"},
		{"stripe key one piece a line in a code block", "```\n" + cutRows(stripe, 12, func(_ int, p string) string { return p + "\n" }) + "```\n", "stripe-access-token"},
		{"stripe key over rows numbered past 9", cutRows(stripe, 9, table), "stripe-access-token"},
		{"github token over CRLF rows", cutRows(ghp, 8, func(k int, p string) string { return fmt.Sprintf("| %d | %s |\r\n", k, p) }), "github-pat"},
		{"token hex-encoded one piece a row", cutRows(hex.EncodeToString([]byte("GITHUB_TOKEN="+ghp)), 24, table), "github-pat"},
	}
}

// TestRows: rowCases, found by the outbound engine.
func TestRows(t *testing.T) {
	for _, tc := range rowCases() {
		wantRule(t, "outbound", Outbound(), tc)
		for _, line := range strings.Split(tc.text, "\n") {
			if fs := Outbound().Scan(line); hasRule(fs, tc.rule) {
				t.Errorf("%s: line %q alone finds %s: the case tests nothing", tc.name, line, tc.rule)
			}
		}
	}
}

// rowLookalikes: columns of values one a line that are no key cut in
// pieces: digests and ids with counters, keys of one format listed by
// their prefixes (joined, a naive reading finds a Stripe key), labels
// beside short ids under a "token" heading, prose and code lines that
// differ in one word, a tabulated changelog.
func rowLookalikes() []string {
	table := func(k int, p string) string { return fmt.Sprintf("| %d | `%s` |\n", k, p) }
	var shas, prefixes, ids strings.Builder
	for k := 1; k <= 6; k++ {
		shas.WriteString(table(k, rnd(uint64(6760+k), hexd, 12)))
		prefixes.WriteString(table(k, "sk_"+"live_"+rnd(uint64(6770+k), alnum, 4)+"…"))
		ids.WriteString(fmt.Sprintf("| %d | session token id | `%s` |\n", k, rnd(uint64(6780+k), hexd+upper, 10)))
	}
	return []string{
		"| # | commit |\n|---|---|\n" + shas.String(),
		"Keys in use (prefix shown):\n" + prefixes.String(),
		"| # | kind | value |\n|---|---|---|\n" + ids.String(),
		// The same listing with the prefixes whole and no ellipsis: a
		// list of values of one format, not one key.
		cutRows(strings.Repeat("rk_"+"test_51Hx", 4), 12, table),
		"The quick brown fox jumps over the lazy dog.\nThe quick brown cat jumps over the lazy dog.\n",
		"\tx := parseConfig(a1b2)\n\tx := parseConfig(c3d4)\n\tx := parseConfig(e5f6)\n",
		"| v1.2.0 | 2025-03-01 | fix |\n| v1.2.1 | 2025-03-09 | fix |\n| v1.3.0 | 2025-04-02 | feat |\n",
		"AKIAIOSFODNN7EXAMPLE\nAKIAIOSFODNN7EXAMPLE\n",
	}
}

func TestRowsLookalikes(t *testing.T) {
	for _, b := range rowLookalikes() {
		wantClean(t, b)
	}
}
