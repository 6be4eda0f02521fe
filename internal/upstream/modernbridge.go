package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// modernBridge lets a session-era client (2025-11-25 and earlier) use a
// 2026-07-28 server over a stateless connection:
//   - every request gets the per-request _meta the client's initialize
//     established (version, capabilities, client info);
//   - a result with resultType "input_required" becomes the server→client
//     requests the client knows (sampling, elicitation, roots), sent on the
//     request's stream; their answers go back as inputResponses with the
//     server's opaque requestState, under a new request id;
//   - ping is answered by the gateway, logging/setLevel becomes the
//     per-request log level, and resources/subscribe, unsubscribe and list
//     change notifications ride one subscriptions/listen stream.
type modernBridge struct {
	Conn
	meta [][2][]byte // _meta members to add: key, raw value

	next    atomic.Uint64
	mu      sync.Mutex
	waiting map[string]chan *mcpwire.Message
	unsol   func(*mcpwire.Message)

	logLevel []byte // raw JSON string, nil when unset
	subs     map[string]bool
	listChg  map[string]bool // toolsListChanged, … the server offers
	listen   context.CancelFunc
	closed   bool
}

// maxInputRounds bounds how many input_required rounds one call may take.
const maxInputRounds = 16

// BridgeModern wraps a stateless connection for a client that sent
// initParams in its initialize request.
func BridgeModern(c Conn, initParams json.RawMessage) *modernBridge {
	var p struct {
		Capabilities json.RawMessage `json:"capabilities"`
		ClientInfo   json.RawMessage `json:"clientInfo"`
	}
	_ = json.Unmarshal(initParams, &p)
	if p.Capabilities == nil {
		p.Capabilities = json.RawMessage(`{}`)
	}
	b := &modernBridge{Conn: c, waiting: map[string]chan *mcpwire.Message{}, subs: map[string]bool{}, listChg: map[string]bool{}}
	b.meta = append(b.meta,
		[2][]byte{[]byte(metaVersion), []byte(`"` + ModernVersion + `"`)},
		[2][]byte{[]byte("io.modelcontextprotocol/clientCapabilities"), p.Capabilities})
	if p.ClientInfo != nil {
		b.meta = append(b.meta, [2][]byte{[]byte("io.modelcontextprotocol/clientInfo"), p.ClientInfo})
	}
	return b
}

// InitializeFromDiscover builds the InitializeResult a session-era client
// expects from a server/discover result.
func InitializeFromDiscover(discover json.RawMessage, version string) (json.RawMessage, error) {
	var d struct {
		Capabilities json.RawMessage            `json:"capabilities"`
		Instructions *string                    `json:"instructions"`
		Meta         map[string]json.RawMessage `json:"_meta"`
	}
	if err := json.Unmarshal(discover, &d); err != nil {
		return nil, fmt.Errorf("upstream: bad discover result: %w", err)
	}
	if d.Capabilities == nil {
		d.Capabilities = json.RawMessage(`{}`)
	}
	info := d.Meta[metaServerInfo]
	if info == nil {
		info = json.RawMessage(`{"name":"unknown","version":"0"}`)
	}
	out := map[string]any{"protocolVersion": version, "capabilities": d.Capabilities, "serverInfo": info}
	if d.Instructions != nil {
		out["instructions"] = *d.Instructions
	}
	return json.Marshal(out)
}

func (b *modernBridge) withMeta(params []byte) ([]byte, error) {
	if params == nil {
		params = []byte(`{}`)
	}
	var err error
	for _, kv := range b.meta {
		params, err = mcpwire.SetPath(params, []string{"_meta", string(kv[0])}, kv[1])
		if err != nil {
			return nil, err
		}
	}
	b.mu.Lock()
	lvl := b.logLevel
	b.mu.Unlock()
	if lvl != nil {
		params, err = mcpwire.SetPath(params, []string{"_meta", metaLogLevel}, lvl)
	}
	return params, err
}

