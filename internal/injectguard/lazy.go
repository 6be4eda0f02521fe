package injectguard

import "github.com/mcpwarden/mcpwarden/internal/lazyre"

// lazyRE is a regular expression compiled at its first use: only a
// gateway that inspects results needs the engine's expressions.
type lazyRE = lazyre.Regexp

// lazy defers compiling expr; the engine's tests run every expression,
// so a bad one still fails there.
func lazy(expr string) *lazyRE { return lazyre.New(expr) }
