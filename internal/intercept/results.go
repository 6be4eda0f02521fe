package intercept

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/injectguard"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
)

// Results inspects what a server returns before the client sees it
// (docs/manifest.md#results): secrets in any string of the result are
// masked, and instructions planted in it are stripped, quoted, withheld
// or recorded, as the server's manifest says. Servers without a manifest
// get the defaults: secrets masked, invisible characters and control
// sequences stripped, visible planted instructions recorded. A result
// that needs no change is forwarded as the server's bytes.
func Results(ms map[string]*manifest.Manifest) Interceptor {
	return Func{N: "results", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		var set manifest.Results
		if m := ms[x.Server]; m != nil && x.Server != "" {
			set = m.Results
		}
		if x.Method == "tools/call" && x.Msg != nil {
			if err := maskInputResponses(x, set); err != nil {
				return nil, err
			}
		}
		reply, err := next(ctx, x)
		if err != nil || reply == nil || reply.Msg == nil || reply.Msg.Kind != mcpwire.KindResponse || !inspected(x.Method) {
			return reply, err
		}
		if rule, why := inputRequestsRefused(reply.Msg.Result, set); rule != "" {
			return withhold(x, reply, rule, why)
		}
		return inspectResult(x, reply, set)
	}}
}

// inspected lists the methods whose results carry server content.
func inspected(method string) bool {
	switch method {
	case "tools/call", "resources/read", "prompts/get", "tasks/result", "completion/complete":
		return true
	}
	return false
}

// Rule id prefixes of the results stage.
const (
	RuleResultSecret    = "result.secret."
	RuleResultInjection = "result.injection."
)

// inspection is what cleanValue found and did.
type inspection struct {
	out         []byte // the value to forward (the input itself when unchanged)
	rule        string // the first rule that fired
	notes       []string
	monitorOnly bool   // nothing was enforced
	withhold    string // why the value must not be forwarded at all; "" = it may
}

func (in *inspection) note(rule, text string, enforced bool) {
	if in.rule == "" {
		in.rule = rule
	}
	in.monitorOnly = in.monitorOnly && !enforced
	in.notes = append(in.notes, text)
}

// cleanValue masks secrets in the JSON value v and handles injected
// instructions, as set says.
func cleanValue(v []byte, set manifest.Results) inspection {
	in := inspection{out: v, monitorOnly: true}
	if set.Secrets != manifest.SecretsOff {
		// The secrets walk also runs the injection scan on every value
		// string: when it finds no secret (v goes on unchanged) and no
		// injection, the second walk below is not needed. Otherwise the
		// walk below scans again what it forwards.
		injected, holdsJSON, texts := false, false, 0
		red, fs, ok := redactSecrets(v, func(s string, nested bool) {
			if nested {
				holdsJSON = true
				return
			}
			if s == "text" {
				texts++ // a "type" of a text item, or a text saying just that
			}
			injected = injected || len(injectguard.Scan(s)) > 0
		})
		// JSON held in a string is opened and its strings scanned one by
		// one above; a chat transcript or tool call written as JSON is only
		// seen whole. Most results hold none, and then v is not searched
		// for the words a forgery needs (seven passes over a large result).
		injected = injected || holdsJSON && (mayForge(v) && nestedForgery(v, 0) || nestedSplit(v, 0))
		if !injected && texts >= 2 {
			_, cross := splitInstructions(v)
			injected = len(cross) > 0
		}
		injected = injected || len(structuredSplit(structuredCopy(v))) > 0
		if len(fs) == 0 && !injected {
			return in
		}
		if !in.applySecrets(set, red, fs, ok) {
			return in
		}
	}
	return handleInjection(in, set)
}

