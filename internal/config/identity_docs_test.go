package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The complete configurations in docs/identity.md (the blocks that name
// an issuer) are valid.
func TestIdentityDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/identity.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	n := 0
	for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		src := b[1]
		if !strings.Contains(src, "issuer:") {
			continue
		}
		// Blocks inside list items are indented.
		lines := strings.Split(src, "\n")
		indent := len(lines[0]) - len(strings.TrimLeft(lines[0], " "))
		for i, l := range lines {
			if len(l) >= indent {
				lines[i] = l[indent:]
			}
		}
		n++
		c, err := Parse("identity.yaml", []byte(strings.Join(lines, "\n")))
		if err != nil {
			t.Errorf("example %d:\n%s\n%v", n, src, err)
			continue
		}
		if c.Auth == nil || c.Auth.Issuer == "" {
			t.Errorf("example %d: no auth section parsed", n)
		}
	}
	if n == 0 {
		t.Fatal("no complete example found in docs/identity.md")
	}
}
