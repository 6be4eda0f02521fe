// Package redteam runs a corpus of attacks and benign look-alikes through a
// live mcpwarden gateway, black-box: the real binary in front of a honeypot
// MCP server that records what reached it and serves the tool definitions
// and results each case asks for. A judge compares what the client saw with
// what the honeypot received and reports per category (docs/redteam.md).
package redteam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
)

// Kinds of case.
const (
	KindAttack = "attack"
	KindBenign = "benign"
)

// File is one case file: the tools the honeypot serves, the manifest the
// gateway enforces in front of it, and the cases. One gateway serves every
// case of a file, in order.
type File struct {
	Path        string     `yaml:"-"`
	Category    string     `yaml:"category"`
	Description string     `yaml:"description"`
	Manifest    string     `yaml:"manifest"` // relative to the file
	Tools       []ToolSpec `yaml:"tools"`
	// Prompts and Resources are more definitions the honeypot lists
	// (definition or definition_json only), and Instructions what its
	// initialize result (server/discover in 2026-07-28) says: the
	// surfaces a `surface:` case judges.
	Prompts      []ToolSpec `yaml:"prompts"`
	Resources    []ToolSpec `yaml:"resources"`
	Instructions string     `yaml:"instructions"`
	Cases        []Case     `yaml:"cases"`

	// ManifestPath is Manifest resolved; ManifestData its bytes (the
	// built-in corpus is embedded, so the runner writes it out).
	ManifestPath string `yaml:"-"`
	ManifestData []byte `yaml:"-"`
	// tools compiled: served definitions (JSON) per version, by name.
	compiled []compiledTool
	// prompts and resources compiled: one definition each.
	prompts, resources []compiledTool
}

// ToolSpec is one tool the honeypot serves. Definition (a mapping) or
// DefinitionJSON (exact JSON text, for key order and escape forms) is what
// tools/list shows; Versions are later definitions a rug-pull case
// switches to.
type ToolSpec struct {
	Definition     any       `yaml:"definition"`
	DefinitionJSON string    `yaml:"definition_json"`
	Result         any       `yaml:"result"`
	Versions       []Version `yaml:"versions"`
}

// Version is a later definition of a tool.
type Version struct {
	Definition     any    `yaml:"definition"`
	DefinitionJSON string `yaml:"definition_json"`
}

// Case is one attack or benign look-alike.
type Case struct {
	ID    string `yaml:"id"`
	Kind  string `yaml:"kind"` // attack | benign
	Title string `yaml:"title"`
	// Tool is the name the client calls (any string: undeclared and
	// look-alike names included).
	Tool string `yaml:"tool"`
	// Arguments (a mapping) or ArgumentsJSON (exact JSON text, for
	// duplicate or case-variant keys) are the call's arguments.
	Arguments     any    `yaml:"arguments"`
	ArgumentsJSON string `yaml:"arguments_json"`
	// Result, when set, is what the honeypot answers this call with, and
	// the case is judged on what the client saw of it.
	Result any `yaml:"result"`
	// Canaries are strings of Result that must never reach the client
	// (secrets): the attack is stopped only if none is seen.
	Canaries []string `yaml:"canaries"`
	// List judges the tool's definition: the client lists tools before
	// calling (tool poisoning).
	List bool `yaml:"list"`
	// RugPull switches the tool to Versions[RugPull-1] after a first list,
	// lists again, then calls (definition changes after pinning).
	RugPull int `yaml:"rug_pull"`
	// Surface judges another definition than a tool's, with nothing
	// called: "prompt" or "resource" (Tool names it: listed altered or
	// hidden is stopped), or "instructions" (the server's instructions:
	// withheld or altered is stopped).
	Surface string `yaml:"surface"`

	resultJSON json.RawMessage
	argsJSON   json.RawMessage
}

type compiledTool struct {
	name   string
	defs   []json.RawMessage // version 0 first
	result json.RawMessage
}

// Phase says what a case is judged on.
func (c *Case) Phase() string {
	switch {
	case c.Surface != "":
		return c.Surface
	case c.RugPull > 0:
		return "definition-change"
	case c.List:
		return "definition"
	case c.Result != nil:
		return "result"
	}
	return "arguments"
}

// LoadFile reads and checks one case file read through fsys (a directory
// on disk or the embedded corpus). Every problem is reported at once.
func LoadFile(fsys fs.FS, name, display string) (*File, error) {
	return loadFile(fsys, name, display, true)
}

// LoadTools reads one case file for the tools it serves, without its
// manifest: the honeypot serves them to `manifest init`, which drafts the
// manifest, so the file may not name one yet, or name one not yet written.
func LoadTools(path string) (*File, error) {
	return loadFile(os.DirFS(filepath.Dir(path)), filepath.Base(path), path, false)
}

