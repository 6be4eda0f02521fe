// Package auditargs makes the view of a request's arguments that the audit
// record keeps: every string (member names too) passed through the secrets
// engine, long strings cut, wide or deep values bounded, written as
// canonical JSON. The record also keeps a hash of the original arguments,
// so the view can stay lossy.
package auditargs

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
)

// Limits bound the view. Zero fields take the defaults.
type Limits struct {
	MaxString int // bytes kept of one string; the rest is replaced by a marker
	MaxItems  int // members of an object or items of an array kept
	MaxDepth  int // nesting kept; deeper values become a marker
	MaxBytes  int // about the size of the whole view; values past it become markers
}

// Defaults keep a record under about 8 KiB of arguments.
var Defaults = Limits{MaxString: 512, MaxItems: 64, MaxDepth: 16, MaxBytes: 8 << 10}

// Markers put in place of what the view leaves out.
const (
	// TruncatedPrefix starts the suffix added to a cut string:
	// "…[truncated N bytes]".
	TruncatedPrefix = "…[truncated "
	DepthMarker     = "[depth limit]"
	BudgetMarker    = "[size limit]"
	// NamedMask replaces every string under a credential-like member
	// name (password, api_key, client_secret, …), found or not.
	NamedMask = "[REDACTED:by-name]"
	// MoreKey is the member that counts the members left out of an object.
	MoreKey = "…"
	// Unparsable stands for arguments that are not valid JSON (the gateway
	// refuses those before any stage; the view never echoes them).
	Unparsable = `"[unparsable]"`
)

// View is the redacted, bounded arguments and what was done to them.
type View struct {
	JSON      []byte // canonical JSON of the view
	Findings  int    // secrets masked (rule findings, before repeats were masked)
	Truncated bool   // something was cut or left out
}

// Redact returns the view of v, a tree as canon.Parse returns it.
func Redact(v any, lim Limits) View {
	lim = lim.withDefaults()
	r := redactor{lim: lim, budget: lim.MaxBytes}
	// Mask everything first, then cut: a secret found with the context of
	// one member name (password: …) may repeat elsewhere without it, and a
	// cut must never leave part of a secret that was masked whole.
	masked := r.redact(v, "", false, 0)
	out := r.bound(masked)
	b, err := canon.Append(nil, out)
	if err != nil {
		// Only strings, maps, slices and the parsed scalars reach here;
		// fail closed all the same.
		return View{JSON: []byte(Unparsable), Findings: r.findings, Truncated: true}
	}
	return View{JSON: b, Findings: r.findings, Truncated: r.truncated}
}

// RedactCanonical is Redact for a caller that has canonical, the
// canon.Append of v (the audit stage hashes it): when the view would be v
// unchanged (no secret, no credential-like name, nothing cut), canonical
// is the view, without the two copies of the tree and the second encoding
// that Redact makes (about half of its cost for a typical call's
// arguments). The check mirrors Redact's passes; where it is unsure (a
// size budget that runs out), Redact decides.
func RedactCanonical(v any, canonical []byte, lim Limits) View {
	lim = lim.withDefaults()
	c := redactor{lim: lim, budget: lim.MaxBytes}
	if c.unchanged(v, "", false, 0) && c.budget > 0 {
		return View{JSON: canonical}
	}
	return Redact(v, lim)
}

// unchanged reports whether redact and then bound leave v as it is,
// stopping at the first change. It spends the budget as bound does (in
// any order: it only has to stay positive to the end).
func (r *redactor) unchanged(v any, name string, cred bool, depth int) bool {
	switch t := v.(type) {
	case string:
		// cred already holds credentialName(name): the member above
		// added it.
		if len(t) > r.lim.MaxString || r.mask(name, cred, t) != t || r.findings > 0 || r.truncated {
			return false
		}
		r.budget -= len(t) + 3
	case map[string]any:
		if depth >= r.lim.MaxDepth || len(t) > r.lim.MaxItems {
			return false
		}
		for k, e := range t {
			if len(k) > r.lim.MaxString || r.mask("", false, k) != k || r.findings > 0 || r.truncated {
				return false
			}
			r.budget -= len(k) + 4
			if !r.unchanged(e, k, cred || credentialName(k), depth+1) {
				return false
			}
		}
	case []any:
		if depth >= r.lim.MaxDepth || len(t) > r.lim.MaxItems {
			return false
		}
		r.budget -= len(t)
		for _, e := range t {
			if !r.unchanged(e, name, cred, depth+1) {
				return false
			}
		}
	case json.Number:
		r.budget -= len(t) + 1
	default:
		r.budget -= 6
	}
	return r.budget > 0
}

// RedactJSON parses data and returns its view.
func RedactJSON(data []byte, lim Limits) View {
	v, err := canon.Parse(data)
	if err != nil {
		return View{JSON: []byte(Unparsable), Truncated: true}
	}
	return Redact(v, lim)
}

func (l Limits) withDefaults() Limits {
	if l.MaxString <= 0 {
		l.MaxString = Defaults.MaxString
	}
	if l.MaxItems <= 0 {
		l.MaxItems = Defaults.MaxItems
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = Defaults.MaxDepth
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = Defaults.MaxBytes
	}
	return l
}

type redactor struct {
	lim       Limits
	budget    int
	findings  int
	truncated bool
	found     []string // secret texts masked by the first pass
}

