package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// NameSep joins a server name and a tool or prompt name when several
// servers share one endpoint. Resource URIs get "SERVER+" in front, which
// keeps them valid URIs (a longer scheme).
const NameSep = "__"

// route is the terminal handler of the chain: it answers the gateway's own
// methods and sends the rest to the upstream that owns the target.
func (s *Session) route(ctx context.Context, x *intercept.Exchange) (*intercept.Reply, error) {
	switch x.Method {
	case "initialize":
		return s.initialize(ctx, x)
	}
	if !s.multi {
		return s.forward(ctx, x, x.Server, x.Msg)
	}
	switch x.Method {
	case "server/discover":
		return s.discoverAll(ctx, x)
	case "subscriptions/listen":
		return s.listenAll(ctx, x)
	case "ping":
		return reply(x, []byte(`{}`)), nil
	case "logging/setLevel":
		return s.broadcast(ctx, x)
	case "tools/list":
		return s.listAll(ctx, x, "tools", "name", prefixName)
	case "prompts/list":
		return s.listAll(ctx, x, "prompts", "name", prefixName)
	case "resources/list":
		return s.listAll(ctx, x, "resources", "uri", prefixURI)
	case "resources/templates/list":
		return s.listAll(ctx, x, "resourceTemplates", "uriTemplate", prefixURI)
	case "tools/call", "prompts/get":
		return s.routeBy(ctx, x, []string{"name"}, splitName)
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		return s.routeBy(ctx, x, []string{"uri"}, s.splitURI)
	case "completion/complete":
		ref, _ := mcpwire.Get(x.Msg.Params, "ref")
		if t, _ := mcpwire.StringMember(ref, "type"); t == "ref/resource" {
			return s.routeBy(ctx, x, []string{"ref", "uri"}, s.splitURI)
		}
		return s.routeBy(ctx, x, []string{"ref", "name"}, splitName)
	}
	return nil, &intercept.Denial{Rule: "route.unknown-method", Code: intercept.CodeMethodNotFound,
		Public: fmt.Sprintf("method %q cannot be routed when several servers share this endpoint", x.Method)}
}

// resolve fills in the server and the unprefixed tool, prompt or
// resource name a request targets, before the chain runs, so that policy
// stages decide on the same target the router will use. Requests without
// one target (lists, initialize) keep Server empty in aggregated mode.
func (s *Session) resolve(x *intercept.Exchange) {
	if !s.multi {
		x.Server = s.opts.Backend.Servers()[0]
		x.Name = targetName(x.Method, x.Msg.Params)
		return
	}
	var v string
	var split func(string) (string, string, bool)
	switch x.Method {
	case "tools/call", "prompts/get":
		v, split = targetName(x.Method, x.Msg.Params), splitName
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		v, split = targetName(x.Method, x.Msg.Params), s.splitURI
	case "completion/complete":
		ref, _ := mcpwire.Get(x.Msg.Params, "ref")
		if t, _ := mcpwire.StringMember(ref, "type"); t == "ref/resource" {
			v, _ = mcpwire.StringMember(ref, "uri")
			split = s.splitURI
		} else {
			v, _ = mcpwire.StringMember(ref, "name")
			split = splitName
		}
	default:
		return
	}
	if server, rest, ok := split(v); ok && s.hasServer(server) {
		x.Server, x.Name = server, rest
	}
}

// targetName is the tool, prompt or resource a request names.
func targetName(method string, params []byte) string {
	switch method {
	case "tools/call", "prompts/get":
		n, _ := mcpwire.StringMember(params, "name")
		return n
	case "resources/read", "resources/subscribe", "resources/unsubscribe":
		n, _ := mcpwire.StringMember(params, "uri")
		return n
	}
	return ""
}

func reply(x *intercept.Exchange, result []byte) *intercept.Reply {
	raw := mcpwire.NewResult(x.Msg.ID, result)
	return &intercept.Reply{Msg: &mcpwire.Message{Raw: raw, Kind: mcpwire.KindResponse, ID: x.Msg.ID, Result: result}}
}

// streamOf is the client stream the exchange's request came on, which
// request-scoped server messages go back to.
func streamOf(ctx context.Context) Stream {
	st, _ := ctx.Value(streamKey{}).(Stream)
	return st
}