const metaLogLevel = "io.modelcontextprotocol/logLevel"

// Start opens the notification stream for the list changes the server
// offers (from its discover result).
func (b *modernBridge) Start(discover json.RawMessage) {
	var d struct {
		Capabilities map[string]struct {
			ListChanged bool `json:"listChanged"`
		} `json:"capabilities"`
	}
	_ = json.Unmarshal(discover, &d)
	b.mu.Lock()
	for cap, key := range map[string]string{"tools": "toolsListChanged", "prompts": "promptsListChanged", "resources": "resourcesListChanged"} {
		if d.Capabilities[cap].ListChanged {
			b.listChg[key] = true
		}
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.relisten(ctx)
}

func (b *modernBridge) SetUnsolicited(fn func(*mcpwire.Message)) {
	b.mu.Lock()
	b.unsol = fn
	b.mu.Unlock()
}

// relisten replaces the subscriptions/listen stream with one for the
// current subscriptions, and waits until the server acknowledged it.
func (b *modernBridge) relisten(ctx context.Context) {
	b.mu.Lock()
	if b.listen != nil {
		b.listen()
		b.listen = nil
	}
	if b.closed {
		b.mu.Unlock()
		return
	}
	n := map[string]any{}
	for k := range b.listChg {
		n[k] = true
	}
	var uris []string
	for u := range b.subs {
		uris = append(uris, u)
	}
	if len(uris) > 0 {
		n["resourceSubscriptions"] = uris
	}
	if len(n) == 0 {
		b.mu.Unlock()
		return
	}
	lctx, cancel := context.WithCancel(context.Background())
	b.listen = cancel
	b.mu.Unlock()
	p, _ := json.Marshal(map[string]any{"notifications": n})
	params, err := b.withMeta(p)
	if err != nil {
		return
	}
	req, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "subscriptions/listen", params))
	if err != nil {
		return
	}
	acked := make(chan struct{})
	var once sync.Once
	go func() {
		_, _ = b.Conn.Call(lctx, req, func(m *mcpwire.Message) {
			if m.Method == "notifications/subscriptions/acknowledged" {
				once.Do(func() { close(acked) })
				return
			}
			b.mu.Lock()
			fn := b.unsol
			b.mu.Unlock()
			if fn != nil && m.Kind == mcpwire.KindNotification {
				fn(m)
			}
		})
		once.Do(func() { close(acked) })
	}()
	select {
	case <-acked:
	case <-ctx.Done():
	}
}

// local answers the session-era methods 2026-07-28 removed.
func (b *modernBridge) local(ctx context.Context, req *mcpwire.Message) (*mcpwire.Message, bool, error) {
	switch req.Method {
	case "ping":
		m, err := respond(mcpwire.NewResult(req.ID, []byte(`{}`)))
		return m, true, err
	case "logging/setLevel":
		lvl, ok := mcpwire.Get(req.Params, "level")
		if !ok {
			m, err := respond(mcpwire.NewError(req.ID, -32602, "params.level is required", nil))
			return m, true, err
		}
		b.mu.Lock()
		b.logLevel = append([]byte(nil), lvl...)
		b.mu.Unlock()
		m, err := respond(mcpwire.NewResult(req.ID, []byte(`{}`)))
		return m, true, err
	case "resources/subscribe", "resources/unsubscribe":
		uri, ok := mcpwire.StringMember(req.Params, "uri")
		if !ok {
			m, err := respond(mcpwire.NewError(req.ID, -32602, "params.uri is required", nil))
			return m, true, err
		}
		b.mu.Lock()
		if req.Method == "resources/subscribe" {
			b.subs[uri] = true
		} else {
			delete(b.subs, uri)
		}
		b.mu.Unlock()
		b.relisten(ctx)
		m, err := respond(mcpwire.NewResult(req.ID, []byte(`{}`)))
		return m, true, err
	}
	return nil, false, nil
}

func (b *modernBridge) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.listen != nil {
		b.listen()
	}
	b.mu.Unlock()
	return b.Conn.Close()
}

