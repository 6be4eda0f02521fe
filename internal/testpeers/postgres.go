package testpeers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresDSN is the PostgreSQL the tests use: MCPWARDEN_TEST_PG, or the
// development machines' local server (127.0.0.1:5432, trust auth, user
// postgres, database test), which .ci/run starts when it is missing.
func PostgresDSN() string {
	if d := os.Getenv("MCPWARDEN_TEST_PG"); d != "" {
		return d
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Postgres connects to PostgresDSN as its administrator. Unlike the other
// peers, a missing server skips the test, except in CI, where it fails.
func Postgres(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, PostgresDSN())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	return c
}

// PostgresSchema names a fresh schema (prefix + random hex) for one test
// and drops it, with everything in it, when the test ends. dsn is
// PostgresDSN with that schema as its search_path; c is an administrator
// connection, closed at the end.
func PostgresSchema(t testing.TB, prefix string) (dsn, schema string, c *pgx.Conn) {
	t.Helper()
	c = Postgres(t)
	var id [6]byte
	rand.Read(id[:])
	schema = prefix + hex.EncodeToString(id[:])
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop %s: %v", schema, err)
		}
		c.Close(ctx)
	})
	sep := "?"
	if strings.Contains(PostgresDSN(), "?") {
		sep = "&"
	}
	return PostgresDSN() + sep + "search_path=" + schema, schema, c
}