// forward sends msg to server as part of exchange x and returns its answer.
func (s *Session) forward(ctx context.Context, x *intercept.Exchange, server string, msg *mcpwire.Message) (*intercept.Reply, error) {
	x.Forwarding()
	conn, err := s.conn(ctx, x.Peer.Era, server)
	if err != nil {
		return nil, err
	}
	f := newRelay(ctx, x)
	*f = relay{Context: ctx, s: s, x: x, conn: conn, stream: streamOf(ctx), server: server,
		modern: x.Peer.Era == EraModern, listen: x.Method == "subscriptions/listen"}
	t0 := time.Now()
	resp, err := conn.Call(f, msg, f.related)
	x.Record.Upstream += time.Since(t0)
	f.mu.Lock()
	refused := f.refusals
	f.mu.Unlock()
	for _, d := range refused {
		note := "server request refused by " + d.Rule + ": " + d.Public
		x.Record.Reason = strings.TrimPrefix(x.Record.Reason+"; "+note, "; ")
		if x.Record.Rule == "" {
			x.Record.Rule = d.Rule
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(server, err)
	}
	if f.listen {
		resp = retagSubscription(resp, x.Msg.ID)
	}
	f.reply.Msg = resp
	return &f.reply, nil
}

// relay is one forward's state: what the connection's reader needs for
// the server messages of the call, and the reply. It is also the call's
// context: the forward's own, which tells the exchange once its request is
// written upstream (upstream.SentKey). Only this call's Conn sees it, on
// the exchange's goroutine; other calls made with the request's context
// (a session's handshakes, lists fanned out) do not.
type relay struct {
	context.Context
	s              *Session
	x              *intercept.Exchange
	conn           upstream.Conn
	stream         Stream
	server         string
	modern, listen bool
	// Written by the connection's reader, which may still run after a
	// call that timed out has returned.
	mu       sync.Mutex
	refusals []*intercept.Denial
	reply    intercept.Reply
}

// newRelay returns the relay of a forward of x: the one in x's request
// for its first forward, a new one for any other (an exchange that is not
// the request's own, or a second forward, whose reader may run while the
// first one's still does).
func newRelay(ctx context.Context, x *intercept.Exchange) *relay {
	if r, _ := ctx.Value(requestKey{}).(*request); r != nil && &r.x == x && r.relaying.CompareAndSwap(false, true) {
		return &r.relay
	}
	return new(relay)
}

// Value is the forward's context's: x as the call's Sender.
func (f *relay) Value(key any) any {
	if _, ok := key.(upstream.SentKey); ok {
		return f.x
	}
	return f.Context.Value(key)
}

// related passes on a server message the connection attributes to the
// call.
func (f *relay) related(m *mcpwire.Message) {
	if f.modern && m.Kind == mcpwire.KindRequest {
		// 2026-07-28 has no server→client requests: a server that only
		// speaks the session era asked for one.
		refuse(f.conn, m, "the client speaks 2026-07-28, which has no server-to-client requests")
		return
	}
	if f.listen {
		m = retagSubscription(m, f.x.Msg.ID)
	}
	if f.stream != nil {
		raw, d := f.s.fromServer(f.server, f.conn, m)
		if d != nil {
			// The call's record names the refusal (the exchange that
			// carried the server's request); the call itself goes on.
			f.mu.Lock()
			f.refusals = append(f.refusals, d)
			f.mu.Unlock()
		}
		if raw != nil {
			_ = f.stream.Send(raw)
		}
	}
}

// metaSubscriptionID tags the messages of a subscriptions/listen stream
// (2026-07-28) with the id of that request.
const metaSubscriptionID = "io.modelcontextprotocol/subscriptionId"

// retagSubscription gives a message of a subscriptions/listen stream the
// client's request id as its subscriptionId. The server tags with the id
// it was sent, which is the gateway's own upstream id whenever the
// connection renumbers requests (a shared stdio child does), so the
// client would not recognise its subscription. Messages without the tag
// are left as they are.
func retagSubscription(m *mcpwire.Message, id json.RawMessage) *mcpwire.Message {
	member, obj := "params", m.Params
	if m.Kind == mcpwire.KindResponse {
		member, obj = "result", m.Result
	}
	meta, ok := mcpwire.Get(obj, "_meta")
	if !ok {
		return m
	}
	if cur, ok := mcpwire.Get(meta, metaSubscriptionID); !ok || string(cur) == string(id) {
		return m
	}
	obj, err := mcpwire.SetPath(obj, []string{"_meta", metaSubscriptionID}, id)
	if err != nil {
		return m
	}
	raw, err := mcpwire.Set(m.Raw, member, obj)
	if err != nil {
		return m
	}
	out, err := mcpwire.Parse(raw)
	if err != nil {
		return m
	}
	return out
}

// initialize opens the session's upstream connections with the client's
// own initialize params. With one server its InitializeResult goes back
// unchanged; with several the gateway answers for all of them.
func (s *Session) initialize(ctx context.Context, x *intercept.Exchange) (*intercept.Reply, error) {
	if x.Peer.Era == EraModern {
		return nil, &intercept.Denial{Rule: "session.initialize-stateless", Code: intercept.CodeInvalidRequest,
			Public: "initialize is not used with protocol version 2026-07-28"}
	}
	if !s.initDone.CompareAndSwap(false, true) {
		return nil, &intercept.Denial{Rule: "session.reinitialize", Code: intercept.CodeInvalidRequest,
			Public: "session is already initialized"}
	}
	defer close(s.initReady)
	if caps, ok := mcpwire.Get(x.Msg.Params, "capabilities"); ok {
		if el, ok := mcpwire.Get(caps, "elicitation"); ok {
			if _, ok := mcpwire.Get(el, "url"); ok {
				s.mu.Lock()
				s.peer.URLElicitation = true
				s.mu.Unlock()
			}
		}
	}
	servers := s.opts.Backend.Servers()
	states := make([]*upstreamState, len(servers))
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, name := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unsol := func(c upstream.Conn) func(*mcpwire.Message) { return s.unsolicited(name, c) }
			conn, res, err := s.opts.Backend.Dial(ctx, name, x.Msg.Params, unsol)
			states[i] = &upstreamState{conn: conn, init: res, err: err}
			if err != nil {
				s.log.Warn("upstream unavailable for session", "server", name, "err", err)
			}
		}()
	}
	wg.Wait()
	x.Record.Upstream = time.Since(t0)
	s.mu.Lock()
	closed := s.closed
	for i, name := range servers {
		s.ups[name] = states[i]
	}
	s.mu.Unlock()
	if closed {
		s.Close()
		return nil, context.Canceled
	}
	if !s.multi {
		st := states[0]
		if st.err != nil {
			return nil, unavailable(servers[0], st.err)
		}
		x.Server = servers[0]
		s.setVersion(stringMember(st.init, "protocolVersion"))
		return reply(x, st.init), nil
	}
	res, version, err := s.mergeInit(servers, states, x.Msg.Params)
	if err != nil {
		return nil, err
	}
	s.setVersion(version)
	return reply(x, res), nil
}

