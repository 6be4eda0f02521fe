package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// Load reads and parses the file at path. A file that cannot be read is
// reported with the underlying *fs.PathError; an invalid file with
// Problems.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes data (the contents of the file called name), applies
// defaults and validates the result. On failure the error is Problems,
// holding every problem found, and the Config is nil.
//
// A file without a servers key is valid here (run -c FILE takes only log
// and limits from it), but Validate on the result reports the missing
// servers, as serve needs.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > maxFileSize {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("file is larger than %d bytes (1 MiB)", maxFileSize)}}
	}
	d := &decoder{
		file:   name,
		pos:    map[string]position{},
		broken: map[string]bool{},
		active: map[*yaml.Node]bool{},
		seen:   map[Problem]bool{},
	}
	cfg := Default()
	cfg.Source = name
	root, ok := d.parseYAML(data)
	if ok {
		ok = d.root(cfg, root)
	}
	if ok && !d.overflow {
		// A file may leave servers out (servers: {} is still an error):
		// serve's own Validate call then insists on them.
		v := &validator{broken: d.broken, noServersOK: cfg.Servers == nil}
		cfg.validate(v)
		for _, p := range v.probs {
			d.add(d.place(p))
		}
	}
	if len(d.probs) > 0 {
		return nil, finish(d.probs)
	}
	return cfg, nil
}

type position struct{ line, col int }

type decoder struct {
	file     string
	probs    Problems
	seen     map[Problem]bool    // de-duplicates problems met again through aliases
	pos      map[string]position // where each decoded path is, for Validate's problems
	broken   map[string]bool     // paths the decoder already reported
	active   map[*yaml.Node]bool // collections being walked: alias cycle guard
	nodes    int
	overflow bool
}

func (d *decoder) add(p Problem) {
	if d.seen[p] {
		return
	}
	d.seen[p] = true
	d.probs = append(d.probs, p)
}

// errorf reports a problem at node n (nil: position unknown) and marks
// path as broken so that Validate does not report a consequence of it.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	d.broken[path] = true
	d.add(p)
}

