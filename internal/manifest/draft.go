package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mcpwarden/mcpwarden/internal/pin"
	"github.com/mcpwarden/mcpwarden/internal/poison"
)

// Served is what a server offers, as raw definitions from its lists.
type Served struct {
	Tools     []json.RawMessage
	Prompts   []string
	Resources []string // resource URIs and URI templates
	// Instructions are the server's instructions ("" = none).
	Instructions string
	// Definitions of prompts, resources and templates, as served.
	PromptDefs, ResourceDefs []json.RawMessage
	// Roots are the directories a drafted path guard confines to: the
	// absolute directories on a stdio server's command line, where a
	// file server names what it serves.
	Roots []string
}

// Draft writes a manifest that declares everything srv serves: each
// tool's input schema copied as its argument schema, its definition
// pinned, its risk class guessed, and every entry marked for review.
func Draft(server string, srv Served) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Capability manifest for %q, drafted by `mcpwarden manifest init`.\n", server)
	b.WriteString("# DRAFT: review every entry, tighten the argument schemas, delete what the\n")
	b.WriteString("# agent must not use, then remove the `review: true` lines. See docs/manifest.md.\n")
	b.WriteString("version: 1\n")
	fmt.Fprintf(&b, "server: %s\n", yamlString(server))
	if srv.Instructions != "" {
		fmt.Fprintf(&b, "instructions: %s # pin of the server's instructions\n", pin.HashString(srv.Instructions))
	}
	// Without a results block, planted instructions are only recorded;
	// a manifest is where an operator opts into acting on them.
	b.WriteString("results:\n")
	b.WriteString("  secrets: redact          # redact | monitor | off\n")
	b.WriteString("  injection: neutralize    # withhold | neutralize | monitor; unset: recorded only\n")
	if len(srv.Tools) == 0 {
		b.WriteString("tools: {}\n")
	} else {
		b.WriteString("tools:\n")
	}
	var names []string
	for _, def := range srv.Tools {
		var t struct{ Name string }
		_ = json.Unmarshal(def, &t)
		names = append(names, t.Name)
	}
	confusable := map[string]string{}
	for _, f := range poison.Names(names) {
		confusable[f.Where] = f.String()
	}
	shadows := map[string][]string{}
	for _, f := range poison.Shadowing(srv.Tools) {
		shadows[f.Where] = append(shadows[f.Where], f.String())
	}
	for _, def := range sortTools(srv.Tools) {
		var t struct {
			Name        string          `json:"name"`
			InputSchema json.RawMessage `json:"inputSchema"`
		}
		if err := json.Unmarshal(def, &t); err != nil || t.Name == "" {
			return nil, fmt.Errorf("manifest: tool definition without a name: %s", def)
		}
		h, err := pin.Hash(def)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "  %s:\n", yamlString(t.Name))
		if c, ok := confusable[t.Name]; ok {
			fmt.Fprintf(&b, "    # FLAGGED, review the name: %s\n", c)
		}
		for _, s := range shadows[t.Name] {
			fmt.Fprintf(&b, "    # FLAGGED, review the description: %s\n", s)
		}
		for _, f := range poison.Definition(def) {
			fmt.Fprintf(&b, "    # FLAGGED, the gateway quarantines it: %s\n", strings.ReplaceAll(f.String(), "\n", " "))
		}
		fmt.Fprintf(&b, "    risk: %s # guessed\n", GuessRisk(def))
		fmt.Fprintf(&b, "    pin: %s\n", h)
		b.WriteString("    review: true\n")
		if len(bytes.TrimSpace(t.InputSchema)) > 0 && string(bytes.TrimSpace(t.InputSchema)) != "null" {
			var ind bytes.Buffer
			if err := json.Indent(&ind, t.InputSchema, "      ", "  "); err != nil {
				return nil, fmt.Errorf("manifest: tool %q: input schema: %w", t.Name, err)
			}
			fmt.Fprintf(&b, "    arguments: %s\n", ind.Bytes())
		}
		for _, l := range guessGuards(def, srv.Roots) {
			b.WriteString(l + "\n")
		}
	}
	if len(srv.Prompts) == 0 {
		b.WriteString("prompts: {}\n")
	} else {
		b.WriteString("prompts:\n")
		for _, p := range sorted(srv.Prompts) {
			fmt.Fprintf(&b, "  %s: {}\n", yamlString(p))
		}
	}
	if len(srv.Resources) == 0 {
		b.WriteString("resources: []\n")
	} else {
		b.WriteString("resources:\n")
		for _, r := range sorted(srv.Resources) {
			fmt.Fprintf(&b, "  - %s\n", yamlString(r))
		}
	}
	out := b.Bytes()
	if _, err := Parse("draft", out); err != nil {
		return nil, fmt.Errorf("manifest: the draft does not parse: %w", err)
	}
	return out, nil
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func sortTools(defs []json.RawMessage) []json.RawMessage {
	out := append([]json.RawMessage(nil), defs...)
	name := func(d json.RawMessage) string {
		var t struct{ Name string }
		_ = json.Unmarshal(d, &t)
		return t.Name
	}
	sort.SliceStable(out, func(i, j int) bool { return name(out[i]) < name(out[j]) })
	return out
}

// yamlString quotes s as a JSON string, which YAML reads back unchanged
// whatever it holds (NUL, zero-width characters, a leading space).
func yamlString(s string) string {
	if plain(s) {
		return s
	}
	return strconv.Quote(s)
}

// plain reports whether s can be written unquoted and reads back as the
// same string (not a number, boolean or null).
func plain(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return false
	}
	return true
}