func stringMember(obj []byte, key string) string {
	v, _ := mcpwire.StringMember(obj, key)
	return v
}

// mergeInit answers initialize for several servers: the union of their
// capabilities, the lowest protocol version any of them chose, and their
// instructions labelled by server.
func (s *Session) mergeInit(servers []string, states []*upstreamState, params []byte) ([]byte, string, error) {
	version := stringMember(params, "protocolVersion")
	caps := map[string]map[string]any{}
	var instr []string
	found := false
	for i, st := range states {
		if st.err != nil {
			continue
		}
		found = true
		var r struct {
			ProtocolVersion string                     `json:"protocolVersion"`
			Capabilities    map[string]json.RawMessage `json:"capabilities"`
			Instructions    string                     `json:"instructions"`
		}
		if err := json.Unmarshal(st.init, &r); err != nil {
			continue
		}
		if r.ProtocolVersion != "" && r.ProtocolVersion < version {
			version = r.ProtocolVersion
		}
		for k, v := range r.Capabilities {
			m := caps[k]
			if m == nil {
				m = map[string]any{}
				caps[k] = m
			}
			var sub map[string]any
			if json.Unmarshal(v, &sub) == nil {
				for sk, sv := range sub {
					if b, ok := sv.(bool); ok {
						prev, _ := m[sk].(bool)
						m[sk] = prev || b
					} else if _, seen := m[sk]; !seen {
						m[sk] = sv
					}
				}
			}
		}
		if r.Instructions != "" {
			instr = append(instr, fmt.Sprintf("[%s] %s", servers[i], r.Instructions))
		}
	}
	if !found {
		return nil, "", &intercept.Denial{Rule: "upstream.unavailable", Code: intercept.CodeUnavailable, Public: "no server is available"}
	}
	out := map[string]any{
		"protocolVersion": version,
		"capabilities":    caps,
		"serverInfo":      map[string]string{"name": s.opts.Name, "version": s.opts.Version},
	}
	if len(instr) > 0 {
		out["instructions"] = strings.Join(instr, "\n\n")
	}
	b, err := json.Marshal(out)
	return b, version, err
}

