// Package lazyre holds regular expressions compiled at their first use.
// The guards' engines hold hundreds of expressions and a gateway's
// traffic reaches few of them: compiled at start, the secrets rules kept
// 5 MB of heap and the injection scanner's 2.6 MB, in every mcpwarden
// process (the sandbox helper and the CLI too).
package lazyre

import (
	"regexp"
	"regexp/syntax"
	"sync"
)

// Regexp is an expression compiled on first use. It is safe for
// concurrent use.
type Regexp struct {
	expr string
	// build, when set, makes the expression on first use: deriving one
	// can be costly (printing a case-folded class walks its every rune)
	// and what it is derived from need not be kept meanwhile.
	build func() string
	once  sync.Once
	re    *regexp.Regexp
}

// New defers compiling expr, which must be valid: it is checked only when
// first used (the callers' tests use every expression).
func New(expr string) *Regexp { return &Regexp{expr: expr} }

// Checked parses expr now, so that a bad expression (in a rule file, say)
// fails at once, and compiles it at its first use.
func Checked(expr string) (*Regexp, error) {
	if _, err := syntax.Parse(expr, syntax.Perl); err != nil {
		return nil, err
	}
	return New(expr), nil
}

// Build compiles the expression build returns, calling build only at the
// first use. build must return a valid expression.
func Build(build func() string) *Regexp { return &Regexp{build: build} }

// Get returns the compiled expression.
func (l *Regexp) Get() *regexp.Regexp {
	l.once.Do(func() {
		if l.build != nil {
			l.expr, l.build = l.build(), nil
		}
		// A parsed expression (Checked) or one built from a parsed tree cannot fail
		// to compile: the parser is where regexp's errors come from.
		l.re = regexp.MustCompile(l.expr)
	})
	return l.re
}

// String returns the expression's source (printing a tree).
func (l *Regexp) String() string { return l.Get().String() }

func (l *Regexp) MatchString(s string) bool              { return l.Get().MatchString(s) }
func (l *Regexp) FindString(s string) string             { return l.Get().FindString(s) }
func (l *Regexp) FindAllString(s string, n int) []string { return l.Get().FindAllString(s, n) }
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.Get().FindAllStringSubmatch(s, n)
}
func (l *Regexp) FindStringIndex(s string) []int         { return l.Get().FindStringIndex(s) }
func (l *Regexp) FindStringSubmatch(s string) []string   { return l.Get().FindStringSubmatch(s) }
func (l *Regexp) FindStringSubmatchIndex(s string) []int { return l.Get().FindStringSubmatchIndex(s) }
func (l *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.Get().FindAllStringSubmatchIndex(s, n)
}
