package audit

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// DefaultPGSchema holds the chain when the DSN sets no search_path.
const DefaultPGSchema = "mcpwarden_audit"

// pgSchemaRe accepts one plain lower-case identifier: it names the schema
// in DDL and the advisory lock key, so nothing that needs quoting.
var pgSchemaRe = lazyre.New(`^[a-z_][a-z0-9_]{0,62}$`)

const secretScheme = "secret://"

// parsePGLocation checks the part after "postgres:": a secret://NAME
// reference (resolved later, by the caller that holds the secrets
// backend) or a DSN without a password. Errors never quote the DSN.
func parsePGLocation(rest string) (Location, error) {
	if rest == "" {
		return Location{}, errors.New("audit: store postgres: needs a DSN or secret://NAME, e.g. postgres:postgres://mcpwarden@db.internal/app?sslmode=verify-full")
	}
	if strings.HasPrefix(rest, secretScheme) {
		return Location{Postgres: rest}, nil
	}
	if _, _, err := PGTarget(rest); err != nil {
		return Location{}, err
	}
	return Location{Postgres: rest}, nil
}

// PGTarget parses a resolved DSN and returns its connection config and the
// schema that holds the chain: the DSN's search_path (one plain name),
// else DefaultPGSchema.
func PGTarget(dsn string) (*pgconn.Config, string, error) {
	if strings.HasPrefix(dsn, secretScheme) {
		return nil, "", errors.New("audit: store postgres: the secret:// reference was not resolved")
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// pgconn's message quotes the DSN (redacted on a best-effort
		// basis only): say what is wrong without it.
		return nil, "", errors.New("audit: store postgres: the DSN does not parse (want postgres://USER@HOST/DB?sslmode=... or key=value pairs)")
	}
	schema := DefaultPGSchema
	if sp, ok := cfg.RuntimeParams["search_path"]; ok {
		if !pgSchemaRe.MatchString(sp) {
			return nil, "", fmt.Errorf("audit: store postgres: search_path %q: name one schema in lower-case letters, digits and _", sp)
		}
		schema = sp
	}
	return cfg, schema, nil
}

// RedactStore is a store URL fit for logs and errors: a postgres DSN is
// rebuilt from what it connects to (user, host, port, database, schema),
// so no password, in whatever syntax, comes through.
func RedactStore(s string) string {
	rest, ok := strings.CutPrefix(s, "postgres:")
	if !ok || strings.HasPrefix(rest, secretScheme) {
		return s
	}
	cfg, schema, err := PGTarget(rest)
	if err != nil {
		return "postgres:(a DSN that does not parse)"
	}
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))),
		Path: "/" + cfg.Database, RawQuery: "search_path=" + schema}
	if strings.HasPrefix(cfg.Host, "/") {
		u.Host, u.RawQuery = "", "host="+url.QueryEscape(cfg.Host)+"&"+u.RawQuery
	}
	return "postgres:" + u.String()
}

// pgLockKey is the pg_advisory_xact_lock key that serializes the writers
// of the chain in schema.
func pgLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("mcpwarden.audit/" + schema))
	return int64(h.Sum64())
}
