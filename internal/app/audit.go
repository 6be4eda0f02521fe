package app

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// auditing is the store the chain's audit stage appends to; nil when the
// store is off.
type auditing struct {
	store      *audit.Store
	failClosed bool
}

func (a *auditing) stage(sink func(*intercept.Record)) intercept.Interceptor {
	if a == nil || a.store == nil {
		return intercept.AuditLog(sink)
	}
	return intercept.AuditTo(sink, a.store, a.failClosed)
}

func (a *auditing) Close() error {
	if a == nil || a.store == nil {
		return nil
	}
	return a.store.Close()
}

// StateDir is where mcpwarden keeps its own files by default:
// $XDG_STATE_HOME/mcpwarden, else ~/.local/state/mcpwarden.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "mcpwarden"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "mcpwarden"), nil
}

// DefaultAuditStore is mcpwarden run's store when none is configured.
func DefaultAuditStore() (string, error) {
	d, err := StateDir()
	if err != nil {
		return "", err
	}
	return "sqlite:" + filepath.Join(d, "audit.db"), nil
}

// openAudit opens the configured store. Without a key_file, the signing
// key is kept (and made on first use) beside the database.
func openAudit(c config.Audit, log *slog.Logger) (*auditing, error) {
	if c.Store == "" || c.Store == "off" {
		return nil, nil
	}
	loc, err := audit.ParseLocation(c.Store)
	if err != nil {
		return nil, err
	}
	var key *audit.Key
	if c.KeyFile != "" {
		key, err = audit.LoadKey(c.KeyFile)
	} else {
		if err := os.MkdirAll(filepath.Dir(loc.Path), 0o700); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		key, err = audit.LoadOrCreateKey(filepath.Join(filepath.Dir(loc.Path), "audit.key"))
	}
	if err != nil {
		return nil, err
	}
	st, err := audit.Open(loc, audit.Options{Key: key, CheckpointEvery: c.CheckpointEvery,
		CheckpointInterval: c.CheckpointInterval, Retention: c.Retention, Logger: log})
	if err != nil {
		return nil, err
	}
	log.Info("audit store open", "store", c.Store, "origin", st.Origin(), "vkey", key.VKey, "fail_closed", c.FailClosed,
		"retention", c.Retention.String())
	return &auditing{store: st, failClosed: c.FailClosed}, nil
}