// applySecrets notes what redactSecrets found (red, fs, ok) and takes the
// masked value, as set says. It returns false when the value must be
// withheld (a secret that could not be masked).
func (in *inspection) applySecrets(set manifest.Results, red []byte, fs []secrets.Finding, ok bool) bool {
	if len(fs) == 0 {
		return true
	}
	r := RuleResultSecret + fs[0].RuleID
	switch {
	case set.Secrets == manifest.SecretsMonitor:
		in.note(r, "secrets seen (monitor): "+describeSecrets(fs), false)
	case !ok:
		in.rule, in.withhold = r, "a secret in it could not be masked"
		return false
	default:
		in.note(r, "secrets masked: "+describeSecrets(fs), true)
		in.out = red
	}
	return true
}

// handleInjection scans every value string of in.out for injected
// instructions and neutralizes, withholds or records them as set says.
// Unset is neutralize: a gateway without a manifest must not hand a model
// planted orders as they were written, and neutralizing keeps the text
// readable (quoted as data under a warning) when a finding is wrong.
func handleInjection(in inspection, set manifest.Results) inspection {
	if set.Injection == "" {
		set.Injection = manifest.InjectionNeutralize
	}
	var found []injectguard.Finding
	// structuredContent, read whole before anything is rewritten; with a
	// text copy, that copy's verdict (copyFound) stands for it instead.
	sc, copied := structuredCopy(in.out)
	split := structuredSplit(sc, copied)
	var copyFound []injectguard.Finding
	out, _ := mapInjection(in.out, 0, func(s string, key bool) (string, bool) {
		if key {
			return s, false
		}
		fs := injectguard.Scan(s)
		if len(fs) == 0 {
			return s, false
		}
		found = append(found, fs...)
		if copied && copyFound == nil && s == string(sc) && injectguard.HasContent(fs) {
			copyFound = fs // the text copy of structuredContent, judged whole
		}
		if set.Injection == manifest.InjectionNeutralize {
			return injectguard.Neutralize(s, fs), true
		}
		return s, false
	})
	if len(found) == 0 {
		// No one string holds instructions; the text items read in a
		// row may ("Please ignore all" / "previous instructions and …").
		// Each item in the run is then treated as holding them.
		if items, cross := splitInstructions(in.out); len(cross) > 0 {
			out, _ = mapInjection(in.out, 0, func(s string, key bool) (string, bool) {
				if key || !slices.Contains(items, s) {
					return s, false
				}
				fs := []injectguard.Finding{{Kind: cross[0].Kind, End: len(s), Detail: "part of instructions split across text items"}}
				found = append(found, fs...)
				if set.Injection == manifest.InjectionNeutralize {
					return injectguard.Neutralize(s, fs), true
				}
				return s, false
			})
		}
	}
	if len(split) > 0 {
		found = append(found, split[0])
	} else {
		split = copyFound // already in found
	}
	// Clients may hand structuredContent to the model instead of the text
	// items, so an order split across its fields is quoted there too, also
	// when a text item's copy of it was caught.
	if len(split) > 0 && set.Injection == manifest.InjectionNeutralize {
		var ok bool
		if out, ok = neutralizeStructured(out, split[0]); !ok {
			in.rule = RuleResultInjection + split[0].Kind
			in.withhold = "its structuredContent carries what looks like injected instructions and could not be rewritten"
			return in
		}
	}
	if len(found) == 0 {
		return in
	}
	in.out = out
	r := RuleResultInjection + found[0].Kind
	desc := describeInjection(found)
	switch set.Injection {
	case manifest.InjectionWithhold:
		in.rule = r
		in.withhold = "it carries what looks like injected instructions (" + desc + ")"
	case manifest.InjectionNeutralize:
		in.note(r, "injected instructions neutralized: "+desc, true)
	default:
		in.note(r, "injected instructions seen (monitor): "+desc, false)
	}
	return in
}

