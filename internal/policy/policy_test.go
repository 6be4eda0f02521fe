package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const testPolicy = `
mode: enforce
rules:
  - id: reads
    effect: allow
    when: risk == "read"
  - id: writes-by-ops
    effect: allow
    when: risk == "write" && principal.subject.startsWith("ops-")
  - id: no-destructive
    effect: deny
    when: risk == "destructive"
  - id: no-prod-db
    effect: deny
    when: server == "db" && has(args.database) && args.database == "prod"
  - id: office-hours
    effect: deny
    mode: monitor
    when: now.getHours("UTC") < 8
  - id: limit-check
    effect: deny
    when: args.limit > 1000
`

func TestDecide(t *testing.T) {
	p, err := Parse("p.yaml", []byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, 7, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		in        Input
		allow     bool
		rule      string
		wouldDeny []string
	}{
		{"read allowed", Input{Risk: "read", Now: noon, Arguments: map[string]any{"limit": 10}}, true, "reads", nil},
		{"write by ops", Input{Risk: "write", Principal: Principal{Subject: "ops-ann"}, Now: noon, Arguments: map[string]any{"limit": 1}}, true, "writes-by-ops", nil},
		{"write by others: default deny", Input{Risk: "write", Principal: Principal{Subject: "bob"}, Now: noon, Arguments: map[string]any{"limit": 1}}, false, DefaultDenyRule, nil},
		{"deny overrides allow", Input{Risk: "read", Server: "db", Now: noon, Arguments: map[string]any{"database": "prod", "limit": 1}}, false, "no-prod-db", nil},
		{"destructive", Input{Risk: "destructive", Now: noon, Arguments: map[string]any{"limit": 1}}, false, "no-destructive", nil},
		{"error denies (no limit argument)", Input{Risk: "read", Now: noon}, false, "limit-check", nil},
		{"error denies (wrong type)", Input{Risk: "read", Now: noon, Arguments: map[string]any{"limit": "many"}}, false, "limit-check", nil},
		{"monitor rule only logs", Input{Risk: "read", Now: time.Date(2026, 7, 28, 3, 0, 0, 0, time.UTC), Arguments: map[string]any{"limit": 1}}, true, "reads", []string{"office-hours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.in)
			if d.Allow != tt.allow || d.Rule != tt.rule || !slices.Equal(d.WouldDeny, tt.wouldDeny) {
				t.Errorf("got %+v, want allow=%v rule=%s wouldDeny=%v", d, tt.allow, tt.rule, tt.wouldDeny)
			}
		})
	}
}

func TestMonitorMode(t *testing.T) {
	p, err := Parse("p.yaml", []byte(strings.Replace(testPolicy, "mode: enforce", "mode: monitor", 1)))
	if err != nil {
		t.Fatal(err)
	}
	d := p.Decide(Input{Risk: "destructive", Now: time.Now()})
	if !d.Allow || !slices.Contains(d.WouldDeny, "no-destructive") || !slices.Contains(d.WouldDeny, DefaultDenyRule) {
		t.Errorf("monitor mode: %+v", d)
	}
}

func TestParseErrors(t *testing.T) {
	in := `rules:
  - id: a
    effect: allow
    when: risk ==
  - id: a
    effect: permit
    when: "1 + 1"
  - effect: deny
    when: nosuchvar == 1
  - id: b
    effect: deny
    mode: shadow
    when: "true"
`
	_, err := Parse("p.yaml", []byte(in))
	if err == nil {
		t.Fatal("parsed")
	}
	for _, want := range []string{
		"p.yaml:4:11: rules[0].when:",
		`p.yaml:5:9: rules[1].id: duplicate rule id "a"`,
		`p.yaml:6:13: rules[1].effect: must be allow or deny`,
		`p.yaml:7:11: rules[1].when: must be a bool expression`,
		`rules[2].id: is required`,
		`rules[2].when: ERROR`,
		`p.yaml:12:11: rules[3].mode: must be enforce or monitor`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := Parse("p.yaml", []byte("rules: []\nextra: 1\n")); err == nil {
		t.Error("unknown key accepted")
	}
	p, err := Parse("p.yaml", nil)
	if err != nil || p.Decide(Input{}).Allow {
		t.Errorf("empty policy must deny: %v", err)
	}
}

func TestCostLimit(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`rules:
  - id: expensive
    effect: allow
    when: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, a+b+c+d+e > 0)))))"
`))
	if err != nil {
		t.Fatal(err)
	}
	d := p.Decide(Input{})
	if d.Allow || d.Rule != "expensive" || !strings.Contains(d.Error, "cost") {
		t.Errorf("over the cost limit: %+v", d)
	}
}

