package creds

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// scramCluster starts a private PostgreSQL cluster that requires SCRAM
// passwords: the shared one trusts every local connection, and with trust
// PostgreSQL checks neither the password nor VALID UNTIL. It returns the
// superuser's DSN. initdb refuses to run as root: as root the cluster runs
// as the postgres user.
func scramCluster(t *testing.T) string {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		skipOrFail(t, "no PostgreSQL server binaries (initdb, pg_ctl)")
	}
	dir, err := os.MkdirTemp("", "mcpwarden-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var runAs []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skipOrFail(t, "running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	pw := "admin-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		argv := append(append([]string{}, runAs...), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run(filepath.Join(bin, "initdb"), "-D", data, "-A", "scram-sha-256", "-U", "postgres", "--pwfile="+pwFile, "-N")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	run(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(dir, "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir), "start")
	t.Cleanup(func() { run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop") })
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", url.QueryEscape(pw), port)
}

func pgBinDir() string {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(ms) == 0 {
		return ""
	}
	return filepath.Dir(ms[len(ms)-1])
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// With password authentication, the minted password is the only way in,
// and a role nobody revoked (its gateway was killed) stops working at its
// VALID UNTIL by itself.
func TestValidUntilEndsAnUnrevokedRole(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	dsn := scramCluster(t)
	setupPG(t, dsn)
	ctx := context.Background()
	store := openStore(t)
	p, err := NewPostgres(ctx, PostgresOptions{AdminDSN: dsn, Template: testTemplate, TTL: 2 * time.Second,
		Renew: time.Hour, ConnectionLimit: 2, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	p.crash()

	c, err := pgx.Connect(ctx, g.DSN)
	if err != nil {
		t.Fatalf("minted DSN does not connect: %v", err)
	}
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM "+testTable).Scan(&n); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	c.Close(ctx)
	u, _ := url.Parse(g.DSN)
	u.User = url.UserPassword(g.ID, "wrong")
	if c, err := pgx.Connect(ctx, u.String()); err == nil {
		c.Close(ctx)
		t.Fatal("wrong password accepted")
	}

	time.Sleep(time.Until(g.Expires) + 500*time.Millisecond)
	if c, err := pgx.Connect(ctx, g.DSN); err == nil {
		c.Close(ctx)
		t.Fatal("role still logs in after VALID UNTIL")
	} else if !strings.Contains(err.Error(), "28P01") {
		t.Fatalf("after expiry: %v, want password authentication failed (28P01)", err)
	}

	// The next gateway's reaper removes the expired role.
	next, err := NewPostgres(ctx, PostgresOptions{AdminDSN: dsn, Template: testTemplate, TTL: time.Minute, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close(ctx)
	if reaped, err := next.Reap(ctx); err != nil || len(reaped) != 1 || reaped[0] != g.ID {
		t.Fatalf("Reap = %v, %v", reaped, err)
	}
}
