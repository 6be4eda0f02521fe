package secrets

import (
	"regexp/syntax"
	"testing"
	"unicode"
)

func TestAnchoredRules(t *testing.T) {
	n := 0
	var slow []string
	for _, r := range Default().rules {
		if r.anchored != nil {
			n++
		} else {
			slow = append(slow, r.id)
		}
	}
	if n < len(Default().rules)*9/10 {
		t.Errorf("only %d of %d rules anchored", n, len(Default().rules))
	}
	t.Logf("%d of %d rules anchored at their keywords; window scan: %v", n, len(Default().rules), slow)
}

// TestAnchoredKeywordsCanStart: every keyword a rule is anchored at can
// begin a match of its anchored form. anchorRule keeps a keyword when its
// first byte can begin the form; a keyword that sits later in the
// pattern but shares that byte (sig= in a pattern starting sv=) would be
// kept, and the rule would never match at it: the rule file is wrong.
func TestAnchoredKeywordsCanStart(t *testing.T) {
	for name, e := range map[string]*Engine{"default": Default(), "outbound": Outbound()} {
		for _, r := range e.rules {
			a := r.anchored
			if a == nil {
				continue
			}
			re, err := syntax.Parse(a.re.Get().String(), syntax.Perl)
			if err != nil {
				t.Fatalf("%s: %v", r.id, err)
			}
			prog, err := syntax.Compile(re.Simplify())
			if err != nil {
				t.Fatalf("%s: %v", r.id, err)
			}
			for _, kw := range a.keywords {
				if !viablePrefix(prog, kw) {
					t.Errorf("%s rule %s: keyword %q cannot begin its anchored form", name, r.id, kw)
				}
			}
		}
	}
	// The check itself: a keyword from the middle of a pattern fails it.
	re, _ := syntax.Parse(`^sv=\d+&sig=x`, syntax.Perl)
	prog, _ := syntax.Compile(re.Simplify())
	if viablePrefix(prog, "sig=") || !viablePrefix(prog, "sv=") {
		t.Error("viablePrefix misjudges ^sv=…&sig=")
	}
}

// viablePrefix reports whether some text starting with kw, in any case,
// can begin a match of prog (a match may also end inside kw).
func viablePrefix(prog *syntax.Prog, kw string) bool {
	var closure func(pc uint32, set map[uint32]bool)
	closure = func(pc uint32, set map[uint32]bool) {
		if set[pc] {
			return
		}
		set[pc] = true
		switch in := prog.Inst[pc]; in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			closure(in.Out, set)
			closure(in.Arg, set)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			closure(in.Out, set)
		}
	}
	cur := map[uint32]bool{}
	closure(uint32(prog.Start), cur)
	for i := 0; i < len(kw); i++ {
		next := map[uint32]bool{}
		for pc := range cur {
			in := prog.Inst[pc]
			switch in.Op {
			case syntax.InstMatch:
				return true
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				c := rune(kw[i])
				if in.MatchRune(c) || in.MatchRune(unicode.ToUpper(c)) {
					closure(in.Out, next)
				}
			}
		}
		if len(next) == 0 {
			return false
		}
		cur = next
	}
	return true
}

// TestRulesWithInnerKeywords: rules whose keywords sit inside the pattern
// (anchored at the literals their matches begin with, or scanned in
// windows) find their tokens; text with the same words does not match.
func TestRulesWithInnerKeywords(t *testing.T) {
	cases := []secretCase{
		{"new relic user key", "new_relic_user_api_key = NR" + "AK-" + rnd(300, upper+digits, 27), "new-relic-user-api-key"},
		{"new relic browser key", "newrelic_browser_token = NR" + "JS-" + rnd(304, hexd, 19), "new-relic-browser-api-token"},
		{"typeform", "typeform_api_token = tf" + "p_" + rnd(302, alnum, 59), "typeform-api-token"},
		{"lob", "lob_api_key = li" + "ve_" + rnd(303, hexd, 35), "lob-api-key"},
		{"gocardless", "gocardless_token = li" + "ve_" + rnd(305, alnum, 40), "gocardless-api-token"},
		{"sourcegraph hex token", "sourcegraph token: " + rnd(301, hexd, 40), "sourcegraph-access-token"},
		{"cloudflare origin ca", "origin key v1" + ".0-" + rnd(306, hexd, 24) + "-" + rnd(307, hexd, 146), "cloudflare-origin-ca-key"},
		{"atlassian token without its name", "token: AT" + "ATT3xFfGF0" + rnd(310, alnum+"_-", 171) + "=" + rnd(311, "0123456789ABCDEF", 8) + "\n", "atlassian-api-token"},
		{"sidekiq url", "source https://" + rnd(308, hexd, 8) + ":" + rnd(309, hexd, 8) + "@gems.contribsys.com/", "sidekiq-sensitive-url"},
	}
	for _, tc := range cases {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		"new_relic_app_name = checkout-service", "test_helper = true; live_reload = false", "typeform form id: abc123",
		"the global blob store and test_ fixtures", "https://github.com/org/repo and https://discord.com/channels/1/2",
		"risk-free desk-side sk-ip",
	} {
		if fs := Scan(b); len(fs) > 0 {
			t.Errorf("false positive in %q: %v", b, ruleIDs(fs))
		}
	}
	ids := map[string]bool{}
	for _, r := range Default().rules {
		ids[r.id] = true
	}
	if n := Default().RuleCount(); n != len(ids) || n == len(Default().rules) {
		t.Errorf("RuleCount %d, %d distinct rules in %d entries: want window clones left out", n, len(ids), len(Default().rules))
	}
}

// TestGatedRules: a rule anchored at the literals its matches begin with,
// because none of its own keywords can begin one, runs only on a text that
// holds one of its keywords; anchored at every https:// or "new" alone it
// would run on most texts (BenchmarkScan: 170 runs of sidekiq's rule per
// MiB of text without a contribsys.com in it).
func TestGatedRules(t *testing.T) {
	want := map[string]bool{"sidekiq-sensitive-url": true, "microsoft-teams-webhook": true, "new-relic-user-api-key": true, "discord-webhook-url": true}
	for _, r := range Default().rules {
		if !want[r.id] || r.gateOnly {
			continue
		}
		delete(want, r.id)
		if r.gate == 0 || len(r.anchored.gate) == 0 {
			t.Errorf("%s runs at every %v", r.id, r.anchored.keywords)
		}
	}
	if len(want) > 0 {
		t.Errorf("rules not found: %v", want)
	}
}
