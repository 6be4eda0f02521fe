package manifest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"filePath":      "file path",
		"HTTPServerURL": "http server url",
		"cmd_line":      "cmd line",
		"getURL":        "get url",
		"target-url2":   "target url2",
		"SQL":           "sql",
		"Runs SQL.":     "runs sql",
	} {
		if got := strings.Join(words(in), " "); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessGuards(t *testing.T) {
	tool := func(name, desc, props string) []byte {
		return []byte(`{"name":"` + name + `","description":"` + desc + `","inputSchema":{"type":"object","properties":` + props + `}}`)
	}
	cases := []struct {
		def   []byte
		roots []string
		want  map[string]string // argument -> the guard besides the secrets scan ("" = none)
	}{
		{tool("run_query", "Runs a read-only SQL query.", `{"query":{"type":"string"},"limit":{"type":"integer"}}`), nil,
			map[string]string{"query": "sql: {mode: read_only}"}},
		{tool("pg_exec", "", `{"sqlText":{"type":"string"}}`), nil,
			map[string]string{"sqlText": "sql: {mode: read_only}"}},
		// A search query is not SQL: only the secrets scan.
		{tool("web_search", "Searches the web.", `{"query":{"type":"string"}}`), nil,
			map[string]string{"query": ""}},
		{tool("search", "Select the best results and return a table of contents.", `{"query":{"type":"string"}}`), nil,
			map[string]string{"query": ""}},
		{tool("ask_db", "Answers questions from the analytics database.", `{"statement":{"type":"string"}}`), nil,
			map[string]string{"statement": "sql: {mode: read_only}"}},
		{tool("exec", "Runs a program.", `{"commandLine":{"type":"string"},"cwd":{"type":"string"}}`), nil,
			map[string]string{"commandLine": "command: {}", "cwd": ""}},
		{tool("fetch", "", `{"targetUrl":{"type":"string"},"link":{"type":"string","format":"uri"}}`), nil,
			map[string]string{"targetUrl": "url: {allow: public}", "link": "url: {allow: public}"}},
		{tool("read_file", "", `{"filePath":{"type":["string","null"]},"encoding":{"type":"string","enum":["utf8"]}}`), []string{"/srv/data", "/srv/my docs"},
			map[string]string{"filePath": `path: {roots: ["/srv/data", "/srv/my docs"]}`, "encoding": ""}},
		{tool("list_dir", "", `{"directory":{"type":"string"}}`), nil,
			map[string]string{"directory": "path: {roots: [" + rootsPlaceholder + "]}"}},
		{tool("count", "", `{"n":{"type":"integer"},"flags":{"type":"array"}}`), nil, map[string]string{}},
	}
	for _, c := range cases {
		lines := guessGuards(c.def, c.roots)
		var name struct{ Name string }
		_ = json.Unmarshal(c.def, &name)
		if len(c.want) == 0 {
			if lines != nil {
				t.Errorf("%s: guards %q, want none", name.Name, lines)
			}
			continue
		}
		got := map[string]string{}
		var arg string
		for _, l := range lines[1:] {
			switch {
			case strings.HasPrefix(l, "      ") && !strings.HasPrefix(l, "        "):
				arg = strings.Trim(strings.TrimSuffix(strings.TrimSpace(l), ":"), `"`)
				got[arg] = ""
			case strings.TrimSpace(l) == "secrets: scan":
			default:
				got[arg] = strings.TrimSpace(l)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: guards for %v, want %v", name.Name, got, c.want)
		}
		for a, g := range c.want {
			if v, ok := got[a]; !ok || v != g {
				t.Errorf("%s: %s: got %q, want %q (lines %q)", name.Name, a, v, g, lines)
			}
		}
		if n := strings.Count(strings.Join(lines, "\n"), "secrets: scan"); n != len(c.want) {
			t.Errorf("%s: %d secrets scans, want one per string argument", name.Name, n)
		}
		noted := strings.Contains(lines[0], "set the path roots")
		if want := slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, rootsPlaceholder) }); noted != want {
			t.Errorf("%s: header %q", name.Name, lines[0])
		}
	}
}

// The draft with guessed guards parses, and a drafted manifest acts on
// planted instructions.
func TestDraftGuards(t *testing.T) {
	out, err := Draft("s", Served{Tools: []json.RawMessage{
		json.RawMessage(`{"name":"read_file","inputSchema":{"type":"object","properties":{"path":{"type":"string"}}}}`),
	}, Roots: []string{"/srv/data"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse("draft", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	g := m.Tools["read_file"].Guards["path"]
	if g == nil || g["path"] == nil || g["secrets"] == nil {
		t.Fatalf("guards %v\n%s", m.Tools["read_file"].Guards, out)
	}
	if !strings.Contains(string(out), "injection: neutralize") {
		t.Fatalf("no results block:\n%s", out)
	}
}

// The risk class comes from annotations first, then from the name's
// words, snake_case or camelCase; a name that says nothing is a write.
func TestGuessRisk(t *testing.T) {
	for def, want := range map[string]string{
		`{"name":"get_user","annotations":{"destructiveHint":true}}`: RiskDestructive,
		`{"name":"purge","annotations":{"readOnlyHint":true}}`:       RiskRead,
		`{"name":"x","annotations":{"openWorldHint":true}}`:          RiskExternal,
		`{"name":"delete_file"}`:                                     RiskDestructive,
		`{"name":"deleteFile"}`:                                      RiskDestructive,
		`{"name":"sendEmail"}`:                                       RiskExternal,
		`{"name":"createIssue"}`:                                     RiskWrite,
		`{"name":"listRepos"}`:                                       RiskRead,
		`{"name":"deleted_items_report"}`:                            RiskWrite,
		`{"name":"frobnicate"}`:                                      RiskWrite,
	} {
		if got := GuessRisk([]byte(def)); got != want {
			t.Errorf("GuessRisk(%s) = %s, want %s", def, got, want)
		}
	}
}
