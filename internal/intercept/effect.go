package intercept

import "unicode/utf8"

// Effect is what a call did downstream, as the stage that caused it knows
// it: a credential broker or a typed tool reports the statement it ran and
// the rows it touched. The audit record keeps effects; replay shows them.
// No field may hold a secret or a statement's literal values: name the
// statement by its fingerprint.
type Effect struct {
	Kind        string // what acted: "sql", "http", "file", "credential"
	Target      string // what it acted on: database, host, path
	Operation   string // e.g. "UPDATE", "POST", "lease"
	Fingerprint string // statement fingerprint (pg_query), request hash
	Role        string // the ephemeral role or credential lease used
	Rows        int64  // rows affected, when RowsKnown
	RowsKnown   bool
	Error       string // the downstream failure, if any
}

// MaxEffects bounds the effects one record keeps: past it, the last one
// is {Kind: "more", Rows: how many were left out}.
const MaxEffects = 16

// AddEffect records a downstream effect of this exchange. Stages call it
// before they return: the audit stage writes the record once the chain
// has answered. Strings are cut to 256 bytes.
func (x *Exchange) AddEffect(e Effect) {
	r := x.Record
	if r == nil {
		return
	}
	switch n := len(r.Effects); {
	case n < MaxEffects-1:
		for _, s := range []*string{&e.Kind, &e.Target, &e.Operation, &e.Fingerprint, &e.Role, &e.Error} {
			*s = cut(*s, 256)
		}
		r.Effects = append(r.Effects, e)
	case n == MaxEffects-1:
		r.Effects = append(r.Effects, Effect{Kind: "more", Rows: 1, RowsKnown: true})
	default:
		r.Effects[n-1].Rows++
	}
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
