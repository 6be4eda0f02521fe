package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/creds"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// revokeTimeout bounds one revocation: at shutdown, after a child exit.
const revokeTimeout = 30 * time.Second

// brokers mints just-in-time credentials (docs/credentials.md) for the
// stdio children of every configuration this process runs: one broker per
// server and settings, kept across reloads, because its leases belong to
// the process (the lease owner) rather than to one snapshot. A grant is
// revoked when its child ends — session end, idle timeout, crash, pool
// replacement — and whatever is still live when the gateway stops.
type brokers struct {
	mu     sync.Mutex
	log    *slog.Logger
	store  *creds.Store
	pg     map[string]*creds.Postgres
	closed bool
	wg     sync.WaitGroup // revocations in flight
	reaped []event        // reaps at start, recorded by the next mint
}

var processBrokers = &brokers{pg: map[string]*creds.Postgres{}}

// CloseCredentials revokes every credential this process minted that is
// still live and waits for revocations in flight. Serve and run call it on
// the way out; no credential is minted while it runs.
func CloseCredentials() {
	b := processBrokers
	b.mu.Lock()
	b.closed = true
	pgs := maps.Clone(b.pg)
	log := b.log
	b.mu.Unlock()
	// Revocations of children that have ended finish first; a child that
	// does not end in time has its grant revoked by Close below anyway.
	waited := make(chan struct{})
	go func() { b.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
	}
	ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
	defer cancel()
	for _, p := range pgs {
		if err := p.Close(ctx); err != nil && log != nil {
			log.Error("credentials: revocation at shutdown failed; the roles expire at their VALID UNTIL", "err", err)
		}
	}
	b.mu.Lock()
	if b.store != nil {
		b.store.Close()
		b.store = nil
	}
	b.pg = map[string]*creds.Postgres{}
	b.closed = false // a later Serve or Run in this process starts afresh
	b.mu.Unlock()
}

