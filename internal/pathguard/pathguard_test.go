package pathguard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture builds a root with a file, a subdirectory, a link that stays
// inside and links that escape.
func fixture(t testing.TB) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"notes..txt", "report final.pdf", "sub/a.txt", "..hidden", "a%b.txt"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"esc":      outside,
		"escfile":  filepath.Join(outside, "secret"),
		"etc":      "/etc",
		"inner":    "sub",
		"rel":      "../outside",
		"dangling": filepath.Join(outside, "not-yet"),
		// Escapes that do not look like one: a link to a link, a
		// relative climb from a subdirectory, the root of /proc.
		"chain":  "esc",
		"sub/up": "../..",
		"procfs": "/proc/self/root",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

func TestCheck(t *testing.T) {
	root, outside := fixture(t)
	roots := []string{root}
	r := func(s string) string { return strings.ReplaceAll(s, "ROOT", root) }

	attacks := []struct{ in, rule string }{
		{"../outside/secret", RuleOutside},
		{"ROOT/../outside/secret", RuleOutside},
		{"ROOT/sub/../../outside", RuleOutside},
		{"/etc/passwd", RuleOutside},
		{"/etc/shadow", RuleOutside},
		{"/proc/self/environ", RuleDevice},
		{"/proc/1/root/etc/passwd", RuleDevice},
		{"/sys/kernel/debug", RuleDevice},
		{"/dev/tcp/10.0.0.1/80", RuleDevice},
		{"ROOT/../../../../../../../proc/self/mem", RuleDevice},
		{"%2e%2e/outside/secret", RuleOutside},
		{"%2E%2E%2Foutside%2Fsecret", RuleOutside},
		{"%252e%252e%252foutside", RuleOutside},
		{"ROOT%2f..%2f..%2fetc%2fpasswd", RuleOutside},
		{"%25252e%25252e/etc", RuleEncoding},
		{"%c0%ae%c0%ae/outside", RuleEncoding},
		{"%c0%af%c0%afetc", RuleEncoding},
		{"\xc0\xae\xc0\xae/outside", RuleEncoding},
		{"%e0%80%ae%e0%80%ae/outside", RuleEncoding},
		{"ROOT/notes..txt\x00../../etc/passwd", RuleNUL},
		{"ROOT/ok.txt%00.png", RuleNUL},
		{"ROOT/a%2500b", RuleNUL},
		{"..\\outside\\secret", RuleOutside},
		{"ROOT\\..\\..\\etc\\passwd", RuleOutside},
		{"．．／outside／secret", RuleOutside},
		{"ROOT／．．／．．／etc", RuleOutside},
		{"..＼outside", RuleOutside},
		{"..\u2215outside", RuleOutside},
		{"\u2025/outside", RuleOutside},
		{"%ef%bc%8e%ef%bc%8e%ef%bc%8foutside", RuleOutside},
		{"~/.ssh/id_rsa", RuleHome},
		{"~root/.bashrc", RuleHome},
		{"%7e/.aws/credentials", RuleHome},
		{"file:///etc/passwd", RuleOutside},
		{"FILE://localhost/etc/passwd", RuleOutside},
		{"file://evil.example/share/x", RuleURL},
		{"file:/etc/passwd", RuleURL},
		{"http://example.com/x", RuleURL},
		{"C:\\Windows\\win.ini", RuleWindows},
		{"c:/windows/system32", RuleWindows},
		{"\\\\server\\share\\x", RuleWindows},
		{"\\\\?\\C:\\x", RuleWindows},
		{"//server/share", RuleWindows},
		{"ROOT/esc/secret", RuleSymlink},
		{"ROOT/escfile", RuleSymlink},
		{"ROOT/etc/passwd", RuleSymlink},
		{"ROOT/rel/secret", RuleSymlink},
		{"esc/newfile", RuleSymlink},
		{"dangling", RuleFSError},
		{"ROOT/dangling", RuleFSError},
		{"ROOT/a\nb", RuleEncoding},
		{"", RuleEmpty},
		// %uXXXX escapes (JavaScript's unescape, IIS) are decoded like %XX.
		{"%u002e%u002e/outside/secret", RuleOutside},
		{"ROOT/%U002E%U002E%u002f%u002e%u002e%u002fetc", RuleOutside},
		{"%25u002e%25u002e/outside", RuleOutside},
		{"ROOT/%ud800/x", RuleEncoding},
		// Dot segments with invisible characters between or around the dots.
		{".\u200b./outside/secret", RuleEncoding},
		{"ROOT/\u200b..\u200b/outside", RuleEncoding},
		{"ROOT/..\u00ad/outside", RuleEncoding},
		{"ROOT/.\ufe0f./.\u2060./etc", RuleEncoding},
		{"ROOT/%e2%80%8b..%e2%80%8b%2foutside", RuleEncoding},
		{"ROOT/sub/.\u200d", RuleEncoding},
		// Links that lead out through another link, a relative climb or /proc.
		{"chain/secret", RuleSymlink},
		{"ROOT/sub/up/outside/secret", RuleSymlink},
		{"procfs/etc/passwd", RuleSymlink},
		// Segments of only dots and spaces that a "../"-stripping filter or
		// Windows trimming turns into "..", and NTFS stream forms.
		{"ROOT/....//....//etc/passwd", RuleDots},
		{"....//outside/secret", RuleDots},
		{"%2e%2e%2e%2e%2f%2e%2e%2e%2e%2foutside", RuleDots},
		{"ROOT/sub/...../x", RuleDots},
		{"ROOT\\.. \\.. \\etc\\passwd", RuleDots},
		{"ROOT/. ./x", RuleDots},
		{"ROOT/ ../x", RuleDots},
		{"ROOT/..::$INDEX_ALLOCATION/x", RuleDots},
		{"ROOT/sub/..:stream", RuleDots},
		{"ROOT/sub:$I30:$INDEX_ALLOCATION/a.txt", RuleWindows},
		{"ROOT/notes..txt::$DATA", RuleWindows},
		{"ROOT/web.config::$data", RuleWindows},
	}
	for _, tc := range attacks {
		in := r(tc.in)
		d := Check(in, roots, Options{})
		if d.Allow || d.Rule != tc.rule {
			t.Errorf("attack %q: got allow=%v rule=%s (%s), want deny %s", in, d.Allow, d.Rule, d.Reason, tc.rule)
		}
	}

	benign := []struct{ in, clean string }{
		{"notes..txt", "ROOT/notes..txt"},
		{"ROOT/notes..txt", "ROOT/notes..txt"},
		{"report%20final.pdf", "ROOT/report final.pdf"},
		{"report final.pdf", "ROOT/report final.pdf"},
		{"..hidden", "ROOT/..hidden"},
		{"sub/a.txt", "ROOT/sub/a.txt"},
		{"sub/../notes..txt", "ROOT/notes..txt"},
		{"./sub/./a.txt", "ROOT/sub/a.txt"},
		{"ROOT", "ROOT"},
		{"ROOT/", "ROOT"},
		{"sub\\a.txt", "ROOT/sub/a.txt"},
		{"inner/a.txt", "ROOT/sub/a.txt"},
		{"new/dir/file.txt", "ROOT/new/dir/file.txt"},
		{"a%b.txt", "ROOT/a%b.txt"},
		{"100%.txt", "ROOT/100%.txt"},
		{"file://ROOT/sub/a.txt", "ROOT/sub/a.txt"},
		{"file://localhostROOT/notes..txt", "ROOT/notes..txt"},
		{"résumé.txt", "ROOT/résumé.txt"},
		{"日本語/ファイル.txt", "ROOT/日本語/ファイル.txt"},
		{"sub%2fa.txt", "ROOT/sub/a.txt"},
		{"dev/notes", "ROOT/dev/notes"},
		{"proc.txt", "ROOT/proc.txt"},
		{"a~b.txt", "ROOT/a~b.txt"},
		{"100%users.txt", "ROOT/100%users.txt"},
		{"%u00e9t%u00e9.txt", "ROOT/été.txt"},
		{"\U0001F468\u200d\U0001F469\u200d\U0001F467.jpg", "ROOT/\U0001F468\u200d\U0001F469\u200d\U0001F467.jpg"},
		{"notes\u200b.txt", "ROOT/notes\u200b.txt"},
		{"\u2026/notes.txt", "ROOT/.../notes.txt"},
		{"sub/\u200c..txt", "ROOT/sub/\u200c..txt"},
		// Names with dots, spaces, colons and dollars that are only names.
		{"sub/.../a.txt", "ROOT/sub/.../a.txt"},
		{"v1.2.3...final.tar.gz", "ROOT/v1.2.3...final.tar.gz"},
		{"2025..2026/summary.txt", "ROOT/2025..2026/summary.txt"},
		{"notes. draft.txt", "ROOT/notes. draft.txt"},
		{"build 2026-01-05T10:00.log", "ROOT/build 2026-01-05T10:00.log"},
		{"price:$5 list.txt", "ROOT/price:$5 list.txt"},
		{"$DATA.csv", "ROOT/$DATA.csv"},
		{"a . b/c", "ROOT/a . b/c"},
		{"sub/ ./a.txt", "ROOT/sub/ ./a.txt"},
	}
	for _, tc := range benign {
		in := r(tc.in)
		d := Check(in, roots, Options{})
		if !d.Allow || d.Clean != r(tc.clean) {
			t.Errorf("benign %q: got allow=%v rule=%s (%s) clean=%q, want allow %q", in, d.Allow, d.Rule, d.Reason, d.Clean, r(tc.clean))
		}
	}
	t.Logf("%d attack cases, %d benign cases", len(attacks), len(benign))
	_ = outside
}

