package app

import (
	"log/slog"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/pinstore"
)

// openPins returns the trust-on-first-use stage for a server without a
// manifest when a pin store is configured; without one, the stage only
// holds what looks poisoned. A server with a manifest is the manifest
// stage's.
func openPins(cfg *config.Config, server config.Server, log *slog.Logger) (intercept.Interceptor, error) {
	if server.Manifest != "" {
		return intercept.Pins(nil, nil), nil
	}
	if cfg.PinStore == "" {
		return intercept.Pins(nil, map[string]string{server.Name: server.Name}), nil
	}
	store, err := pinstore.Open(cfg.PinStore)
	if err != nil {
		return nil, err
	}
	key := PinKey(server)
	log.Debug("trust on first use", "pins", cfg.PinStore, "key", key)
	return intercept.Pins(store, map[string]string{server.Name: key}), nil
}

// poisonScan is serve's stage for its servers without a manifest: serve
// does not pin on first use, but it holds what looks poisoned.
func poisonScan(cfg *config.Config) intercept.Interceptor {
	keys := map[string]string{}
	for _, s := range cfg.Servers {
		if s.Manifest == "" {
			keys[s.Name] = s.Name
		}
	}
	return intercept.Pins(nil, keys)
}

// PinKey names a server in the pin store: its name and what it runs, so
// that the same name for another command starts from no pins.
func PinKey(s config.Server) string {
	if s.URL != "" {
		return s.Name + " " + s.URL
	}
	return s.Name + " " + strings.Join(s.Command, " ")
}