// discoverAll answers server/discover (2026-07-28) for several servers.
func (s *Session) discoverAll(ctx context.Context, x *intercept.Exchange) (*intercept.Reply, error) {
	results := s.fanOut(ctx, x, x.Msg)
	caps := map[string]map[string]any{}
	var versions []string
	first := true
	for _, r := range results {
		if r.err != nil || r.resp.Kind != mcpwire.KindResponse {
			continue
		}
		var d struct {
			SupportedVersions []string                   `json:"supportedVersions"`
			Capabilities      map[string]json.RawMessage `json:"capabilities"`
		}
		if json.Unmarshal(r.resp.Result, &d) != nil {
			continue
		}
		if first {
			versions, first = d.SupportedVersions, false
		} else {
			versions = intersect(versions, d.SupportedVersions)
		}
		for k, v := range d.Capabilities {
			if caps[k] == nil {
				caps[k] = map[string]any{}
			}
			var sub map[string]any
			if json.Unmarshal(v, &sub) == nil {
				for sk, sv := range sub {
					caps[k][sk] = sv
				}
			}
		}
	}
	if first {
		return nil, &intercept.Denial{Rule: "upstream.unavailable", Code: intercept.CodeUnavailable, Public: "no server is available"}
	}
	b, err := json.Marshal(map[string]any{
		"resultType":        "complete",
		"supportedVersions": versions,
		"capabilities":      caps,
		"_meta": map[string]any{"io.modelcontextprotocol/serverInfo": map[string]string{
			"name": s.opts.Name, "version": s.opts.Version}},
		"ttlMs":      0,
		"cacheScope": "private",
	})
	if err != nil {
		return nil, err
	}
	return reply(x, b), nil
}

func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		for _, w := range b {
			if v == w {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

type fanResult struct {
	server string
	resp   *mcpwire.Message
	err    error
}

// fanOut sends msg to every server of the session in parallel.
func (s *Session) fanOut(ctx context.Context, x *intercept.Exchange, msg *mcpwire.Message) []fanResult {
	servers := s.opts.Backend.Servers()
	out := make([]fanResult, len(servers))
	var wg sync.WaitGroup
	for i, name := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].server = name
			conn, err := s.conn(ctx, x.Peer.Era, name)
			if err != nil {
				out[i].err = err
				return
			}
			out[i].resp, out[i].err = conn.Call(ctx, msg, nil)
		}()
	}
	wg.Wait()
	return out
}

func (s *Session) broadcast(ctx context.Context, x *intercept.Exchange) (*intercept.Reply, error) {
	for _, r := range s.fanOut(ctx, x, x.Msg) {
		if r.err != nil {
			s.log.Debug("broadcast failed", "server", r.server, "method", x.Method, "err", r.err)
		}
	}
	return reply(x, []byte(`{}`)), nil
}

// Unavailable lists servers a list result left out, in the result's _meta.
const metaUnavailable = "io.mcpwarden/unavailable"

const maxPages = 100