func loadFile(fsys fs.FS, name, display string, withManifest bool) (*File, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("redteam: %w", err)
	}
	f := &File{Path: display}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("redteam: %s: empty case file", display)
		}
		return nil, fmt.Errorf("redteam: %s: %w", display, err)
	}
	if f.Manifest != "" && withManifest {
		mp := pathJoin(filepath.Dir(name), f.Manifest)
		if f.ManifestData, err = fs.ReadFile(fsys, mp); err != nil {
			return nil, fmt.Errorf("redteam: %s: manifest: %w", display, err)
		}
		f.ManifestPath = pathJoin(filepath.Dir(display), f.Manifest)
	}
	if err := f.compile(withManifest); err != nil {
		return nil, err
	}
	return f, nil
}

func pathJoin(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.ToSlash(filepath.Join(dir, p))
}

// compile converts YAML values to JSON and checks the file.
func (f *File) compile(withManifest bool) error {
	var probs []string
	bad := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if f.Category == "" {
		bad("category is missing")
	}
	if f.Manifest == "" && withManifest {
		bad("manifest is missing (the gateway needs one per case file; `mcpwarden manifest init` drafts it, see docs/redteam.md)")
	}
	names := map[string]bool{}
	for i, t := range f.Tools {
		ct := compiledTool{}
		vs := append([]Version{{Definition: t.Definition, DefinitionJSON: t.DefinitionJSON}}, t.Versions...)
		for j, v := range vs {
			def, err := toJSON(v.Definition, v.DefinitionJSON)
			if err != nil || def == nil {
				bad("tools[%d] version %d: definition: %v", i, j, orMissing(err))
				continue
			}
			var hdr struct {
				Name *string `json:"name"`
			}
			if json.Unmarshal(def, &hdr) != nil || hdr.Name == nil || *hdr.Name == "" {
				bad("tools[%d] version %d: a definition is an object with a name", i, j)
				continue
			}
			if j == 0 {
				ct.name = *hdr.Name
			} else if *hdr.Name != ct.name {
				bad("tools[%d] version %d: renames %q (a version changes a tool, it does not replace it)", i, j, ct.name)
			}
			ct.defs = append(ct.defs, def)
		}
		if names[ct.name] {
			bad("tools[%d]: %q served twice", i, ct.name)
		}
		names[ct.name] = true
		var err error
		if ct.result, err = toJSON(t.Result, ""); err != nil {
			bad("tools[%d]: result: %v", i, err)
		}
		f.compiled = append(f.compiled, ct)
	}
	for _, kind := range []struct {
		name  string
		specs []ToolSpec
		out   *[]compiledTool
	}{{"prompts", f.Prompts, &f.prompts}, {"resources", f.Resources, &f.resources}} {
		seen := map[string]bool{}
		for i, t := range kind.specs {
			if t.Result != nil || len(t.Versions) > 0 {
				bad("%s[%d]: only a definition (a result or versions are for tools)", kind.name, i)
			}
			def, err := toJSON(t.Definition, t.DefinitionJSON)
			var hdr struct {
				Name string `json:"name"`
			}
			if err != nil || def == nil || json.Unmarshal(def, &hdr) != nil || hdr.Name == "" {
				bad("%s[%d]: a definition is an object with a name", kind.name, i)
				continue
			}
			if seen[hdr.Name] {
				bad("%s[%d]: %q served twice", kind.name, i, hdr.Name)
			}
			seen[hdr.Name] = true
			*kind.out = append(*kind.out, compiledTool{name: hdr.Name, defs: []json.RawMessage{def}})
		}
	}
	ids := map[string]bool{}
	for i := range f.Cases {
		c := &f.Cases[i]
		where := fmt.Sprintf("cases[%d] (%s)", i, c.ID)
		if c.ID == "" {
			bad("cases[%d]: id is missing", i)
		} else if ids[c.ID] {
			bad("%s: duplicate id", where)
		}
		ids[c.ID] = true
		if c.Kind != KindAttack && c.Kind != KindBenign {
			bad("%s: kind must be attack or benign, not %q", where, c.Kind)
		}
		switch c.Surface {
		case "":
		case "prompt", "resource":
			items := f.prompts
			if c.Surface == "resource" {
				items = f.resources
			}
			if !slices.ContainsFunc(items, func(t compiledTool) bool { return t.name == c.Tool }) {
				bad("%s: %q is not a %s of this file", where, c.Tool, c.Surface)
			}
		case "instructions":
			if f.Instructions == "" {
				bad("%s: the file serves no instructions", where)
			}
			if c.Tool == "" {
				c.Tool = "(instructions)"
			}
		default:
			bad("%s: surface must be prompt, resource or instructions, not %q", where, c.Surface)
		}
		if c.Surface != "" && (c.Result != nil || c.Arguments != nil || c.ArgumentsJSON != "" || c.List || c.RugPull > 0 || len(c.Canaries) > 0) {
			bad("%s: a surface case calls nothing: no result, arguments, canaries, list or rug_pull", where)
		}
		if c.Tool == "" {
			bad("%s: tool is missing", where)
		}
		var err error
		if c.Arguments != nil && c.ArgumentsJSON != "" {
			bad("%s: arguments and arguments_json exclude each other", where)
		}
		if c.argsJSON, err = toJSON(c.Arguments, c.ArgumentsJSON); err != nil {
			bad("%s: arguments: %v", where, err)
		}
		if c.resultJSON, err = toJSON(c.Result, ""); err != nil {
			bad("%s: result: %v", where, err)
		}
		if len(c.Canaries) > 0 && c.Result == nil {
			bad("%s: canaries need a result to look for them in", where)
		}
		for _, cn := range c.Canaries {
			if cn != "" && c.resultJSON != nil && !containsString(c.resultJSON, cn) {
				bad("%s: canary %q does not occur in the result", where, cn)
			}
		}
		if c.RugPull > 0 || c.List {
			t := f.tool(c.Tool)
			switch {
			case t == nil:
				bad("%s: %q is not a tool of this file", where, c.Tool)
			case c.RugPull >= len(t.defs):
				bad("%s: rug_pull %d but %q has %d later version(s)", where, c.RugPull, c.Tool, len(t.defs)-1)
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("redteam: %s:\n  %s", f.Path, strings.Join(probs, "\n  "))
	}
	return nil
}

func orMissing(err error) error {
	if err == nil {
		return errors.New("missing")
	}
	return err
}

func (f *File) tool(name string) *compiledTool {
	for i := range f.compiled {
		if f.compiled[i].name == name {
			return &f.compiled[i]
		}
	}
	return nil
}

// ServedDefinitions returns each tool's definitions (version 0 first) as
// the honeypot serves them, for pinning.
func (f *File) ServedDefinitions() map[string][]json.RawMessage {
	out := map[string][]json.RawMessage{}
	for _, t := range f.compiled {
		out[t.name] = t.defs
	}
	return out
}

// toJSON turns a YAML value or JSON text into compact JSON; nil for
// neither.
func toJSON(v any, text string) (json.RawMessage, error) {
	if text != "" {
		if !json.Valid([]byte(text)) {
			return nil, errors.New("not valid JSON")
		}
		// Kept as written: key order, escapes, duplicates and spacing
		// are the point. Line breaks between tokens go (json.Compact): a
		// pretty-printed value would break the one-message-per-line
		// framing of stdio, which no real server can do.
		if !strings.ContainsAny(text, "\r\n") {
			return json.RawMessage(text), nil
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(text)); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	if v == nil {
		return nil, nil
	}
	// As a server would write it: no \u003c for "<".
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Load reads every case file under each path (a file or a directory,
// searched recursively for *.yaml, *.yml and *.json files that have a
// "cases" key), in a stable order. Manifests beside them are not cases.
func Load(paths []string) ([]*File, error) {
	var files []*File
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("redteam: %w", err)
		}
		if !st.IsDir() {
			f, err := LoadFile(os.DirFS(filepath.Dir(p)), filepath.Base(p), p)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			continue
		}
		fl, err := LoadFS(os.DirFS(p), p)
		if err != nil {
			return nil, err
		}
		files = append(files, fl...)
	}
	return files, nil
}

// LoadFS reads every case file in fsys; display prefixes names in messages.
func LoadFS(fsys fs.FS, display string) ([]*File, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if isCaseFile(data) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redteam: %s: %w", display, err)
	}
	sort.Strings(names)
	var files []*File
	for _, n := range names {
		f, err := LoadFile(fsys, n, pathJoin(display, n))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// isCaseFile tells case files from the manifests beside them: a case
// file has top-level "cases".
func isCaseFile(data []byte) bool {
	var top map[string]any
	if yaml.Unmarshal(data, &top) != nil {
		return true // let LoadFile report the syntax error
	}
	_, ok := top["cases"]
	return ok
}

// containsString reports whether s occurs in any string of the JSON
// value doc, at any depth (JSON escapes decoded).
func containsString(doc json.RawMessage, s string) bool {
	found := false
	walkStrings(doc, func(v string) {
		if strings.Contains(v, s) {
			found = true
		}
	})
	return found
}

// walkStrings calls fn for every string (keys included) in a JSON value.
func walkStrings(doc json.RawMessage, fn func(string)) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		fn(string(doc))
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			fn(t)
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for k, e := range t {
				fn(k)
				walk(e)
			}
		}
	}
	walk(v)
}

// Notes are advice on how the file's cases will be judged under its
// manifest, for the operator: a manifest that leaves planted
// instructions recorded only makes every injection attack in a result
// (one without canaries) a miss, which is the manifest's doing, not the
// scanner's.
func (f *File) Notes() []string {
	results := false
	for i := range f.Cases {
		// Canaries mark a secret, which redaction judges whatever the
		// injection setting.
		if c := &f.Cases[i]; c.Kind == "attack" && c.Phase() == "result" && len(c.Canaries) == 0 {
			results = true
			break
		}
	}
	if !results || f.ManifestData == nil {
		return nil
	}
	m, err := manifest.Parse(f.ManifestPath, f.ManifestData)
	if err != nil {
		return nil // the gateway reports it when it starts
	}
	if m.Results.Injection == manifest.InjectionMonitor {
		return []string{fmt.Sprintf("%s: its manifest leaves planted instructions recorded only (results.injection monitor): result-phase attacks that only an injection rule catches will be judged missed; set results: {injection: neutralize} or withhold, or leave it unset (docs/manifest.md#results)",
			f.Path)}
	}
	return nil
}
