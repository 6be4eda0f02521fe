package injectguard

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestProseFalsePositives measures how many real documents the scanner
// flags, read whole as one result (as a file server returns them): every
// .md, .rst, .txt and .html file of at most 1 MiB under the directories
// in MCPWARDEN_PROSE_ROOTS (colon-separated; skipped when unset), e.g. the
// Go module cache and node_modules. MCPWARDEN_PROSE_OUT names a file for
// the flagged files and their first finding, to read them. It reports
// and never fails: what these files hold depends on the machine.
func TestProseFalsePositives(t *testing.T) {
	roots := os.Getenv("MCPWARDEN_PROSE_ROOTS")
	if roots == "" {
		t.Skip("MCPWARDEN_PROSE_ROOTS not set")
	}
	files, flagged := 0, 0
	kinds := map[string]int{}
	var lines []string
	for _, root := range strings.Split(roots, ":") {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".md", ".rst", ".txt", ".html":
			default:
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil || len(b) == 0 || len(b) > 1<<20 {
				return nil
			}
			files++
			text := string(b)
			if fs := Scan(text); len(fs) > 0 {
				flagged++
				kinds[fs[0].Kind]++
				f := fs[0]
				lines = append(lines, fmt.Sprintf("%s\t%s\t%q", p, f.Kind, text[max(0, f.Start-60):min(len(text), f.End+60)]))
			}
			return nil
		})
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(ks)
	t.Logf("%d files, %d flagged (%.2f %%): %s", files, flagged, 100*float64(flagged)/float64(max(files, 1)), strings.Join(ks, ", "))
	if out := os.Getenv("MCPWARDEN_PROSE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Error(err)
		}
	}
}
