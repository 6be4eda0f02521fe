package e2e

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pendingRedteamCategories are corpus categories whose guard is still
// being built: their cases still run and are reported, but
// TestRedteamCorpus does not hold them to the targets. Add a category
// only while its guard is under construction, with the reason; empty it
// as guards land; never add one to hide a regression. (The SQL guard and
// the result guards have landed: sql, redaction and injection are held.)
var pendingRedteamCategories = map[string]string{}

// knownRedteamGaps are single attacks the gateway misses today, each with
// what is missing. They stay in the corpus (a case is never weakened to
// pass) and in the report; the test only does not fail on them. When one
// is fixed the test says so: take it off the list.
var knownRedteamGaps = map[string]string{}

type redteamReport struct {
	Categories []struct {
		Category    string `json:"category"`
		Attacks     int    `json:"attacks"`
		Detected    int    `json:"detected"`
		Missed      int    `json:"missed"`
		Unavailable int    `json:"unavailable"`
		Benign      int    `json:"benign"`
		Passed      int    `json:"passed"`
		FalsePos    int    `json:"false_positives"`
		Errors      int    `json:"errors"`
	} `json:"categories"`
	Cases []struct {
		ID       string `json:"id"`
		Category string `json:"category"`
		Kind     string `json:"kind"`
		Outcome  string `json:"outcome"`
		Rule     string `json:"rule"`
		Detail   string `json:"detail"`
	} `json:"cases"`
}

// TestRedteamCorpus runs `mcpwarden redteam` (the real binary, its
// built-in corpus, one gateway and honeypot per case file) over stdio
// (`run`) and Streamable HTTP (`serve`), and holds every category not
// pending to the targets: every attack detected, no case unjudged, and
// false positives at most 2 % of the benign cases.
func TestRedteamCorpus(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"stdio", "http"} {
		for _, protocol := range []string{"2025-11-25", "2026-07-28"} {
			t.Run(transport+"/"+protocol, func(t *testing.T) { redteamCorpus(t, transport, protocol) })
		}
	}
}

func redteamCorpus(t *testing.T, transport, protocol string) {
	dir := t.TempDir()
	jsonOut, junitOut := filepath.Join(dir, "report.json"), filepath.Join(dir, "report.xml")
	t0 := time.Now()
	stdout, stderr, code := mcpwarden(t, "redteam", "--transport", transport, "--protocol", protocol, "--json", jsonOut, "--junit", junitOut)
	elapsed := time.Since(t0)
	table, _, _ := strings.Cut(stdout, "\n\n") // the per-category table; the cases follow
	t.Logf("mcpwarden redteam --transport %s --protocol %s exited %d in %s\n%s", transport, protocol, code, elapsed.Round(time.Millisecond), table)
	if code != 0 && code != 1 {
		t.Fatalf("redteam could not run (exit %d): %s", code, stderr)
	}
	// A guard against a stall (cases that each wait out their timeout),
	// not a speed target: the corpus takes about 15 s alone and four runs
	// share the machine with the other tests, so the bound is generous.
	if elapsed > 5*time.Minute {
		t.Errorf("the corpus took %s: cases are stalling (each waits out its timeout?)", elapsed)
	}
	data, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatal(err)
	}
	var rep redteamReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	if x, err := os.ReadFile(junitOut); err != nil || xml.Unmarshal(x, new(struct{})) != nil {
		t.Errorf("JUnit report missing or not XML: %v", err)
	}
	if len(rep.Cases) < 400 {
		t.Errorf("%d cases ran, want at least 400", len(rep.Cases))
	}
	benign, fp, skipped := 0, 0, 0
	for _, c := range rep.Categories {
		t.Logf("%-13s attacks %3d detected %3d missed %2d unavailable %2d | benign %2d passed %2d false+ %2d | errors %d",
			c.Category, c.Attacks, c.Detected, c.Missed, c.Unavailable, c.Benign, c.Passed, c.FalsePos, c.Errors)
		if why, ok := pendingRedteamCategories[c.Category]; ok {
			t.Logf("  (pending: %s)", why)
			continue
		}
		benign += c.Benign
		fp += c.FalsePos
	}
	for _, c := range rep.Cases {
		if _, ok := pendingRedteamCategories[c.Category]; ok {
			continue
		}
		if why, ok := knownRedteamGaps[c.ID]; ok {
			if c.Outcome == "detected" {
				t.Logf("%s is detected now (%s was a known gap): take it off knownRedteamGaps", c.ID, why)
			} else {
				t.Logf("known gap %s (%s): %s", c.ID, why, c.Outcome)
			}
			continue
		}
		switch {
		case c.Outcome == "skipped":
			// The client could not send it (a NUL in a name cannot travel
			// in the 2026-07-28 Mcp-Name header); counted below.
			skipped++
			t.Logf("skipped %s: %s", c.ID, c.Detail)
		case c.Outcome == "error":
			t.Errorf("%s (%s): could not be judged: %s", c.ID, c.Category, c.Detail)
		case c.Kind == "attack" && c.Outcome != "detected":
			t.Errorf("%s (%s): attack %s: %s (rule %q)", c.ID, c.Category, c.Outcome, c.Detail, c.Rule)
		case c.Kind == "benign" && c.Outcome != "passed":
			t.Logf("false positive %s (%s): %s (rule %q)", c.ID, c.Category, c.Detail, c.Rule)
		}
	}
	if skipped > 2 {
		t.Errorf("%d cases skipped: the client could not send them", skipped)
	}
	if benign == 0 || fp*50 > benign {
		t.Errorf("false positives: %d of %d benign cases, want at most 2 %%", fp, benign)
	}
	if code == 0 && len(pendingRedteamCategories) > 0 {
		t.Logf("redteam passed outright: the pending list can be emptied")
	}
}

