package authn

import "testing"

func TestParseIntent(t *testing.T) {
	for _, tc := range []struct {
		in           string
		server, tool string
		ok, bad      bool
	}{
		{"intent:files/read_file", "files", "read_file", true, false},
		{"intent:files/*", "files", "*", true, false},
		{"intent:a-b/x.y-z_1", "a-b", "x.y-z_1", true, false},
		{"mcp:read", "", "", false, false},
		{"Intent:files/x", "", "", false, false},
		{"intent:files", "", "", true, true},
		{"intent:/x", "", "", true, true},
		{"intent:files/", "", "", true, true},
		{"intent:Files/x", "", "", true, true},
		{"intent:files/x/y", "", "", true, true},
		{"intent:files/../x", "", "", true, true},
		{"intent:files/x*", "", "", true, true},
		{"intent:1files/x", "", "", true, true},
		{"intent:files/x y", "", "", true, true},
	} {
		s, tl, ok, err := ParseIntent(tc.in)
		if ok != tc.ok || (err != nil) != tc.bad || (!tc.bad && (s != tc.server || tl != tc.tool)) {
			t.Errorf("%q: %q %q %v %v", tc.in, s, tl, ok, err)
		}
	}
}

func FuzzParseIntent(f *testing.F) {
	for _, s := range []string{"intent:files/read_file", "intent:files/*", "intent:files/../x", "mcp:read", "intent:/", "intent:a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		srv, tool, ok, err := ParseIntent(s)
		if !ok || err != nil {
			if r, allowed := IntentAllows([]string{s}, "x", "y"); allowed || (ok && !r) {
				t.Fatalf("%q: malformed or foreign scope allowed (%v %v)", s, r, allowed)
			}
			return
		}
		if !validServer(srv) || !validTool(tool) || IntentPrefix+srv+"/"+tool != s {
			t.Fatalf("%q parsed to %q %q", s, srv, tool)
		}
		if r, allowed := IntentAllows([]string{s}, srv, tool); !r || !allowed {
			t.Fatalf("%q does not allow its own tool", s)
		}
	})
}
