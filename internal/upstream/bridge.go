package upstream

import (
	"context"
	"encoding/json"
	"fmt"

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

// legacyBridge lets 2026-07-28 clients use a server that only speaks the
// session era. The gateway initialized the connection itself; the bridge
// answers server/discover from that handshake and passes other requests
// through (a legacy server ignores the extra _meta keys, and a result
// without resultType is complete by definition).
//
// Not translated: server→client requests (sampling, elicitation, roots)
// that such a server sends during a call; the session refuses them, since
// a 2026-07-28 client cannot receive them.
type legacyBridge struct {
	Conn
	discover json.RawMessage
}

// BridgeLegacy wraps c, whose handshake returned initResult.
func BridgeLegacy(c Conn, initResult json.RawMessage) (Conn, error) {
	var r struct {
		Capabilities json.RawMessage `json:"capabilities"`
		ServerInfo   json.RawMessage `json:"serverInfo"`
		Instructions *string         `json:"instructions"`
	}
	if err := json.Unmarshal(initResult, &r); err != nil {
		return nil, fmt.Errorf("upstream: bridge: bad initialize result: %w", err)
	}
	if r.Capabilities == nil {
		r.Capabilities = json.RawMessage(`{}`)
	}
	d := map[string]any{
		"resultType":        "complete",
		"supportedVersions": []string{ModernVersion},
		"capabilities":      r.Capabilities,
		"ttlMs":             0,
		"cacheScope":        "public",
	}
	if r.ServerInfo != nil {
		d["_meta"] = map[string]json.RawMessage{metaServerInfo: r.ServerInfo}
	}
	if r.Instructions != nil {
		d["instructions"] = *r.Instructions
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return &legacyBridge{Conn: c, discover: b}, nil
}

func (b *legacyBridge) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	if v, ok := mcpwire.MetaString(req.Params, metaVersion); ok && v != ModernVersion {
		data := []byte(`{"supported":["` + ModernVersion + `"]}`)
		return respond(mcpwire.NewError(req.ID, codeUnsupportedVersion, "unsupported protocol version "+v, data))
	}
	if req.Method == "server/discover" {
		return respond(mcpwire.NewResult(req.ID, b.discover))
	}
	return b.Conn.Call(ctx, req, related)
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
