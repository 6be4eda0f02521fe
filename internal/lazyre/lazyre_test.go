package lazyre

import (
	"regexp/syntax"
	"sync"
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

// A tree is printed and compiled once, by whichever caller comes first.
func TestFromTreeConcurrent(t *testing.T) {
	tree, err := syntax.Parse(`(?i)ghp_[a-z0-9]{4}`, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	re := FromTree(tree)
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
}
