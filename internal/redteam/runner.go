package redteam

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options tune a run.
type Options struct {
	// Gateway is the mcpwarden binary to test; it also serves as the
	// honeypot (its hidden __honeypot subcommand). Empty: this program.
	Gateway string
	// Config is passed to `mcpwarden run -c` (log and limits; its servers
	// are ignored). Empty: the embedded defaults.
	Config string
	// CallTimeout bounds each request; zero means 10 s.
	CallTimeout time.Duration
	// Transport is how the client reaches the gateway: TransportStdio
	// (default, `mcpwarden run`) or TransportHTTP (`mcpwarden serve`).
	Transport string
	// Protocol is the MCP version the client asks for: ProtocolLegacy
	// (default) or ProtocolModern.
	Protocol string
	// Progress, when set, hears one line per case file.
	Progress io.Writer
	// GatewayLog, when set, receives each gateway's stderr (its log and
	// exchange records) once its file is done.
	GatewayLog io.Writer
}

// Run sends every case of files through a gateway and judges them. One
// gateway (and one honeypot) serves each file; files run one after
// another so that timings stay honest on a small machine.
func Run(ctx context.Context, files []*File, o Options) (*Report, error) {
	if o.Gateway == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("redteam: the gateway binary: %w", err)
		}
		o.Gateway = exe
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 10 * time.Second
	}
	switch o.transport() {
	case TransportStdio:
	case TransportHTTP:
		if o.Config != "" {
			return nil, errors.New("redteam: --config is for the stdio transport; with http the runner writes the configuration")
		}
	default:
		return nil, fmt.Errorf("redteam: unknown transport %q (stdio or http)", o.Transport)
	}
	if err := checkIDs(files); err != nil {
		return nil, err
	}
	rep := &Report{}
	start := time.Now()
	for _, f := range files {
		t0 := time.Now()
		vs, version, err := runFile(ctx, f, o)
		if err != nil {
			return nil, err
		}
		rep.Cases = append(rep.Cases, vs...)
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "redteam: %s: %d cases in %s (%s, protocol %s)\n", f.Path, len(vs),
				time.Since(t0).Round(time.Millisecond), o.transport(), version)
		}
	}
	rep.Duration = time.Since(start)
	rep.summarize()
	return rep, nil
}

func checkIDs(files []*File) error {
	seen := map[string]string{}
	for _, f := range files {
		for _, c := range f.Cases {
			if prev, ok := seen[c.ID]; ok {
				return fmt.Errorf("redteam: case id %q is in %s and %s", c.ID, prev, f.Path)
			}
			seen[c.ID] = f.Path
		}
	}
	return nil
}

// errorRule is the gateway's rule named in the data of a JSON-RPC error
// answer, or "".
func errorRule(err error) string {
	var we *jsonrpc.Error
	if !errors.As(err, &we) {
		return ""
	}
	var data struct {
		Rule string `json:"rule"`
	}
	if json.Unmarshal(we.Data, &data) != nil {
		return ""
	}
	return data.Rule
}

// observation is what the client saw of one case.
type observation struct {
	traceID string
	rpcID   string // the tools/call request's id, as the gateway logs it
	// firstList and lastList map each listed tool name to its raw
	// definition as the client received it; nil when not listed.
	firstList, lastList map[string]json.RawMessage
	listErr             string
	listRule            string          // the gateway's rule in the judged list's error
	callResult          json.RawMessage // raw result of tools/call
	callErr             *jsonrpc.Error
	otherErr            string // transport failure, timeout
	// surface is what a surface case saw: the listed prompts or
	// resources by name, or the instructions (surfaceFound: any at all).
	surface      map[string]json.RawMessage
	instructions string
	surfaceFound bool
	// skip says why the client could not send the case at all (a name
	// that cannot travel in an HTTP header); nothing to judge.
	skip    string
	elapsed time.Duration
}

// Protocol versions the client can speak.
const (
	ProtocolLegacy = "2025-11-25" // initialize and a session
	ProtocolModern = "2026-07-28" // stateless: server/discover, per-request _meta
)

func (o Options) transport() string {
	if o.Transport == "" {
		return TransportStdio
	}
	return o.Transport
}

func (o Options) protocol() string {
	if o.Protocol == "" {
		return ProtocolLegacy
	}
	return o.Protocol
}

// maxStalled is how many cases in a row may time out before the rest of
// a file is given up as unjudged.
const maxStalled = 3

