package intercept

import (
	"slices"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
)

// maxNested bounds how deep JSON held in a string (held in a string…) is
// opened: a tool that returns JSON as text is common, deeper nesting is
// rare and only costs more to open.
const maxNested = 4

// nestedJSON reports whether s is an object or array in JSON text that
// the walkers should open rather than read as text.
func nestedJSON(s string, depth int) bool {
	if depth >= maxNested {
		return false
	}
	t := strings.TrimSpace(s)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return false
	}
	return mcpwire.Valid([]byte(t))
}

// mapDeep is mcpwire.MapStrings that also opens JSON held in strings and
// writes it back, edited, as the string's new text.
func mapDeep(v []byte, depth int, fn func(s string, key bool) (string, bool)) ([]byte, bool) {
	return mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if !key && nestedJSON(s, depth) {
			inner, changed := mapDeep([]byte(s), depth+1, fn)
			return string(inner), changed
		}
		return fn(s, key)
	})
}

// textSpan is where one JSON string's text sits in a flattened document.
type textSpan struct {
	start, end int
	key        bool // a member name, not a value
}

// flatten writes the strings of v (opening nested JSON) as "key: value"
// lines, so that the secrets engine sees each value with its key (its
// key = value rules need that context) and every escape decoded. each,
// when not nil, is also given every value string, in the order mapDeep
// hands them to its function: one walk feeds both scans. A string that
// holds JSON is given to each with nested true before it is opened. It
// returns spans with the strings' spans appended (returned, not written
// through a pointer, so that the caller's first spans can be on its
// stack).
func flatten(b *strings.Builder, spans []textSpan, v []byte, depth int, each func(s string, nested bool)) []textSpan {
	mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if !key && nestedJSON(s, depth) {
			if each != nil {
				each(s, true)
			}
			spans = flatten(b, spans, []byte(s), depth+1, each)
			return s, false
		}
		if !key && each != nil {
			each(s, false)
		}
		start := b.Len()
		b.WriteString(s)
		spans = append(spans, textSpan{start, b.Len(), key})
		if key {
			b.WriteString(": ")
		} else {
			b.WriteByte('\n')
		}
		return s, false
	})
	return spans
}

// learnSecrets scans every string of the JSON value v and teaches m the
// text of each secret found, cut to the strings it lies in. each is
// flatten's.
func learnSecrets(m *secrets.Masker, v []byte, each func(s string, nested bool)) []secrets.Finding {
	var b strings.Builder
	b.Grow(len(v))
	spans := flatten(&b, make([]textSpan, 0, 16), v, 0, each) // a typical result has a few strings
	flat := b.String()
	fs := secrets.Default().Scan(flat)
	for _, f := range fs {
		// The first string that ends after the finding starts.
		i, _ := slices.BinarySearchFunc(spans, f.Start, func(s textSpan, off int) int {
			if s.end <= off {
				return -1
			}
			return 1
		})
		for ; i < len(spans) && spans[i].start < f.End; i++ {
			st, en := max(f.Start, spans[i].start), min(f.End, spans[i].end)
			if st < en {
				m.Add(flat[st:en], f.RuleID)
			}
		}
	}
	return append(fs, acrossValues(m, flat, spans)...)
}

// acrossValues finds the keys cut in two across two text items of a
// result in a row ("… ghp_8fK2mQ9x" then "Lr4TWb7N… more"), each half
// alone no longer its format: the word that ends one item and the word
// that starts the next are read as one (secrets.Engine.Across), and both
// halves are taught to m. Only "text" members are read so: a model reads
// text items as one text, and a data-heavy result's other values (ids,
// digests side by side) would cost a scan each for nothing. The
// findings' offsets are the first half's in flat.
func acrossValues(m *secrets.Masker, flat string, spans []textSpan) []secrets.Finding {
	var out []secrets.Finding
	last, inText := -1, false // the latest text value; whether the current value is one
	for i, sp := range spans {
		if sp.key {
			inText = flat[sp.start:sp.end] == "text"
			continue
		}
		if !inText {
			continue
		}
		if j := last; j >= 0 {
			a, b := flat[spans[j].start:spans[j].end], flat[sp.start:sp.end]
			fs, cut := secrets.Default().Across(a, b)
			for _, f := range fs {
				head := a[len(a)-cut+f.Start:]
				tail := b[:f.End-cut]
				m.Add(head, f.RuleID)
				m.Add(tail, f.RuleID)
				out = append(out, secrets.Finding{RuleID: f.RuleID, Start: spans[j].end - len(head), End: spans[j].end, Hash: f.Hash})
			}
		}
		last, inText = i, false
	}
	return out
}

// redactSecrets masks the secrets in the JSON value v. It returns v
// itself when there is nothing to mask. ok is false when secrets are
// left after a few rounds (a value the masks cannot cover): the caller
// must then not forward v. each, when not nil, is given every value
// string of v (see flatten).
func redactSecrets(v []byte, each func(s string, nested bool)) (out []byte, fs []secrets.Finding, ok bool) {
	m := secrets.Default().Masker()
	fs = learnSecrets(m, v, each)
	if len(fs) == 0 {
		return v, nil, true
	}
	out = v
	for range 3 {
		out, _ = mapDeep(out, 0, func(s string, _ bool) (string, bool) { return m.Mask(s) })
		// What the masks left is scanned again: a secret split across
		// strings, or one that masking another revealed.
		if len(learnSecrets(m, out, nil)) == 0 {
			return out, fs, true
		}
	}
	return out, fs, false
}
