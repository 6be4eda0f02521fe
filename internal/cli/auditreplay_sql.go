package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/creds"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
)

// statementLookup finds, for replay, the normalized text PostgreSQL keeps
// for the statement an sql effect names by its queryid: from --db, else
// from the admin DSN of the record's server in the -c configuration. The
// record itself never holds the text.
type statementLookup struct {
	db    string         // --db: DSN or secret://NAME
	cfg   *config.Config // -c, or nil
	warn  io.Writer      // where a database that cannot be reached is said, once
	conns map[string]*pgx.Conn
	errs  map[string]error
	texts map[string]stmtText
}

// stmtText is what replay shows of one statement.
type stmtText struct {
	Fingerprint string `json:"fingerprint"`
	Target      string `json:"target,omitempty"`
	Text        string `json:"text,omitempty"`
	// Unavailable says why there is no text.
	Unavailable string `json:"unavailable,omitempty"`
}

func newStatementLookup(db, configPath string, warn io.Writer) (*statementLookup, error) {
	l := &statementLookup{db: db, warn: warn, conns: map[string]*pgx.Conn{}, errs: map[string]error{}, texts: map[string]stmtText{}}
	if configPath != "" {
		cfg, err := config.Load(configPath)
		if err != nil {
			return nil, err
		}
		l.cfg = cfg
	}
	if l.db == "" && !l.hasAdminDSN() {
		return nil, nil
	}
	return l, nil
}

func (l *statementLookup) hasAdminDSN() bool {
	if l.cfg == nil {
		return false
	}
	for _, s := range l.cfg.Servers {
		if s.Credentials.Postgres != nil {
			return true
		}
	}
	return false
}

// Close ends the connections made.
func (l *statementLookup) Close() {
	if l == nil {
		return
	}
	for _, c := range l.conns {
		c.Close(context.Background())
	}
}

// text returns the statement of an sql effect of a record of server;
// ok is false when the effect names no statement.
func (l *statementLookup) text(ctx context.Context, server string, ef audit.EntryEffect) (stmtText, bool) {
	if l == nil || ef.Kind != "sql" || ef.Fingerprint == "" {
		return stmtText{}, false
	}
	st := stmtText{Fingerprint: ef.Fingerprint, Target: ef.Target}
	id, err := strconv.ParseInt(ef.Fingerprint, 10, 64)
	if err != nil {
		st.Unavailable = "the fingerprint is not a pg_stat_statements queryid"
		return st, true
	}
	if ef.Operation != "" && !creds.Normalized(ef.Operation) {
		// Before PostgreSQL 16 a utility statement's text is kept as
		// written: it may hold a password (ALTER ROLE … PASSWORD).
		st.Unavailable = "not shown: PostgreSQL keeps the text of " + ef.Operation + " statements with their values"
		return st, true
	}
	key := server + "\x00" + ef.Target + "\x00" + ef.Fingerprint
	if t, ok := l.texts[key]; ok {
		return t, true
	}
	c, err := l.conn(ctx, server)
	if err == nil {
		var found bool
		if st.Text, found, err = creds.StatementText(ctx, c, ef.Target, id); err == nil && !found {
			st.Unavailable = "not in pg_stat_statements any more (evicted or reset), or another cluster"
		}
	}
	if err != nil {
		st.Unavailable = "statement text not read: " + err.Error()
	}
	// Normalized text has $n for every value; still, a value written as
	// an identifier or a comment would show: the redactor masks secrets.
	st.Text, _ = secrets.Redact(st.Text)
	l.texts[key] = st
	return st, true
}

// conn connects, once, to the database for server's records.
func (l *statementLookup) conn(ctx context.Context, server string) (*pgx.Conn, error) {
	dsn, database := l.db, ""
	var sec config.Secrets
	if l.cfg != nil {
		sec = l.cfg.Secrets
		if s, ok := l.cfg.Server(server); ok && dsn == "" && s.Credentials.Postgres != nil {
			dsn, database = s.Credentials.Postgres.AdminDSN, s.Credentials.Postgres.Database
		}
	}
	if dsn == "" {
		return nil, fmt.Errorf("no --db, and server %q has no credentials.postgres.admin_dsn in the configuration", server)
	}
	key := dsn + "\x00" + database
	if c := l.conns[key]; c != nil {
		return c, nil
	}
	if err := l.errs[key]; err != nil {
		return nil, err
	}
	c, err := l.connect(ctx, dsn, database, sec)
	if err != nil {
		l.errs[key] = err
		fmt.Fprintf(l.warn, "note: statement texts not shown: %v\n", err)
		return nil, err
	}
	l.conns[key] = c
	return c, nil
}

func (l *statementLookup) connect(ctx context.Context, dsn, database string, sec config.Secrets) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, isRef := secretstore.Ref(dsn); isRef {
		b, err := app.OpenSecrets(sec)
		if err != nil {
			return nil, fmt.Errorf("--db: %w", err)
		}
		if dsn, err = secretstore.Resolve(ctx, b, dsn); err != nil {
			return nil, fmt.Errorf("--db: %w", err)
		}
	}
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return nil, errors.New("--db: not a valid PostgreSQL connection string")
	}
	if database != "" {
		pc.Database = database
	}
	c, err := pgx.ConnectConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to %s:%d/%s: %w", pc.Host, pc.Port, pc.Database, err)
	}
	return c, nil
}
