package manifest

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mcpwarden/mcpwarden/internal/argschema"
	"github.com/mcpwarden/mcpwarden/internal/canon"
)

// Problem is one error in a manifest file, with its place.
type Problem struct {
	File      string
	Line, Col int
	Path      string
	Msg       string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	if p.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Problems is every problem found in one file.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

const maxFileSize = 4 << 20

var (
	rootKeys    = []string{"version", "server", "instructions", "tools", "prompts", "resources", "results"}
	resultsKeys = []string{"secrets", "injection"}
	toolKeys    = []string{"risk", "pin", "review", "arguments", "guards"}
	promptKeys  = []string{}
)

type parser struct {
	file  string
	probs Problems
}

func (p *parser) errf(n *yaml.Node, path, format string, args ...any) {
	pr := Problem{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		pr.Line, pr.Col = n.Line, n.Column
	}
	p.probs = append(p.probs, pr)
}

// Parse decodes and compiles a manifest. Unknown keys, duplicate keys,
// unknown risk classes and guards, and schemas that do not compile are
// errors, all reported at once as Problems.
func Parse(name string, data []byte) (*Manifest, error) {
	p := &parser{file: name}
	if len(data) > maxFileSize {
		return nil, Problems{{File: name, Msg: "file is larger than 4 MiB"}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Problems{{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	m := &Manifest{Source: name, Tools: map[string]*Tool{}, Prompts: map[string]*Prompt{}}
	if len(doc.Content) == 0 {
		return m, nil // empty file: declares nothing, denies everything
	}
	root := doc.Content[0]
	for _, e := range p.mapping("", root) {
		path := e.key.Value
		switch e.key.Value {
		case "version":
			if e.val.Kind != yaml.ScalarNode || e.val.Value != "1" {
				p.errf(e.val, path, "must be 1")
			}
		case "server":
			m.Server = p.str(path, e.val)
		case "instructions":
			m.Instructions = p.str(path, e.val)
			if m.Instructions != "" && !validPin(m.Instructions) {
				p.errf(e.val, path, "must be sha256: followed by 64 lower-case hex digits (the pin of the server's instructions)")
			}
		case "tools":
			for _, te := range p.mapping(path, e.val) {
				name := te.key.Value
				t := p.tool(path+"."+strconv.Quote(name), name, te.val)
				m.Tools[name] = t
			}
		case "prompts":
			for _, pe := range p.mapping(path, e.val) {
				pp := path + "." + strconv.Quote(pe.key.Value)
				for _, x := range p.mapping(pp, pe.val) {
					p.unknown(pp+"."+x.key.Value, x.key, promptKeys)
				}
				m.Prompts[pe.key.Value] = &Prompt{Name: pe.key.Value}
			}
		case "resources":
			if e.val.Kind != yaml.SequenceNode {
				p.errf(e.val, path, "must be a list of URI patterns")
				continue
			}
			for i, n := range e.val.Content {
				if s := p.str(fmt.Sprintf("%s[%d]", path, i), n); s != "" {
					m.Resources = append(m.Resources, s)
				}
			}
		case "results":
			m.Results = p.results(path, e.val)
		default:
			p.unknown(path, e.key, rootKeys)
		}
	}
	if len(p.probs) > 0 {
		sort.SliceStable(p.probs, func(i, j int) bool {
			return p.probs[i].Line < p.probs[j].Line || p.probs[i].Line == p.probs[j].Line && p.probs[i].Col < p.probs[j].Col
		})
		return nil, p.probs
	}
	return m, nil
}

type entry struct{ key, val *yaml.Node }

// mapping lists a mapping's entries; null is an empty mapping. Duplicate
// and non-string keys are problems.
func (p *parser) mapping(path string, n *yaml.Node) []entry {
	if n.Kind == yaml.AliasNode {
		p.errf(n, path, "aliases are not allowed in a manifest")
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errf(n, path, "must be a mapping")
		return nil
	}
	seen := map[string]bool{}
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!int" && k.Tag != "!!bool" && k.Tag != "!!float" && k.Tag != "!!null") {
			p.errf(k, path, "keys must be strings")
			continue
		}
		if k.Tag == "!!merge" || k.Value == "<<" && k.Style == 0 {
			p.errf(k, path, "merge keys are not allowed in a manifest")
			continue
		}
		if seen[k.Value] {
			p.errf(k, path, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, entry{k, v})
	}
	return out
}

func (p *parser) unknown(path string, k *yaml.Node, known []string) {
	full := k.Value
	if path != k.Value {
		full = path
	}
	if len(known) == 0 {
		p.errf(k, full, "unknown key %q (nothing is allowed here)", k.Value)
		return
	}
	p.errf(k, full, "unknown key %q (known: %s)", k.Value, strings.Join(known, ", "))
}

func (p *parser) str(path string, n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.errf(n, path, "must be a string")
		return ""
	}
	return n.Value
}

// results reads the server-level results block.
func (p *parser) results(path string, n *yaml.Node) Results {
	var r Results
	for _, e := range p.mapping(path, n) {
		kp := path + "." + e.key.Value
		switch e.key.Value {
		case "secrets":
			r.Secrets = p.oneOf(kp, e.val, SecretsRedact, SecretsMonitor, SecretsOff)
		case "injection":
			r.Injection = p.oneOf(kp, e.val, InjectionWithhold, InjectionNeutralize, InjectionMonitor)
		default:
			p.unknown(kp, e.key, resultsKeys)
		}
	}
	return r
}

// oneOf reads a string that must be one of the choices.
func (p *parser) oneOf(path string, n *yaml.Node, choices ...string) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "!!bool" || !slices.Contains(choices, n.Value) {
		p.errf(n, path, "must be one of %s", strings.Join(choices, ", "))
		return ""
	}
	return n.Value
}

func (p *parser) tool(path, name string, n *yaml.Node) *Tool {
	t := &Tool{Name: name, Guards: map[string]map[string][]byte{}}
	if name == "" {
		p.errf(n, path, "tool name must not be empty")
	}
	hasRisk := false
	for _, e := range p.mapping(path, n) {
		kp := path + "." + e.key.Value
		switch e.key.Value {
		case "risk":
			hasRisk = true
			t.Risk = p.str(kp, e.val)
			if t.Risk != "" && !slices.Contains(Risks, t.Risk) {
				p.errf(e.val, kp, "unknown risk class %q (known: %s)", t.Risk, strings.Join(Risks, ", "))
			}
		case "pin":
			t.Pin = p.str(kp, e.val)
			if t.Pin != "" && !validPin(t.Pin) {
				p.errf(e.val, kp, "must be sha256: followed by 64 lower-case hex digits")
			}
		case "review":
			if e.val.Kind != yaml.ScalarNode || e.val.Tag != "!!bool" {
				p.errf(e.val, kp, "must be true or false")
			}
			t.Review = e.val.Value == "true"
		case "arguments":
			v, ok := p.json(kp, e.val, 0)
			if !ok {
				continue
			}
			if _, isObj := v.(map[string]any); !isObj {
				if _, isBool := v.(bool); !isBool {
					p.errf(e.val, kp, "must be a JSON Schema (a mapping or a boolean)")
					continue
				}
			}
			s, err := argschema.Compile(v)
			if err != nil {
				p.errf(e.val, kp, "%s", oneLine(strings.TrimPrefix(err.Error(), "argschema: ")))
				continue
			}
			t.Schema = s
			t.SchemaJSON, _ = canon.Append(nil, v)
		case "guards":
			for _, ae := range p.mapping(kp, e.val) {
				ap := kp + "." + strconv.Quote(ae.key.Value)
				gs := map[string][]byte{}
				for _, ge := range p.mapping(ap, ae.val) {
					if !slices.Contains(Guards, ge.key.Value) {
						p.errf(ge.key, ap, "unknown guard %q (known: %s)", ge.key.Value, strings.Join(Guards, ", "))
						continue
					}
					v, ok := p.json(ap+"."+ge.key.Value, ge.val, 0)
					if !ok {
						continue
					}
					b, _ := canon.Append(nil, v)
					gs[ge.key.Value] = b
				}
				t.Guards[ae.key.Value] = gs
			}
		default:
			p.unknown(kp, e.key, toolKeys)
		}
	}
	if !hasRisk {
		p.errf(n, path, "risk is required (one of %s)", strings.Join(Risks, ", "))
	}
	return t
}

func validPin(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// json converts a YAML node to a JSON value as canon.Parse would produce
// it: strings, json.Number, bools, nil, []any, map[string]any.
func (p *parser) json(path string, n *yaml.Node, depth int) (any, bool) {
	if depth > 100 {
		p.errf(n, path, "nested too deeply")
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		p.errf(n, path, "aliases are not allowed in a manifest")
		return nil, false
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, ok := p.json(fmt.Sprintf("%s[%d]", path, i), c, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case yaml.MappingNode:
		out := map[string]any{}
		nprobs := len(p.probs)
		for _, e := range p.mapping(path, n) {
			if e.key.Tag != "!!str" {
				p.errf(e.key, path, "JSON keys must be strings (quote %q)", e.key.Value)
				continue
			}
			v, ok := p.json(path+"."+e.key.Value, e.val, depth+1)
			if !ok {
				return nil, false
			}
			out[e.key.Value] = v
		}
		return out, len(p.probs) == nprobs
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return n.Value, true
		case "!!null":
			return nil, true
		case "!!bool":
			return n.Value == "true", true
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err != nil {
				if i, err2 := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err2 == nil {
					f, err = float64(i), nil
				}
			}
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				p.errf(n, path, "number %q has no JSON form", n.Value)
				return nil, false
			}
			return json.Number(canon.FormatNumber(f)), true
		}
	}
	p.errf(n, path, "value has no JSON form (tag %s)", n.Tag)
	return nil, false
}

// oneLine folds a multi-line library message into one line.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(strings.TrimSpace(l), "- ")
	}
	return strings.Join(lines, "; ")
}
