package redteam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/canon"
)

// Outcomes.
const (
	// Attacks.
	Detected    = "detected"    // stopped by a rule of the gateway
	Missed      = "missed"      // reached the server, or reached the client unaltered
	Unavailable = "unavailable" // refused only because the guard it needs is not built (*.unavailable)
	// Benign look-alikes.
	Passed        = "passed"         // reached the server and came back unaltered
	FalsePositive = "false-positive" // refused or altered
	// Either: the run itself failed (timeout, transport, a corpus error).
	Errored = "error"
	// Either: the client could not send the case over this transport and
	// protocol; not counted.
	Skipped = "skipped"
)

// Verdict is the judgment on one case.
type Verdict struct {
	ID       string        `json:"id"`
	Category string        `json:"category"`
	Kind     string        `json:"kind"`
	Title    string        `json:"title,omitempty"`
	File     string        `json:"file"`
	Phase    string        `json:"phase"`
	Outcome  string        `json:"outcome"`
	Rule     string        `json:"rule,omitempty"` // the gateway's rule that fired, if any
	Reached  bool          `json:"reached"`        // a tools/call reached the honeypot
	Detail   string        `json:"detail"`         // what the judge saw
	Duration time.Duration `json:"duration_ns"`
}

// judge decides one case from what the client saw (ob), what reached the
// honeypot (recs) and the gateway's exchange record (ex).
func judge(f *File, c *Case, ob observation, recs []Record, ex exchange) Verdict {
	v := Verdict{ID: c.ID, Category: f.Category, Kind: c.Kind, Title: c.Title, File: f.Path,
		Phase: c.Phase(), Duration: ob.elapsed}
	for _, r := range recs {
		if r.Method == "tools/call" {
			v.Reached = true
		}
	}
	v.Rule = ex.Rule
	if ob.callErr != nil {
		var data struct {
			Rule string `json:"rule"`
		}
		if json.Unmarshal(ob.callErr.Data, &data) == nil && data.Rule != "" {
			v.Rule = data.Rule
		}
	}
	attack := c.Kind == KindAttack
	set := func(outcome, format string, a ...any) Verdict {
		v.Outcome, v.Detail = outcome, fmt.Sprintf(format, a...)
		return v
	}
	// stopped classifies a case the gateway stopped: for an attack a
	// detection, unless the only reason was a guard that is not built.
	stopped := func(how string) Verdict {
		switch {
		case !attack:
			return set(FalsePositive, "%s", how)
		case strings.HasSuffix(v.Rule, ".unavailable"):
			return set(Unavailable, "%s (the guard it needs is not built)", how)
		case v.Rule == "" && ob.callErr != nil && !v.Reached:
			switch ob.callErr.Code {
			case codeHTTPBadRequest:
				v.Rule = "(http 400)"
				return set(Detected, "%s (refused as malformed, without a rule id)", how)
			case -32700, -32600, -32602:
				// The wire decoder refuses malformed JSON (duplicate
				// keys, lone surrogates) before any stage names a rule.
				v.Rule = fmt.Sprintf("(rpc %d)", ob.callErr.Code)
				return set(Detected, "%s (refused as malformed, without a rule id)", how)
			}
			// Any other error without a rule (an internal error, an
			// upstream failure) says nothing of the attack.
			return set(Missed, "%s, without a rule id", how)
		}
		return set(Detected, "%s", how)
	}
	if ob.skip != "" {
		return set(Skipped, "not sent: %s", ob.skip)
	}
	if ob.listErr != "" {
		if ob.listRule != "" {
			// The gateway refused the list that would have shown the
			// case's definition (a server answer it cannot pass on).
			v.Rule = ob.listRule
			return stopped("tools/list refused: " + ob.listErr)
		}
		return set(Errored, "tools/list failed: %s", ob.listErr)
	}
	if ob.otherErr != "" && !v.Reached {
		return set(Errored, "the call failed: %s", ob.otherErr)
	}
	switch v.Phase {
	case "prompt", "resource", "instructions":
		// Nothing is called: the definition (or the instructions) as the
		// client got it is all there is to judge.
		var shown bool
		if v.Phase == "instructions" {
			shown = ob.surfaceFound && ob.instructions == f.Instructions
		} else {
			items := f.prompts
			if v.Phase == "resource" {
				items = f.resources
			}
			i := slices.IndexFunc(items, func(t compiledTool) bool { return t.name == c.Tool })
			shown = i >= 0 && sameJSON(ob.surface[c.Tool], items[i].defs[0])
		}
		switch {
		case shown && attack:
			return set(Missed, "the %s reached the client as served", v.Phase)
		case shown:
			return set(Passed, "the %s reached the client as served", v.Phase)
		}
		return stopped("the " + v.Phase + " was withheld or altered")
	case "definition-change":
		t := f.tool(c.Tool)
		if _, ok := ob.firstList[c.Tool]; !ok {
			return set(Errored, "the approved definition of %q was not listed before the change (is its pin right?)", c.Tool)
		}
		shown := sameJSON(ob.lastList[c.Tool], t.defs[c.RugPull])
		if attack {
			switch {
			case shown && v.Reached:
				return set(Missed, "the changed definition was listed and the call reached the server")
			case shown:
				return set(Missed, "the changed definition was listed (the call was refused: %s)", errText(ob))
			case v.Reached:
				return set(Missed, "the changed definition was hidden but the call reached the server")
			}
			return stopped("changed definition hidden, call refused: " + errText(ob))
		}
		if !shown {
			return stopped("the changed definition was not listed as served")
		}
		return benignCall(v, c, f, ob, set, stopped)
	case "definition":
		served := f.tool(c.Tool).defs[0]
		shown := sameJSON(ob.firstList[c.Tool], served)
		if attack {
			switch {
			case shown && v.Reached:
				return set(Missed, "the definition was listed as served and the call reached the server")
			case shown:
				return set(Missed, "the definition was listed as served (the call was refused: %s)", errText(ob))
			case v.Reached:
				return set(Missed, "the definition was not listed as served, but the call reached the server")
			}
			return stopped("definition withheld, call refused: " + errText(ob))
		}
		if !shown {
			if _, listed := ob.firstList[c.Tool]; listed {
				return stopped("the definition was listed altered")
			}
			return stopped("the tool was not listed")
		}
		return benignCall(v, c, f, ob, set, stopped)
	case "result":
		if !v.Reached {
			if attack {
				return stopped("the call was refused before it reached the server: " + errText(ob))
			}
			return stopped("refused before it reached the server: " + errText(ob))
		}
		if ob.callErr != nil {
			return stopped("the result was withheld: " + errText(ob))
		}
		if ob.callResult == nil {
			return set(Errored, "no result was seen: %s", ob.otherErr)
		}
		for i, cn := range c.Canaries {
			if containsString(ob.callResult, cn) {
				// Only a hint of which: reports travel further than the
				// corpus, and a case file may hold a real-looking secret.
				return set(Missed, "the client saw canary %d (%s…)", i+1, string([]rune(cn)[:min(4, len([]rune(cn)))]))
			}
		}
		if attack && slices.ContainsFunc(c.Canaries, func(cn string) bool { return containsString(c.resultJSON, cn) }) {
			// The server sent a canary the client did not see: the gateway
			// masked it, wherever it was (in _meta too, which sameResult
			// leaves out).
			return stopped("the canaries the server sent did not reach the client")
		}
		if sameResult(ob.callResult, c.resultJSON) {
			if attack {
				return set(Missed, "the result reached the client unaltered")
			}
			return set(Passed, "unaltered")
		}
		return stopped("the result was altered")
	}
	// arguments
	if attack {
		if v.Reached {
			return set(Missed, "the call reached the server")
		}
		return stopped("refused: " + errText(ob))
	}
	return benignCall(v, c, f, ob, set, stopped)
}

