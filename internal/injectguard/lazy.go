package injectguard

import (
	"regexp"
	"sync"
)

// lazyRE is a regular expression compiled at its first use. Compiling the
// engine's expressions at process start cost every mcpwarden process
// (the sandbox helper and the CLI too) about 2.6 MB and several
// milliseconds; only a gateway that inspects results needs them.
type lazyRE struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// lazy defers compiling expr; the engine's tests run every expression,
// so a bad one still fails there.
func lazy(expr string) *lazyRE { return &lazyRE{expr: expr} }

func (l *lazyRE) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

func (l *lazyRE) MatchString(s string) bool              { return l.get().MatchString(s) }
func (l *lazyRE) FindStringIndex(s string) []int         { return l.get().FindStringIndex(s) }
func (l *lazyRE) FindStringSubmatch(s string) []string   { return l.get().FindStringSubmatch(s) }
func (l *lazyRE) FindStringSubmatchIndex(s string) []int { return l.get().FindStringSubmatchIndex(s) }
func (l *lazyRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.get().FindAllStringSubmatchIndex(s, n)
}