// redact masks the secrets in every string and name of v and bounds its
// width and depth (what is not kept is not scanned); name is the nearest
// enclosing member name, the context that key = value rules need, and
// cred says an enclosing member has a credential-like name
// ({"password": {"value": …}}).
func (r *redactor) redact(v any, name string, cred bool, depth int) any {
	switch t := v.(type) {
	case string:
		return r.mask(name, cred || credentialName(name), t)
	case map[string]any:
		if depth >= r.lim.MaxDepth {
			r.truncated = true
			return DepthMarker
		}
		keys := sortedKeys(t)
		out := make(map[string]any, min(len(keys), r.lim.MaxItems+1))
		for i, k := range keys {
			if i == r.lim.MaxItems {
				r.truncated = true
				out[MoreKey] = "[" + strconv.Itoa(len(keys)-i) + " more members]"
				break
			}
			out[unique(out, r.mask("", false, k))] = r.redact(t[k], k, cred || credentialName(k), depth+1)
		}
		return out
	case []any:
		if depth >= r.lim.MaxDepth {
			r.truncated = true
			return DepthMarker
		}
		out := make([]any, 0, min(len(t), r.lim.MaxItems+1))
		for i, e := range t {
			if i == r.lim.MaxItems {
				r.truncated = true
				out = append(out, "["+strconv.Itoa(len(t)-i)+" more items]")
				break
			}
			out = append(out, r.redact(e, name, cred, depth+1))
		}
		return out
	}
	return v // nil, bool, json.Number
}

// bound masks repeats of found secrets, cuts long strings and replaces
// what is past the size budget with markers.
func (r *redactor) bound(v any) any {
	if r.budget <= 0 {
		r.truncated = true
		return BudgetMarker
	}
	switch t := v.(type) {
	case string:
		s := r.cut(r.repeats(t))
		r.budget -= len(s) + 3
		return s
	case map[string]any:
		keys := sortedKeys(t)
		out := make(map[string]any, len(keys))
		for i, k := range keys {
			if r.budget <= 0 {
				r.truncated = true
				out[unique(out, MoreKey)] = "[" + strconv.Itoa(len(keys)-i) + " more members]"
				break
			}
			rk := unique(out, r.cut(r.repeats(k)))
			r.budget -= len(rk) + 4
			out[rk] = r.bound(t[k])
		}
		return out
	case []any:
		out := make([]any, 0, len(t))
		for i, e := range t {
			if r.budget <= 0 {
				r.truncated = true
				out = append(out, "["+strconv.Itoa(len(t)-i)+" more items]")
				break
			}
			r.budget--
			out = append(out, r.bound(e))
		}
		return out
	case json.Number:
		r.budget -= len(t) + 1
		return t
	}
	r.budget -= 6
	return v
}

// unique returns k, or k with primes added when m has it already (two
// names masked alike).
func unique(m map[string]any, k string) string {
	for {
		if _, dup := m[k]; !dup {
			return k
		}
		k += "'"
	}
}

func (r *redactor) cut(s string) string {
	if len(s) <= r.lim.MaxString {
		return s
	}
	n := r.lim.MaxString
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	r.truncated = true
	return s[:n] + TruncatedPrefix + strconv.Itoa(len(s)-n) + " bytes]"
}

func (r *redactor) repeats(s string) string {
	for _, sec := range r.found {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// minScan is the shortest string scanned: no rule of the engine matches a
// secret under 10 bytes (the generic key = value rule wants 10), and most
// member names and enum-like values are shorter, which saves a scan each.
const minScan = 8

// mask runs the secrets engine on s, scanned as the value of member name
// so that rules keyed on names (password: …) apply.
func (r *redactor) mask(name string, cred bool, s string) string {
	if s == "" {
		return s
	}
	if cred {
		// The engine's patterns miss many hand-made passwords; a value
		// under such a name is never kept.
		r.findings++
		if len(s) >= 8 {
			r.found = append(r.found, s)
		}
		return NamedMask
	}
	if len(s) < minScan {
		return s
	}
	if name == "" {
		red, fs := secrets.Redact(s)
		r.note(s, 0, len(s), fs)
		return red
	}
	// Scan `name": "s"`, the shape of a JSON member, then take s back out.
	text := name + `": "` + s + `"` // one allocation
	prefix := text[:len(name)+4]
	red, fs := secrets.Redact(text)
	if len(fs) == 0 {
		return s
	}
	r.note(text, len(prefix), len(text)-1, fs)
	if v, ok := strings.CutPrefix(red, prefix); ok {
		if v, ok := strings.CutSuffix(v, `"`); ok {
			return v
		}
	}
	// A finding reached into the name or the closing quote, so the value
	// cannot be told apart from the mask: keep none of it.
	r.truncated = true
	return "[REDACTED]"
}

// note counts findings and remembers the part of each found secret that
// lies in text[from:to], the value scanned.
func (r *redactor) note(text string, from, to int, fs []secrets.Finding) {
	r.findings += len(fs)
	for _, f := range fs {
		start, end := max(f.Start, from), min(f.End, to)
		// Short fragments would mask ordinary words elsewhere.
		if end-start >= 8 {
			r.found = append(r.found, text[start:end])
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Which members a cut keeps must not depend on map order; canon.Append
	// orders the kept ones canonically.
	slices.Sort(keys)
	return keys
}

// credentialSuffixes end the member names whose string values are masked
// whole, compared lower-case without '_', '-' and '.'.
var credentialSuffixes = []string{"password", "passwd", "passphrase", "pwd", "secret", "token", "tokens",
	"apikey", "accesskey", "secretkey", "privatekey", "signingkey", "credential", "credentials",
	"authorization", "cookie", "setcookie", "sessionid", "dsn", "connectionstring"}

func credentialName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	var b [64]byte
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-' || c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b[n] = c
		n++
	}
	norm := string(b[:n])
	for _, suf := range credentialSuffixes {
		if strings.HasSuffix(norm, suf) {
			return true
		}
	}
	return false
}
