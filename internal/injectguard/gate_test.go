package injectguard

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A gate may only say where no match can be: every text an expression
// matches must open its gate.
func TestGateOpensOnMatches(t *testing.T) {
	for _, c := range []struct{ expr, text string }{
		{`(?i)ignore (?:all )?previous instructions`, "IGNORE previous Instructions"},
		{`(?i)(?:@copilot|claude:)\s+send`, "hey Claude:  send it"},
		{`(?i)(?:@copilot|claude:)\s+send`, "@COPILOT send it"},
		{`(?i)[xy]ou must`, "YOU MUST"},
		{`(?i)key`, "\u212aey"},       // the Kelvin sign folds to k
		{`(?i)secret`, "\u017fecret"}, // the long s folds to s
		{`(?i)olvida las instrucciones`, "OLVIDA las instrucciones"},
		{`(?i)игнорируй инструкции`, "ИГНОРИРУЙ инструкции"}, // non-ASCII letters with cases are left out
		{`ignore+ (?:the )*rules{1,3}`, "ignoreee rulesss"},
		{`a(?:b|c)?d`, "ad"},
	} {
		re := regexp.MustCompile(c.expr)
		if !re.MatchString(c.text) {
			t.Fatalf("%s does not match %q", c.expr, c.text)
		}
		if g := newGate(c.expr); !g.open(lowerASCII(c.text)) {
			t.Errorf("gate %q of %s is closed on its match %q", g, c.expr, c.text)
		}
	}
	// Over the corpus: each override part against each attack and benign
	// text it matches.
	var texts []string
	for _, tc := range slices.Concat(attackCases(), benignCases()) {
		texts = append(texts, tc.text, strings.ToUpper(tc.text))
	}
	matched := 0
	for _, p := range overrideParts {
		expr := `(?i)` + p.re
		re, g := regexp.MustCompile(expr), newGate(expr)
		for _, s := range texts {
			if re.MatchString(s) {
				matched++
				if !g.open(lowerASCII(s)) {
					t.Errorf("gate %q of override part %.60q is closed on its match %.80q", g, p.re, s)
				}
			}
		}
	}
	if matched < 100 {
		t.Fatalf("only %d matches over the corpus: the test reaches too little", matched)
	}
}

// A gate closes where a phrase's other words are missing: that is what
// it saves.
func TestGateClosesWithoutThePhrase(t *testing.T) {
	for _, c := range []struct{ expr, text string }{
		{`(?i)ignore (?:all )?previous instructions`, "please ignore the noise"},
		{`(?i)(?:@copilot|claude:)\s+send`, "claude wrote a poem"},
		{`(?i)[xy]ou must`, "must we"},
	} {
		if g := newGate(c.expr); g.open(lowerASCII(c.text)) {
			t.Errorf("gate %q of %s is open on %q", g, c.expr, c.text)
		}
	}
	if g := newGate(`(?i)ignore`); !g.open("\u212a") {
		t.Error("a window with the Kelvin sign must reach the expression")
	}
}
