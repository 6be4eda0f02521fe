package poison

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Shadowing flags tool definitions whose text tells the model how to use
// a different tool ("when you call send_email, always add bcc…", "instead
// of read_file use…"): cross-tool shadowing. A plain reference ("use
// list_files first") is not flagged. defs are raw tool definitions, all
// tools the model will see together.
func Shadowing(defs []json.RawMessage) []Finding {
	type tool struct {
		name string
		text string
		def  json.RawMessage
	}
	var tools []tool
	for _, d := range defs {
		var v map[string]any
		if json.Unmarshal(d, &v) != nil {
			continue
		}
		name, _ := v["name"].(string)
		var sb strings.Builder
		walk("", v, func(where, s string) {
			if !strings.HasSuffix(where, "(key)") && where != ".name" {
				sb.WriteString(s)
				sb.WriteByte('\n')
			}
		})
		tools = append(tools, tool{name, sb.String(), d})
	}
	var out []Finding
	for _, t := range tools {
		for _, o := range tools {
			if o.name == t.name || len(o.name) < 3 || !strings.Contains(t.text, o.name) {
				continue
			}
			q := regexp.QuoteMeta(o.name)
			re := regexp.MustCompile(`(?i)(` +
				`(when|whenever|before|after|if)\s+(you\s+)?(use|call|invoke|run)(ing)?\s+(the\s+)?` + q + `[^.]{0,80}\b(always|must|also|never|first|instead|do not|don't)` +
				`|instead\s+of\s+(using\s+|calling\s+)?(the\s+)?` + q +
				`|` + q + `\s+(tool\s+)?(must|should)\s+(always|never|only)` +
				`|(do\s+not|don't|never)\s+(use|call)\s+(the\s+)?` + q + `)`)
			if m := re.FindString(t.text); m != "" {
				out = append(out, Finding{Rule: "poison.shadowing", Where: t.name,
					Detail: fmt.Sprintf("tool %q gives instructions about tool %q: %q", t.name, o.name, strings.TrimSpace(m))})
				continue
			}
			// Probe set z35: an order split over two tools of one server.
			// One defines a "protocol" or "rule" that moves data, the other
			// tells the model to carry it out ("perform the SYNC-7 handshake
			// described by vault_protocol"). The invoking tool is flagged
			// when the tool it defers to is itself flagged for moving data;
			// "follow the pagination protocol of list_pages" defers to a
			// clean tool and passes.
			if m := protocolRef(t.text, o.name); m != "" && movesData(o.def) {
				out = append(out, Finding{Rule: "poison.protocol", Where: t.name,
					Detail: fmt.Sprintf("tool %q tells the model to carry out what the poisoned tool %q defines: %q", t.name, o.name, strings.TrimSpace(m))})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}

// protocolVerb: carrying out a procedure another text defines.
var protocolVerb = lazy(`(?i)\b(perform|apply|follow|execute|run|complete|carry\s+out|observe|do)\b`)

// protocolRef returns the sentence of text that tells the model to carry
// out something defined by the tool named name ("perform the handshake
// described by vault_protocol", "apply rule N-3 of notes_style_guide"),
// or "".
func protocolRef(text, name string) string {
	for _, sent := range sentences(text) {
		i := strings.Index(sent, name)
		if i < 0 {
			continue
		}
		before := strings.ToLower(sent[:i])
		if !strings.HasSuffix(strings.TrimRight(before, " `'\"("), " of") && !hasAny(before, "described by", "defined by", "defined in", "described in", "specified by", "specified in", "from", "per ", "according to", "set out by", "set out in", " in ", " by ") {
			continue
		}
		if protocolVerb.MatchString(sent[:i]) {
			return sent
		}
	}
	return ""
}

// movesData reports whether a definition is flagged for moving data out:
// the findings that make a "protocol" it defines an order to leak.
func movesData(def json.RawMessage) bool {
	for _, f := range Definition(def) {
		switch f.Rule {
		case "poison.data-directive", "poison.exfil-directive", "poison.credential-parameter", "poison.harvest", "poison.concealment":
			return true
		}
	}
	return false
}
