package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// ModernVersion is the stateless protocol version (2026-07-28).
const ModernVersion = "2026-07-28"

const (
	metaVersion    = "io.modelcontextprotocol/protocolVersion"
	metaServerInfo = "io.modelcontextprotocol/serverInfo"
	// codeUnsupportedVersion is the 2026-07-28 error for a version the
	// server does not speak.
	codeUnsupportedVersion = -32022
)

// legacyBridge lets 2026-07-28 requests reach a server that only speaks
// the session era: the gateway initialized the connection itself, and the
// requests pass through (a legacy server ignores the extra _meta keys, and
// a result without resultType is complete by definition).
//
// server/discover goes to the server as is, so a dual-era client sees
// what the bare server says (an error, or a list without 2026-07-28) and
// falls back to a session exactly as it would directly; only a client that
// speaks 2026-07-28 regardless is bridged.
//
// Not translated: server→client requests (sampling, elicitation, roots)
// that such a server sends during a call; they are refused, since a
// 2026-07-28 client cannot receive them.
type legacyBridge struct {
	probe Conn // answers server/discover as the bare server would; nil: -32601
	dial  func(ctx context.Context) (Conn, error)

	mu   sync.Mutex
	conn Conn
}

// BridgeLegacy serves 2026-07-28 requests from a session the gateway
// opens with dial on first use, so that a server sees no handshake it
// would not have seen without the gateway until such a request comes.
// server/discover goes to probe.
func BridgeLegacy(probe Conn, dial func(ctx context.Context) (Conn, error)) Conn {
	return &legacyBridge{probe: probe, dial: dial}
}

func (b *legacyBridge) session(ctx context.Context) (Conn, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		select {
		case <-b.conn.Done():
			b.conn = nil
		default:
			return b.conn, nil
		}
	}
	c, err := b.dial(ctx)
	if err != nil {
		return nil, err
	}
	b.conn = c
	return c, nil
}

func (b *legacyBridge) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	if v, ok := mcpwire.MetaString(req.Params, metaVersion); ok && v != ModernVersion {
		data := []byte(`{"supported":["` + ModernVersion + `"]}`)
		return respond(mcpwire.NewError(req.ID, codeUnsupportedVersion, "unsupported protocol version "+v, data))
	}
	if req.Method == "server/discover" {
		if b.probe == nil {
			return respond(mcpwire.NewError(req.ID, -32601, "Method not found", nil))
		}
		return b.probe.Call(ctx, req, related)
	}
	c, err := b.session(ctx)
	if err != nil {
		return nil, err
	}
	return c.Call(ctx, req, related)
}

func (b *legacyBridge) Notify(ctx context.Context, msg *mcpwire.Message) error {
	c, err := b.session(ctx)
	if err != nil {
		return err
	}
	return c.Notify(ctx, msg)
}

func (b *legacyBridge) Respond(ctx context.Context, msg *mcpwire.Message) error {
	b.mu.Lock()
	c := b.conn
	b.mu.Unlock()
	if c == nil {
		return ErrClosed
	}
	return c.Respond(ctx, msg)
}

// SetUnsolicited is a no-op: the dial func installs the receiver.
func (b *legacyBridge) SetUnsolicited(func(*mcpwire.Message)) {}

// Done reports the end of the probe connection; a lost session is dialed
// again on the next request.
func (b *legacyBridge) Done() <-chan struct{} {
	if b.probe != nil {
		return b.probe.Done()
	}
	return nil
}

func (b *legacyBridge) Err() error {
	if b.probe != nil {
		return b.probe.Err()
	}
	return nil
}

func (b *legacyBridge) Close() error {
	b.mu.Lock()
	c := b.conn
	b.conn = nil
	b.mu.Unlock()
	if c != nil && c != b.probe {
		c.Close()
	}
	if b.probe != nil {
		return b.probe.Close()
	}
	return nil
}

func respond(raw []byte) (*mcpwire.Message, error) {
	m, err := mcpwire.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream: bridge: %w", err)
	}
	return m, nil
}

// IsModernCapable reports whether a response to server/discover says the
// server speaks 2026-07-28.
func IsModernCapable(resp *mcpwire.Message) bool {
	if resp == nil || resp.Kind != mcpwire.KindResponse {
		return false
	}
	var d struct {
		SupportedVersions []string `json:"supportedVersions"`
	}
	if json.Unmarshal(resp.Result, &d) != nil {
		return false
	}
	for _, v := range d.SupportedVersions {
		if v == ModernVersion {
			return true
		}
	}
	return false
}