func BenchmarkDecide(b *testing.B) {
	p, err := Parse("p.yaml", []byte(testPolicy))
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Risk: "read", Server: "db", Tool: "query", Method: "tools/call", Arguments: map[string]any{"limit": 10, "database": "dev"}, Now: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		if d := p.Decide(in); !d.Allow {
			b.Fatal(d)
		}
	}
}

func TestArgumentsFromJSON(t *testing.T) {
	p, err := Parse("p.yaml", []byte(testPolicy))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args  map[string]any
		allow bool
	}{
		{map[string]any{"limit": json.Number("10")}, true},
		{map[string]any{"limit": json.Number("10.5")}, true},
		{map[string]any{"limit": json.Number("1e4")}, false},
		{map[string]any{"limit": json.Number("1000.5")}, false},
	} {
		args := Arguments(tt.args).(map[string]any)
		if d := p.Decide(Input{Risk: "read", Arguments: args, Now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}); d.Allow != tt.allow {
			t.Errorf("%v: %+v", tt.args, d)
		}
	}
}

// The policy and test examples in docs/manifest.md compile and pass.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/manifest.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	blocks := map[string]string{}
	for _, b := range regexp.MustCompile("(?s)```yaml\n(# (\\S+)\n.*?)```").FindAllStringSubmatch(string(doc), -1) {
		blocks[b[2]] = b[1]
	}
	dir := t.TempDir()
	for _, name := range []string{"policy.yaml", "policy_test.yaml"} {
		if blocks[name] == "" {
			t.Fatalf("docs/manifest.md has no %s example", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(blocks[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, results, err := RunTests(filepath.Join(dir, "policy_test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("docs case %q: got %+v", r.Case.Name, r.Decision)
		}
	}
}

// Rules over inputs of unknown size keep the runtime cost limit.
func TestCostLimitOnInputs(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`rules:
  - id: nested
    effect: allow
    when: "args.items.all(a, args.items.all(b, args.items.all(c, a + b + c >= 0)))"
`))
	if err != nil {
		t.Fatal(err)
	}
	items := make([]any, 200)
	for i := range items {
		items[i] = int64(i)
	}
	d := p.Decide(Input{Arguments: map[string]any{"items": items}})
	if d.Allow || !strings.Contains(d.Error, "cost") {
		t.Errorf("8,000,000 iterations allowed: %+v", d)
	}
	if d := p.Decide(Input{Arguments: map[string]any{"items": items[:3]}}); !d.Allow {
		t.Errorf("small input: %+v", d)
	}
}

// TestArgumentsWithoutNumbersNotCopied: a tree without numbers is handed
// to CEL as it is, and every tree converts to what the copying
// conversion gives.
func TestArgumentsWithoutNumbersNotCopied(t *testing.T) {
	trees := []any{
		map[string]any{"text": "hello", "tags": []any{"a", "b"}, "ok": true, "none": nil},
		map[string]any{"text": "x", "n": json.Number("3")},
		map[string]any{"deep": []any{map[string]any{"k": []any{json.Number("1.5")}}}},
		map[string]any{"i": 7},
		[]any{"a", map[string]any{"b": "c"}},
		map[string]any(nil),
		map[string]any{"l": []any(nil)},
		"plain",
	}
	for _, tr := range trees {
		if got, want := Arguments(tr), convertNumbers(tr); !reflect.DeepEqual(got, want) {
			t.Errorf("Arguments(%v) = %#v, want %#v", tr, got, want)
		}
	}
	m := trees[0].(map[string]any)
	if got := Arguments(m).(map[string]any); reflect.ValueOf(got).Pointer() != reflect.ValueOf(m).Pointer() {
		t.Errorf("a tree without numbers was copied")
	}
	if got := Arguments(trees[1]).(map[string]any); got["n"] != int64(3) {
		t.Errorf("number not converted: %#v", got["n"])
	}
}
