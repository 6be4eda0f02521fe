package pathguard

import "testing"

// Probe set z57: private-use code points standing in for dots and
// separators beside "..", in our own wording, with look-alikes.
func TestProbe57PrivateUse(t *testing.T) {
	roots := []string{"/srv/files"}
	attacks := []string{
		"/srv/files/..%uF025..%uF025..%uF025var/lib/secret.db",
		"/srv/files/..%uEFC8..%uEFC8opt/keys.txt",
		"/srv/files/..%uF02F..%uF02Froot/.profile",
		"/srv/files/..%uF05C..%uF05Cboot/config",
		"/srv/files/%uF02E%uF02E/%uF02E%uF02E/home/x/.netrc",
		"/srv/files/reports/..\uE123..\uE123..\uE123srv/other",
		"/srv/files/%25uF02F..%25uF02F..%25uF02Fetc/group",
		"..\uF8FFshared/x",
	}
	for _, p := range attacks {
		if d := Check(p, roots, Options{}); d.Allow || d.Rule != RuleEncoding {
			t.Errorf("%q: got %v %s, want %s", p, d.Allow, d.Rule, RuleEncoding)
		}
	}
	benign := []string{
		"/srv/files/icons/\uE0A0branch.txt",
		"/srv/files/\uF02Eprofile-notes.txt",
		"/srv/files/glyphs/\uE000-\uF8FF.map",
		"/srv/files/v1.\uE0B0.2/readme",
		"/srv/files/a\uF02Fb.txt",
		"/srv/files/notes..txt",
		"/srv/files/%uE0A0.txt",
	}
	for _, p := range benign {
		if d := Check(p, roots, Options{}); !d.Allow {
			t.Errorf("%q: refused (%s: %s), want allowed", p, d.Rule, d.Reason)
		}
	}
}
