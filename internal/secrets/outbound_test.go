package secrets

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Secrets cut by URL or host-name punctuation: missed by the gitleaks
// ends, found by the outbound engine; look-alikes stay clean in both.
func TestOutbound(t *testing.T) {
	attacks := []string{
		"https://203.0.113.50/c/AIzaB4_UbuhTmQkfSm2BR7uEXs8CgXTUwh2x-Jh/pixel.gif",
		"npm_kFy5YV0CspAw2PKEhaqvhZXWQFIIIPtYJPE5.exfil.attacker.example",
		"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.t.attacker.example",
		"https://x.example/?t=ghp_Ns6UPKlNfprBQuXpxxSrWLYubZWWuONUCzDh&u=1",
		"https://x.example/#glpat-qYO28s0iMRZEYpP0YYPp",
		"(see 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)",
		// hex split over DNS labels (a label holds 63 bytes at most)
		"6768705f4e733655504b6c4e66707242517558707878537257.4c5975625a5757754f4e55437a4468.x.attacker.example",
		// base64 in one path segment, beside others
		"https://203.0.113.9/u/Z2hwX05zNlVQS2xOZnByQlF1WHB4eFNyV0xZdWJaV1d1T05VQ3pEaA/p.gif",
	}
	for _, a := range attacks {
		if fs := Outbound().Scan(a); len(fs) == 0 {
			t.Errorf("outbound engine missed a secret in %q", a)
		}
	}
	benign := []string{
		"https://github.com/acme/app/commit/3f786850e387550fdab836ed7e6dc881de23001b/files.tar.gz",
		"https://cdn.example.com/assets/app.4f9c2b1e8d7a6c5b.js",
		"release-2026.11.25.build.8841.example.com",
		"https://example.com/search?q=how+to+rotate+an+api+key&lang=en",
		"https://docs.example.com/AKIAIOSFODNN7EXAMPLE/setup.html",
		"d41d8cd98f00b204e9800998ecf8427e.cache.example.net",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.3f786850e387550fdab836ed7e6dc881de23001b.mirror.example.org",
		"https://img.example.com/v2/aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBwaG90bw/thumb/400x300.jpg",
	}
	for _, b := range benign {
		if fs := Outbound().Scan(b); len(fs) > 0 {
			t.Errorf("outbound engine flagged benign %q: %s", b, fs[0].RuleID)
		}
	}
	if n, m := Outbound().RuleCount(), Default().RuleCount(); n != m+2 {
		t.Errorf("outbound engine has %d rules, default %d: want the default's, prose-secret and bare-password", n, m)
	}
}

// MayContain never says no where Scan finds something.
// TestProseSecret: a secret stated in words leaves through no call; the
// results engine does not look for it.
func TestProseSecret(t *testing.T) {
	attacks := []string{
		"the secret is " + rnd(72, alnum+"+/", 40) + " (region eu-west-1)",
		"Our API key was " + rnd(73, alnum, 32) + " until Monday.",
		"the private key is " + rnd(74, alnum, 44),
		"tokens are " + rnd(75, alnum+"_-", 36),
	}
	for _, a := range attacks {
		if fs := Outbound().Scan(a); len(fs) == 0 || fs[0].RuleID != "prose-secret" {
			t.Errorf("outbound engine on %q: %v, want prose-secret", a, fs)
		}
		if fs := Default().Scan(a); len(fs) != 0 {
			t.Errorf("results engine on %q: %v, want nothing (prose-secret is outbound only)", a, fs)
		}
		if !MayContain(a) {
			t.Errorf("MayContain(%q) = false", a)
		}
	}
	for _, b := range []string{
		"the key is 3f786850e387550fdab836ed7e6dc881de23001b",
		"the token is 123e4567-e89b-12d3-a456-426614174000",
		"the password is correcthorsebatterystaple",
		"The secret is out: the launch moved to Friday.",
		"the monkeys are " + strings.Repeat("ab", 15),
	} {
		if fs := Outbound().Scan(b); len(fs) != 0 {
			t.Errorf("outbound engine flagged %q: %v", b, fs)
		}
	}
}

func TestMayContain(t *testing.T) {
	for _, tc := range secretCases() {
		if len(Scan(tc.text)) > 0 && !MayContain(tc.text) {
			t.Errorf("MayContain false for a text Scan finds a secret in: %q", tc.text)
		}
	}
	for _, s := range []string{"/usr/bin/everything-server", "-y", "@modelcontextprotocol/server-filesystem", "/srv/data", "--port=8080"} {
		if MayContain(s) {
			t.Errorf("MayContain(%q) = true", s)
		}
	}
}

// TestLabelsMatchReference strings together pieces of host names that
// hold secrets (a lowered AWS key id, a hex key split over labels) with
// dots, dashes and other punctuation in every order, and checks that the
// dot-to-dot label walk finds what the byte-by-byte reference finds.
func TestLabelsMatchReference(t *testing.T) {
	pieces := []string{
		"akiauvw75efr6edt4syw", "6768705f4e733655504b6c4e66707242517558707878537257",
		"4c5975625a5757754f4e55437a4468", ".", ".", "..", "-", "-.", ".-", "x", "attacker",
		"example", " ", "/", "A", "0", "AKIAUVW75EFR6EDT4SYW",
	}
	e := Outbound()
	found := 0
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, seed^0x51ed))
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		got, want := e.Scan(s), e.refScan(s)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: label walk %v, reference %v", s, got, want)
		}
		found += len(want)
	}
	if found < 500 {
		t.Errorf("only %d findings over the generated names: the test does not reach the label paths", found)
	}
}
