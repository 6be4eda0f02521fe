package cli

import "testing"

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"2%": 0.02, "0.02": 0.02, " 5 % ": 0.05, "0": 0, "100%": 1} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2", "-1%", "150%", "two", "NaN%"} {
		if got, err := parseRate(in); err == nil {
			t.Errorf("%q: accepted as %v", in, got)
		}
	}
}
