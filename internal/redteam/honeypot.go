package redteam

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// HoneypotArg is the hidden subcommand the runner starts as the gateway's
// upstream: `mcpwarden __honeypot --spec FILE --control FILE --record FILE`.
const HoneypotArg = "__honeypot"

// spec is what the runner hands the honeypot: every tool it serves.
type spec struct {
	Tools        []specTool `json:"tools"`
	Prompts      []string   `json:"prompts,omitempty"`
	Resources    []string   `json:"resources,omitempty"`
	Instructions string     `json:"instructions,omitempty"`
}

// Definitions and results travel as strings so that their bytes (key
// order, escapes) reach the client exactly as the case file wrote them.
type specTool struct {
	Name   string   `json:"name"`
	Defs   []string `json:"definitions"`
	Result string   `json:"result,omitempty"`
}

// spec builds what the honeypot serves for f.
func (f *File) spec() spec {
	var sp spec
	for _, t := range f.compiled {
		st := specTool{Name: t.name, Result: string(t.result)}
		for _, d := range t.defs {
			st.Defs = append(st.Defs, string(d))
		}
		sp.Tools = append(sp.Tools, st)
	}
	for _, p := range f.prompts {
		sp.Prompts = append(sp.Prompts, string(p.defs[0]))
	}
	for _, r := range f.resources {
		sp.Resources = append(sp.Resources, string(r.defs[0]))
	}
	sp.Instructions = f.Instructions
	return sp
}

// capabilities says what the honeypot serves.
func (sp spec) capabilities() map[string]any {
	c := map[string]any{"tools": map[string]any{"listChanged": true}}
	if len(sp.Prompts) > 0 {
		c["prompts"] = map[string]any{}
	}
	if len(sp.Resources) > 0 {
		c["resources"] = map[string]any{}
	}
	return c
}

// listOf answers a listing with {"KEY":[defs…]}, each definition as
// written; a file that serves none of them (and did not announce the
// capability) answers "method not found", as before such files existed.
func listOf(key string, defs []string) (json.RawMessage, string) {
	if len(defs) == 0 {
		return nil, `{"code":-32601,"message":"method not found"}`
	}
	out := append([]byte(`{"`+key+`":[`), strings.Join(defs, ",")...)
	return append(out, "]}"...), ""
}

// control is the runner's say over the current case, rewritten (by rename)
// before each case and read by the honeypot on every request.
type control struct {
	Case     string         `json:"case"`
	Result   string         `json:"result,omitempty"`
	Versions map[string]int `json:"versions,omitempty"`
}

