package upstream

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// Handshake opens an MCP session on c: initialize with params (an empty
// object when nil), then notifications/initialized. It returns the
// server's InitializeResult.
func Handshake(ctx context.Context, c Conn, params json.RawMessage) (json.RawMessage, error) {
	if params == nil {
		params = json.RawMessage(`{}`)
	}
	req, err := mcpwire.Parse(mcpwire.NewRequest([]byte(`0`), "initialize", params))
	if err != nil {
		return nil, fmt.Errorf("initialize params: %w", err)
	}
	resp, err := c.Call(ctx, req, nil)
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if resp.Kind != mcpwire.KindResponse {
		return nil, fmt.Errorf("initialize refused: %s", resp.Error)
	}
	n, _ := mcpwire.Parse(mcpwire.NewNotification("notifications/initialized", nil))
	if err := c.Notify(ctx, n); err != nil {
		return nil, fmt.Errorf("notifications/initialized: %w", err)
	}
	return resp.Result, nil
}
