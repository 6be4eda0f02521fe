package secrets

import "testing"

func TestAcross(t *testing.T) {
	e := Outbound()
	attacks := []struct{ a, b, rule string }{
		// The halves of a GitHub token in an email's subject and body.
		{"Re: build token ghp_8fK2mQ9xLr4T", "Wb7NcZ1vYp3Hd6Js0Ae5Gu9k — thanks", "github-pat"},
		// An AWS access key id cut after its prefix.
		{"key id AKIA", "2M3SBBLEUHQ6XRZK please", "aws-access-token"},
		// A Stripe key cut after its prefix, with a zero-width space at the cut.
		{"payment key sk_live_\u200b", "4eC39HqLyjWDarjtT1zdp7dc", "stripe-access-token"},
	}
	for _, c := range attacks {
		if fs := e.Scan(c.a); len(fs) > 0 {
			t.Fatalf("%q alone: %v (the case must hold half a key)", c.a, fs)
		}
		if fs := e.Scan(c.b); len(fs) > 0 {
			t.Fatalf("%q alone: %v (the case must hold half a key)", c.b, fs)
		}
		fs, cut := e.Across(c.a, c.b)
		if len(fs) == 0 {
			t.Errorf("Across(%q, %q): no finding", c.a, c.b)
			continue
		}
		if fs[0].RuleID != c.rule || fs[0].Start >= cut || fs[0].End <= cut {
			t.Errorf("Across(%q, %q) = %+v (cut %d), want %s spanning the cut", c.a, c.b, fs, cut, c.rule)
		}
	}
	benign := []struct{ a, b string }{
		{"Invoice 2026-11", "Dear customer, your invoice is attached."},
		{"3f2a9c1e-8b7d-4c6a-9e5f-1a2b3c4d5e6f", "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f"},
		{"commit 3f2a9c1e4b7d", "9e5f1a2b3c4d5e6f7a8b9c0d"},
		{"password", "hunter2 is what the comic says"},               // a key = value rule is not read across
		{"the API key is", " in the vault, ask ops for it"},          // no value at all
		{"ghp_8fK2mQ9xLr4TWb7NcZ1vYp3Hd6Js0Ae5Gu9k", " was rotated"}, // whole in one piece: its own scan's finding, not a join's
		{"", "ghp_8fK2mQ9xLr4TWb7NcZ1vYp3Hd6Js0Ae5Gu9k"},
		// A base64 run holding a whole key, whose reading goes on into the
		// next word: the first piece's own finding, not a join's.
		{"encoded dG9rZW46IGdocF84ZksybVE5eExyNFRXYjdOY1oxdllwM0hkNkpzMEFlNUd1OWsK", "text"},
	}
	for _, c := range benign {
		if fs, cut := e.Across(c.a, c.b); len(fs) > 0 {
			t.Errorf("Across(%q, %q) = %+v (cut %d), want none", c.a, c.b, fs, cut)
		}
	}
}

func FuzzAcross(f *testing.F) {
	f.Add("Re: ghp_8fK2mQ9xLr4T", "Wb7NcZ1vYp3Hd6Js0Ae5Gu9k")
	f.Add("a\u200b", "\u200bb")
	f.Fuzz(func(t *testing.T, a, b string) {
		fs, cut := Outbound().Across(a, b)
		n := len(lastWord(a)) + len(firstWord(b))
		for _, f := range fs {
			if f.Start < 0 || f.Start >= cut || f.End <= cut || f.End > n {
				t.Fatalf("finding %+v outside the windows (cut %d, %d bytes)", f, cut, n)
			}
		}
	})
}

// BenchmarkAcross is one ordered pair of an email's fields, as the guards
// stage reads each pair of a call's secrets-guarded string arguments.
func BenchmarkAcross(b *testing.B) {
	e := Outbound()
	subject, body := "Invoice 2026-11 for order 5531", "Dear customer, your invoice is attached. Regards, Billing"
	b.ReportAllocs()
	for b.Loop() {
		e.Across(subject, body)
	}
}
