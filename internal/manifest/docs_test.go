package manifest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The complete example in docs/manifest.md is a valid manifest, and its
// guard and risk names are the ones the parser knows.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/manifest.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	n := 0
	for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		if !strings.HasPrefix(b[1], "# files.manifest.yaml") {
			continue
		}
		n++
		m, err := Parse("docs/manifest.md", []byte(b[1]))
		if err != nil {
			t.Fatalf("example does not parse:\n%v", err)
		}
		if len(m.Tools) != 4 || !m.Prompt("summarize") || !m.Resource("file:///srv/docs/a.md") {
			t.Errorf("example parsed to %d tools", len(m.Tools))
		}
		if _, err := m.Tools["read_text_file"].ValidateArguments([]byte(`{"path":"/etc/passwd"}`)); err == nil {
			t.Error("example schema lets /etc/passwd through")
		}
	}
	if n != 1 {
		t.Fatalf("found %d complete examples, want 1", n)
	}
	for _, g := range Guards {
		if !strings.Contains(string(doc), "`"+g+"`") {
			t.Errorf("guard %s undocumented", g)
		}
	}
}
