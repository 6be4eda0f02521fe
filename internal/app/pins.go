package app

import (
	"log/slog"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/pinstore"
)

// openPins returns the trust-on-first-use stage for a server without a
// manifest when a pin store is configured, and a pass-through otherwise.
func openPins(cfg *config.Config, server config.Server, log *slog.Logger) (intercept.Interceptor, error) {
	if cfg.PinStore == "" || server.Manifest != "" {
		return intercept.Pins(nil, nil), nil
	}
	store, err := pinstore.Open(cfg.PinStore)
	if err != nil {
		return nil, err
	}
	key := PinKey(server)
	log.Debug("trust on first use", "pins", cfg.PinStore, "key", key)
	return intercept.Pins(store, map[string]string{server.Name: key}), nil
}

// PinKey names a server in the pin store: its name and what it runs, so
// that the same name for another command starts from no pins.
func PinKey(s config.Server) string {
	if s.URL != "" {
		return s.Name + " " + s.URL
	}
	return s.Name + " " + strings.Join(s.Command, " ")
}
