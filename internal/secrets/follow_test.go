package secrets

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"testing"
)

func TestLiteralSet(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string // nil: not a literal set
	}{
		{`(?i)(?:password|passwd|pwd)`, []string{"password", "passwd", "pwd"}},
		{`ghp_`, []string{"ghp_"}},
		{`(?:sk|pk)_(?:live|test)`, []string{"sk_live", "sk_test", "pk_live", "pk_test"}},
		{`x[ab]`, []string{"xa", "xb"}},
		{`[a-z]`, nil},
		{`a+`, nil},
		{`é`, nil},
	} {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := literalSet(re.Simplify())
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if ok != (c.want != nil) || ok && !slices.Equal(got, want) {
			t.Errorf("%s: %q, %v; want %q", c.expr, got, ok, c.want)
		}
	}
}

// TestFollowOverApproximates: wherever the anchored form matches, the
// follow test passes; and it fails where the required byte never comes.
func TestFollowOverApproximates(t *testing.T) {
	const expr = `(?i)(?:password|pwd)["']?\s{0,16}[=:]\s{0,16}["']?([A-Za-z0-9]{8,})`
	re, _ := syntax.Parse(expr, syntax.Perl)
	f := followOf(re.Sub)
	if f == nil {
		t.Fatal("no follow test for a keyword, optional parts and a required class")
	}
	anchored := regexp.MustCompile(`^(?:` + expr + `)`)
	for _, s := range []string{
		`password = hunter2hunter2`, `PASSWORD:"abcdefgh12"`, "pwd'\n\t =  s3cr3tvalue", `Password   :    xyzxyzxyz`,
		`password reset link sent`, `pwd is /home/jane`, `passwords are hashed`, `password`, `password "`, `pwd=`,
	} {
		if anchored.MatchString(s) && !f.ok(s, 0, len(s)) {
			t.Errorf("%q matches, but the follow test refuses it", s)
		}
	}
	for _, s := range []string{`password reset link sent`, `pwd is /home/jane`, `password`, `password "   x`} {
		if f.ok(s, 0, len(s)) {
			t.Errorf("%q: follow test passed, with no = or : after the keyword", s)
		}
	}
}
