package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/mcpwarden/mcpwarden/internal/config"
)

// CheckFiles loads every file a valid configuration refers to (manifests,
// the manifest signing key, the policy, the audit signing key) exactly as
// serve would, and reports every failure at once. config.Parse checks the
// configuration itself; this catches what only the referenced files can
// tell, so `config validate` agrees with what serve will do.
func CheckFiles(cfg *config.Config) error {
	var errs []error
	// One server at a time, so one bad manifest does not hide the next.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, s := range cfg.Servers {
		one := *cfg
		one.Servers = []config.Server{s}
		if _, err := loadManifests(&one, quiet); err != nil {
			errs = append(errs, err)
			if cfg.ManifestKey != "" && errors.Is(err, errManifestKey) {
				break // the same key error for every server
			}
		}
	}
	if _, err := loadPolicy(cfg); err != nil {
		errs = append(errs, err)
	}
	if cfg.Audit.KeyFile != "" {
		if _, err := loadAuditKey(context.Background(), cfg.Audit.KeyFile, cfg.Secrets); err != nil {
			errs = append(errs, fmt.Errorf("audit.key_file: %w", err))
		}
	}
	return errors.Join(errs...)
}
