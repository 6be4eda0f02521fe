package sqlguard

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// fixture is the schema the benign corpus reads.
const fixture = `
CREATE TABLE users (id int PRIMARY KEY, name text, email text, role text, manager_id int,
	created_at timestamptz DEFAULT now(), deleted bool DEFAULT false, data jsonb);
CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric, status text, created_at timestamptz DEFAULT now());
CREATE TABLE invoices (id int PRIMARY KEY, customer text, amount numeric, issued_on date);
CREATE TABLE products (id int PRIMARY KEY, name text, price numeric, tags text[]);
INSERT INTO users (id, name, email, role, manager_id, data) VALUES
	(1, 'alice', 'alice@example.com', 'admin', NULL, '{"plan": "pro", "active": true, "address": {"city": "Oslo"}}'),
	(2, 'bob', 'bob@example.com', 'user', 1, '{"active": false}'),
	(3, 'O''Reilly', NULL, 'user', 2, NULL);
INSERT INTO orders (id, user_id, total, status) VALUES (1, 1, 150, 'paid'), (2, 1, 20, 'open'), (3, 2, 99.5, 'paid');
INSERT INTO invoices VALUES (1, 'acme', 100, '2024-03-01'), (2, 'globex', 250, '2024-04-15');
INSERT INTO products VALUES (1, 'pen', 12, '{sale,office}'), (2, 'desk', 300, '{}');
`

// TestBenignRunsReadOnly runs every benign query of the corpus on the
// local PostgreSQL inside BEGIN READ ONLY: the guard's benign set is
// known to be harmless reads there, not merely to parse. Skipped only when
// the server cannot be reached outside CI.
func TestBenignRunsReadOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn := os.Getenv("SQLGUARD_TEST_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("PostgreSQL not reachable (%v)", err)
		}
		t.Fatalf("PostgreSQL not reachable in CI: %v", err)
	}
	defer conn.Close(context.Background())

	schema := fmt.Sprintf("sqlguard_%d_%d", os.Getpid(), time.Now().UnixNano())
	exec := func(q string) {
		t.Helper()
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	defer conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	exec("SET search_path TO " + schema + ", pg_catalog")
	exec("SET statement_timeout = '5s'")
	exec(fixture)

	for _, tc := range benign {
		if d := Check(tc.sql, tc.o); !d.Allow {
			t.Errorf("%s: refused by the guard (%s)", tc.name, d.Rule)
			continue
		}
		exec("BEGIN READ ONLY")
		_, err := conn.Exec(ctx, tc.sql, pgx.QueryExecModeSimpleProtocol)
		exec("ROLLBACK")
		if err != nil {
			t.Errorf("%s: %q fails in a read-only transaction: %v", tc.name, tc.sql, err)
		}
	}

	// The cross-check can fail: a write the guard would refuse does fail
	// in the same read-only transaction.
	exec("BEGIN READ ONLY")
	_, err = conn.Exec(ctx, "DELETE FROM users", pgx.QueryExecModeSimpleProtocol)
	exec("ROLLBACK")
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("DELETE in a read-only transaction: %v", err)
	}
}
