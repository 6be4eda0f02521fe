package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// Appender is what the gateway needs of a writing store, SQLite (Store)
// or PostgreSQL (PGStore).
type Appender interface {
	Append(*intercept.Record) error
	Close() error
	Size() int64
	Lost() int64
	Origin() string
}

var (
	_ Appender = (*Store)(nil)
	_ Appender = (*PGStore)(nil)
)

// OpenAppender opens loc for writing with the store it names. A
// postgres location must already be resolved (ResolveLocation).
func OpenAppender(ctx context.Context, loc Location, opts Options) (Appender, error) {
	if loc.Postgres != "" {
		return OpenPG(ctx, loc, opts)
	}
	return Open(loc, opts)
}

// ResolveLocation reads a postgres:secret://NAME location's DSN with get
// (the secrets backend); other locations are returned as they are. The
// resolved DSN is checked as a written one is; errors never quote it.
func ResolveLocation(ctx context.Context, loc Location, get func(ctx context.Context, value string) (string, error)) (Location, error) {
	if !strings.HasPrefix(loc.Postgres, secretScheme) {
		return loc, nil
	}
	dsn, err := get(ctx, loc.Postgres)
	if err != nil {
		return Location{}, fmt.Errorf("audit: store postgres: %w", err)
	}
	if strings.HasPrefix(dsn, secretScheme) {
		return Location{}, fmt.Errorf("audit: store postgres: the secret %s holds another reference, not a DSN", strings.TrimPrefix(loc.Postgres, secretScheme))
	}
	if _, _, err := PGTarget(dsn); err != nil {
		return Location{}, fmt.Errorf("%w (the DSN read from %s)", err, loc.Postgres)
	}
	loc.Postgres = dsn
	return loc, nil
}
