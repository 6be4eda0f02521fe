// Package manifest reads the capability manifest of one upstream server:
// the tools, prompts and resources an operator allows, the argument
// schema each tool call must satisfy, the guards named per argument, and
// the pinned hash of each tool's definition. Everything not declared is
// denied. The package is a pure engine: it knows nothing of MCP framing.
package manifest

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mcpwarden/mcpwarden/internal/argschema"
	"github.com/mcpwarden/mcpwarden/internal/canon"
)

// Risk classes, from least to most dangerous.
const (
	RiskRead        = "read"
	RiskWrite       = "write"
	RiskDestructive = "destructive"
	RiskExternal    = "external"
)

// Risks lists the valid risk classes.
var Risks = []string{RiskRead, RiskWrite, RiskDestructive, RiskExternal}

// Guards lists the guard names a manifest may attach to an argument. The
// engines behind them come later; naming an unknown one is an error now
// so that a typo never silently disables a guard.
var Guards = []string{"sql", "path", "command", "url", "secrets"}

// Manifest is one compiled manifest, immutable once loaded except for
// its quarantine set.
type Manifest struct {
	Source string
	Server string // informational; the config decides which server uses it
	// Instructions is the pin of the server's instructions ("" = not
	// checked). Instructions that differ are withheld from the client.
	Instructions string
	Tools        map[string]*Tool
	Prompts      map[string]*Prompt
	Resources    []string // URI patterns; * matches any run of characters
	// Results says what the gateway does with what the server returns
	// (docs/manifest.md#results); the zero value is the default.
	Results Results

	// Notify, when set, hears of each tool the first time it is
	// quarantined.
	Notify func(tool, reason string)

	quarantine sync.Map // tool name → reason
	// stale is set when the server says its tools changed and cleared when
	// a tools list of it has been checked again.
	stale atomic.Bool
}

// Results modes. "" in either field means the default: secrets are
// redacted, and invisible characters and control sequences are stripped
// while visible injected instructions are only recorded.
const (
	SecretsRedact  = "redact"  // mask secrets in results (the default)
	SecretsMonitor = "monitor" // record them, change nothing
	SecretsOff     = "off"     // do not look

	InjectionWithhold   = "withhold"   // replace the result with an error naming the rule
	InjectionNeutralize = "neutralize" // strip, defang and quote the text as data
	InjectionMonitor    = "monitor"    // record, change nothing
)

// Results is the server-level handling of results.
type Results struct {
	Secrets   string // "", SecretsRedact, SecretsMonitor or SecretsOff
	Injection string // "", InjectionWithhold, InjectionNeutralize or InjectionMonitor
}

// Tool is one declared tool.
type Tool struct {
	Name   string
	Risk   string
	Pin    string // "sha256:HEX" of the tool's definition; "" = not pinned
	Review bool   // a draft entry not yet reviewed (informational)
	Schema *argschema.Schema
	// SchemaJSON is the canonical form of the declared schema.
	SchemaJSON []byte
	// Guards maps an argument name to the guards named for it, each with
	// its raw settings as JSON.
	Guards map[string]map[string][]byte
}

// Prompt is one declared prompt.
type Prompt struct {
	Name string
}

// Load reads and compiles the manifest at path.
func Load(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return Parse(path, data)
}

// Tool finds a declared tool by its exact name.
func (m *Manifest) Tool(name string) (*Tool, bool) {
	t, ok := m.Tools[name]
	return t, ok
}

// Prompt reports whether a prompt is declared, by its exact name.
func (m *Manifest) Prompt(name string) bool {
	_, ok := m.Prompts[name]
	return ok
}

// Resource reports whether a resource URI (or a URI template, matched as
// a string) is declared.
func (m *Manifest) Resource(uri string) bool {
	for _, p := range m.Resources {
		if Match(p, uri) {
			return true
		}
	}
	return false
}

// Quarantine hides and refuses a tool until the manifest is loaded again.
func (m *Manifest) Quarantine(tool, reason string) {
	if _, loaded := m.quarantine.LoadOrStore(tool, reason); !loaded && m.Notify != nil {
		m.Notify(tool, reason)
	}
}

// MarkStale records that the server's tools changed (list_changed): until
// a list is checked again, their definitions are unknown.
func (m *Manifest) MarkStale() { m.stale.Store(true) }

// MarkChecked records that a tools list of the server was just checked.
func (m *Manifest) MarkChecked() { m.stale.Store(false) }

// Stale reports whether the server's tools changed since the last check.
func (m *Manifest) Stale() bool { return m.stale.Load() }

// Quarantined reports why a tool is quarantined, if it is.
func (m *Manifest) Quarantined(tool string) (string, bool) {
	r, ok := m.quarantine.Load(tool)
	if !ok {
		return "", false
	}
	return r.(string), true
}

// Match reports whether s matches pattern, where * matches any run of
// characters (including none and including "/") and every other
// character matches itself exactly.
func Match(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// Names lists the declared tools, sorted.
func (m *Manifest) Names() []string {
	out := make([]string, 0, len(m.Tools))
	for n := range m.Tools {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ValidateArguments checks raw arguments (JSON; nil means none) against
// the tool's schema and returns the canonical bytes that were validated.
// Those bytes, not raw, are what the server must receive.
func (t *Tool) ValidateArguments(raw []byte) ([]byte, error) {
	b, _, err := t.CheckArguments(raw)
	return b, err
}

// CheckArguments is ValidateArguments that also returns the validated
// tree (an object), for later stages to read without parsing again.
func (t *Tool) CheckArguments(raw []byte) ([]byte, map[string]any, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		raw = []byte(`{}`)
	}
	v, err := canon.Parse(raw)
	if err != nil {
		return nil, nil, &ArgumentError{Msg: "arguments are not valid JSON: " + strings.TrimPrefix(err.Error(), "canon: ")}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, nil, &ArgumentError{Msg: "arguments must be a JSON object", Schema: true}
	}
	if t.Schema != nil {
		if err := t.Schema.Validate(v); err != nil {
			return nil, nil, &ArgumentError{Msg: err.Error(), Schema: true}
		}
	}
	out, err := canon.Append(make([]byte, 0, len(raw)), v)
	if err != nil {
		return nil, nil, &ArgumentError{Msg: err.Error()}
	}
	return out, obj, nil
}

// ArgumentError is a call whose arguments the manifest refuses.
type ArgumentError struct {
	Msg    string
	Schema bool // false: the JSON itself was refused
}

func (e *ArgumentError) Error() string { return e.Msg }