func TestCheckRoots(t *testing.T) {
	if d := Check("/x", nil, Options{}); d.Allow || d.Rule != RuleNoRoots {
		t.Errorf("no roots: %+v", d)
	}
	if d := Check("/x", []string{"relative"}, Options{}); d.Allow || d.Rule != RuleNoRoots {
		t.Errorf("relative root: %+v", d)
	}
	// /proc is allowed when it is itself a declared root.
	if d := Check("/proc/self/status", []string{"/proc"}, Options{NoSymlinks: true}); !d.Allow {
		t.Errorf("/proc inside a root: %+v", d)
	}
	// A root that does not exist is checked lexically.
	if d := Check("/nonexistent-root-xyz/a/../b", []string{"/nonexistent-root-xyz"}, Options{}); !d.Allow || d.Clean != "/nonexistent-root-xyz/b" {
		t.Errorf("absent root: %+v", d)
	}
	if d := Check("/nonexistent-root-xyz/../etc", []string{"/nonexistent-root-xyz"}, Options{}); d.Allow {
		t.Errorf("absent root escape: %+v", d)
	}
	// A path under a root that is a prefix string but not a parent.
	if d := Check("/srv/data-evil/x", []string{"/srv/data"}, Options{NoSymlinks: true}); d.Allow {
		t.Errorf("sibling prefix: %+v", d)
	}
}

func BenchmarkCheck(b *testing.B) {
	root, _ := fixture(b)
	roots := []string{root}
	cases := []string{"notes..txt", "sub/a.txt", "%2e%2e/outside/secret", "report%20final.pdf", "new/dir/file.txt"}
	b.Run("fs", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			Check(cases[i%len(cases)], roots, Options{})
		}
	})
	b.Run("lexical", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			Check(cases[i%len(cases)], roots, Options{NoSymlinks: true})
		}
	})
}