// postgres returns the broker for server s, connecting (and reaping what
// a crashed gateway left in that cluster) on first use.
func (b *brokers) postgres(ctx context.Context, s config.Server, adminDSN string, log *slog.Logger) (*creds.Postgres, []string, error) {
	pg := s.Credentials.Postgres
	h := sha256.Sum256([]byte(adminDSN))
	key := fmt.Sprintf("%s|%s|%s|%v|%d|%s", s.Name, pg.Template, pg.Database, pg.TTL, pg.ConnectionLimit, hex.EncodeToString(h[:]))
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, fmt.Errorf("credentials: gateway is shutting down")
	}
	if p := b.pg[key]; p != nil {
		return p, nil, nil
	}
	b.log = log
	if b.store == nil {
		dir, err := StateDir()
		if err != nil {
			return nil, nil, fmt.Errorf("credentials: lease store: %w", err)
		}
		if b.store, err = creds.OpenStore(filepath.Join(dir, "leases.db")); err != nil {
			return nil, nil, err
		}
	}
	p, err := creds.NewPostgres(ctx, creds.PostgresOptions{AdminDSN: adminDSN, Template: pg.Template, Database: pg.Database,
		TTL: pg.TTL, ConnectionLimit: pg.ConnectionLimit, Store: b.store, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	reaped, err := p.Reap(ctx)
	if err != nil {
		log.Error("credentials: reaper could not remove every leftover role", "target", p.Target(), "removed", len(reaped), "err", err)
	} else if len(reaped) > 0 {
		log.Info("credentials: reaper removed roles left by a gateway that ended without revoking them", "target", p.Target(), "removed", len(reaped))
	}
	b.pg[key] = p
	return p, reaped, nil
}

// mintFor mints the credentials s configures for one child and puts them
// in s.Env (the copy that becomes the child's environment, never the
// gateway's); nil when s configures none.
func (b *backend) mintFor(ctx context.Context, s *config.Server) (*creds.Grant, error) {
	pg := s.Credentials.Postgres
	if pg == nil {
		return nil, nil
	}
	if b.secretsErr != nil {
		return nil, fmt.Errorf("app: server %q: credentials: secrets backend: %w", s.Name, b.secretsErr)
	}
	admin, err := secretstore.Resolve(ctx, b.secrets, pg.AdminDSN)
	if err != nil {
		return nil, fmt.Errorf("app: server %q: credentials.postgres.admin_dsn: %w", s.Name, err)
	}
	p, err := b.broker(ctx, *s, admin, true)
	if err != nil {
		b.audit.record(event{Method: "credentials/mint", Server: s.Name, Deny: true, Rule: "credentials.unavailable", Reason: err.Error()})
		return nil, fmt.Errorf("app: server %q: %w", s.Name, err)
	}
	g, err := p.Mint(ctx, s.Name)
	if err != nil {
		b.audit.record(event{Method: "credentials/mint", Server: s.Name, Deny: true, Rule: "credentials.unavailable", Reason: err.Error()})
		return nil, fmt.Errorf("app: server %q: %w", s.Name, err)
	}
	b.audit.record(event{Method: "credentials/mint", Server: s.Name, Name: g.ID,
		Reason: fmt.Sprintf("postgres role in %s, member of %s, valid until %s", g.Target, pg.Template, g.Expires.UTC().Format(time.RFC3339))})
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	s.Env[pg.Env] = g.DSN
	return g, nil
}

// broker returns the server's broker; a new one reaps first. What it
// reaped goes to the audit trail, from the request path only: warmBrokers
// runs before the backend's recorder is set, so it queues its reaps for
// the next mint to record.
func (b *backend) broker(ctx context.Context, s config.Server, admin string, onRequestPath bool) (*creds.Postgres, error) {
	p, reaped, err := processBrokers.postgres(ctx, s, admin, b.log)
	pb := processBrokers
	pb.mu.Lock()
	for _, role := range reaped {
		pb.reaped = append(pb.reaped, event{Method: "credentials/reap", Server: s.Name, Name: role,
			Reason: "dropped: left by a gateway that ended without revoking it"})
	}
	var pending []event
	if onRequestPath {
		pending, pb.reaped = pb.reaped, nil
	}
	pb.mu.Unlock()
	for _, e := range pending {
		b.audit.record(e)
	}
	return p, err
}

// bindGrant revokes g when the child it was minted for ends, or at once
// when the child did not start. Revocations are audited; at shutdown the
// audit store may close first, and then only the log has them.
func (b *backend) bindGrant(g *creds.Grant, c *upstream.StdioConn, startErr error) {
	if g == nil {
		return
	}
	pb := processBrokers
	pb.wg.Add(1)
	go func() {
		defer pb.wg.Done()
		if startErr == nil {
			<-c.Done()
		}
		ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
		defer cancel()
		if err := g.Revoke(ctx); err != nil { // logged by the broker
			b.audit.record(event{Method: "credentials/revoke", Server: g.Server, Name: g.ID, Deny: true,
				Rule: "credentials.revoke_failed", Reason: err.Error()})
			return
		}
		b.audit.record(event{Method: "credentials/revoke", Server: g.Server, Name: g.ID, Reason: "role dropped, sessions terminated"})
	}()
}

// warmBrokers connects the brokers of the servers that mint credentials,
// so that their reapers remove what a crashed gateway left at start rather
// than at the first spawn. A failure is retried at that spawn.
func (b *backend) warmBrokers() {
	for _, name := range b.names {
		s := b.servers[name]
		pg := s.Credentials.Postgres
		if pg == nil || b.secretsErr != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
		admin, err := secretstore.Resolve(ctx, b.secrets, pg.AdminDSN)
		if err == nil {
			_, err = b.broker(ctx, s, admin, false)
		}
		cancel()
		if err != nil {
			b.log.Warn("credentials: broker not ready; trying again when the server starts", "server", name, "err", err)
		}
	}
}