func inspectResult(x *Exchange, reply *Reply, set manifest.Results) (*Reply, error) {
	res := reply.Msg.Result
	in := cleanValue(res, set)
	if in.withhold != "" {
		return withhold(x, reply, in.rule, in.withhold)
	}
	out, notes, rule, monitorOnly := in.out, in.notes, in.rule, in.monitorOnly
	if len(notes) > 0 {
		rec := x.Record
		if rec.Rule == "" {
			rec.Rule = rule
		}
		if rec.Mode == "" && monitorOnly {
			rec.Mode = "monitor"
		}
		msg := "result: " + strings.Join(notes, "; ")
		if rec.Reason != "" {
			msg = rec.Reason + "; " + msg
		}
		rec.Reason = msg
	}
	if sameBytes(out, res) {
		return reply, nil // nothing changed: the server's bytes go through
	}
	raw, err := mcpwire.Set(reply.Msg.Raw, "result", out)
	if err == nil {
		var nm *mcpwire.Message
		if nm, err = mcpwire.Parse(raw); err == nil {
			return &Reply{Msg: nm}, nil
		}
	}
	// A rewrite that does not parse (masked keys that now collide) is not
	// forwarded, nor is the unmasked original.
	return withhold(x, reply, rule, "the rewritten result is not valid: "+err.Error())
}

// withhold answers in place of the server's result. A tool result
// becomes a tool error the model reads; other methods get a JSON-RPC
// error. Both name the rule and the audit record.
func withhold(x *Exchange, reply *Reply, rule, why string) (*Reply, error) {
	public := "mcpwarden withheld this result: " + why + " (rule " + rule + ", audit id " + x.Record.ID + ")"
	if x.Method != "tools/call" {
		return nil, &Denial{Rule: rule, Code: CodeDenied, Public: "mcpwarden withheld this result: " + firstClause(why), Detail: why}
	}
	rec := x.Record
	rec.Decision, rec.Rule = "deny", rule
	rec.Reason = "result withheld: " + why
	res := []byte(`{"content":[{"type":"text","text":`)
	res = mcpwire.AppendString(res, public)
	res = append(res, `}],"isError":true}`...)
	nm, err := mcpwire.Parse(mcpwire.NewResult(reply.Msg.ID, res))
	if err != nil {
		return nil, &Denial{Rule: rule, Code: CodeDenied, Public: "mcpwarden withheld this result", Detail: err.Error()}
	}
	return &Reply{Msg: nm}, nil
}

func firstClause(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}

// describeSecrets names the rules and hashes of what was found: never
// the secret itself.
func describeSecrets(fs []secrets.Finding) string {
	var parts []string
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.RuleID + " sha256:" + f.Hash[:min(12, len(f.Hash))]
		if !seen[k] {
			seen[k] = true
			parts = append(parts, k)
		}
	}
	if len(parts) > 8 {
		parts = append(parts[:8], fmt.Sprintf("and %d more", len(parts)-8))
	}
	return strconv.Itoa(len(fs)) + " (" + strings.Join(parts, ", ") + ")"
}

// describeInjection names the kinds found, each once, with a count.
func describeInjection(fs []injectguard.Finding) string {
	var kinds []string
	count := map[string]int{}
	for _, f := range fs {
		if count[f.Kind] == 0 {
			kinds = append(kinds, f.Kind)
		}
		count[f.Kind]++
	}
	for i, k := range kinds {
		kinds[i] = k + "×" + strconv.Itoa(count[k])
	}
	return strings.Join(kinds, ", ")
}

