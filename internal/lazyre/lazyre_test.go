package lazyre

import (
	"regexp/syntax"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCheckedRefusesBadExpressions(t *testing.T) {
	if _, err := Checked(`key=([a-z`); err == nil {
		t.Fatal("an unclosed group was accepted")
	}
	re, err := Checked(`(?i)key=([a-z]+)`)
	if err != nil || !re.MatchString("KEY=abc") || re.MatchString("key=") {
		t.Fatalf("Checked: %v", err)
	}
}

// A built expression is made and compiled once, by whichever caller
// comes first.
func TestBuildConcurrent(t *testing.T) {
	var builds atomic.Int32
	re := Build(func() string {
		builds.Add(1)
		tree, err := syntax.Parse(`(?i)ghp_[a-z0-9]{4}`, syntax.Perl)
		if err != nil {
			t.Error(err)
			return "x"
		}
		return tree.String()
	})
	if builds.Load() != 0 {
		t.Fatal("built before its first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !re.MatchString("x GHP_ab12 y") || re.MatchString("ghp_ab") {
				t.Error("wrong match")
			}
		}()
	}
	wg.Wait()
	if m := re.FindStringSubmatchIndex("ghp_zz99"); m == nil || m[0] != 0 || m[1] != 8 {
		t.Fatalf("FindStringSubmatchIndex = %v", m)
	}
	if n := builds.Load(); n != 1 {
		t.Fatalf("built %d times", n)
	}
}