// report adds a problem at node n without marking any path broken: for
// problems (unknown or duplicate keys) that leave the decoded value intact.
func (d *decoder) report(n *yaml.Node, path, format string, args ...any) {
	d.add(Problem{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// place gives a problem from Validate the position of its path, or of the
// nearest enclosing path that was decoded.
func (d *decoder) place(p Problem) Problem {
	p.File = d.file
	for path, ok := p.Path, true; ok; path, ok = parentPath(path) {
		if at, found := d.pos[path]; found {
			p.Line, p.Col = at.line, at.col
			return p
		}
	}
	p.Line, p.Col = 1, 1
	return p
}

func (d *decoder) mark(path string, n *yaml.Node) {
	if _, ok := d.pos[path]; !ok && n != nil {
		d.pos[path] = position{n.Line, n.Column}
	}
}

// count charges n visited nodes against the budget; false once exceeded.
func (d *decoder) count(n int) bool {
	if d.overflow {
		return false
	}
	d.nodes += n
	if d.nodes > maxNodes {
		d.overflow = true
		d.add(Problem{File: d.file, Msg: fmt.Sprintf("document too large: more than %d YAML nodes (aliases count at every use)", maxNodes)})
		return false
	}
	return true
}

var (
	yamlLineErr   = lazyre.New(`^yaml: line (\d+): (.*)$`)
	yamlAnchorErr = lazyre.New(`^yaml: unknown anchor '(.*)' referenced$`)
)

// syntax turns a yaml.v3 error into a Problem. yaml.v3 reports scanner
// errors with a 1-based line but parser errors (the "did not find
// expected ..." family and directive errors) with the 0-based line of the
// construct being parsed, and leaves the line out when it is 0: undo both.
// Columns are not reported by yaml.v3.
func (d *decoder) syntax(err error, data []byte) {
	msg := err.Error()
	p := Problem{File: d.file}
	if m := yamlAnchorErr.FindStringSubmatch(msg); m != nil {
		p.Msg = fmt.Sprintf("unknown anchor %q: an alias (*%s) must follow its anchor (&%s)", m[1], m[1], m[1])
		p.Line, p.Col = findAlias(data, m[1])
		d.add(p)
		return
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	p.Line = 1
	if m := yamlLineErr.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if isParserError(msg) {
			p.Line++
		}
		// Errors at the end of input point past the last line.
		p.Line = min(p.Line, lineCount(data))
	}
	p.Msg = "invalid YAML: " + msg
	d.add(p)
}

func isParserError(msg string) bool {
	for _, prefix := range []string{"did not find expected ", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// findAlias locates the first use of alias *name in data (best effort: it
// does not know about quoting); 0, 0 if not found.
func findAlias(data []byte, name string) (line, col int) {
	re, err := regexp.Compile(`\*` + regexp.QuoteMeta(name) + `(?:[\s,\]}]|$)`)
	if err != nil {
		return 0, 0
	}
	loc := re.FindIndex(data)
	if loc == nil {
		return 0, 0
	}
	return lineCol(data, loc[0])
}

// lineBreak returns the length of the YAML line break at data[i:] (\n,
// \r, \r\n, NEL, LS, PS), or 0.
func lineBreak(data []byte, i int) int {
	switch {
	case data[i] == '\n':
		return 1
	case data[i] == '\r':
		if i+1 < len(data) && data[i+1] == '\n' {
			return 2
		}
		return 1
	case bytes.HasPrefix(data[i:], []byte("\u0085")):
		return 2
	case bytes.HasPrefix(data[i:], []byte("\u2028")), bytes.HasPrefix(data[i:], []byte("\u2029")):
		return 3
	}
	return 0
}

// lineCol returns the 1-based line and column (in characters, as yaml.v3
// counts) of byte offset off in data.
func lineCol(data []byte, off int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < off; {
		if n := lineBreak(data, i); n > 0 {
			i += n
			line, start = line+1, i
			continue
		}
		i++
	}
	return line, 1 + utf8.RuneCount(data[start:min(off, len(data))])
}

// lineCount is the number of lines in data as YAML counts them (at least 1).
func lineCount(data []byte) int {
	line, col := lineCol(data, len(data))
	if col == 1 && line > 1 {
		line-- // ends with a line break
	}
	return line
}

// parseYAML decodes the single document in data. root is nil for an empty
// document; ok is false when nothing can be walked.
func (d *decoder) parseYAML(data []byte) (root *yaml.Node, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			d.add(Problem{File: d.file, Msg: fmt.Sprintf("invalid YAML: parser failure: %v", r)})
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		d.syntax(err, data)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.syntax(err, data)
		return nil, false
	default:
		d.add(Problem{File: d.file, Line: extra.Line, Col: extra.Column,
			Msg: "more than one YAML document; a configuration is a single document"})
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], true
	}
	return nil, true
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's type for messages.
func describe(n *yaml.Node) string {
	n = resolve(n)
	if isNull(n) {
		return "null"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch t := n.ShortTag(); t {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!timestamp":
			return "a timestamp"
		default:
			return "a value tagged " + t
		}
	}
	return "an unresolved alias"
}

// entry is one key/value pair of a mapping, merge keys expanded.
type entry struct {
	name     string
	key, val *yaml.Node
}

// mapping checks that raw is a mapping and returns its entries; merge keys
// (<<) are expanded, explicit keys taking precedence over merged ones and
// earlier merged mappings over later ones. Duplicate keys are reported.
func (d *decoder) mapping(path string, raw *yaml.Node) ([]entry, bool) {
	n := resolve(raw)
	if n == nil || n.Kind != yaml.MappingNode || n.ShortTag() != "!!map" {
		d.errorf(raw, path, "expected a mapping, got %s", describe(raw))
		return nil, false
	}
	if d.active[n] {
		d.errorf(raw, path, "alias %q refers to a mapping that contains it", raw.Value)
		return nil, false
	}
	d.active[n] = true
	defer delete(d.active, n)

	type slot struct {
		e     entry
		merge *yaml.Node
	}
	var slots []slot
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !d.count(2) {
			return nil, false
		}
		k, v := n.Content[i], n.Content[i+1]
		rk := resolve(k)
		if rk != nil && rk.Kind == yaml.ScalarNode && rk.ShortTag() == "!!merge" {
			slots = append(slots, slot{merge: v})
			continue
		}
		if rk == nil || rk.Kind != yaml.ScalarNode || isNull(rk) {
			d.report(k, path, "mapping keys must be strings, got %s", describe(k))
			continue
		}
		name := rk.Value
		if prev, dup := first[name]; dup {
			d.report(k, joinKey(path, name), "duplicate key (first defined at line %d)", prev.Line)
			continue
		}
		first[name] = k
		slots = append(slots, slot{e: entry{name, k, v}})
	}
	var out []entry
	taken := make(map[string]bool, len(first))
	for name := range first {
		taken[name] = true
	}
	for _, s := range slots {
		if s.merge == nil {
			out = append(out, s.e)
			continue
		}
		for _, e := range d.merged(path, s.merge) {
			if !taken[e.name] {
				taken[e.name] = true
				out = append(out, e)
			}
		}
	}
	return out, true
}

// merged returns the entries a merge key's value contributes.
func (d *decoder) merged(path string, raw *yaml.Node) []entry {
	n := resolve(raw)
	if n != nil && n.Kind == yaml.SequenceNode {
		if d.active[n] {
			d.errorf(raw, path, "merge alias %q refers to a node that contains it", raw.Value)
			return nil
		}
		d.active[n] = true
		defer delete(d.active, n)
		var out []entry
		for _, item := range n.Content {
			if !d.count(1) {
				return nil
			}
			if m := resolve(item); m == nil || m.Kind != yaml.MappingNode {
				d.errorf(item, path, "merge (<<) list items must be mappings, got %s", describe(item))
				continue
			}
			es, _ := d.mapping(path, item)
			out = append(out, es...)
		}
		return out
	}
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorf(raw, path, "merge (<<) value must be a mapping or a list of mappings, got %s", describe(raw))
		return nil
	}
	es, _ := d.mapping(path, raw)
	return es
}

// field records the position of a fixed field and returns its value, or
// nil when the value is null (an absent field).
func (d *decoder) field(path string, e entry) *yaml.Node {
	if isNull(e.val) {
		d.mark(path, e.key)
		return nil
	}
	if n := resolve(e.val); n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		d.mark(path, e.key)
	} else {
		d.mark(path, e.val)
	}
	return e.val
}

func (d *decoder) unknown(path string, e entry, known []string) {
	msg := "unknown key"
	if s := suggest(e.name, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
		// The value was probably meant for s: do not also complain that
		// s is missing (comand: [x] is one mistake, not two).
		parent, _ := parentPath(path)
		d.broken[joinKey(parent, s)] = true
	} else {
		msg += " (expected one of " + strings.Join(known, ", ") + ")"
	}
	d.report(e.key, path, "%s", msg)
}

// str decodes a string. Plain numbers and booleans are taken as written
// (port: 8080 in an env map is "8080"); null, collections and other tags
// are errors.
func (d *decoder) str(path string, raw *yaml.Node) (string, bool) {
	n := resolve(raw)
	if n != nil && n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
			return n.Value, true
		}
	}
	d.errorf(raw, path, "expected a string, got %s", describe(raw))
	return "", false
}

