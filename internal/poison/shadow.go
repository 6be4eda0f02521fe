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
		tools = append(tools, tool{name, sb.String()})
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
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Where < out[j].Where })
	return out
}
