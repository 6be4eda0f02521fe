package creds

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// RolePrefix starts the name of every role a broker mints. The reaper
// also requires it, besides the lease record, before it drops a role.
const RolePrefix = "mcpw_"

// BrokerPostgres names the broker in lease records.
const BrokerPostgres = "postgres"

// PostgresOptions configure a broker.
type PostgresOptions struct {
	// AdminDSN is a role that may create and drop the leased roles:
	// superuser, or CREATEROLE with pg_signal_backend (and, from
	// PostgreSQL 16, ADMIN OPTION on Template).
	AdminDSN        string
	Template        string // the role each minted role is a member of
	Database        string // "" = AdminDSN's database
	TTL             time.Duration
	ConnectionLimit int
	Store           *Store
	Logger          *slog.Logger
	// Renew is how often live roles get a new VALID UNTIL; TTL/3 when 0.
	Renew time.Duration
}

// Postgres mints one login role per lease. Safe for concurrent use.
type Postgres struct {
	o      PostgresOptions
	pool   *pgxpool.Pool
	target string
	host   string // for the minted DSN: host, or host:port
	socket string // unix socket directory, when the admin DSN uses one
	port   uint16
	dbname string
	ssl    string // sslmode of the admin DSN, carried into minted DSNs
	skew   time.Duration
	owner  string
	log    *slog.Logger

	stmts statements // per-call SQL effects (statements.go)

	mu     sync.Mutex
	live   map[string]*Grant
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// Grant is a live credential: its lease and the DSN handed to the child.
type Grant struct {
	Lease
	// DSN logs in as the role. It is a secret: put it only in the
	// environment of the child it was minted for, never in a log.
	DSN  string
	p    *Postgres
	once sync.Once
	err  error

	watchOnce sync.Once
	watch     *Watch
}

// NewPostgres connects to the cluster and checks the template role.
func NewPostgres(ctx context.Context, o PostgresOptions) (*Postgres, error) {
	if o.Store == nil {
		return nil, errors.New("creds: postgres: no lease store")
	}
	if o.TTL <= 0 {
		return nil, errors.New("creds: postgres: ttl must be positive")
	}
	if o.ConnectionLimit <= 0 {
		o.ConnectionLimit = 1
	}
	if o.Renew <= 0 {
		o.Renew = o.TTL / 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	pc, err := pgxpool.ParseConfig(o.AdminDSN)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return nil, errors.New("creds: postgres: admin_dsn is not a valid PostgreSQL connection string")
	}
	if o.Database != "" {
		// Connect to the database the roles use, so DROP OWNED cleans it.
		pc.ConnConfig.Database = o.Database
	}
	pc.MaxConns = 4
	p := &Postgres{o: o, port: pc.ConnConfig.Port, dbname: pc.ConnConfig.Database, ssl: sslMode(o.AdminDSN),
		live: map[string]*Grant{}, stop: make(chan struct{}), done: make(chan struct{})}
	if h := pc.ConnConfig.Host; strings.HasPrefix(h, "/") {
		p.socket = h
	} else {
		p.host = h
	}
	p.target = net.JoinHostPort(pc.ConnConfig.Host, strconv.Itoa(int(p.port))) + "/" + p.dbname
	p.log = o.Logger.With("broker", BrokerPostgres, "target", p.target)
	p.pool, err = pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("creds: postgres %s: %w", p.target, err)
	}
	var now time.Time
	var templateOK bool
	err = p.pool.QueryRow(ctx, `SELECT now(), EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, o.Template).Scan(&now, &templateOK)
	if err != nil {
		p.pool.Close()
		return nil, fmt.Errorf("creds: postgres %s: %w", p.target, err)
	}
	if !templateOK {
		p.pool.Close()
		return nil, fmt.Errorf("creds: postgres %s: template role %q does not exist", p.target, o.Template)
	}
	// VALID UNTIL is a timestamp, not an expression: compute it on the
	// server's clock.
	p.skew = time.Until(now)
	p.owner = newOwner()
	go p.renewLoop()
	return p, nil
}

// Target names the cluster and database: host:port/database.
func (p *Postgres) Target() string { return p.target }

func (p *Postgres) serverNow() time.Time { return time.Now().Add(p.skew) }

// Mint creates a role for server. The lease is recorded before the role
// exists, so that a crash in between leaves nothing the reaper misses.
func (p *Postgres) Mint(ctx context.Context, server string) (*Grant, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, errors.New("creds: postgres: broker closed")
	}
	start := time.Now()
	rnd := make([]byte, 8+32)
	if _, err := rand.Read(rnd); err != nil {
		return nil, fmt.Errorf("creds: %w", err)
	}
	name := RolePrefix + hex.EncodeToString(rnd[:8])
	password := base64.RawURLEncoding.EncodeToString(rnd[8:])
	clear(rnd)
	verifier, err := scramVerifier(password)
	if err != nil {
		return nil, fmt.Errorf("creds: %w", err)
	}
	g := &Grant{p: p, Lease: Lease{ID: name, Broker: BrokerPostgres, Target: p.target, Server: server, Owner: p.owner,
		Created: time.Now(), Expires: p.serverNow().Add(p.o.TTL)}}
	if err := p.o.Store.add(ctx, g.Lease); err != nil {
		return nil, err
	}
	// One round trip (simple protocol, an implicit transaction), and no
	// wait for the WAL flush: a role lost in a database crash is no risk
	// (the child cannot log in; the reaper finds nothing to drop).
	stmt := fmt.Sprintf("SET LOCAL synchronous_commit = off; CREATE ROLE %s WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT %d PASSWORD %s VALID UNTIL %s IN ROLE %s",
		ident(name), p.o.ConnectionLimit, literal(verifier), literal(timestamp(g.Expires)), ident(p.o.Template))
	if _, err := p.pool.Exec(ctx, stmt); err != nil {
		_ = p.o.Store.remove(context.WithoutCancel(ctx), name)
		return nil, fmt.Errorf("creds: postgres %s: create role: %w", p.target, err)
	}
	g.DSN = p.dsn(name, password)
	p.mu.Lock()
	if p.closed {
		// Close ran meanwhile and will not see this grant: undo it.
		p.mu.Unlock()
		_ = p.drop(context.WithoutCancel(ctx), name)
		return nil, errors.New("creds: postgres: broker closed")
	}
	p.live[name] = g
	p.mu.Unlock()
	p.log.Info("credential minted", "server", server, "role", name, "template", p.o.Template,
		"expires", g.Expires.UTC().Format(time.RFC3339), "ms", time.Since(start).Milliseconds())
	return g, nil
}

// dsn is the URL the child logs in with.
func (p *Postgres) dsn(user, password string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Path: "/" + p.dbname}
	q := url.Values{}
	if p.socket != "" {
		q.Set("host", p.socket)
		q.Set("port", strconv.Itoa(int(p.port)))
	} else {
		u.Host = net.JoinHostPort(p.host, strconv.Itoa(int(p.port)))
	}
	if p.ssl != "" {
		q.Set("sslmode", p.ssl)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Revoke ends the grant: no new logins, its sessions terminated, the
// role and what it owns in the database dropped, the lease removed. It
// runs once; later calls return the first result.
func (g *Grant) Revoke(ctx context.Context) error {
	g.once.Do(func() {
		p := g.p
		p.mu.Lock()
		delete(p.live, g.ID)
		p.mu.Unlock()
		start := time.Now()
		g.err = p.drop(ctx, g.ID)
		if g.err != nil {
			// The lease stays: the next reaper (or VALID UNTIL) ends it.
			p.mu.Lock()
			exp := g.Expires
			p.mu.Unlock()
			p.log.Error("credential revoke failed; the role expires at its VALID UNTIL", "server", g.Server, "role", g.ID,
				"expires", exp.UTC().Format(time.RFC3339), "err", g.err)
			return
		}
		p.log.Info("credential revoked", "server", g.Server, "role", g.ID, "ms", time.Since(start).Milliseconds())
	})
	return g.err
}

// drop removes role name and its lease. A role already gone is fine.
func (p *Postgres) drop(ctx context.Context, name string) error {
	if !strings.HasPrefix(name, RolePrefix) {
		return fmt.Errorf("creds: refusing to drop %q: not a role this broker mints", name)
	}
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("creds: postgres %s: %w", p.target, err)
	}
	defer conn.Release()
	id := ident(name)
	// NOLOGIN first, so nothing reconnects between terminate and drop.
	if _, err := conn.Exec(ctx, "ALTER ROLE "+id+" NOLOGIN"); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42704" { // undefined_object: already gone
			return p.o.Store.remove(ctx, name)
		}
		return fmt.Errorf("creds: postgres %s: revoke %s: %w", p.target, name, err)
	}
	if err := terminate(ctx, conn.Conn(), name); err != nil {
		return fmt.Errorf("creds: postgres %s: terminate %s: %w", p.target, name, err)
	}
	if _, err := conn.Exec(ctx, "DROP OWNED BY "+id); err != nil {
		return fmt.Errorf("creds: postgres %s: drop owned by %s: %w", p.target, name, err)
	}
	if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+id); err != nil {
		return fmt.Errorf("creds: postgres %s: drop role %s: %w", p.target, name, err)
	}
	return p.o.Store.remove(ctx, name)
}

// terminate ends every session of role name and waits (up to 5 s) until
// they are gone. pg_terminate_backend(pid, timeout) would wait too, but it
// polls every 100 ms; termination takes well under one.
func terminate(ctx context.Context, conn *pgx.Conn, name string) error {
	const q = `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = $1`
	var n int
	if err := conn.QueryRow(ctx, q, name).Scan(&n); err != nil || n == 0 {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for wait := time.Millisecond; ; wait = min(wait*2, 50*time.Millisecond) {
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d sessions still running after 5s", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// Reap drops the roles of leases in this cluster whose broker has ended
// (a crashed or killed gateway), and returns the roles it removed. Roles
// without a lease record, or without the prefix, are never touched.
func (p *Postgres) Reap(ctx context.Context) ([]string, error) {
	leases, err := p.o.Store.Leases(ctx, BrokerPostgres, p.target)
	if err != nil {
		return nil, err
	}
	var reaped []string
	var errs []error
	for _, l := range leases {
		if l.Owner == p.owner || !ownerGone(l.Owner) {
			continue
		}
		if err := p.drop(ctx, l.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		reaped = append(reaped, l.ID)
		p.log.Info("credential reaped: left by a gateway that ended without revoking it", "server", l.Server, "role", l.ID,
			"minted", l.Created.UTC().Format(time.RFC3339))
	}
	return reaped, errors.Join(errs...)
}

// renewLoop moves VALID UNTIL forward for every live role, so a role
// outlives its gateway by at most one TTL.
func (p *Postgres) renewLoop() {
	defer close(p.done)
	t := time.NewTicker(p.o.Renew)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		gs := make([]*Grant, 0, len(p.live))
		for _, g := range p.live {
			gs = append(gs, g)
		}
		p.mu.Unlock()
		for _, g := range gs {
			ctx, cancel := context.WithTimeout(context.Background(), min(p.o.Renew, 10*time.Second))
			if err := p.renew(ctx, g); err != nil && p.isLive(g) {
				p.log.Warn("credential renewal failed; the role expires at its VALID UNTIL unless a later renewal succeeds",
					"server", g.Server, "role", g.ID, "err", err)
			}
			cancel()
		}
	}
}

func (p *Postgres) isLive(g *Grant) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live[g.ID] == g
}

// renew moves g's VALID UNTIL; a grant revoked meanwhile is left alone.
func (p *Postgres) renew(ctx context.Context, g *Grant) error {
	if !p.isLive(g) {
		return nil
	}
	exp := p.serverNow().Add(p.o.TTL)
	if _, err := p.pool.Exec(ctx, "ALTER ROLE "+ident(g.ID)+" VALID UNTIL "+literal(timestamp(exp))); err != nil {
		return err
	}
	p.mu.Lock()
	g.Expires = exp
	p.mu.Unlock()
	return p.o.Store.renew(ctx, g.ID, exp)
}

// Close revokes every live grant and closes the broker.
func (p *Postgres) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	gs := make([]*Grant, 0, len(p.live))
	for _, g := range p.live {
		gs = append(gs, g)
	}
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	var errs []error
	for _, g := range gs {
		if err := g.Revoke(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	endOwner(p.owner)
	p.pool.Close()
	return errors.Join(errs...)
}

// crash stops the broker as a killed gateway would: nothing revoked, the
// leases left for the next reaper. For tests.
func (p *Postgres) crash() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	endOwner(p.owner)
	p.pool.Close()
}

// ident quotes a role name as an SQL identifier.
func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

// literal quotes s as a standard SQL string. CREATE ROLE and ALTER ROLE
// take no bind parameters; the values quoted here are made by this
// package (a SCRAM verifier, a timestamp) and never hold a quote, but the
// quoting does not rely on that.
func literal(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	if strings.Contains(s, `\`) {
		return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000+00") }

var sslModeRe = lazyre.New(`(?:^|[\s?&])sslmode=([A-Za-z-]+)`)

func sslMode(dsn string) string {
	if m := sslModeRe.FindStringSubmatch(dsn); m != nil {
		return m[1]
	}
	return ""
}