func (d *decoder) strList(path string, raw *yaml.Node) ([]string, bool) {
	n := resolve(raw)
	if n == nil || n.Kind != yaml.SequenceNode {
		d.errorf(raw, path, "expected a list of strings, got %s", describe(raw))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		if !d.count(1) {
			return nil, false
		}
		p := joinIndex(path, i)
		d.mark(p, item)
		s, _ := d.str(p, item) // a bad item keeps its index as "" (and is marked broken)
		out = append(out, s)
	}
	return out, true
}

// strMap decodes a mapping of strings; invalid entries are left out.
func (d *decoder) strMap(path string, raw *yaml.Node, dupFold bool) (map[string]string, bool) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(es))
	folded := map[string]*yaml.Node{}
	for _, e := range es {
		p := joinKey(path, e.name)
		d.mark(p, e.key)
		if dupFold {
			f := strings.ToLower(e.name)
			if prev, dup := folded[f]; dup {
				d.report(e.key, p, "duplicate key: names are case-insensitive (first defined at line %d)", prev.Line)
				continue
			}
			folded[f] = e.key
		}
		if isNull(e.val) {
			d.errorf(e.key, p, `value is null; write "" for an empty value`)
			continue
		}
		if s, ok := d.str(p, e.val); ok {
			out[e.name] = s
		}
	}
	return out, true
}