// listAll merges one list method over every server, following each
// server's pagination, with names prefixed. The merged list is one page.
func (s *Session) listAll(ctx context.Context, x *intercept.Exchange, field, key string, prefix func(server, v string) string) (*intercept.Reply, error) {
	if c, ok := mcpwire.Get(x.Msg.Params, "cursor"); ok && string(c) != "null" {
		return nil, &intercept.Denial{Rule: "route.bad-cursor", Code: intercept.CodeInvalidParams, Public: "invalid cursor"}
	}
	servers := s.opts.Backend.Servers()
	items := make([][]json.RawMessage, len(servers))
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, name := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items[i], errs[i] = s.listOne(ctx, x, name, field, key, prefix)
		}()
	}
	wg.Wait()
	var all []json.RawMessage
	var down []map[string]string
	for i, name := range servers {
		if errs[i] != nil {
			msg := "unavailable"
			if d, ok := intercept.AsDenial(errs[i]); ok {
				msg = d.Public
			}
			down = append(down, map[string]string{"server": name, "error": msg})
			continue
		}
		all = append(all, items[i]...)
	}
	if all == nil {
		all = []json.RawMessage{}
	}
	res := map[string]any{field: all}
	if len(down) > 0 {
		res["_meta"] = map[string]any{metaUnavailable: down}
	}
	if x.Peer.Era == EraModern {
		res["resultType"] = "complete"
		res["ttlMs"] = 0
		res["cacheScope"] = "private"
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return reply(x, b), nil
}

