package manifest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// rootsPlaceholder stands for the path guard's roots when the draft has
// no directory to propose: it names no real directory, so every path is
// refused until someone sets the roots.
const rootsPlaceholder = "/REVIEW-set-the-allowed-directory"

// guessGuards proposes content guards for a tool's string arguments, from
// the arguments' names (and, for a bare "query" or "statement", whether
// the tool's name or description speaks of SQL or a database), for the
// draft a human reviews. Every string argument also
// gets the secrets scan: any argument is a way out for a credential,
// whatever it is called. roots are the path guard's proposed directories.
// It returns the YAML lines of the tool's guards entry, or nil.
func guessGuards(def []byte, roots []string) []string {
	var t struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		InputSchema struct {
			Properties map[string]struct {
				Type   json.RawMessage `json:"type"`
				Format string          `json:"format"`
			} `json:"properties"`
		} `json:"inputSchema"`
	}
	if json.Unmarshal(def, &t) != nil {
		return nil
	}
	// Words that make a lone "query" SQL: not "table" or "select", which
	// a web search tool's description may use too (a SQL guard would
	// refuse every search as a parse error).
	toolWords := words(t.Name + " " + t.Description)
	rootList := rootsPlaceholder
	if len(roots) > 0 {
		quoted := make([]string, len(roots))
		for i, r := range roots {
			quoted[i] = yamlString(r)
		}
		rootList = strings.Join(quoted, ", ")
	}
	var lines []string
	for _, arg := range slices.Sorted(maps.Keys(t.InputSchema.Properties)) {
		p := t.InputSchema.Properties[arg]
		if !isString(p.Type) {
			continue
		}
		w := words(arg)
		lines = append(lines, fmt.Sprintf("      %s:", yamlString(arg)))
		switch {
		case hasWord(w, "sql") || (len(w) == 1 && hasWord(w, "query", "statement", "stmt") &&
			hasWord(toolWords, "sql", "database", "db", "postgres", "postgresql", "mysql", "sqlite")):
			lines = append(lines, "        sql: {mode: read_only}")
		case hasWord(w, "command", "cmd", "cmdline", "commandline", "shell"):
			lines = append(lines, "        command: {}")
		case hasWord(w, "url", "uri", "endpoint", "webhook", "href") || p.Format == "uri" || p.Format == "iri" || p.Format == "uri-reference":
			lines = append(lines, "        url: {allow: public}")
		case hasWord(w, "path", "file", "filename", "filepath", "dir", "directory", "folder", "dirname"):
			lines = append(lines, fmt.Sprintf("        path: {roots: [%s]}", rootList))
		}
		lines = append(lines, "        secrets: scan")
	}
	if len(lines) == 0 {
		return nil
	}
	head := "    guards: # guessed from the argument names: review"
	if len(roots) == 0 && slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, rootsPlaceholder) }) {
		head += "; set the path roots (none was on the server's command line)"
	}
	return append([]string{head}, lines...)
}

// words splits an identifier or a text into lower-case words: at
// anything not a letter or digit, and where camelCase turns upper.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func hasWord(ws []string, list ...string) bool {
	for _, w := range ws {
		if slices.Contains(list, w) {
			return true
		}
	}
	return false
}

// isString reports whether a schema's "type" admits a string: "string",
// or a list holding it.
func isString(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == "string"
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, "string")
}
