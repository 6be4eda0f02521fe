package secrets

import "testing"

func TestAnchoredRules(t *testing.T) {
	n := 0
	var slow []string
	for _, r := range Default().rules {
		if r.anchored != nil {
			n++
		} else {
			slow = append(slow, r.id)
		}
	}
	if n < len(Default().rules)*9/10 {
		t.Errorf("only %d of %d rules anchored", n, len(Default().rules))
	}
	t.Logf("%d of %d rules anchored at their keywords; window scan: %v", n, len(Default().rules), slow)
}