// benignCall judges a benign call: it must reach the server and its
// result must come back unaltered.
func benignCall(v Verdict, c *Case, f *File, ob observation, set func(string, string, ...any) Verdict, stopped func(string) Verdict) Verdict {
	if !v.Reached {
		return stopped("refused: " + errText(ob))
	}
	if ob.callErr != nil {
		return stopped("reached the server, but the client got an error: " + errText(ob))
	}
	want := c.resultJSON
	if want == nil {
		if t := f.tool(c.Tool); t != nil {
			want = t.result
		}
	}
	if want == nil {
		want = json.RawMessage(defaultResult)
	}
	if !sameResult(ob.callResult, want) {
		return stopped("the result was altered")
	}
	return set(Passed, "reached the server; result unaltered")
}

func errText(ob observation) string {
	switch {
	case ob.callErr != nil:
		return clip(fmt.Sprintf("%d %s", ob.callErr.Code, ob.callErr.Message), 160)
	case ob.otherErr != "":
		return clip(ob.otherErr, 160)
	}
	return "no error"
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// sameJSON compares two JSON values in their canonical forms (RFC 8785),
// the same way pins do.
func sameJSON(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return false
	}
	ca, errA := canonical(a)
	cb, errB := canonical(b)
	return errA == nil && errB == nil && bytes.Equal(ca, cb)
}

func canonical(raw json.RawMessage) ([]byte, error) {
	v, err := canon.Parse(raw)
	if err != nil {
		return nil, err
	}
	return canon.Append(nil, v)
}

// sameResult compares what the model reads of two tool results: content,
// structuredContent and isError. _meta and fields the gateway may add for
// clients are not judged.
func sameResult(got, want json.RawMessage) bool {
	pick := func(raw json.RawMessage) json.RawMessage {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return raw
		}
		out := map[string]json.RawMessage{}
		// inputRequests: what a 2026-07-28 server asks the client for
		// (forms, sampling) is what the client acts on too.
		for _, k := range []string{"content", "structuredContent", "isError", "inputRequests"} {
			if v, ok := m[k]; ok && !(k == "isError" && string(v) == "false") {
				out[k] = v
			}
		}
		b, _ := json.Marshal(out)
		return b
	}
	return sameJSON(pick(got), pick(want))
}
