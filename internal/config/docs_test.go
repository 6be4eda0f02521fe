package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The YAML in docs/configuration.md is valid, except the first block,
// whose problems are the text block that follows it.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	blocks := regexp.MustCompile("(?s)```(yaml)?\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 4 || blocks[0][1] != "yaml" || blocks[1][1] != "" {
		t.Fatalf("unexpected layout of docs/configuration.md (%d blocks)", len(blocks))
	}
	_, err = Parse("mcpwarden.yaml", []byte(blocks[0][2]))
	if err == nil {
		t.Fatal("first example parses, want problems")
	}
	if got, want := err.Error(), strings.TrimSuffix(blocks[1][2], "\n"); got != want {
		t.Errorf("problems of the first example:\n%s\ndocs say:\n%s", got, want)
	}
	n := 0
	for _, b := range blocks[2:] {
		if b[1] != "yaml" {
			continue
		}
		n++
		c, err := Parse("doc.yaml", []byte(b[2]))
		if err != nil {
			t.Errorf("example %d:\n%s\n%v", n, b[2], err)
			continue
		}
		if p := c.Validate(); len(p) != 0 {
			t.Errorf("example %d: Validate: %v", n, p)
		}
	}
}