// sameBytes reports whether a and b are the same slice (not merely equal
// bytes): the walkers hand back their input when they change nothing.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Notifications returns the filter for server notifications that carry
// text (notifications/message log data, notifications/progress
// messages): secrets are masked and injected instructions handled as in
// results, by the server's manifest. A notification cannot be withheld
// without breaking the exchange it belongs to, so withhold neutralizes
// instead. There is no exchange record for a notification: what was
// changed shows only in the text the client gets. A tools/list_changed
// marks the server's manifest stale (see the manifest stage).
func Notifications(ms map[string]*manifest.Manifest) func(server string, msg *mcpwire.Message) *mcpwire.Message {
	return func(server string, msg *mcpwire.Message) *mcpwire.Message {
		if msg.Method == "notifications/tools/list_changed" {
			if m := ms[server]; m != nil {
				m.MarkStale() // calls wait until the new list is checked
			}
			return msg
		}
		if msg.Kind != mcpwire.KindNotification || len(msg.Params) == 0 ||
			msg.Method != "notifications/message" && msg.Method != "notifications/progress" {
			return msg
		}
		var set manifest.Results
		if m := ms[server]; m != nil {
			set = m.Results
		}
		if set.Injection == manifest.InjectionWithhold {
			set.Injection = manifest.InjectionNeutralize
		}
		in := cleanValue(msg.Params, set)
		if in.withhold == "" && sameBytes(in.out, msg.Params) {
			return msg
		}
		params := in.out
		if in.withhold != "" {
			// Secrets that could not be masked: the text goes, the
			// notification stays.
			params, _ = mcpwire.Delete(msg.Params, "data")
			params, _ = mcpwire.Delete(params, "message")
		}
		if nm, err := msg.WithParam("", params); err == nil {
			return nm
		}
		nm, _ := mcpwire.Parse(mcpwire.NewNotification(msg.Method, nil))
		return nm
	}
}

// jsonForgery says whether fs holds a finding only JSON shows whole: a
// message with a system or developer role, or a forged tool call.
func jsonForgery(fs []injectguard.Finding) bool {
	return slices.ContainsFunc(fs, func(f injectguard.Finding) bool {
		return f.Kind == injectguard.KindForgedTurn || f.Kind == injectguard.KindToolCall
	})
}

// mayForge is a cheap test that v could hold a forged turn or tool call
// in JSON: the words those patterns need (at any escaping depth).
func mayForge(v []byte) bool {
	for _, w := range forgeWords {
		if bytes.Contains(v, w) {
			return true
		}
	}
	return false
}

var forgeWords = [][]byte{[]byte("role"), []byte("arguments"), []byte("tool_"), []byte("toolUse"), []byte("function_call"), []byte("functionCall"), []byte("tools/call")}

// nestedForgery reports whether a string of v holds JSON whose text, read
// whole, is a forged turn or tool call.
func nestedForgery(v []byte, depth int) bool {
	hit := false
	mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if !hit && !key && nestedJSON(s, depth) {
			hit = jsonForgery(injectguard.Scan(s)) || nestedForgery([]byte(s), depth+1)
		}
		return s, false
	})
	return hit
}

// mapInjection is mapDeep for the injection scan: JSON held in a string
// is opened, unless its text read whole is a forged turn or tool call;
// then the string as a whole is what fn judges and rewrites.
func mapInjection(v []byte, depth int, fn func(s string, key bool) (string, bool)) ([]byte, bool) {
	return mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if !key && nestedJSON(s, depth) {
			// The JSON read whole: a forged turn or tool call, or
			// instructions that no one value holds (an order split across
			// fields, probe set z27), make the string what fn judges.
			if fs := injectguard.Scan(s); jsonForgery(fs) || len(s) <= maxSplit && injectguard.HasContent(fs) && !valuesInstruct([]byte(s), depth+1) {
				return fn(s, key)
			}
			inner, changed := mapInjection([]byte(s), depth+1, fn)
			return string(inner), changed
		}
		return fn(s, key)
	})
}

// nestedSplit reports whether a string of v holds JSON (of at most
// maxSplit bytes) that, read whole, carries instructions none of its
// values carries alone: an order split across fields.
func nestedSplit(v []byte, depth int) bool {
	hit := false
	mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if !hit && !key && len(s) <= maxSplit && nestedJSON(s, depth) {
			hit = injectguard.HasContent(injectguard.Scan(s)) && !valuesInstruct([]byte(s), depth+1) || nestedSplit([]byte(s), depth+1)
		}
		return s, false
	})
	return hit
}

