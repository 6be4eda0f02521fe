package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The just-in-time PostgreSQL credentials end to end: the real gateway
// reads the admin DSN from its encrypted secret store, mints a role for a
// stdio child, which logs in with it; the role is dropped when the client
// goes away, and a killed gateway's role is reaped by the next start.
// Needs PostgreSQL on 127.0.0.1:5432 (trust, user postgres, database test).

const (
	e2eTemplate = "mcpwarden_e2e_ro"
	e2eTable    = "mcpwarden_e2e_items"
	e2eAdminDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

var (
	dbpeerOnce sync.Once
	dbpeerBin  string
	dbpeerErr  error
)

func dbPeer(t testing.TB) string {
	t.Helper()
	dbpeerOnce.Do(func() {
		dbpeerBin = filepath.Join(filepath.Dir(gatewayBin), "dbpeer")
		out, err := exec.Command("go", "build", "-o", dbpeerBin, "./testdata/dbpeer").CombinedOutput()
		if err != nil {
			dbpeerErr = fmt.Errorf("build dbpeer: %v\n%s", err, out)
		}
	})
	if dbpeerErr != nil {
		t.Fatal(dbpeerErr)
	}
	return dbpeerBin
}

func e2ePG(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := ctxT(t, 10*time.Second)
	c, err := pgx.Connect(ctx, e2eAdminDSN)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	for _, q := range []string{
		`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '` + e2eTemplate + `') THEN CREATE ROLE ` + e2eTemplate + ` NOLOGIN; END IF; END $$`,
		`CREATE TABLE IF NOT EXISTS ` + e2eTable + ` (id int PRIMARY KEY, name text)`,
		`INSERT INTO ` + e2eTable + ` VALUES (1, 'one') ON CONFLICT DO NOTHING`,
		`GRANT SELECT ON ` + e2eTable + ` TO ` + e2eTemplate,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return c
}

func roleExists(t *testing.T, c *pgx.Conn, name string) bool {
	t.Helper()
	var ok bool
	if err := c.QueryRow(ctxT(t, 5*time.Second), `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

var dbpeerUser = regexp.MustCompile(`^user=(mcpw_[0-9a-f]+) rows=1 insert=denied:42501$`)

func callDB(t *testing.T, s *mcp.ClientSession) string {
	t.Helper()
	res, err := s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "db", Arguments: map[string]any{"table": e2eTable}})
	if err != nil || len(res.Content) == 0 {
		t.Fatalf("db tool: %v %+v", err, res)
	}
	text := res.Content[0].(*mcp.TextContent).Text
	m := dbpeerUser.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("db tool said %q, want user=mcpw_… rows=1 insert=denied:42501 (SELECT allowed, INSERT denied)", text)
	}
	return m[1]
}

func TestCredentialsPostgres(t *testing.T) {
	admin := e2ePG(t)
	peer := dbPeer(t)
	// The admin DSN goes into the suite's own encrypted store (TestMain
	// points XDG_STATE_HOME at a temporary directory).
	set := exec.Command(gatewayBin, "secret", "set", "e2e-pg-admin")
	set.Stdin = strings.NewReader(e2eAdminDSN + "\n")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
	dsnFile := filepath.Join(t.TempDir(), "dsn")
	cfg := fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: off
    env: {DBPEER_OUT: %q}
    credentials:
      postgres: {admin_dsn: secret://e2e-pg-admin, template: %s, ttl: 5m}
`, peer, dsnFile, e2eTemplate)

	g := startServe(t, cfg)
	s := sdkSession(t, g.URL)
	role := callDB(t, s)
	if !roleExists(t, admin, role) {
		t.Fatalf("role %s does not exist while its session lives", role)
	}
	dsn, err := os.ReadFile(dsnFile)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(dsn))
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	if len(password) < 32 {
		t.Fatalf("minted password has %d characters", len(password))
	}
	// Logs are written in batches: wait for the line.
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), `"credential minted"`) }) {
		t.Errorf("mint not logged:\n%s", g.Stderr.String())
	}

	// The client goes away: the child ends and the role is dropped.
	s.Close()
	if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, role) }) {
		t.Fatalf("role %s still exists 10s after the session ended", role)
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), `"credential revoked"`) }) {
		t.Error("revoke not logged")
	}
	// Mint and revoke are audit records too (here: the exchange log).
	for _, m := range []string{`"method":"credentials/mint","server":"db","name":"` + role, `"method":"credentials/revoke","server":"db","name":"` + role} {
		if !waitFor(2*time.Second, func() bool { return strings.Contains(g.Stderr.String(), m) }) {
			t.Errorf("no audit record %s", m)
		}
	}

	// A gateway killed with a live role: the role survives it (until its
	// VALID UNTIL), and the next start reaps it before any session.
	s2 := sdkSession(t, g.URL)
	left := callDB(t, s2)
	g.Kill()
	if !roleExists(t, admin, left) {
		t.Fatalf("role %s gone although its gateway was killed", left)
	}
	g2 := startServe(t, cfg)
	if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, left) }) {
		t.Fatalf("role %s of the killed gateway still exists 10s after the next start:\n%s", left, g2.Stderr.String())
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(g2.Stderr.String(), `"credential reaped`) }) {
		t.Errorf("reap not logged:\n%s", g2.Stderr.String())
	}

	// Shutdown revokes what is live.
	s3 := sdkSession(t, g2.URL)
	last := callDB(t, s3)
	// The reap at start is an audit record by the first mint.
	if !waitFor(2*time.Second, func() bool {
		return strings.Contains(g2.Stderr.String(), `"method":"credentials/reap","server":"db","name":"`+left)
	}) {
		t.Errorf("reap not audited:\n%s", g2.Stderr.String())
	}
	g2.Stop()
	if roleExists(t, admin, last) {
		t.Errorf("role %s survived a clean gateway shutdown", last)
	}
	for _, gw := range []*gateway{g, g2} {
		if strings.Contains(gw.Stderr.String(), password) {
			t.Error("a minted password is in the gateway log")
		}
	}
}

