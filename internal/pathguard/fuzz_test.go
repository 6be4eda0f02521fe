package pathguard

import (
	"path/filepath"
	"strings"
	"testing"
)

func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"notes..txt", "../outside/secret", "%2e%2e/outside", "%252e%252e%252f", "%c0%ae%c0%ae/",
		"sub/a.txt\x00.png", "..\\outside", "．．／outside", "~/.ssh", "file:///etc/passwd",
		"C:\\x", "\\\\srv\\share", "/proc/self/environ", "esc/secret", "inner/a.txt", "report%20final.pdf",
	} {
		f.Add(s)
	}
	root, _ := fixture(f)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		for _, opts := range []Options{{}, {NoSymlinks: true}} {
			d := Check(p, []string{root}, opts)
			if d.Rule == "" {
				t.Fatalf("%q: decision without a rule", p)
			}
			if !d.Allow {
				continue
			}
			want := root
			if !opts.NoSymlinks {
				want = realRoot
			}
			if d.Clean != filepath.Clean(d.Clean) || strings.IndexByte(d.Clean, 0) >= 0 {
				t.Fatalf("%q: Clean %q is not clean", p, d.Clean)
			}
			if d.Clean != want && !strings.HasPrefix(d.Clean, want+"/") {
				t.Fatalf("%q (opts %+v): allowed Clean %q is outside root %q", p, opts, d.Clean, want)
			}
			if !opts.NoSymlinks {
				// The resolved path must still be inside once resolved again.
				if real, err := resolve(d.Clean); err == nil && real != want && !strings.HasPrefix(real, want+"/") {
					t.Fatalf("%q: Clean %q resolves to %q outside root", p, d.Clean, real)
				}
			}
		}
	})
}
