package secrets

import (
	"cmp"
	"slices"
	"strings"
)

// Masker redacts texts that belong together, such as the strings of one
// tool result: a secret learnt from any of them is masked in all of them,
// with one mask, [REDACTED:rule-id]. Learn every text first, then Mask
// each; a secret found in one string by its context (a key = value rule)
// is then masked where it appears alone, too. A Masker is not safe for
// concurrent use.
type Masker struct {
	e     *Engine
	known map[string]string // secret text → rule id of the mask
}

// Masker returns an empty Masker on e.
func (e *Engine) Masker() *Masker { return &Masker{e: e} }

// Learn scans text and remembers its secrets; it returns the findings.
func (m *Masker) Learn(text string) []Finding {
	fs := m.e.Scan(text)
	for _, f := range fs {
		m.add(text[f.Start:f.End], f.RuleID)
	}
	return fs
}

// Add remembers secret as found by rule. When two rules found the same
// text the most specific names the mask, so the mask does not depend on
// which text was learnt first. Texts shorter than four bytes are ignored:
// masking them everywhere would mangle ordinary words.
func (m *Masker) Add(secret, rule string) {
	if len(secret) >= 4 {
		m.add(secret, rule)
	}
}

func (m *Masker) add(secret, rule string) {
	if m.known == nil {
		m.known = map[string]string{}
	}
	if id, ok := m.known[secret]; !ok || generic(id) > generic(rule) ||
		generic(id) == generic(rule) && rule < id {
		m.known[secret] = rule
	}
}

// Len reports how many distinct secret texts the Masker knows.
func (m *Masker) Len() int { return len(m.known) }

// Mask replaces every occurrence of a known secret in text; overlapping
// occurrences become one mask. It reports whether text changed.
func (m *Masker) Mask(text string) (string, bool) {
	if len(m.known) == 0 {
		return text, false
	}
	type mask struct {
		span
		id string
	}
	var ms []mask
	for sec, id := range m.known {
		for i := 0; ; {
			j := strings.Index(text[i:], sec)
			if j < 0 {
				break
			}
			ms = append(ms, mask{span{i + j, i + j + len(sec)}, id})
			i += j + 1
		}
	}
	if len(ms) == 0 {
		return text, false
	}
	slices.SortFunc(ms, func(a, b mask) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end),
			cmp.Compare(generic(a.id), generic(b.id)), strings.Compare(a.id, b.id))
	})
	var b strings.Builder
	last := 0
	for i := 0; i < len(ms); {
		mk := ms[i]
		end := mk.end
		for i++; i < len(ms) && ms[i].start < end; i++ {
			end = max(end, ms[i].end)
		}
		b.WriteString(text[last:mk.start])
		b.WriteString("[REDACTED:" + mk.id + "]")
		last = end
	}
	b.WriteString(text[last:])
	out := b.String()
	// A secret could reappear across a mask's edge only in adversarial
	// input; mask until none is left.
	for range 4 {
		changed := false
		for sec, id := range m.known {
			if strings.Contains(out, sec) {
				out = strings.ReplaceAll(out, sec, "[REDACTED:"+id+"]")
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return out, true
}
