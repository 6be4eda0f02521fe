package upstream

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// The 2026-07-28 Streamable HTTP transport mirrors tool arguments whose
// schema property carries "x-mcp-header": NAME into an Mcp-Param-NAME
// header, and the server refuses a call whose headers disagree with the
// body (or miss a value the body has). The gateway builds these headers
// itself from the body it inspected, for every client: a session-era
// client sends none, and a stateless client's headers are only a
// cross-check, refused with the server's own error when they disagree.
// It learns the declarations from the tools/list results that pass through
// the connection, and lists the tools itself the first time a call names a
// tool it has not seen.

// codeHeaderMismatch is the 2026-07-28 HeaderMismatch error code.
const codeHeaderMismatch = -32020

// paramDecl is one x-mcp-header declaration of a tool's input schema.
type paramDecl struct {
	path   []string // property names from the arguments object down
	header string   // canonical header name, Mcp-Param-…
	typ    string   // string, integer, number, boolean
}

// rfc9110Token is the token syntax a declared header name must have.
var rfc9110Token = lazyre.New("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")

// subschemaKeys are the keywords under which a declaration is not
// statically reachable; one found there makes the tool definition invalid,
// as the specification says.
var subschemaKeys = []string{"items", "prefixItems", "contains", "additionalProperties", "unevaluatedProperties",
	"unevaluatedItems", "propertyNames", "patternProperties", "dependentSchemas", "oneOf", "anyOf", "allOf",
	"not", "if", "then", "else", "$defs", "definitions"}

// maxSchemaDepth bounds the walk of a server's schema.
const maxSchemaDepth = 32