// TestCredentialsPostgresSandboxed: a sandboxed child has no TCP, but
// reaches PostgreSQL through its Unix socket when the admin DSN uses it
// and the socket directory is shown read-only (docs/credentials.md).
func TestCredentialsPostgresSandboxed(t *testing.T) {
	requireSandbox(t)
	const sockDir = "/run/postgresql"
	if _, err := os.Stat(filepath.Join(sockDir, ".s.PGSQL.5432")); err != nil {
		t.Skipf("no PostgreSQL socket in %s", sockDir)
	}
	admin := e2ePG(t)
	peer := dbPeer(t)
	set := exec.Command(gatewayBin, "secret", "set", "e2e-pg-admin-socket")
	set.Stdin = strings.NewReader("postgres://postgres@/test?host=" + sockDir + "&port=5432")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
	g := startServe(t, fmt.Sprintf(`servers:
  db:
    command: [%q]
    sandbox: {read_only: [%s]}
    credentials:
      postgres: {admin_dsn: secret://e2e-pg-admin-socket, template: %s}
`, peer, sockDir, e2eTemplate))
	s := sdkSession(t, g.URL)
	role := callDB(t, s)
	if !roleExists(t, admin, role) {
		t.Fatalf("role %s does not exist while its session lives", role)
	}
	s.Close()
	if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, role) }) {
		t.Fatalf("role %s still exists 10s after the session ended", role)
	}
}

// TestCredentialsPostgresLifecycle: a role also ends when its server
// crashes and when its session idles out.
func TestCredentialsPostgresLifecycle(t *testing.T) {
	admin := e2ePG(t)
	peer := dbPeer(t)
	g := startServe(t, fmt.Sprintf(`http: {session_idle_timeout: 2s}
servers:
  db:
    command: [%q]
    sandbox: off
    credentials:
      postgres: {admin_dsn: %q, template: %s}
`, peer, e2eAdminDSN, e2eTemplate))

	// Crash: the child exits in the middle of a call.
	s := sdkSession(t, g.URL)
	role := callDB(t, s)
	_, _ = s.CallTool(ctxT(t, 30*time.Second), &mcp.CallToolParams{Name: "db", Arguments: map[string]any{"crash": "1"}})
	if !waitFor(10*time.Second, func() bool { return !roleExists(t, admin, role) }) {
		t.Fatalf("role %s survived its server's crash", role)
	}

	// Idle: the client stops talking without closing its session (and
	// without a GET stream, which would keep the session alive).
	c := newRawClient(t, g.URL)
	c.initialize()
	res := c.result("tools/call", map[string]any{"name": "db", "arguments": map[string]any{"table": e2eTable}})
	m := regexp.MustCompile(`user=(mcpw_[0-9a-f]+) rows=1 insert=denied:42501`).FindStringSubmatch(string(res))
	if m == nil {
		t.Fatalf("db tool: %s", res)
	}
	idle := m[1]
	if !roleExists(t, admin, idle) {
		t.Fatalf("role %s missing", idle)
	}
	if !waitFor(15*time.Second, func() bool { return !roleExists(t, admin, idle) }) {
		t.Fatalf("role %s survived the idle timeout", idle)
	}
}