// GuessRisk proposes a risk class from a tool's annotations, then its
// name. A human reviews it.
func GuessRisk(def []byte) string {
	var t struct {
		Name        string `json:"name"`
		Annotations struct {
			ReadOnly    *bool `json:"readOnlyHint"`
			Destructive *bool `json:"destructiveHint"`
			OpenWorld   *bool `json:"openWorldHint"`
		} `json:"annotations"`
	}
	_ = json.Unmarshal(def, &t)
	a := t.Annotations
	switch {
	case a.Destructive != nil && *a.Destructive && (a.ReadOnly == nil || !*a.ReadOnly):
		return RiskDestructive
	case a.OpenWorld != nil && *a.OpenWorld:
		return RiskExternal
	case a.ReadOnly != nil && *a.ReadOnly:
		return RiskRead
	}
	ws := words(t.Name) // camelCase too: deleteFile is destructive
	has := func(list ...string) bool { return hasWord(ws, list...) }
	switch {
	case has("delete", "remove", "rm", "drop", "destroy", "kill", "purge", "truncate", "wipe", "erase", "reset"):
		return RiskDestructive
	case has("send", "post", "email", "mail", "http", "fetch", "web", "browse", "url", "publish", "notify", "webhook"):
		return RiskExternal
	case has("create", "update", "write", "set", "add", "put", "insert", "edit", "move", "rename", "upload", "save", "exec", "run"):
		return RiskWrite
	case has("get", "list", "read", "search", "query", "find", "show", "describe", "view", "lookup", "count", "stat", "status"):
		return RiskRead
	}
	return RiskWrite
}

// SetPin returns data with the pin of tool set to p, keeping every
// comment and every other line. The tool must be declared.
func SetPin(data []byte, tool, p string) ([]byte, error) {
	if !validPin(p) {
		return nil, fmt.Errorf("manifest: invalid pin %q", p)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("manifest: tool %q is not declared", tool)
	}
	tools := member(doc.Content[0], "tools")
	if tools == nil {
		return nil, fmt.Errorf("manifest: tool %q is not declared", tool)
	}
	t := member(tools, tool)
	if t == nil {
		return nil, fmt.Errorf("manifest: tool %q is not declared", tool)
	}
	if t.Kind == yaml.ScalarNode && t.Tag == "!!null" {
		t.Kind, t.Tag, t.Value, t.Style = yaml.MappingNode, "!!map", "", 0
	}
	if t.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("manifest: tool %q is not a mapping", tool)
	}
	if v := member(t, "pin"); v != nil {
		v.Value, v.Tag, v.Style = p, "!!str", 0
	} else {
		t.Content = append(t.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "pin"},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p})
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return out.Bytes(), nil
}

func member(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Change is one difference between a manifest and what a server serves.
type Change struct {
	Kind   string // "tool", "prompt" or "resource"
	Name   string
	Op     string // "undeclared" (served only), "missing" (declared only), "changed" (pin differs)
	Detail string
}

func (c Change) String() string {
	sign := map[string]string{"undeclared": "+", "missing": "-", "changed": "~"}[c.Op]
	s := fmt.Sprintf("%s %s %s: %s", sign, c.Kind, strconv.Quote(c.Name), c.Op)
	if c.Name == "" {
		s = fmt.Sprintf("%s %s: %s", sign, c.Kind, c.Op)
	}
	if c.Detail != "" {
		s += "\n    " + strings.ReplaceAll(c.Detail, "\n", "\n    ")
	}
	return s
}

// Diff lists how srv differs from m, sorted by kind and name.
func Diff(m *Manifest, srv Served) []Change {
	var out []Change
	if m.Instructions != "" {
		if h := pin.HashString(srv.Instructions); h != m.Instructions {
			out = append(out, Change{"instructions", "", "changed",
				fmt.Sprintf("pinned %s\nserved %s\nthe gateway withholds them; served instructions:\n%s", m.Instructions, h, srv.Instructions)})
		}
	}
	served := map[string]bool{}
	for _, def := range srv.Tools {
		var t struct{ Name string }
		_ = json.Unmarshal(def, &t)
		served[t.Name] = true
		d, ok := m.Tools[t.Name]
		if !ok {
			out = append(out, Change{"tool", t.Name, "undeclared", "served but not declared: hidden and refused"})
			continue
		}
		if d.Pin == "" {
			continue
		}
		h, err := pin.Hash(def)
		if err != nil {
			out = append(out, Change{"tool", t.Name, "changed", err.Error()})
		} else if h != d.Pin {
			out = append(out, Change{"tool", t.Name, "changed",
				fmt.Sprintf("pinned %s\nserved %s\nthe tool is quarantined; approve it with: mcpwarden manifest approve\nserved definition:\n%s", d.Pin, h, indentJSON(def))})
		}
	}
	for name := range m.Tools {
		if !served[name] {
			out = append(out, Change{"tool", name, "missing", "declared but not served"})
		}
	}
	sp := map[string]bool{}
	for _, p := range srv.Prompts {
		sp[p] = true
		if !m.Prompt(p) {
			out = append(out, Change{"prompt", p, "undeclared", "served but not declared"})
		}
	}
	for p := range m.Prompts {
		if !sp[p] {
			out = append(out, Change{"prompt", p, "missing", "declared but not served"})
		}
	}
	for _, r := range srv.Resources {
		if !m.Resource(r) {
			out = append(out, Change{"resource", r, "undeclared", "served but matches no declared pattern"})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		rank := map[string]int{"instructions": -1, "tool": 0, "prompt": 1, "resource": 2}
		if out[i].Kind != out[j].Kind {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func indentJSON(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}
