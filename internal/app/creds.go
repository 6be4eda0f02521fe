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
	"github.com/mcpwarden/mcpwarden/internal/vaultclient"
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
	vault  map[string]*creds.Vault
	closed bool
	wg     sync.WaitGroup // revocations in flight
	reaped []event        // reaps at start, recorded by the next mint
}

var processBrokers = &brokers{pg: map[string]*creds.Postgres{}, vault: map[string]*creds.Vault{}}

// CloseCredentials revokes every credential this process minted that is
// still live and waits for revocations in flight. Serve and run call it on
// the way out; no credential is minted while it runs.
func CloseCredentials() {
	b := processBrokers
	b.mu.Lock()
	b.closed = true
	var all []creds.Broker
	for _, p := range b.pg {
		all = append(all, p)
	}
	for _, v := range b.vault {
		all = append(all, v)
	}
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
	for _, p := range all {
		if err := p.Close(ctx); err != nil && log != nil {
			log.Error("credentials: revocation at shutdown failed; the credentials expire at their TTL", "target", p.Target(), "err", err)
		}
	}
	b.mu.Lock()
	if b.store != nil {
		b.store.Close()
		b.store = nil
	}
	b.pg = map[string]*creds.Postgres{}
	b.vault = map[string]*creds.Vault{}
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
	if err := b.openStore(); err != nil {
		return nil, nil, err
	}
	p, err := creds.NewPostgres(ctx, creds.PostgresOptions{AdminDSN: adminDSN, Template: pg.Template, Database: pg.Database,
		TTL: pg.TTL, ConnectionLimit: pg.ConnectionLimit, Store: b.store, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	reaped := reap(ctx, p, log)
	b.pg[key] = p
	return p, reaped, nil
}

// openStore opens the lease store on first use; b.mu is held.
func (b *brokers) openStore() error {
	if b.store != nil {
		return nil
	}
	dir, err := StateDir()
	if err != nil {
		return fmt.Errorf("credentials: lease store: %w", err)
	}
	b.store, err = creds.OpenStore(filepath.Join(dir, "leases.db"))
	return err
}

// reap runs a new broker's reaper and logs what it did.
func reap(ctx context.Context, p creds.Broker, log *slog.Logger) []string {
	reaped, err := p.Reap(ctx)
	if err != nil {
		log.Error("credentials: reaper could not remove every leftover credential", "target", p.Target(), "removed", len(reaped), "err", err)
	} else if len(reaped) > 0 {
		log.Info("credentials: reaper removed credentials left by a gateway that ended without revoking them", "target", p.Target(), "removed", len(reaped))
	}
	return reaped
}

// vaultBroker returns the Vault dynamic-secrets broker for server s,
// reaping what a crashed gateway left under its role on first use.
func (b *brokers) vaultBroker(ctx context.Context, s config.Server, log *slog.Logger) (*creds.Vault, []string, error) {
	vc := s.Credentials.Vault
	key := fmt.Sprintf("%s|%s|%s|%s|%v|%+v", s.Name, vc.Address, vc.Mount, vc.Role, vc.TTL, vc.VaultLogin)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, fmt.Errorf("credentials: gateway is shutting down")
	}
	if v := b.vault[key]; v != nil {
		return v, nil, nil
	}
	b.log = log
	if err := b.openStore(); err != nil {
		return nil, nil, err
	}
	c, err := vaultclient.New(vaultclient.Options{Address: vc.Address, TokenFile: vc.TokenFile, RoleID: vc.RoleID,
		SecretIDFile: vc.SecretIDFile, JWTRole: vc.JWTRole, JWTFile: vc.JWTFile, JWTMount: vc.JWTMount, CAFile: vc.CAFile})
	if err != nil {
		return nil, nil, fmt.Errorf("credentials: %w", err)
	}
	v, err := creds.NewVault(creds.VaultOptions{Client: c, Mount: vc.Mount, Role: vc.Role, Increment: vc.TTL, Store: b.store, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	reaped := reap(ctx, v, log)
	b.vault[key] = v
	return v, reaped, nil
}

// mintFor mints the credentials s configures for one child and puts them
// in s.Env (the copy that becomes the child's environment, never the
// gateway's); nil when s configures none.
func (b *backend) mintFor(ctx context.Context, s *config.Server) (creds.Credential, error) {
	if s.Credentials.Vault != nil {
		return b.mintVault(ctx, s)
	}
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
	if pg.Effects {
		b.enableEffects(ctx, p, g, s.Name)
	}
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	s.Env[pg.Env] = g.DSN
	return g, nil
}

// mintVault reads a Vault dynamic secret for one child into s.Env.
func (b *backend) mintVault(ctx context.Context, s *config.Server) (creds.Credential, error) {
	vc := s.Credentials.Vault
	g, err := b.vaultGrant(ctx, s)
	if err != nil {
		return nil, err
	}
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	for k, t := range vc.Env {
		s.Env[k] = config.VaultEnvValue(t, g.Data)
	}
	clear(g.Data) // the child's environment is the only copy kept
	return g, nil
}

// vaultGrant reads a Vault dynamic secret for s, audited.
func (b *backend) vaultGrant(ctx context.Context, s *config.Server) (*creds.VaultGrant, error) {
	v, reaped, err := processBrokers.vaultBroker(ctx, *s, b.log)
	b.queueReaps(s.Name, reaped, true)
	var g *creds.VaultGrant
	if err == nil {
		g, err = v.Mint(ctx, s.Name)
	}
	if err != nil {
		b.audit.record(event{Method: "credentials/mint", Server: s.Name, Deny: true, Rule: "credentials.unavailable", Reason: err.Error()})
		return nil, fmt.Errorf("app: server %q: %w", s.Name, err)
	}
	b.audit.record(event{Method: "credentials/mint", Server: s.Name, Name: g.ID,
		Reason: fmt.Sprintf("vault lease from %s, valid until %s", g.Target, g.Expires.UTC().Format(time.RFC3339))})
	return g, nil
}

// dialHTTP opens a connection to an HTTP server with its configured
// headers and, when credentials.vault names headers, a dynamic secret
// minted for this connection alone: revoked when the connection ends (or
// at once if it does not open), and for a client's own session also when
// the token that opened it is revoked.
func (b *backend) dialHTTP(ctx context.Context, s config.Server, multiplexed bool, dial func(headers map[string]string) (upstream.Conn, error)) (upstream.Conn, error) {
	h, err := b.headers(ctx, s)
	if err != nil {
		return nil, err
	}
	vc := s.Credentials.Vault
	if vc == nil || len(vc.Headers) == 0 {
		return dial(h)
	}
	g, err := b.vaultGrant(ctx, &s)
	if err != nil {
		return nil, err
	}
	hs := make(map[string]string, len(h)+len(vc.Headers))
	maps.Copy(hs, h)
	for k, t := range vc.Headers {
		if hs[k], err = config.VaultHeaderValue(t, g.Data); err != nil {
			break
		}
	}
	clear(g.Data) // the connection's headers are the only copy kept
	var c upstream.Conn
	if err == nil {
		c, err = dial(hs)
	} else {
		err = fmt.Errorf("app: server %q: credentials.vault.headers: %w", s.Name, err)
	}
	b.bindGrant(ctx, g, c, err, multiplexed)
	return c, err
}

// broker returns the server's broker; a new one reaps first. What it
// reaped goes to the audit trail, from the request path only: warmBrokers
// runs before the backend's recorder is set, so it queues its reaps for
// the next mint to record.
func (b *backend) broker(ctx context.Context, s config.Server, admin string, onRequestPath bool) (*creds.Postgres, error) {
	p, reaped, err := processBrokers.postgres(ctx, s, admin, b.log)
	b.queueReaps(s.Name, reaped, onRequestPath)
	return p, err
}

// queueReaps audits reaped credentials now when on the request path, else
// queues them for the next mint.
func (b *backend) queueReaps(server string, reaped []string, onRequestPath bool) {
	pb := processBrokers
	pb.mu.Lock()
	for _, id := range reaped {
		pb.reaped = append(pb.reaped, event{Method: "credentials/reap", Server: server, Name: id,
			Reason: "revoked: left by a gateway that ended without revoking it"})
	}
	var pending []event
	if onRequestPath {
		pending, pb.reaped = pb.reaped, nil
	}
	pb.mu.Unlock()
	for _, e := range pending {
		b.audit.record(e)
	}
}

// bindGrant revokes g when the child it was minted for ends, or at once
// when the child did not start; for a session-scoped child, also when the
// token that opened the session is revoked (tokencreds.go), whichever
// comes first. Revocations are audited; at shutdown the audit store may
// close first, and then only the log has them.
func (b *backend) bindGrant(ctx context.Context, g creds.Credential, c interface{ Done() <-chan struct{} }, startErr error, multiplexed bool) {
	if g == nil {
		return
	}
	done := "role dropped, sessions terminated"
	if g.Info().Broker == creds.BrokerVault {
		done = "lease revoked in vault"
	}
	bg := &boundGrant{g: g, b: b, done: done}
	if !multiplexed && startErr == nil {
		bg.jti, bg.sub = sessionToken(ctx)
	}
	bindToken(bg)
	// Per-call SQL effects (credeffects.go) follow a started child.
	unwatch := b.watchChild(ctx, g, startErr, multiplexed)
	pb := processBrokers
	pb.wg.Add(1)
	go func() {
		defer pb.wg.Done()
		if startErr == nil {
			<-c.Done()
		}
		unbindToken(bg)
		unwatch()
		bg.end(done)
	}()
}

// warmBrokers connects the brokers of the servers that mint credentials,
// so that their reapers remove what a crashed gateway left at start rather
// than at the first spawn. A failure is retried at that spawn.
func (b *backend) warmBrokers() {
	for _, name := range b.names {
		s := b.servers[name]
		if s.Credentials.Vault != nil {
			ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
			_, reaped, err := processBrokers.vaultBroker(ctx, s, b.log)
			cancel()
			b.queueReaps(name, reaped, false)
			if err != nil {
				b.log.Warn("credentials: broker not ready; trying again when the server starts", "server", name, "err", err)
			}
			continue
		}
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