func (b *modernBridge) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	if m, ok, err := b.local(ctx, req); ok {
		return m, err
	}
	params, err := b.withMeta(req.Params)
	if err != nil {
		return nil, fmt.Errorf("upstream: bridge: %w", err)
	}
	for round := 0; ; round++ {
		raw, err := mcpwire.Set(req.Raw, "params", params)
		if err != nil {
			return nil, fmt.Errorf("upstream: bridge: %w", err)
		}
		m, err := mcpwire.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("upstream: bridge: %w", err)
		}
		resp, err := b.Conn.Call(ctx, m, related)
		if err != nil || resp.Kind != mcpwire.KindResponse {
			return resp, err
		}
		if rt, _ := mcpwire.StringMember(resp.Result, "resultType"); rt != "input_required" || related == nil {
			return resp, nil
		}
		if round >= maxInputRounds {
			return respond(mcpwire.NewError(req.ID, -32603, "gateway: too many input_required rounds", nil))
		}
		answers, errResp, err := b.askClient(ctx, req.ID, resp.Result, related)
		if err != nil || errResp != nil {
			return errResp, err
		}
		if params, err = mcpwire.Set(params, "inputResponses", answers); err != nil {
			return nil, fmt.Errorf("upstream: bridge: %w", err)
		}
		if state, ok := mcpwire.Get(resp.Result, "requestState"); ok {
			params, err = mcpwire.Set(params, "requestState", state)
		} else {
			params, err = mcpwire.Delete(params, "requestState")
		}
		if err != nil {
			return nil, fmt.Errorf("upstream: bridge: %w", err)
		}
	}
}

// askClient turns each input request into a server→client request and
// collects the answers as an inputResponses object.
func (b *modernBridge) askClient(ctx context.Context, callID []byte, result []byte, related Related) (json.RawMessage, *mcpwire.Message, error) {
	var r struct {
		InputRequests map[string]struct {
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		} `json:"inputRequests"`
	}
	if err := json.Unmarshal(result, &r); err != nil {
		return nil, nil, fmt.Errorf("upstream: bridge: bad input_required result: %w", err)
	}
	type pending struct {
		key string
		id  string
		ch  chan *mcpwire.Message
	}
	var asks []pending
	defer func() {
		b.mu.Lock()
		for _, p := range asks {
			delete(b.waiting, p.id)
		}
		b.mu.Unlock()
	}()
	for key, in := range r.InputRequests {
		id := strconv.Quote("mwb-" + strconv.FormatUint(b.next.Add(1), 10))
		p := pending{key: key, id: id, ch: make(chan *mcpwire.Message, 1)}
		b.mu.Lock()
		b.waiting[id] = p.ch
		b.mu.Unlock()
		asks = append(asks, p)
		msg, err := mcpwire.Parse(mcpwire.NewRequest([]byte(id), in.Method, in.Params))
		if err != nil {
			return nil, nil, fmt.Errorf("upstream: bridge: input request %q: %w", key, err)
		}
		related(msg)
	}
	answers := map[string]json.RawMessage{}
	for _, p := range asks {
		select {
		case m := <-p.ch:
			if m.Kind != mcpwire.KindResponse {
				// The client refused: that is the call's answer.
				e, err := respond(mcpwire.NewError(callID, -32603, "client declined an input request: "+string(m.Error), nil))
				return nil, e, err
			}
			answers[p.key] = m.Result
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-b.Done():
			return nil, nil, b.Err()
		}
	}
	out, err := json.Marshal(answers)
	return out, nil, err
}

func (b *modernBridge) Respond(ctx context.Context, msg *mcpwire.Message) error {
	b.mu.Lock()
	ch := b.waiting[string(msg.ID)]
	delete(b.waiting, string(msg.ID))
	b.mu.Unlock()
	if ch != nil {
		ch <- msg
		return nil
	}
	return b.Conn.Respond(ctx, msg)
}