func (d *decoder) integer(path string, raw *yaml.Node) (int, bool) {
	n := resolve(raw)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errorf(raw, path, "expected an integer, got %s", describe(raw))
		return 0, false
	}
	v, err := parseInt(n.Value, strconv.IntSize)
	if err != nil {
		d.errorf(raw, path, "%v", err)
		return 0, false
	}
	return int(v), true
}

func (d *decoder) duration(path string, raw *yaml.Node) (time.Duration, bool) {
	n := resolve(raw)
	if n != nil && n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str":
			v, err := time.ParseDuration(strings.TrimSpace(n.Value))
			if err != nil {
				d.errorf(raw, path, "invalid duration %q: use a number with a unit, e.g. 30s, 5m, 1h30m", n.Value)
				return 0, false
			}
			return v, true
		case "!!int", "!!float":
			d.errorf(raw, path, "duration %s has no unit: write e.g. %ss", n.Value, n.Value)
			return 0, false
		}
	}
	d.errorf(raw, path, "expected a duration such as 30s, got %s", describe(raw))
	return 0, false
}

func (d *decoder) size(path string, raw *yaml.Node) (int64, bool) {
	n := resolve(raw)
	if n != nil && n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			v, err := parseInt(n.Value, 64)
			if err != nil {
				d.errorf(raw, path, "%v", err)
				return 0, false
			}
			return v, true
		case "!!str":
			v, err := parseSize(n.Value)
			if err != nil {
				d.errorf(raw, path, "%v", err)
				return 0, false
			}
			return v, true
		}
	}
	d.errorf(raw, path, "expected a size (bytes, or a string such as 4MiB), got %s", describe(raw))
	return 0, false
}

// parseInt parses a YAML integer (decimal, 0x, 0o, 0b, with optional _
// separators) into bitSize bits.
func parseInt(s string, bitSize int) (int64, error) {
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, bitSize)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("integer %s is out of range", s)
	}
	if err != nil {
		return 0, fmt.Errorf("invalid integer %q", s)
	}
	return v, nil
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
	"kb": 1e3, "mb": 1e6, "gb": 1e9,
}

// parseSize parses a byte size: a whole number optionally followed by B,
// KiB, MiB, GiB, KB, MB or GB (case-insensitive, space allowed).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("invalid size %q: expected a whole number of bytes, optionally with a unit, e.g. 4MiB", s)
	}
	unit := strings.TrimSpace(t[i:])
	if strings.HasPrefix(unit, ".") {
		return 0, fmt.Errorf("invalid size %q: use a whole number, e.g. 1536KiB instead of 1.5MiB", s)
	}
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KiB, MiB, GiB, KB, MB or GB)", s, unit)
	}
	v, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil || v > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return v * mult, nil
}

// Keys of each mapping, in documentation order.
var (
	rootKeys   = []string{"listen", "log", "http", "servers", "audit", "require_signed", "manifest_key", "policy", "secrets", "auth", "consent", "metrics"}
	logKeys    = []string{"level", "format"}
	httpKeys   = []string{"allowed_origins", "allowed_hosts", "max_body_bytes", "max_message_bytes", "session_idle_timeout", "request_timeout"}
	serverKeys = []string{"command", "env", "cwd", "url", "transport", "headers", "pool", "start_timeout", "manifest", "sandbox", "credentials"}
)

