package secrets

import "testing"

func TestAnchoredRules(t *testing.T) {
	n := 0
	var slow, partial []string
	for _, r := range Default().rules {
		if r.anchored != nil {
			n++
		} else {
			slow = append(slow, r.id)
		}
	}
	_ = partial
	t.Logf("%d of %d rules anchored at their keywords; window scan: %v", n, len(Default().rules), slow)
}
