package authn

import (
	"cmp"
	"slices"
)

// Grant is what one scope allows: the calls that match every list it
// sets (a list matches when it holds the call's value or "*"). At least
// one list is set; an empty grant is refused by the configuration.
type Grant struct {
	Servers []string // upstream server names
	Tools   []string // tool names as the server knows them (no aggregation prefix); tools only
	Risks   []string // manifest risk classes: read, write, destructive, external
}

func (g Grant) narrowness() int {
	n := 0
	for _, l := range [][]string{g.Servers, g.Tools, g.Risks} {
		if len(l) > 0 && !slices.Contains(l, "*") {
			n++
		}
	}
	return n
}

// Scopes maps scope names to grants.
type Scopes map[string]Grant

// Call kinds.
const (
	KindTool     = "tool"
	KindPrompt   = "prompt"
	KindResource = "resource"
)

// Call is one call to authorize.
type Call struct {
	Server string
	Kind   string // KindTool, KindPrompt or KindResource
	Name   string // tool or prompt name, or resource URI, without prefix
	// Risk is the tool's class from its server's manifest; "" when the
	// server has none, and then only grants that do not name risks match.
	// Getting a prompt and reading a resource count as "read".
	Risk string
}

func (g Grant) matches(c Call) bool {
	in := func(l []string, v string) bool {
		return len(l) == 0 || slices.Contains(l, "*") || v != "" && slices.Contains(l, v)
	}
	risk := c.Risk
	if c.Kind != KindTool {
		if len(g.Tools) > 0 && !slices.Contains(g.Tools, "*") {
			return false
		}
		risk = "read"
	}
	return in(g.Servers, c.Server) && (c.Kind != KindTool || in(g.Tools, c.Name)) && in(g.Risks, risk)
}

// Authorize reports whether the granted scopes allow c. When they do not,
// needed lists the scopes that would, narrowest first (empty when no
// configured scope grants c at all). Nil Scopes allow every call.
func (s Scopes) Authorize(granted []string, c Call) (ok bool, needed []string) {
	if s == nil {
		return true, nil
	}
	for _, name := range granted {
		if g, found := s[name]; found && g.matches(c) {
			return true, nil
		}
	}
	for name, g := range s {
		if g.matches(c) {
			needed = append(needed, name)
		}
	}
	slices.SortFunc(needed, func(a, b string) int {
		if c := cmp.Compare(s[b].narrowness(), s[a].narrowness()); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return false, needed
}

// Names returns the configured scope names, sorted.
func (s Scopes) Names() []string {
	out := make([]string, 0, len(s))
	for name := range s {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
