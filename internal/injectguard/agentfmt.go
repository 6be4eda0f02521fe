package injectguard

import "strings"

// Probe set z30 (2026-11-26): orders dressed as a policy or config block
// for the model ("Policy Puppetry"), destructive steps addressed to AI
// reviewers and fixers, and text a LaTeX document hides from its reader.

var (
	// A key or section named for the model's policy: "[assistant_policy]",
	// "llm_policy": {, "assistant_rules:". Joined by - or _ (prose says
	// "AI policy").
	policyKey = lazy(`(?i)(^|[\s{,\[])["']?(x-)?(ai|llm|gpt|assistant|chatbot|agent|copilot|model)[-_](polic(y|ies)|rules|directives?|overrides?|guardrails|behaviou?r|protocol)["']?\s*(\]|[:=])`)
	// What such a block says when it lifts the model's checks: a check
	// with the user or a safety setting turned off, precedence over the
	// model's own instructions, or the user's secrets.
	policyLifts = lazy(`(?i)\b(confirm\w*|ask\w*|notify\w*|inform\w*|tell\w*|disclos\w*|safety\w*|guardrails?|filter\w*|refus\w*)["']?\s*[:=]\s*["']?(false|never|no|off|disabled|none|0)\b` +
		`|\b(supersedes?|overrides?|precedence|priority)["']?\s*[:=]?\s*["']?[^\n]*?\b(all|prior|previous|system(\s+prompt)?|highest)\b` +
		`|` + sensitiveRE + `|` + destructiveRE)
	// An AI reviewer, fixer or agent addressed as a label.
	aiLabel = lazy(`(?i)\b(ai|llm|automated|autonomous|merge|coding|review(ing)?)\s+(reviewers?|agents?|assistants?|fixers?|bots?|models?)[:,]` +
		// probe set z34: a product's agent or bot by name ("Linear
		// agent:", "Jira bot:"), capitalised as a name is.
		`|\b(?-i:[A-Z])[\w-]*\s+(agents?|bots?)\s*:`)
	destructive = lazy(`(?i)` + destructiveRE)
	// LaTeX that hides its text in the PDF: white text, a font size
	// below a point, \phantom.
	latexHide = lazy(`\\(textcolor\{white\}|color\{white\}|fontsize\{0?\.\d+\s*pt\}|phantom\{)`)
	latexCmd  = lazy(`\\[a-zA-Z]+(\{[^{}\n]*\})*`)
)

// The two are found through the prefilter, keyed on the joiner and the
// noun ("_polic") and on the destructive step's command: searching every
// text for the bare nouns, or for the labels' nouns, cost a clean 1 KiB
// result a quarter as much again.
var (
	tPolicy = &trigger{re: policyKey, before: 40, after: 24, words: []string{"_polic", "-polic", "_rules", "-rules", "_directive", "-directive",
		"_override", "-override", "_guardrail", "-guardrail", "_behavio", "-behavio", "_protocol", "-protocol"}}
	tDestructive = &trigger{re: destructive, before: 240, after: 80, words: []string{"rm -", "--force", "push -f", "--no-verify",
		"skip ci", "skip test", "skip the", "skip check", "skip hook", "skipping", "_test.", "delete t", "delete all t", "delete the t", "delete failing", "delete the f",
		"| sh", "|sh", "| bash", "|bash", "| sudo", "|sudo", "| zsh", "| ksh", "| dash"}}
)

// policyBlocks flags a policy block for the model whose next lines lift
// its checks.
func policyBlocks(text string, find func(*trigger) [][]int, out []Finding) []Finding {
	for _, m := range find(tPolicy) {
		block := text[m[1]:min(len(text), m[1]+600)]
		if policyLifts.MatchString(block) {
			out = append(out, Finding{Kind: KindOverride, Start: m[0], End: m[1], Detail: "a policy block for the model that lifts its checks"})
		}
	}
	return out
}

// dangerousOrders flags a destructive step (a forced push, skipped CI,
// deleted tests, rm -rf ~, a script piped into a shell) ordered after a
// label addressed to AI reviewers, fixers or agents within the 300 bytes
// before it. A step after "never", "not" or "avoid" is a rule for them.
func dangerousOrders(text, lower string, find func(*trigger) [][]int, out []Finding) []Finding {
	for _, d := range find(tDestructive) {
		if containsAny(lower[max(0, d[0]-40):d[0]], []string{"never", "not ", "n't", "n’t", "avoid", "without", "no "}) {
			continue
		}
		lo := max(0, d[0]-300)
		if l := aiLabel.Get().FindStringIndex(text[lo:d[0]]); l != nil {
			out = append(out, Finding{Kind: KindOverride, Start: lo + l[0], End: d[1], Detail: "a destructive step ordered to AI agents"})
		}
	}
	return out
}

// latexHidden flags text that LaTeX hides from the reader of the PDF
// (white, sub-point, \phantom) when it holds instructions; the model
// reading the source or the extracted text sees it.
func latexHidden(text string, out []Finding) []Finding {
	if strings.IndexByte(text, '\\') < 0 {
		return out
	}
	last := 0
	for _, m := range latexHide.Get().FindAllStringIndex(text, -1) {
		if m[0] < last {
			continue // inside a region already judged
		}
		end := min(len(text), m[0]+maxHiddenScanned)
		if k := strings.Index(text[m[0]:end], "\n\n"); k >= 0 {
			end = m[0] + k
		}
		plain := latexCmd.Get().ReplaceAllString(text[m[0]:end], " ")
		plain = strings.TrimSpace(strings.NewReplacer("{", " ", "}", " ").Replace(plain))
		if addressesModel(plain) || commands(plain+"\n") || instructs(plain) {
			out = append(out, Finding{Kind: KindHiddenHTML, Start: m[0], End: end, Detail: "LaTeX text hidden from the reader holds instructions"})
			last = end
		}
	}
	return out
}