// TestRedteamOperatorCases: an operator's own case file and manifest run
// alone (--no-builtin); exit 0 when the targets are met, 1 when a benign
// case is refused above the threshold, 2 for a broken case file.
func TestRedteamOperatorCases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "kv.manifest.yaml"), []byte(`tools:
  get_key:
    risk: read
    arguments:
      type: object
      properties: {key: {type: string, pattern: "^[a-z]+$"}}
      required: [key]
      additionalProperties: false
`), 0o644)
	caseFile := func(benignKey string) string {
		return `category: kv
manifest: kv.manifest.yaml
tools:
  - definition: {name: get_key, description: Reads a key., inputSchema: {type: object}}
    result: {content: [{type: text, text: value}]}
cases:
  - {id: kv-traversal, kind: attack, tool: get_key, arguments: {key: "../etc"}}
  - {id: kv-undeclared, kind: attack, tool: del_key, arguments: {key: a}}
  - {id: kv-ok, kind: benign, tool: get_key, arguments: {key: "` + benignKey + `"}}
`
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte(caseFile("colour")), 0o644)
	out, stderr, code := mcpwarden(t, "redteam", "--no-builtin", "--cases", good)
	if code != 0 || !strings.Contains(out, "redteam: PASS") || !strings.Contains(out, "kv ") {
		t.Errorf("passing file: exit %d\n%s%s", code, out, stderr)
	}
	// A benign key the schema refuses: one false positive of one is 100 %.
	bad := filepath.Join(dir, "sub", "bad.yaml")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "kv.manifest.yaml"), []byte("tools:\n  get_key:\n    risk: read\n    arguments: {type: object, properties: {key: {type: string, pattern: \"^[a-z]+$\"}}}\n"), 0o644)
	os.WriteFile(bad, []byte(caseFile("Colour")), 0o644)
	out, stderr, code = mcpwarden(t, "redteam", "--no-builtin", "--cases", filepath.Join(dir, "sub"), "--max-false-positive-rate", "50%")
	if code != 1 || !strings.Contains(stderr, "false-positive rate 100.0 %") || !strings.Contains(out, "kv-ok") {
		t.Errorf("failing file: exit %d\n%s%s", code, out, stderr)
	}
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("category: kv\nmanifest: kv.manifest.yaml\ncases:\n  - {id: x, kind: maybe, tool: t}\n"), 0o644)
	if _, stderr, code = mcpwarden(t, "redteam", "--no-builtin", "--cases", broken); code != 2 || !strings.Contains(stderr, "kind must be attack or benign") {
		t.Errorf("broken file: exit %d: %s", code, stderr)
	}
}
