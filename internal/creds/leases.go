// Package creds mints just-in-time downstream credentials: a PostgreSQL
// login role (postgres.go) or a Vault dynamic secret (vault.go) per stdio
// child, valid for a short TTL that is renewed while the child lives, and
// revoked when it ends. Every lease is written to a
// local SQLite table before the credential exists, so that a gateway
// started after a crash can remove what its predecessor left (the reaper),
// and never touches a role it did not mint.
package creds

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers "sqlite"
)

// Lease is the record of one minted credential.
type Lease struct {
	ID      string // the role name, or the Vault lease id
	Broker  string // "postgres" or "vault"
	Target  string // what it was minted in: host:port/database, no credentials
	Server  string // the mcpwarden server it was minted for
	Owner   string // the broker instance that minted it (see ownerID)
	Created time.Time
	Expires time.Time
}

// Store keeps leases in a SQLite file shared by every gateway process of
// the user (WAL, busy timeout).
type Store struct {
	db *sql.DB
}

// OpenStore opens (creating it and its directory, 0700) the lease table.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creds: lease store: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("creds: lease store: %w", err)
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS leases (
		id      TEXT PRIMARY KEY,
		broker  TEXT NOT NULL,
		target  TEXT NOT NULL,
		server  TEXT NOT NULL,
		owner   TEXT NOT NULL,
		created INTEGER NOT NULL,
		expires INTEGER NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("creds: lease store %s: %w", path, err)
	}
	_ = os.Chmod(path, 0o600)
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) add(ctx context.Context, l Lease) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO leases (id, broker, target, server, owner, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.Broker, l.Target, l.Server, l.Owner, l.Created.UnixMilli(), l.Expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("creds: record lease: %w", err)
	}
	return nil
}

func (s *Store) renew(ctx context.Context, id string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE leases SET expires = ? WHERE id = ?`, expires.UnixMilli(), id)
	return err
}

func (s *Store) remove(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("creds: remove lease: %w", err)
	}
	return nil
}

// Leases lists the recorded leases of one broker and target.
func (s *Store) Leases(ctx context.Context, broker, target string) ([]Lease, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, broker, target, server, owner, created, expires FROM leases WHERE broker = ? AND target = ? ORDER BY created`, broker, target)
	if err != nil {
		return nil, fmt.Errorf("creds: list leases: %w", err)
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var l Lease
		var created, expires int64
		if err := rows.Scan(&l.ID, &l.Broker, &l.Target, &l.Server, &l.Owner, &created, &expires); err != nil {
			return nil, fmt.Errorf("creds: list leases: %w", err)
		}
		l.Created, l.Expires = time.UnixMilli(created), time.UnixMilli(expires)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Owners: a lease's owner is "host/pid/start/instance". The reaper may
// take a lease over only when that broker is gone: its process no longer
// runs (another gateway process, say a second `mcpwarden run`, keeps its
// roles), or it is this process and the instance was closed or crashed.
var (
	liveMu    sync.Mutex
	liveOwner = map[string]bool{} // instances of this process still running
)

var processID = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + procStart(os.Getpid())
})

func newOwner() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	o := processID() + "/" + hex.EncodeToString(b)
	liveMu.Lock()
	liveOwner[o] = true
	liveMu.Unlock()
	return o
}

func endOwner(o string) {
	liveMu.Lock()
	delete(liveOwner, o)
	liveMu.Unlock()
}

// ownerGone reports whether the broker instance that wrote owner has
// ended. Unknown forms and other hosts count as alive: such leases are
// left to expire rather than risk revoking a live one.
func ownerGone(owner string) bool {
	parts := strings.Split(owner, "/")
	if len(parts) != 4 {
		return false
	}
	host, _ := os.Hostname()
	if parts[0] != host {
		return false
	}
	if strings.Join(parts[:3], "/") == processID() {
		liveMu.Lock()
		defer liveMu.Unlock()
		return !liveOwner[owner]
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	start := procStart(pid)
	return start == "" || start != parts[2]
}

// procStart is the start time of process pid in clock ticks since boot
// (field 22 of /proc/PID/stat), which tells a reused pid apart; "" when
// the process does not exist.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces and parentheses: count
	// from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return ""
	}
	return f[19]
}