// scanParamDecls returns the x-mcp-header declarations of an input schema,
// or an error naming the first rule it breaks.
func scanParamDecls(schema json.RawMessage) ([]paramDecl, error) {
	var root any
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, fmt.Errorf("inputSchema: %w", err)
	}
	var decls []paramDecl
	seen := map[string]bool{}
	var visit func(node any, path []string, reachable bool, depth int) error
	visit = func(node any, path []string, reachable bool, depth int) error {
		obj, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		if depth > maxSchemaDepth {
			return errors.New("inputSchema nested too deeply")
		}
		if raw, ok := obj["x-mcp-header"]; ok {
			where := strings.Join(path, ".")
			if !reachable || len(path) == 0 {
				return fmt.Errorf("%s: x-mcp-header is only permitted on properties reached through properties alone", cmpOr(where, "<root>"))
			}
			name, _ := raw.(string)
			if !rfc9110Token.MatchString(name) {
				return fmt.Errorf("%s: x-mcp-header %q is not an HTTP token", where, name)
			}
			typ, _ := obj["type"].(string)
			switch typ {
			case "string", "integer", "number", "boolean":
			default:
				return fmt.Errorf("%s: x-mcp-header on a property of type %q (string, integer or boolean only)", where, typ)
			}
			h := http.CanonicalHeaderKey(hdrParamPrefix + name)
			if seen[h] {
				return fmt.Errorf("%s: x-mcp-header %q declared twice", where, name)
			}
			seen[h] = true
			decls = append(decls, paramDecl{path: append([]string(nil), path...), header: h, typ: typ})
		}
		if props, ok := obj["properties"].(map[string]any); ok {
			for k, child := range props {
				if err := visit(child, append(path, k), reachable, depth+1); err != nil {
					return err
				}
			}
		}
		for _, k := range subschemaKeys {
			switch sub := obj[k].(type) {
			case []any:
				for _, b := range sub {
					if err := visit(b, append(path, "<"+k+">"), false, depth+1); err != nil {
						return err
					}
				}
			case map[string]any:
				switch k {
				case "patternProperties", "dependentSchemas", "$defs", "definitions":
					for _, b := range sub {
						if err := visit(b, append(path, "<"+k+">"), false, depth+1); err != nil {
							return err
						}
					}
				default:
					if err := visit(sub, append(path, "<"+k+">"), false, depth+1); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := visit(root, nil, true, 0); err != nil {
		return nil, err
	}
	return decls, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// paramValue is the header form of the argument at d.path: ok is false
// when the body has no value there (absent or null), which means no header.
func (d paramDecl) value(args json.RawMessage) (string, bool, error) {
	v := args
	for _, k := range d.path {
		var ok bool
		if v, ok = mcpwire.Get(v, k); !ok {
			return "", false, nil
		}
	}
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", false, nil
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	case string(v) == "true" || string(v) == "false":
		return string(v), true, nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return "", false, nil // not representable: no header, as clients do
		}
		if f == math.Trunc(f) {
			if math.Abs(f) > 1<<53-1 {
				return "", false, nil // beyond what a client can mirror exactly
			}
			return strconv.FormatInt(int64(f), 10), true, nil
		}
		return strconv.FormatFloat(f, 'f', -1, 64), true, nil
	}
	return "", false, nil // objects and arrays carry no header
}

// canonicalDecimal is the number form a header may be compared in
// numerically.
var canonicalDecimal = lazyre.New(`^-?\d+(\.\d+)?$`)

// sameValue compares a client's header (decoded) with the body's value the
// way the server does: numbers numerically, everything else as strings.
func (d paramDecl) sameValue(header, body string) bool {
	if (d.typ == "integer" || d.typ == "number") && canonicalDecimal.MatchString(header) {
		a, err1 := strconv.ParseFloat(header, 64)
		b, err2 := strconv.ParseFloat(body, 64)
		return err1 == nil && err2 == nil && a == b
	}
	return header == body
}

// decodeParamHeader undoes the =?base64?…?= form; ok is false for a
// sentinel whose payload is not canonical base64 of UTF-8.
func decodeParamHeader(v string) (string, bool) {
	p, ok := strings.CutPrefix(v, "=?base64?")
	if !ok || !strings.HasSuffix(p, "?=") {
		return v, true
	}
	b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSuffix(p, "?="))
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// paramTools remembers each tool's declarations, learned from tools/list.
type paramTools struct {
	mu    sync.Mutex
	tools map[string][]paramDecl // nil slice: the tool declares none
	bad   map[string]string      // tools whose declarations are invalid: why
	// tried is when the gateway last listed the tools itself: a tool
	// missing from that listing (or a listing that failed) is taken to
	// declare nothing until the list changes or a minute has passed, so
	// calls never list the tools each time.
	tried time.Time
	fetch sync.Mutex // one gateway-originated listing at a time
}

// relistAfter bounds how often the gateway lists the tools itself.
const relistAfter = time.Minute

// learn records the tools of one tools/list result page.
func (p *paramTools) learn(result json.RawMessage) {
	var r struct {
		Tools []struct {
			Name        string          `json:"name"`
			InputSchema json.RawMessage `json:"inputSchema"`
		} `json:"tools"`
	}
	if json.Unmarshal(result, &r) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tools == nil {
		p.tools, p.bad = map[string][]paramDecl{}, map[string]string{}
	}
	for _, t := range r.Tools {
		decls, err := scanParamDecls(t.InputSchema)
		if err != nil {
			p.bad[t.Name] = err.Error()
			delete(p.tools, t.Name)
			continue
		}
		delete(p.bad, t.Name)
		p.tools[t.Name] = decls
	}
}

// lookup returns a tool's declarations; known is false for a tool not
// seen in any listing.
func (p *paramTools) lookup(name string) (decls []paramDecl, known bool, bad string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if why, ok := p.bad[name]; ok {
		return nil, true, why
	}
	decls, known = p.tools[name]
	return decls, known || time.Since(p.tried) < relistAfter, ""
}

// forget drops what was learned (the server's tool list changed).
func (p *paramTools) forget() {
	p.mu.Lock()
	p.tools, p.bad, p.tried = nil, nil, time.Time{}
	p.mu.Unlock()
}

// paramHeaders returns the Mcp-Param-* headers for a tools/call request:
// built from the body for every declared argument, plus the client's
// headers that match no declaration (forwarded as they are). A refusal
// (non-nil reply) is the server's HeaderMismatch error, given when a
// client's header disagrees with the body.
func (c *HTTPConn) paramHeaders(ctx context.Context, req *mcpwire.Message) (map[string][]string, *mcpwire.Message, error) {
	client := intercept.ParamHeaders(ctx)
	name, ok := mcpwire.StringMember(req.Params, "name")
	if !ok {
		return client, nil, nil
	}
	decls, known, bad := c.params.lookup(name)
	if !known {
		// A listing that fails leaves the call as the client sent it: the
		// server still checks its headers against the body.
		if err := c.listTools(ctx, req); err != nil {
			c.log.Debug("tools/list for header parameters failed; forwarding the client's Mcp-Param-* headers as they are", "tool", name, "err", err)
		}
		decls, _, bad = c.params.lookup(name)
	}
	if bad != "" {
		return nil, c.mismatch(req, fmt.Sprintf("tool %q has an invalid x-mcp-header declaration: %s", name, bad)), nil
	}
	if len(decls) == 0 {
		return client, nil, nil
	}
	args, _ := mcpwire.Get(req.Params, "arguments")
	out := make(map[string][]string, len(decls)+len(client))
	for k, vs := range client {
		out[http.CanonicalHeaderKey(k)] = vs
	}
	for _, d := range decls {
		body, has, err := d.value(args)
		if err != nil {
			return nil, nil, fmt.Errorf("argument %s: %w", strings.Join(d.path, "."), err)
		}
		sent, gave := out[d.header]
		delete(out, d.header)
		if !has {
			continue // the server ignores a header for an absent value; so do we
		}
		if gave {
			got, ok := decodeParamHeader(strings.Join(sent, ","))
			if !ok || len(sent) != 1 || !d.sameValue(got, body) {
				return nil, c.mismatch(req, fmt.Sprintf("%s header does not match argument %s in the body", d.header, strings.Join(d.path, "."))), nil
			}
		}
		out[d.header] = []string{encodeHeaderValue(body)}
	}
	return out, nil, nil
}

// mismatch is the HeaderMismatch error response to req.
func (c *HTTPConn) mismatch(req *mcpwire.Message, msg string) *mcpwire.Message {
	m, err := mcpwire.Parse(mcpwire.NewError(req.ID, codeHeaderMismatch, "header mismatch: "+msg, nil))
	if err != nil { // cannot happen: NewError writes valid JSON-RPC
		panic(err)
	}
	return m
}

// listTools lists the server's tools (every page) so that their
// declarations are known, with the _meta of req (the per-request protocol
// version and capabilities the stateless era needs).
func (c *HTTPConn) listTools(ctx context.Context, req *mcpwire.Message) error {
	c.params.fetch.Lock()
	defer c.params.fetch.Unlock()
	if name, _ := mcpwire.StringMember(req.Params, "name"); name != "" {
		if _, known, _ := c.params.lookup(name); known {
			return nil // learned while we waited
		}
	}
	defer func() {
		c.params.mu.Lock()
		c.params.tried = time.Now()
		c.params.mu.Unlock()
	}()
	meta, hasMeta := mcpwire.Get(req.Params, "_meta")
	cursor := ""
	for range 100 { // bounded: a server that pages forever is not followed
		params := []byte(`{}`)
		var err error
		if hasMeta {
			if params, err = mcpwire.Set(params, "_meta", meta); err != nil {
				return err
			}
		}
		if cursor != "" {
			cur, _ := json.Marshal(cursor)
			if params, err = mcpwire.Set(params, "cursor", cur); err != nil {
				return err
			}
		}
		lreq, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`"mcpwarden-tools"`), "tools/list", params))
		if err != nil {
			return err
		}
		resp, err := c.Call(ctx, lreq, nil)
		if err != nil {
			return err
		}
		if resp.Kind == mcpwire.KindError {
			return fmt.Errorf("tools/list: %s", resp.Raw)
		}
		cursor, _ = mcpwire.StringMember(resp.Result, "nextCursor")
		if cursor == "" {
			return nil
		}
	}
	return errors.New("tools/list: more than 100 pages")
}

// toUnsolicited passes a server message on, forgetting the learned
// declarations when the server says its tools changed.
func (c *HTTPConn) toUnsolicited(m *mcpwire.Message) {
	if m.Method == "notifications/tools/list_changed" {
		c.params.forget()
	}
	c.lifecycle.toUnsolicited(m)
}
