package redteam

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/pin"
)

// TestCorpusShape holds the built-in corpus to its promises: at least 300
// cases, every category with at least a quarter benign look-alikes, and
// every manifest valid.
func TestCorpusShape(t *testing.T) {
	files, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	attacks, benign := map[string]int{}, map[string]int{}
	for _, f := range files {
		if _, err := manifest.Parse(f.ManifestPath, f.ManifestData); err != nil {
			t.Errorf("%s: manifest: %v", f.Path, err)
		}
		for _, c := range f.Cases {
			total++
			if c.Kind == KindAttack {
				attacks[f.Category]++
			} else {
				benign[f.Category]++
			}
		}
	}
	if total < 300 {
		t.Errorf("the corpus has %d cases, want at least 300", total)
	}
	for _, cat := range []string{"sql", "command", "path", "ssrf", "exfiltration", "redaction", "injection", "poisoning", "rugpull", "schema", "names", "elicitation"} {
		a, b := attacks[cat], benign[cat]
		if a == 0 || 4*b < a+b {
			t.Errorf("category %s: %d attacks, %d benign: want both, and at least a quarter benign", cat, a, b)
		}
	}
	t.Logf("%d cases; attacks %v; benign %v", total, attacks, benign)
}

// TestCorpusPins checks that every pin in a corpus manifest is the pin of
// the definition the honeypot serves first, so rug-pull cases start from
// an approved tool. On a mismatch it prints the pin to write.
func TestCorpusPins(t *testing.T) {
	files, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		m, err := manifest.Parse(f.ManifestPath, f.ManifestData)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		served := f.ServedDefinitions()
		var fix []string
		for name, tool := range m.Tools {
			if tool.Pin == "" {
				continue
			}
			defs, ok := served[name]
			if !ok {
				t.Errorf("%s: %s is pinned but not served", f.ManifestPath, name)
				continue
			}
			want, err := pin.Hash(defs[0])
			if err != nil {
				t.Fatal(err)
			}
			if tool.Pin != want {
				fix = append(fix, fmt.Sprintf("%s %s", name, want))
			}
		}
		if len(fix) > 0 {
			t.Errorf("%s: pins that do not match what the honeypot serves:\n%s", f.ManifestPath, strings.Join(fix, "\n"))
		}
	}
}