func (s *Session) listOne(ctx context.Context, x *intercept.Exchange, server, field, key string, prefix func(server, v string) string) ([]json.RawMessage, error) {
	conn, err := s.conn(ctx, x.Peer.Era, server)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	params := x.Msg.Params
	if params == nil {
		params = []byte(`{}`)
	}
	for page := 0; page < maxPages; page++ {
		req := mcpwire.NewRequest([]byte(`0`), x.Method, params)
		m, err := mcpwire.Parse(req)
		if err != nil {
			return nil, err
		}
		resp, err := conn.Call(ctx, m, nil)
		if err != nil {
			return nil, unavailable(server, err)
		}
		if resp.Kind != mcpwire.KindResponse {
			return nil, unavailable(server, fmt.Errorf("list failed: %s", resp.Error))
		}
		var r struct {
			NextCursor *string `json:"nextCursor"`
		}
		list, _ := mcpwire.Get(resp.Result, field)
		var elems []json.RawMessage
		if err := json.Unmarshal(list, &elems); err != nil {
			return nil, unavailable(server, fmt.Errorf("bad %s list: %w", field, err))
		}
		for _, e := range elems {
			v, ok := mcpwire.StringMember(e, key)
			if !ok {
				continue
			}
			q, _ := json.Marshal(prefix(server, v))
			if e2, err := mcpwire.Set(e, key, q); err == nil {
				out = append(out, e2)
			}
		}
		_ = json.Unmarshal(resp.Result, &r)
		if r.NextCursor == nil || *r.NextCursor == "" {
			return out, nil
		}
		q, _ := json.Marshal(*r.NextCursor)
		params, err = mcpwire.Set(params, "cursor", q)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func prefixName(server, v string) string { return server + NameSep + v }
func prefixURI(server, v string) string  { return server + "+" + v }

func splitName(v string) (string, string, bool) {
	return strings.Cut(v, NameSep)
}

func (s *Session) splitURI(v string) (string, string, bool) {
	server, rest, ok := strings.Cut(v, "+")
	return server, rest, ok
}

// routeBy finds the server from the prefixed value at path in params,
// strips the prefix, and forwards.
func (s *Session) routeBy(ctx context.Context, x *intercept.Exchange, path []string, split func(string) (string, string, bool)) (*intercept.Reply, error) {
	obj := x.Msg.Params
	for _, p := range path[:len(path)-1] {
		obj, _ = mcpwire.Get(obj, p)
	}
	v, ok := mcpwire.StringMember(obj, path[len(path)-1])
	if !ok {
		return nil, &intercept.Denial{Rule: "route.missing-target", Code: intercept.CodeInvalidParams,
			Public: fmt.Sprintf("params.%s is required", strings.Join(path, "."))}
	}
	server, rest, ok := split(v)
	if !ok || !s.hasServer(server) {
		return nil, &intercept.Denial{Rule: "route.unknown-target", Code: intercept.CodeInvalidParams,
			Public: fmt.Sprintf("unknown %s %q", path[len(path)-1], v)}
	}
	x.Server, x.Name = server, rest
	q, _ := json.Marshal(rest)
	params, err := mcpwire.SetPath(x.Msg.Params, path, q)
	if err != nil {
		return nil, err
	}
	raw, err := mcpwire.Set(x.Msg.Raw, "params", params)
	if err != nil {
		return nil, err
	}
	m, err := mcpwire.Parse(raw)
	if err != nil {
		return nil, err
	}
	reply, err := s.forward(ctx, x, server, m)
	if err != nil || reply.Msg.Kind != mcpwire.KindResponse {
		return reply, err
	}
	return prefixResultURIs(server, x.Method, reply), nil
}

// prefixResultURIs gives resource URIs in a result the server prefix, so
// that a client can read what a tool or prompt pointed it to through this
// endpoint: resources/read contents, and resource links and embedded
// resources in tool results and prompt messages.
func prefixResultURIs(server, method string, reply *intercept.Reply) *intercept.Reply {
	res := reply.Msg.Result
	if (method == "tools/call" || method == "prompts/get") && !mayNameResource(res) {
		// Only resource items change, and a result without the word
		// (nor an escape that could spell it) has none: spared decoding
		// its items (four allocations for a typical tool result).
		return reply
	}
	var err error
	switch method {
	case "resources/read":
		res, err = rewriteArray(res, "contents", func(c []byte) ([]byte, error) { return prefixURIMember(server, c, "uri") })
	case "tools/call":
		res, err = rewriteArray(res, "content", func(c []byte) ([]byte, error) { return prefixContent(server, c) })
	case "prompts/get":
		res, err = rewriteArray(res, "messages", func(m []byte) ([]byte, error) {
			content, ok := mcpwire.Get(m, "content")
			if !ok {
				return m, nil
			}
			nc, err := prefixContent(server, content)
			if err != nil {
				return nil, err
			}
			return mcpwire.Set(m, "content", nc)
		})
	default:
		return reply
	}
	if err != nil || string(res) == string(reply.Msg.Result) {
		return reply
	}
	raw, err := mcpwire.Set(reply.Msg.Raw, "result", res)
	if err != nil {
		return reply
	}
	m, err := mcpwire.Parse(raw)
	if err != nil {
		return reply
	}
	return &intercept.Reply{Msg: m}
}

// mayNameResource reports whether b may hold a content item of type
// resource or resource_link: it holds the word, or a backslash, with
// which a string can spell it without its bytes.
func mayNameResource(b []byte) bool {
	return bytes.Contains(b, []byte("resource")) || bytes.IndexByte(b, '\\') >= 0
}

// prefixContent rewrites one content item: a resource_link's uri or an
// embedded resource's resource.uri.
func prefixContent(server string, c []byte) ([]byte, error) {
	switch t, _ := mcpwire.StringMember(c, "type"); t {
	case "resource_link":
		return prefixURIMember(server, c, "uri")
	case "resource":
		r, ok := mcpwire.Get(c, "resource")
		if !ok {
			return c, nil
		}
		nr, err := prefixURIMember(server, r, "uri")
		if err != nil {
			return nil, err
		}
		return mcpwire.Set(c, "resource", nr)
	}
	return c, nil
}

func prefixURIMember(server string, obj []byte, key string) ([]byte, error) {
	uri, ok := mcpwire.StringMember(obj, key)
	if !ok {
		return obj, nil
	}
	q, _ := json.Marshal(prefixURI(server, uri))
	return mcpwire.Set(obj, key, q)
}

// rewriteArray applies fn to each element of the array member field.
func rewriteArray(obj []byte, field string, fn func([]byte) ([]byte, error)) ([]byte, error) {
	arr, ok := mcpwire.Get(obj, field)
	if !ok || len(arr) == 0 || arr[0] != '[' {
		return obj, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(arr, &elems); err != nil {
		return nil, err
	}
	changed := false
	for i, e := range elems {
		ne, err := fn(e)
		if err != nil {
			return nil, err
		}
		if string(ne) != string(e) {
			elems[i], changed = ne, true
		}
	}
	if !changed {
		return obj, nil
	}
	// Joined by hand: json.Marshal would re-escape the other bytes.
	b := []byte{'['}
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return mcpwire.Set(obj, field, append(b, ']'))
}

func (s *Session) hasServer(name string) bool {
	for _, n := range s.opts.Backend.Servers() {
		if n == name {
			return true
		}
	}
	return false
}

// prefixNotification rewrites resource URIs in server notifications when
// several servers share the session.
func (s *Session) prefixNotification(server string, msg *mcpwire.Message) []byte {
	if msg.Method != "notifications/resources/updated" {
		return msg.Raw
	}
	uri, ok := mcpwire.StringMember(msg.Params, "uri")
	if !ok {
		return msg.Raw
	}
	q, _ := json.Marshal(prefixURI(server, uri))
	p, err := mcpwire.Set(msg.Params, "uri", q)
	if err != nil {
		return msg.Raw
	}
	raw, err := mcpwire.Set(msg.Raw, "params", p)
	if err != nil {
		return msg.Raw
	}
	return raw
}

// listenAll serves subscriptions/listen (2026-07-28) for several servers:
// each server is asked for the list changes the client wants and for its
// own resources (prefix stripped), and their notifications share the
// client's stream (resource URIs prefixed, subscriptionId the client's).
// The client gets one acknowledgement, the gateway's, once every server
// acknowledged or failed; until then notifications wait behind it. The
// stream lasts until the client closes it or every server ended.
func (s *Session) listenAll(ctx context.Context, x *intercept.Exchange) (*intercept.Reply, error) {
	var want struct {
		Notifications *struct {
			ToolsListChanged      bool     `json:"toolsListChanged"`
			PromptsListChanged    bool     `json:"promptsListChanged"`
			ResourcesListChanged  bool     `json:"resourcesListChanged"`
			ResourceSubscriptions []string `json:"resourceSubscriptions"`
		} `json:"notifications"`
	}
	if err := json.Unmarshal(x.Msg.Params, &want); err != nil || want.Notifications == nil {
		return nil, &intercept.Denial{Rule: "route.bad-listen", Code: intercept.CodeInvalidParams, Public: "params.notifications is required"}
	}
	w := want.Notifications
	perServer := map[string][]string{}
	for _, uri := range w.ResourceSubscriptions {
		server, rest, ok := s.splitURI(uri)
		if !ok || !s.hasServer(server) {
			return nil, &intercept.Denial{Rule: "route.unknown-target", Code: intercept.CodeInvalidParams,
				Public: fmt.Sprintf("unknown uri %q", uri)}
		}
		perServer[server] = append(perServer[server], rest)
	}
	notifs, _ := mcpwire.Get(x.Msg.Params, "notifications")
	anyList := w.ToolsListChanged || w.PromptsListChanged || w.ResourcesListChanged
	var servers []string
	for _, name := range s.opts.Backend.Servers() {
		if anyList || len(perServer[name]) > 0 {
			servers = append(servers, name)
		}
	}
	stream := streamOf(ctx)

	var (
		mu      sync.Mutex
		pending = len(servers)
		acks    []json.RawMessage // per server: its acknowledged notifications, prefixed
		held    [][]byte          // notifications that arrived before the acknowledgement
		ackSent bool
	)
	// settled records that server acknowledged (notif != nil) or failed,
	// and sends the gateway's acknowledgement after the last one.
	settled := func(server string, notif []byte) {
		mu.Lock()
		defer mu.Unlock()
		if notif != nil {
			acks = append(acks, prefixAck(server, notif))
		}
		if pending--; pending > 0 || ackSent || len(acks) == 0 {
			return
		}
		ackSent = true
		if stream == nil {
			return
		}
		_ = stream.Send(mergeAcks(acks, x.Msg.ID))
		for _, m := range held {
			_ = stream.Send(m)
		}
		held = nil
	}
	deliver := func(raw []byte) {
		mu.Lock()
		defer mu.Unlock()
		if !ackSent {
			held = append(held, raw)
			return
		}
		if stream != nil {
			_ = stream.Send(raw)
		}
	}

	type outcome struct {
		resp *mcpwire.Message
		err  error
	}
	results := make(chan outcome, len(servers))
	for _, name := range servers {
		go func() {
			var acked atomic.Bool // set on the connection's reader, read here
			resp, err := func() (*mcpwire.Message, error) {
				uris, _ := json.Marshal(append([]string{}, perServer[name]...))
				n, err := mcpwire.Set(notifs, "resourceSubscriptions", uris)
				if err != nil {
					return nil, err
				}
				params, err := mcpwire.Set(x.Msg.Params, "notifications", n)
				if err != nil {
					return nil, err
				}
				raw, err := mcpwire.Set(x.Msg.Raw, "params", params)
				if err != nil {
					return nil, err
				}
				m, err := mcpwire.Parse(raw)
				if err != nil {
					return nil, err
				}
				conn, err := s.conn(ctx, x.Peer.Era, name)
				if err != nil {
					return nil, err
				}
				return conn.Call(ctx, m, func(n *mcpwire.Message) {
					switch {
					case n.Kind == mcpwire.KindRequest:
						refuse(conn, n, "a subscriptions/listen stream carries no server-to-client requests")
					case n.Method == "notifications/subscriptions/acknowledged":
						if !acked.CompareAndSwap(false, true) {
							return
						}
						got, _ := mcpwire.Get(n.Params, "notifications")
						if got == nil {
							got = []byte(`{}`)
						}
						settled(name, got)
					default:
						if raw, _ := s.fromServer(name, conn, retagSubscription(n, x.Msg.ID)); raw != nil {
							deliver(raw)
						}
					}
				})
			}()
			if acked.CompareAndSwap(false, true) {
				if err == nil {
					err = fmt.Errorf("server %q ended subscriptions/listen without acknowledging it", name)
				}
				s.log.Debug("subscriptions/listen not acknowledged", "server", name, "err", err)
				settled(name, nil)
			}
			results <- outcome{resp, err}
		}()
	}
	var (
		final   *mcpwire.Message
		lastErr error = &intercept.Denial{Rule: "upstream.unavailable", Code: intercept.CodeUnavailable, Public: "no server is available"}
	)
	for range servers {
		r := <-results
		switch {
		case r.err != nil:
			lastErr = r.err
		case final == nil && r.resp.Kind == mcpwire.KindResponse:
			final = r.resp
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	mu.Lock()
	ok := ackSent
	mu.Unlock()
	if !ok {
		if _, isDenial := intercept.AsDenial(lastErr); isDenial {
			return nil, lastErr
		}
		return nil, &intercept.Denial{Rule: "upstream.unavailable", Code: intercept.CodeUnavailable,
			Public: "no server accepted the subscription", Detail: fmt.Sprint(lastErr)}
	}
	if final == nil {
		return reply(x, []byte(`{"resultType":"complete","_meta":{"`+metaSubscriptionID+`":`+string(x.Msg.ID)+`}}`)), nil
	}
	return reply(x, retagSubscription(final, x.Msg.ID).Result), nil
}

// prefixAck rewrites the resource URIs a server acknowledged to the
// client's prefixed form.
func prefixAck(server string, notif []byte) json.RawMessage {
	var uris []string
	if raw, ok := mcpwire.Get(notif, "resourceSubscriptions"); ok && json.Unmarshal(raw, &uris) == nil {
		for i, u := range uris {
			uris[i] = prefixURI(server, u)
		}
		q, _ := json.Marshal(uris)
		if out, err := mcpwire.Set(notif, "resourceSubscriptions", q); err == nil {
			return out
		}
	}
	return notif
}

// mergeAcks is the gateway's acknowledgement: a list change is
// acknowledged when any server acknowledged it, resource subscriptions
// are the union.
func mergeAcks(acks []json.RawMessage, id json.RawMessage) []byte {
	merged := map[string]any{}
	var uris []string
	for _, a := range acks {
		var n map[string]json.RawMessage
		if json.Unmarshal(a, &n) != nil {
			continue
		}
		for k, v := range n {
			if k == "resourceSubscriptions" {
				var u []string
				_ = json.Unmarshal(v, &u)
				uris = append(uris, u...)
				continue
			}
			var b bool
			if json.Unmarshal(v, &b) == nil {
				prev, _ := merged[k].(bool)
				merged[k] = prev || b
			}
		}
	}
	if len(uris) > 0 {
		merged["resourceSubscriptions"] = uris
	}
	params, _ := json.Marshal(map[string]any{
		"notifications": merged,
		"_meta":         map[string]json.RawMessage{metaSubscriptionID: id},
	})
	return mcpwire.NewNotification("notifications/subscriptions/acknowledged", params)
}