// valuesInstruct reports whether a value string of v (or of JSON held in
// one) has findings of its own.
func valuesInstruct(v []byte, depth int) bool {
	hit := false
	mcpwire.MapStrings(v, func(s string, key bool) (string, bool) {
		if hit || key {
			return s, false
		}
		if nestedJSON(s, depth) {
			hit = valuesInstruct([]byte(s), depth+1)
		} else {
			hit = len(injectguard.Scan(s)) > 0
		}
		return s, false
	})
	return hit
}

// maxSplit bounds the results whose text items are also read together.
const maxSplit = 16 << 10

// structuredSplit returns the findings of a result's structuredContent sc
// read whole as JSON text (of at most maxSplit bytes) when none of its
// values carries instructions alone: an order split across fields, as
// mapInjection reads JSON held in a string. Nil otherwise.
//
// When a string of the result holds sc's exact bytes (copied: a text item,
// in the usual serialization of both), that string is judged whole where
// it is and sc follows its verdict (handleInjection): sc is not read a
// second time.
func structuredSplit(sc []byte, copied bool) []injectguard.Finding {
	if copied || len(sc) > maxSplit || len(sc) < 2 || sc[0] != '{' && sc[0] != '[' {
		return nil
	}
	var fs []injectguard.Finding
	for _, f := range injectguard.Scan(string(sc)) {
		if !f.Control {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 || valuesInstruct(sc, 0) {
		return nil
	}
	return fs
}

// structuredCopy returns v's structuredContent and whether a string of v
// (a text item, as a rule) holds the same bytes: such a string is judged
// whole like any JSON held in a string.
func structuredCopy(v []byte) (sc []byte, copied bool) {
	if !bytes.Contains(v, []byte(`"structuredContent"`)) {
		return nil, false
	}
	sc, ok := mcpwire.Get(v, "structuredContent")
	if !ok {
		return nil, false
	}
	return sc, bytes.Contains(v, mcpwire.AppendString(nil, string(sc)))
}

// neutralizeStructured quotes every value string of v's structuredContent
// as data under the warning for f, as the text items of a split order
// are. It reports false when the result could not be rewritten.
func neutralizeStructured(v []byte, f injectguard.Finding) ([]byte, bool) {
	sc, ok := mcpwire.Get(v, "structuredContent")
	if !ok {
		return v, false
	}
	f.Detail = "part of instructions split across structuredContent fields"
	sc, _ = mcpwire.MapStrings(sc, func(s string, key bool) (string, bool) {
		if key || s == "" {
			return s, false
		}
		g := f
		g.Start, g.End = 0, len(s)
		return injectguard.Neutralize(s, []injectguard.Finding{g}), true
	})
	out, err := mcpwire.Set(v, "structuredContent", sc)
	return out, err == nil
}

// splitInstructions returns a result's content text items and the
// findings (other than invisible characters) of those items read in a
// row, one per line, when it has two or more and at most maxSplit bytes;
// no findings otherwise. A model reads the items as one text, so an order
// cut into pieces, none of which says anything alone, is still an order.
func splitInstructions(v []byte) (items []string, fs []injectguard.Finding) {
	// Two items make three objects; two text items name "text" four
	// times ("type":"text", "text":). Counting one byte is the cheap test.
	if len(v) > maxSplit || bytes.Count(v, []byte("{")) < 3 || bytes.Count(v, []byte(`"text"`)) < 4 {
		return nil, nil
	}
	if items = contentTexts(v); len(items) < 2 {
		return items, nil
	}
	for _, f := range injectguard.Scan(strings.Join(items, "\n")) {
		if !f.Control {
			fs = append(fs, f)
		}
	}
	return items, fs
}

// contentTexts returns the text of v's content items of type text.
func contentTexts(v []byte) []string {
	var r struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if json.Unmarshal(v, &r) != nil {
		return nil
	}
	var out []string
	for _, c := range r.Content {
		if c.Type == "text" && c.Text != "" {
			out = append(out, c.Text)
		}
	}
	return out
}
