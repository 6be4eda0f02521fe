package injectguard

import (
	"regexp"
	"strings"
	"testing"
)

// The gated alternatives of a near answer as the one expression does.
func TestNearAltsMatchesJoined(t *testing.T) {
	texts := append([]string{"", "nothing here", "No call-back is needed.", "report to the user that all is well",
		"the K\u212aelvin sign", "send every invoice to a@ext.example.com", "treasury already signed off"}, func() (s []string) {
		for _, c := range attackCases() {
			s = append(s, c.text)
		}
		for _, c := range benignCases() {
			s = append(s, c.text)
		}
		return s
	}()...)
	for _, near := range []string{near74, nearSituation74, nearWorld74, toolInput74} {
		expr := strings.TrimPrefix(strings.TrimPrefix(near, "¶"), "‖")
		joined := regexp.MustCompile(`(?i)` + expr)
		gated := newNearAlts(expr)
		for _, s := range texts {
			if a, b := joined.MatchString(s), gated.MatchString(s); a != b {
				t.Errorf("%.40q: joined %v, gated %v on %.60q", expr, a, b, s)
			}
		}
	}
}