// runFile starts one gateway in front of one honeypot and runs f's cases.
func runFile(ctx context.Context, f *File, o Options) (_ []Verdict, version string, _ error) {
	dir, err := os.MkdirTemp("", "mcpwarden-redteam-")
	if err != nil {
		return nil, "", fmt.Errorf("redteam: %w", err)
	}
	defer os.RemoveAll(dir)
	manifest := filepath.Join(dir, "manifest.yaml")
	specPath := filepath.Join(dir, "spec.json")
	ctlPath := filepath.Join(dir, "control.json")
	recPath := filepath.Join(dir, "record.jsonl")
	if err := os.WriteFile(manifest, f.ManifestData, 0o600); err != nil {
		return nil, "", fmt.Errorf("redteam: %w", err)
	}
	data, _ := json.Marshal(f.spec())
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		return nil, "", fmt.Errorf("redteam: %w", err)
	}
	if err := writeControl(ctlPath, control{}); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(recPath, nil, 0o600); err != nil {
		return nil, "", fmt.Errorf("redteam: %w", err)
	}

	gw, err := startGateway(ctx, dir, honeypotFiles{manifest, specPath, ctlPath, recPath}, o)
	if err != nil {
		return nil, "", fmt.Errorf("redteam: %s: %w", f.Path, err)
	}
	defer gw.stop()
	stderr := gw.stderr
	tr := &recordingTransport{inner: gw.transport}
	client := mcp.NewClient(&mcp.Implementation{Name: "mcpwarden-redteam", Version: "1"}, nil)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sess, err := client.Connect(cctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: o.protocol()})
	cancel()
	if err != nil {
		return nil, "", fmt.Errorf("redteam: %s: connecting to the gateway: %w\n%s", f.Path, err, tail(stderr.String(), 2000))
	}
	if ir := sess.InitializeResult(); ir != nil {
		version = ir.ProtocolVersion
	}
	obs := make([]observation, len(f.Cases))
	stalled := 0 // cases in a row the gateway did not answer in time
	for i := range f.Cases {
		c := &f.Cases[i]
		if ctx.Err() != nil {
			sess.Close()
			return nil, "", ctx.Err()
		}
		if stalled >= maxStalled {
			// A hung gateway would otherwise cost a timeout per case.
			obs[i] = observation{otherErr: "not run: the gateway stopped answering"}
			continue
		}
		obs[i], err = runCase(ctx, sess, tr, ctlPath, c, o.CallTimeout)
		if err != nil {
			sess.Close()
			return nil, "", fmt.Errorf("redteam: %s: %s: %w", f.Path, c.ID, err)
		}
		if strings.Contains(obs[i].otherErr+obs[i].listErr, context.DeadlineExceeded.Error()) {
			stalled++
		} else {
			stalled = 0
		}
	}
	_ = sess.Close() // over stdio this closes the gateway's stdin and waits for it
	gw.stop()        // the log is complete once the gateway has exited
	records, err := ReadRecords(recPath)
	if err != nil {
		return nil, "", fmt.Errorf("redteam: %s: honeypot records: %w", f.Path, err)
	}
	if o.GatewayLog != nil {
		fmt.Fprintf(o.GatewayLog, "=== %s\n%s", f.Path, stderr.String())
	}
	audits := parseExchanges(stderr.String())
	vs := make([]Verdict, len(f.Cases))
	for i := range f.Cases {
		c := &f.Cases[i]
		ex, ok := audits["trace:"+obs[i].traceID]
		if !ok && obs[i].rpcID != "" {
			ex = audits["rpc:"+obs[i].rpcID]
		}
		vs[i] = judge(f, c, obs[i], recordsFor(records, c.ID), ex)
	}
	return vs, version, nil
}

