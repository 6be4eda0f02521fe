package cmdguard

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// unquotedMeta is an oracle written without the parser: it reports a shell
// metacharacter that stands outside quotes (or a substitution inside double
// quotes). An allowed command must have none.
func unquotedMeta(s string) (byte, bool) {
	const (
		none = iota
		single
		double
	)
	state := none
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case none:
			switch c {
			case '\\':
				i++
			case '\'':
				state = single
			case '"':
				state = double
			case ';', '|', '&', '<', '>', '(', ')', '`':
				return c, true
			case '$':
				if i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '{' || s[i+1] == '\'' || s[i+1] == '"') {
					return c, true
				}
			}
		case single:
			if c == '\'' {
				state = none
			}
		case double:
			switch c {
			case '\\':
				i++
			case '"':
				state = none
			case '`':
				return c, true
			case '$':
				if i+1 < len(s) && s[i+1] == '(' {
					return c, true
				}
			}
		}
	}
	return 0, false
}

func plain(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func FuzzCheck(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.in)
	}
	for _, tc := range benign {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d := Check(in, Options{})
		if !d.Allow {
			if d.Argv != nil || d.Rule == "" {
				t.Fatalf("denial %+v carries argv or lacks a rule", d)
			}
			return
		}
		if len(d.Argv) == 0 || d.Argv[0] == "" {
			t.Fatalf("Check(%q) allowed with empty argv %q", in, d.Argv)
		}
		if c, ok := unquotedMeta(in); ok {
			t.Fatalf("Check(%q) allowed with unquoted %q; argv %q", in, c, d.Argv)
		}
		// Quoting the argv back must give a command line judged the same.
		quoted := make([]string, len(d.Argv))
		for i, a := range d.Argv {
			if !plain(a) {
				return
			}
			q, err := syntax.Quote(a, syntax.LangBash)
			if err != nil {
				return
			}
			quoted[i] = q
		}
		again := Check(strings.Join(quoted, " "), Options{})
		if !again.Allow || !slices.Equal(again.Argv, d.Argv) {
			t.Fatalf("Check(%q) argv %q; requoted %q gives %+v", in, d.Argv, strings.Join(quoted, " "), again)
		}
	})
}