// Record is one request that reached the honeypot.
type Record struct {
	Seq       int             `json:"seq"`
	Case      string          `json:"case"`
	Method    string          `json:"method"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Time      time.Time       `json:"time"`
}

const defaultResult = `{"content":[{"type":"text","text":"ok"}]}`

// Honeypot runs the honeypot MCP server on stdin/stdout (JSON lines): a
// deliberately naive server that answers any tools/call, even of tools it
// does not list, and records every request before it answers, so that a
// request the gateway let through is always on record by the time the
// client sees a reply. It speaks both protocol eras (initialize, and
// server/discover with stateless requests) and answers anything else it
// does not know with "method not found".
func Honeypot(args []string, in io.Reader, out, errw io.Writer) int {
	fl := flag.NewFlagSet(HoneypotArg, flag.ContinueOnError)
	fl.SetOutput(errw)
	specPath := fl.String("spec", "", "tools to serve (JSON, written by the runner)")
	casesPath := fl.String("cases", "", "serve the tools of this case file instead of --spec (for manifest init)")
	ctlPath := fl.String("control", "", "the runner's control file (JSON)")
	recPath := fl.String("record", "", "where to append what reaches the server (JSON lines)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if (*specPath == "") == (*casesPath == "") {
		fmt.Fprintln(errw, "honeypot: give --spec or --cases")
		return 2
	}
	var sp spec
	var err error
	if *casesPath != "" {
		var f *File
		if f, err = LoadTools(*casesPath); err == nil {
			sp = f.spec()
		}
	} else {
		var data []byte
		if data, err = os.ReadFile(*specPath); err == nil {
			err = json.Unmarshal(data, &sp)
		}
	}
	if err != nil {
		fmt.Fprintln(errw, "honeypot: spec:", err)
		return 1
	}
	var rec *os.File
	if *recPath != "" {
		if rec, err = os.OpenFile(*recPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
			fmt.Fprintln(errw, "honeypot:", err)
			return 1
		}
		defer rec.Close()
	}
	h := &honeypot{spec: sp, ctlPath: *ctlPath, rec: rec, out: bufio.NewWriter(out)}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		if err := h.handle(sc.Bytes()); err != nil {
			fmt.Fprintln(errw, "honeypot:", err)
			return 1
		}
	}
	return 0
}

type honeypot struct {
	spec    spec
	ctlPath string
	mu      sync.Mutex
	rec     *os.File
	seq     int
	out     *bufio.Writer
}

type request struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

func (h *honeypot) control() control {
	var c control
	if h.ctlPath != "" {
		if data, err := os.ReadFile(h.ctlPath); err == nil {
			_ = json.Unmarshal(data, &c) // a missing or torn file means defaults
		}
	}
	return c
}

func (h *honeypot) handle(line []byte) error {
	var req request
	if err := json.Unmarshal(line, &req); err != nil || req.Method == "" {
		return nil // responses to nothing we sent, or noise: ignore
	}
	ctl := h.control()
	var p struct {
		Name            string          `json:"name"`
		Arguments       json.RawMessage `json:"arguments"`
		ProtocolVersion string          `json:"protocolVersion"`
	}
	_ = json.Unmarshal(req.Params, &p)
	r := Record{Case: ctl.Case, Method: req.Method, Time: time.Now().UTC()}
	if req.Method == "tools/call" {
		r.Name, r.Arguments = p.Name, p.Arguments
	}
	if err := h.record(r); err != nil {
		return err
	}
	if req.ID == nil {
		return nil // a notification
	}
	var result json.RawMessage
	var rpcErr string
	switch req.Method {
	case "initialize":
		v := p.ProtocolVersion
		switch v {
		case "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25":
		default:
			v = "2025-11-25"
		}
		init := map[string]any{
			"protocolVersion": v,
			"capabilities":    h.spec.capabilities(),
			"serverInfo":      map[string]any{"name": "mcpwarden-honeypot", "version": "1.0.0"},
		}
		if h.spec.Instructions != "" {
			init["instructions"] = h.spec.Instructions
		}
		result, _ = json.Marshal(init)
	case "server/discover":
		// The 2026-07-28 era: no handshake; the server says what it
		// supports and every request stands alone.
		disc := map[string]any{
			"supportedVersions": []string{"2026-07-28", "2025-11-25"},
			"capabilities":      h.spec.capabilities(),
			"_meta":             map[string]any{"io.modelcontextprotocol/serverInfo": map[string]any{"name": "mcpwarden-honeypot", "version": "1.0.0"}},
		}
		if h.spec.Instructions != "" {
			disc["instructions"] = h.spec.Instructions
		}
		result, _ = json.Marshal(disc)
	case "ping":
		result = json.RawMessage(`{}`)
	case "tools/list":
		// Definitions go out byte for byte as the case file wrote them.
		result = append(result, `{"tools":[`...)
		for i, t := range h.spec.Tools {
			v := ctl.Versions[t.Name]
			if v < 0 || v >= len(t.Defs) {
				v = 0
			}
			if i > 0 {
				result = append(result, ',')
			}
			result = append(result, t.Defs[v]...)
		}
		result = append(result, "]}"...)
	case "prompts/list":
		result, rpcErr = listOf("prompts", h.spec.Prompts)
	case "resources/list":
		result, rpcErr = listOf("resources", h.spec.Resources)
	case "tools/call":
		result = json.RawMessage(ctl.Result)
		if len(result) == 0 {
			for _, t := range h.spec.Tools {
				if t.Name == p.Name {
					result = json.RawMessage(t.Result)
				}
			}
		}
		if len(result) == 0 {
			result = json.RawMessage(defaultResult)
		}
	default:
		rpcErr = `{"code":-32601,"message":"method not found"}`
	}
	var resp []byte
	if rpcErr != "" {
		resp = fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":%s}`, req.ID, rpcErr)
	} else {
		resp = fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":%s}`, req.ID, result)
	}
	h.out.Write(resp)
	h.out.WriteByte('\n')
	return h.out.Flush()
}

// record appends r before the reply is written.
func (h *honeypot) record(r Record) error {
	if h.rec == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	r.Seq = h.seq
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = h.rec.Write(append(b, '\n'))
	return err
}

// ReadRecords reads a honeypot's record file.
func ReadRecords(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