// runCase drives one case through the session.
func runCase(ctx context.Context, sess *mcp.ClientSession, tr *recordingTransport, ctlPath string, c *Case, timeout time.Duration) (ob observation, _ error) {
	ob.traceID = newTraceID()
	ctl := control{Case: c.ID, Result: string(c.resultJSON)}
	if c.RugPull > 0 {
		ctl.Versions = map[string]int{c.Tool: 0}
	}
	if err := writeControl(ctlPath, ctl); err != nil {
		return ob, err
	}
	t0 := time.Now()
	defer func() { ob.elapsed = time.Since(t0) }()
	// list lists the tools; judged marks the list that shows the case's
	// definition (the only one, or the one after a rug pull), whose
	// refusal by a rule of the gateway stops the case.
	list := func(judged bool) (map[string]json.RawMessage, bool) {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if _, err := sess.ListTools(cctx, nil); err != nil {
			ob.listErr = err.Error()
			if judged {
				ob.listRule = errorRule(err)
			}
			return nil, false
		}
		return tr.lastList(), true
	}
	switch c.Surface {
	case "prompt", "resource":
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var err error
		if c.Surface == "prompt" {
			_, err = sess.ListPrompts(cctx, nil)
			ob.surface = tr.listed("prompts/list", "prompts")
		} else {
			_, err = sess.ListResources(cctx, nil)
			ob.surface = tr.listed("resources/list", "resources")
		}
		if err != nil {
			ob.listErr, ob.listRule = err.Error(), errorRule(err)
		}
		return ob, nil
	case "instructions":
		ob.instructions, ob.surfaceFound = tr.instructions()
		return ob, nil
	}
	if c.List || c.RugPull > 0 {
		var ok bool
		if ob.firstList, ok = list(c.RugPull == 0); !ok {
			return ob, nil
		}
	}
	if c.RugPull > 0 {
		ctl.Versions = map[string]int{c.Tool: c.RugPull}
		if err := writeControl(ctlPath, ctl); err != nil {
			return ob, err
		}
		var ok bool
		if ob.lastList, ok = list(true); !ok {
			return ob, nil
		}
	}
	p := &mcp.CallToolParams{
		Name: c.Tool,
		Meta: mcp.Meta{"traceparent": "00-" + ob.traceID + "-" + ob.traceID[:16] + "-01"},
	}
	if c.argsJSON != nil {
		p.Arguments = c.argsJSON
	} else {
		p.Arguments = json.RawMessage(`{}`)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tr.resetCall()
	_, err := sess.CallTool(cctx, p)
	raw, rerr, got := tr.lastCall()
	ob.rpcID = tr.lastCallID()
	switch {
	case got && rerr != nil:
		ob.callErr = rerr
	case got:
		ob.callResult = raw
	case err != nil && strings.Contains(err.Error(), "net/http: invalid header"):
		// 2026-07-28 over HTTP puts the tool name in the Mcp-Name header,
		// and Go's client refuses to send a control character there.
		ob.skip = "the client cannot send this name in an HTTP header"
	case err != nil && httpBadRequest(err):
		// Over HTTP the gateway refuses a malformed message with 400
		// before any JSON-RPC answer; the SDK reports it as rejected.
		ob.callErr = &jsonrpc.Error{Code: codeHTTPBadRequest, Message: err.Error()}
	case err != nil:
		ob.otherErr = err.Error()
	default:
		ob.otherErr = "no response was seen"
	}
	return ob, nil
}

// codeHTTPBadRequest stands for an HTTP 400 refusal in an observation.
const codeHTTPBadRequest = -400

// httpBadRequest reports whether err is the SDK's report of an HTTP 400
// answer to a request. The SDK wraps it in jsonrpc2.ErrRejected (-32005),
// but its call layer flattens the chain into text, so the text is what
// there is to read.
func httpBadRequest(err error) bool {
	var we *jsonrpc.Error
	if errors.As(err, &we) && we.Code == -32005 && strings.Contains(err.Error(), http.StatusText(http.StatusBadRequest)) {
		return true
	}
	return strings.Contains(err.Error(), "rejected by transport: "+http.StatusText(http.StatusBadRequest))
}

func writeControl(path string, c control) error {
	data, _ := json.Marshal(c)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("redteam: control: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("redteam: control: %w", err)
	}
	return nil
}

func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func recordsFor(rs []Record, id string) []Record {
	var out []Record
	for _, r := range rs {
		if r.Case == id {
			out = append(out, r)
		}
	}
	return out
}

// exchange is the part of the gateway's per-exchange log line the judge
// reads: the rule that decided and why.
type exchange struct {
	Msg      string `json:"msg"`
	TraceID  string `json:"trace_id"`
	RPCID    string `json:"rpc_id"`
	Method   string `json:"method"`
	Decision string `json:"decision"`
	Rule     string `json:"rule"`
	Reason   string `json:"reason"`
}

// parseExchanges indexes the gateway's tools/call exchange lines by trace
// id ("trace:", when the log carries it: each case has its own
// traceparent) and by JSON-RPC id ("rpc:"; one client session per
// gateway, so ids are unique).
func parseExchanges(log string) map[string]exchange {
	out := map[string]exchange{}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"exchange"`)) {
			continue
		}
		var e exchange
		if json.Unmarshal(line, &e) != nil || e.Msg != "exchange" || e.Method != "tools/call" {
			continue
		}
		if e.TraceID != "" {
			out["trace:"+e.TraceID] = e
		}
		if e.RPCID != "" {
			out["rpc:"+e.RPCID] = e
		}
	}
	return out
}

// recordingTransport keeps the raw responses to the client's tools/list
// and tools/call, so the judge sees exactly what the gateway sent rather
// than what the SDK made of it.
type recordingTransport struct {
	inner mcp.Transport
	mu    sync.Mutex
	ids   map[string]string // request id → method
	list  json.RawMessage
	call  *jsonrpc.Response
	// other keeps the last raw result of the listings a surface case
	// judges, and of initialize and server/discover (instructions).
	other map[string]json.RawMessage
	// callID is the id of the last tools/call sent.
	callID string
}

func (t *recordingTransport) lastCallID() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.callID
}

func (t *recordingTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	t.ids = map[string]string{}
	t.other = map[string]json.RawMessage{}
	return &recordingConn{Connection: c, t: t}, nil
}

func (t *recordingTransport) resetCall() {
	t.mu.Lock()
	t.call = nil
	t.mu.Unlock()
}

func (t *recordingTransport) lastCall() (json.RawMessage, *jsonrpc.Error, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.call == nil {
		return nil, nil, false
	}
	if t.call.Error != nil {
		var we *jsonrpc.Error
		if errors.As(t.call.Error, &we) {
			return nil, we, true
		}
		return nil, &jsonrpc.Error{Message: t.call.Error.Error()}, true
	}
	return t.call.Result, nil, true
}

// recorded lists the methods whose answers the transport keeps.
func recorded(method string) bool {
	switch method {
	case "tools/call", "tools/list", "prompts/list", "resources/list", "initialize", "server/discover":
		return true
	}
	return false
}

// listed maps each item (by name) of the last raw result of method, a
// listing with its items under key, to its raw definition.
func (t *recordingTransport) listed(method, key string) map[string]json.RawMessage {
	t.mu.Lock()
	raw := t.other[method]
	t.mu.Unlock()
	var res map[string]json.RawMessage // other members (cacheScope, _meta) are not lists
	var items []json.RawMessage
	out := map[string]json.RawMessage{}
	if json.Unmarshal(raw, &res) != nil || json.Unmarshal(res[key], &items) != nil {
		return out
	}
	for _, d := range items {
		var h struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(d, &h) == nil {
			out[h.Name] = d
		}
	}
	return out
}

// instructions returns the server's instructions the client was given
// (initialize, or server/discover in 2026-07-28), and whether any were.
func (t *recordingTransport) instructions() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range []string{"initialize", "server/discover"} {
		var res struct {
			Instructions *string `json:"instructions"`
		}
		if json.Unmarshal(t.other[m], &res) == nil && res.Instructions != nil {
			return *res.Instructions, true
		}
	}
	return "", false
}

// lastList maps each tool of the last tools/list result to its raw
// definition.
func (t *recordingTransport) lastList() map[string]json.RawMessage {
	t.mu.Lock()
	raw := t.list
	t.mu.Unlock()
	var res struct {
		Tools []json.RawMessage `json:"tools"`
	}
	out := map[string]json.RawMessage{}
	if json.Unmarshal(raw, &res) != nil {
		return out
	}
	for _, d := range res.Tools {
		var h struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(d, &h) == nil {
			out[h.Name] = d
		}
	}
	return out
}

type recordingConn struct {
	mcp.Connection
	t *recordingTransport
}

func idKey(id jsonrpc.ID) string { return fmt.Sprint(id.Raw()) }

func (c *recordingConn) Write(ctx context.Context, m jsonrpc.Message) error {
	if r, ok := m.(*jsonrpc.Request); ok && r.ID.IsValid() && recorded(r.Method) {
		c.t.mu.Lock()
		c.t.ids[idKey(r.ID)] = r.Method
		if r.Method == "tools/call" {
			c.t.callID = idKey(r.ID)
		}
		c.t.mu.Unlock()
	}
	return c.Connection.Write(ctx, m)
}

func (c *recordingConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := c.Connection.Read(ctx)
	if r, ok := m.(*jsonrpc.Response); ok && err == nil {
		c.t.mu.Lock()
		k := idKey(r.ID)
		switch c.t.ids[k] {
		case "tools/call":
			c.t.call = r
		case "tools/list":
			c.t.list = r.Result
		case "":
		default:
			c.t.other[c.t.ids[k]] = r.Result
		}
		delete(c.t.ids, k)
		c.t.mu.Unlock()
	}
	return m, err
}

// lockedBuffer is a goroutine-safe buffer for the gateway's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
