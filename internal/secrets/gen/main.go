//go:build ignore

// Command gen converts gitleaks' rule file (config/gitleaks.toml, MIT) into
// rules.json for the secrets engine. It parses only the TOML subset that file
// uses: comments, [table] and [[array.of.tables]] headers, and key = value
// where a value is a basic/literal/multi-line-literal string, a number or an
// array of strings.
//
// Usage (from internal/secrets):
//
//	go run gen/main.go -in $(GOFLAGS=-mod=mod go mod download -json \
//	    github.com/zricethezav/gitleaks/v8@v8.30.1 | jq -r .Dir)/config/gitleaks.toml
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"strconv"
	"strings"
)

type allowlist struct {
	Target    string   `json:"target,omitempty"` // "" (secret), "match" or "line"
	And       bool     `json:"and,omitempty"`
	Regexes   []string `json:"regexes,omitempty"`
	Stopwords []string `json:"stopwords,omitempty"`
}

type rule struct {
	ID          string      `json:"id"`
	Regex       string      `json:"regex"`
	Keywords    []string    `json:"keywords,omitempty"`
	Entropy     float64     `json:"entropy,omitempty"`
	SecretGroup int         `json:"secretGroup,omitempty"`
	Allowlists  []allowlist `json:"allowlists,omitempty"`
}

type output struct {
	Source  string    `json:"source"`
	Global  allowlist `json:"global"`
	Rules   []rule    `json:"rules"`
	Skipped []string  `json:"skipped,omitempty"`
}

func main() {
	in := flag.String("in", "", "path to gitleaks.toml")
	out := flag.String("out", "rules.json", "output file")
	flag.Parse()
	src, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	tables, err := parse(string(src))
	if err != nil {
		log.Fatal(err)
	}
	o := output{Source: "github.com/zricethezav/gitleaks/v8@v8.30.1 config/gitleaks.toml"}
	var cur *rule
	var curPaths bool
	flush := func() {
		if cur == nil {
			return
		}
		switch {
		case curPaths:
			o.Skipped = append(o.Skipped, cur.ID+": limited to file paths")
		case cur.Regex == "":
			o.Skipped = append(o.Skipped, cur.ID+": no regex")
		default:
			if _, err := regexp.Compile(cur.Regex); err != nil {
				o.Skipped = append(o.Skipped, cur.ID+": not RE2: "+err.Error())
			} else {
				o.Rules = append(o.Rules, *cur)
			}
		}
		cur = nil
	}
	for _, t := range tables {
		switch t.name {
		case "", "allowlist":
			if t.name == "allowlist" {
				o.Global = toAllowlist(t.kv)
			}
		case "rules":
			flush()
			cur = &rule{ID: str(t.kv["id"]), Regex: str(t.kv["regex"]), Keywords: strs(t.kv["keywords"])}
			curPaths = t.kv["path"] != nil
			if e, ok := t.kv["entropy"].(float64); ok {
				cur.Entropy = e
			}
			if g, ok := t.kv["secretGroup"].(float64); ok {
				cur.SecretGroup = int(g)
			}
		case "rules.allowlists":
			if cur == nil {
				log.Fatal("allowlist before rule")
			}
			a := toAllowlist(t.kv)
			if t.kv["paths"] != nil && (a.And || (len(a.Regexes) == 0 && len(a.Stopwords) == 0)) {
				continue // needs a file path we never have
			}
			var ok []string
			for _, re := range a.Regexes {
				if _, err := regexp.Compile(re); err == nil {
					ok = append(ok, re)
				}
			}
			a.Regexes = ok
			cur.Allowlists = append(cur.Allowlists, a)
		default:
			log.Fatalf("unexpected table %q", t.name)
		}
	}
	flush()
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "gen: %d rules, %d skipped\n", len(o.Rules), len(o.Skipped))
	for _, s := range o.Skipped {
		fmt.Fprintln(os.Stderr, "  skipped", s)
	}
}

func toAllowlist(kv map[string]any) allowlist {
	var a allowlist
	a.Target = str(kv["regexTarget"])
	a.And = strings.EqualFold(str(kv["condition"]), "AND")
	a.Regexes = strs(kv["regexes"])
	a.Stopwords = strs(kv["stopwords"])
	return a
}

func str(v any) string { s, _ := v.(string); return s }

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		out = append(out, str(x))
	}
	return out
}

type table struct {
	name string
	kv   map[string]any
}

type parser struct {
	s   string
	pos int
}

func parse(s string) ([]table, error) {
	p := &parser{s: s}
	tables := []table{{kv: map[string]any{}}}
	for {
		p.skip()
		if p.pos >= len(p.s) {
			return tables, nil
		}
		if p.s[p.pos] == '[' {
			end := strings.IndexByte(p.s[p.pos:], '\n')
			if end < 0 {
				end = len(p.s) - p.pos
			}
			h := strings.TrimSpace(p.s[p.pos : p.pos+end])
			p.pos += end
			h = strings.Trim(h, "[]")
			tables = append(tables, table{name: h, kv: map[string]any{}})
			continue
		}
		eq := strings.IndexByte(p.s[p.pos:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("offset %d: expected key = value", p.pos)
		}
		key := strings.TrimSpace(p.s[p.pos : p.pos+eq])
		p.pos += eq + 1
		v, err := p.value()
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", key, err)
		}
		tables[len(tables)-1].kv[key] = v
	}
}

// skip passes whitespace, newlines, commas and comments.
func (p *parser) skip() {
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			p.pos++
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	p.skip()
	rest := p.s[p.pos:]
	switch {
	case strings.HasPrefix(rest, "'''"):
		end := strings.Index(rest[3:], "'''")
		if end < 0 {
			return nil, fmt.Errorf("unterminated '''")
		}
		p.pos += 3 + end + 3
		return strings.TrimPrefix(rest[3:3+end], "\n"), nil
	case strings.HasPrefix(rest, "'"):
		end := strings.IndexByte(rest[1:], '\'')
		if end < 0 {
			return nil, fmt.Errorf("unterminated '")
		}
		p.pos += end + 2
		return rest[1 : 1+end], nil
	case strings.HasPrefix(rest, `"`):
		i := 1
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' {
				i++
			}
		}
		if i >= len(rest) {
			return nil, fmt.Errorf("unterminated \"")
		}
		s, err := strconv.Unquote(rest[:i+1])
		if err != nil {
			return nil, err
		}
		p.pos += i + 1
		return s, nil
	case strings.HasPrefix(rest, "["):
		p.pos++
		var arr []any
		for {
			p.skip()
			if p.pos >= len(p.s) {
				return nil, fmt.Errorf("unterminated array")
			}
			if p.s[p.pos] == ']' {
				p.pos++
				return arr, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	default:
		end := strings.IndexAny(rest, "\n#")
		if end < 0 {
			end = len(rest)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(rest[:end]), 64)
		if err != nil {
			return nil, err
		}
		p.pos += end
		return f, nil
	}
}