// root decodes the document into cfg; false when the document is not a
// mapping at all (then nothing else is worth reporting).
func (d *decoder) root(cfg *Config, raw *yaml.Node) bool {
	if raw == nil || isNull(raw) {
		return true // empty file: Validate reports the missing servers
	}
	d.mark("", raw)
	es, ok := d.mapping("", raw)
	if !ok {
		return false
	}
	for _, e := range es {
		path := joinKey("", e.name)
		switch e.name {
		case "listen":
			if v := d.field(path, e); v != nil {
				if s, ok := d.str(path, v); ok {
					cfg.Listen = s
				}
			}
		case "log":
			if v := d.field(path, e); v != nil {
				d.log(path, v, &cfg.Log)
			}
		case "http":
			if v := d.field(path, e); v != nil {
				d.http(path, v, &cfg.HTTP)
			}
		case "servers":
			if v := d.field(path, e); v != nil {
				d.servers(path, v, cfg)
			}
		case "auth":
			if v := d.field(path, e); v != nil {
				d.auth(path, v, cfg)
			}
		case "audit":
			if v := d.field(path, e); v != nil {
				d.audit(path, v, &cfg.Audit)
			}
		case "require_signed", "manifest_key", "policy":
			if v := d.field(path, e); v != nil {
				d.manifestSigning(path, v, cfg)
			}
		case "secrets":
			if v := d.field(path, e); v != nil {
				d.secretsConfig(path, v, &cfg.Secrets)
			}
		case "consent":
			if v := d.field(path, e); v != nil {
				d.consent(path, v, &cfg.Consent)
			}
		case "metrics":
			if v := d.field(path, e); v != nil {
				d.metrics(path, v, &cfg.Metrics)
			}
		default:
			d.unknown(path, e, rootKeys)
		}
	}
	return true
}

func (d *decoder) log(path string, raw *yaml.Node, l *Log) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		switch e.name {
		case "level", "format":
			v := d.field(p, e)
			if v == nil {
				continue
			}
			if s, ok := d.str(p, v); ok {
				if e.name == "level" {
					l.Level = s
				} else {
					l.Format = s
				}
			}
		default:
			d.unknown(p, e, logKeys)
		}
	}
}

func (d *decoder) http(path string, raw *yaml.Node, h *HTTP) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		switch e.name {
		case "allowed_origins", "allowed_hosts":
			v := d.field(p, e)
			if v == nil {
				continue
			}
			if l, ok := d.strList(p, v); ok {
				if e.name == "allowed_origins" {
					h.AllowedOrigins = l
				} else {
					h.AllowedHosts = l
				}
			}
		case "max_body_bytes", "max_message_bytes":
			v := d.field(p, e)
			if v == nil {
				continue
			}
			if n, ok := d.size(p, v); ok {
				if e.name == "max_body_bytes" {
					h.MaxBodyBytes = n
				} else {
					h.MaxMessageBytes = n
				}
			}
		case "session_idle_timeout", "request_timeout":
			v := d.field(p, e)
			if v == nil {
				continue
			}
			if t, ok := d.duration(p, v); ok {
				if e.name == "session_idle_timeout" {
					h.SessionIdleTimeout = t
				} else {
					h.RequestTimeout = t
				}
			}
		default:
			d.unknown(p, e, httpKeys)
		}
	}
}

func (d *decoder) servers(path string, raw *yaml.Node, cfg *Config) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	cfg.Servers = make([]Server, 0, len(es))
	for _, e := range es {
		p := joinKey(path, e.name)
		d.mark(p, e.key)
		s := Server{Name: e.name}
		var set serverSet
		if !isNull(e.val) {
			d.server(p, e.val, &s, &set)
		}
		s.applyDefaults(set)
		cfg.Servers = append(cfg.Servers, s)
	}
}

func (d *decoder) server(path string, raw *yaml.Node, s *Server, set *serverSet) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(serverKeys, e.name) {
			d.unknown(p, e, serverKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "command":
			if l, ok := d.strList(p, v); ok {
				s.Command = l
			}
		case "env":
			if m, ok := d.strMap(p, v, false); ok {
				s.Env = m
			}
		case "headers":
			if m, ok := d.strMap(p, v, true); ok {
				s.Headers = m
			}
		case "cwd":
			s.Cwd, _ = d.str(p, v)
		case "url":
			s.URL, _ = d.str(p, v)
		case "transport":
			if t, ok := d.str(p, v); ok {
				s.Transport, set.transport = t, true
			}
		case "pool":
			if n, ok := d.integer(p, v); ok {
				s.Pool, set.pool = n, true
			}
		case "start_timeout":
			if t, ok := d.duration(p, v); ok {
				s.StartTimeout, set.startTimeout = t, true
			}
		case "manifest":
			if m, ok := d.str(p, v); ok {
				if m != "" && !filepath.IsAbs(m) {
					m = filepath.Join(filepath.Dir(d.file), m)
				}
				s.Manifest = m
			}
		case "sandbox":
			d.sandbox(p, v, &s.Sandbox)
		case "credentials":
			d.credentials(p, v, &s.Credentials)
		}
	}
}
