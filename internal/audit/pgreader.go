package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPGReader opens a PostgreSQL chain for reading through database/sql,
// so that every Reader method serves both stores. Its sessions are
// read-only (default_transaction_read_only), as the SQLite reader is
// query_only.
func openPGReader(loc Location) (*Reader, error) {
	_, schema, err := PGTarget(loc.Postgres)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(loc.Postgres)
	if err != nil {
		return nil, errors.New("audit: store postgres: the DSN does not parse")
	}
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "mcpwarden-audit"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+".records").Scan(&exists); err != nil {
		db.Close()
		return nil, fmt.Errorf("audit: store postgres (host %s, database %s): %w", cfg.Host, cfg.Database, err)
	}
	if !exists {
		db.Close()
		return nil, fmt.Errorf("audit: store postgres (host %s, database %s): no audit chain in schema %s", cfg.Host, cfg.Database, schema)
	}
	return &Reader{db: db, pg: true}, nil
}

// q adapts a query written with ? placeholders to the reader's database.
// The queries are this package's own: no ? inside a literal.
func (r *Reader) q(query string) string {
	if !r.pg || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// subjectOf reads the subject member of a record ("" when it has none or
// does not parse).
func subjectOf(data []byte) string {
	var v struct {
		Subject string `json:"subject"`
	}
	_ = json.Unmarshal(data, &v)
	return v.Subject
}
