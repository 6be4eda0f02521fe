package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient"
)

// BrokerVault names the Vault dynamic-secrets broker in lease records.
const BrokerVault = "vault"

// Credential is a live grant of either broker.
type Credential interface {
	// Info is the grant's lease record (no secret in it).
	Info() Lease
	// Revoke ends the grant; it runs once, later calls return its result.
	Revoke(ctx context.Context) error
}

// Broker is what the gateway needs of either broker besides Mint.
type Broker interface {
	Target() string
	Reap(ctx context.Context) ([]string, error)
	Close(ctx context.Context) error
}

var (
	_ Credential = (*Grant)(nil)
	_ Credential = (*VaultGrant)(nil)
	_ Broker     = (*Postgres)(nil)
	_ Broker     = (*Vault)(nil)
)

// Info is the grant's lease record.
func (g *Grant) Info() Lease {
	g.p.mu.Lock()
	defer g.p.mu.Unlock()
	return g.Lease
}

// VaultOptions configure a Vault dynamic-secrets broker: each Mint reads
// MOUNT/creds/ROLE (the database secrets engine, or any engine with the
// same shape), renews the lease while the grant lives and revokes it at
// the end.
type VaultOptions struct {
	Client *vaultclient.Client
	Mount  string // e.g. "database"
	Role   string
	// Increment is asked for at each renewal; Vault caps it at the
	// role's max_ttl.
	Increment time.Duration
	Store     *Store
	Logger    *slog.Logger
	// Renew is how often live leases are renewed; Increment/3 when 0.
	Renew time.Duration
}

// Vault mints one Vault lease per grant. Safe for concurrent use.
type Vault struct {
	o      VaultOptions
	path   string // MOUNT/creds/ROLE; every lease id it mints starts with it
	target string
	owner  string
	log    *slog.Logger

	mu     sync.Mutex
	live   map[string]*VaultGrant
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// VaultGrant is a live Vault lease and the data it came with.
type VaultGrant struct {
	Lease
	// Data is the secret's data (username, password): put it only in the
	// environment of the child it was minted for, never in a log, and
	// clear it then.
	Data      map[string]string
	renewable bool
	v         *Vault
	once      sync.Once
	err       error
}

// NewVault starts a broker; Vault is contacted at the first Mint or Reap.
func NewVault(o VaultOptions) (*Vault, error) {
	switch {
	case o.Client == nil:
		return nil, errors.New("creds: vault: no client")
	case o.Store == nil:
		return nil, errors.New("creds: vault: no lease store")
	case o.Mount == "" || o.Role == "" || strings.Contains(o.Mount+o.Role, ".."):
		return nil, errors.New("creds: vault: mount and role are required")
	case o.Increment <= 0:
		return nil, errors.New("creds: vault: increment must be positive")
	}
	if o.Renew <= 0 {
		o.Renew = o.Increment / 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	path := strings.Trim(o.Mount, "/") + "/creds/" + strings.Trim(o.Role, "/")
	v := &Vault{o: o, path: path, target: strings.TrimRight(o.Client.Address(), "/") + "/v1/" + path,
		owner: newOwner(), live: map[string]*VaultGrant{}, stop: make(chan struct{}), done: make(chan struct{})}
	v.log = o.Logger.With("broker", BrokerVault, "target", v.target)
	go v.renewLoop()
	return v, nil
}

// Target is the URL credentials are read from.
func (v *Vault) Target() string { return v.target }

// Mint reads a new credential for server. Vault creates the lease, so it
// is recorded only after the read: a crash in that instant leaves a lease
// the reaper cannot see, which ends at its TTL.
func (v *Vault) Mint(ctx context.Context, server string) (*VaultGrant, error) {
	if v.isClosed() {
		return nil, errors.New("creds: vault: broker closed")
	}
	start := time.Now()
	var s *vault.Secret
	err := v.o.Client.Do(ctx, func(c *vault.Client) (err error) {
		s, err = c.Logical().ReadWithContext(ctx, v.path)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("creds: vault: read %s: %w", v.path, err)
	}
	if s == nil {
		return nil, fmt.Errorf("creds: vault: read %s: no secret (does the role exist?)", v.path)
	}
	g := &VaultGrant{v: v, Data: map[string]string{}, renewable: s.Renewable, Lease: Lease{ID: s.LeaseID, Broker: BrokerVault, Target: v.target,
		Server: server, Owner: v.owner, Created: time.Now(), Expires: time.Now().Add(time.Duration(s.LeaseDuration) * time.Second)}}
	for k, val := range s.Data {
		if str, ok := val.(string); ok {
			g.Data[k] = str
		}
	}
	undo := func(why error) error {
		if g.ID != "" && strings.HasPrefix(g.ID, v.path+"/") {
			if err := v.revoke(context.WithoutCancel(ctx), g.ID); err != nil {
				v.log.Error("credential revoke after a failed mint failed; the lease ends at its TTL", "server", server, "lease", g.ID, "err", err)
			}
		}
		return why
	}
	switch {
	case !strings.HasPrefix(g.ID, v.path+"/"):
		return nil, undo(fmt.Errorf("creds: vault: read %s: the answer has no lease id under %s/ (not a dynamic secret?)", v.path, v.path))
	case g.Data["username"] == "" || g.Data["password"] == "":
		return nil, undo(fmt.Errorf("creds: vault: read %s: the answer has no username and password", v.path))
	}
	if err := v.o.Store.add(ctx, g.Lease); err != nil {
		return nil, undo(err)
	}
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		_ = v.drop(context.WithoutCancel(ctx), g.ID)
		return nil, errors.New("creds: vault: broker closed")
	}
	v.live[g.ID] = g
	v.mu.Unlock()
	v.log.Info("credential minted", "server", server, "lease", g.ID, "renewable", s.Renewable,
		"expires", g.Expires.UTC().Format(time.RFC3339), "ms", time.Since(start).Milliseconds())
	return g, nil
}

func (v *Vault) isClosed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.closed
}

// Info is the grant's lease record.
func (g *VaultGrant) Info() Lease {
	g.v.mu.Lock()
	defer g.v.mu.Unlock()
	return g.Lease
}

// Revoke revokes the lease in Vault (which drops the database user) and
// removes its record. It runs once; later calls return the first result.
func (g *VaultGrant) Revoke(ctx context.Context) error {
	g.once.Do(func() {
		v := g.v
		v.mu.Lock()
		delete(v.live, g.ID)
		v.mu.Unlock()
		start := time.Now()
		if g.err = v.drop(ctx, g.ID); g.err != nil {
			// The record stays: the next reaper (or the lease's TTL) ends it.
			v.log.Error("credential revoke failed; the lease ends at its TTL", "server", g.Server, "lease", g.ID, "err", g.err)
			return
		}
		v.log.Info("credential revoked", "server", g.Server, "lease", g.ID, "ms", time.Since(start).Milliseconds())
	})
	return g.err
}

// drop revokes lease id and removes its record.
func (v *Vault) drop(ctx context.Context, id string) error {
	if err := v.revoke(ctx, id); err != nil {
		return err
	}
	return v.o.Store.remove(ctx, id)
}

func (v *Vault) revoke(ctx context.Context, id string) error {
	if !strings.HasPrefix(id, v.path+"/") {
		return fmt.Errorf("creds: refusing to revoke %q: not a lease of %s", id, v.path)
	}
	err := v.o.Client.Do(ctx, func(c *vault.Client) error { return c.Sys().RevokeWithContext(ctx, id) })
	if err != nil {
		return fmt.Errorf("creds: vault: revoke %s: %w", id, err)
	}
	return nil
}

// Reap revokes the leases of this role whose broker has ended (a crashed
// or killed gateway) and returns their ids.
func (v *Vault) Reap(ctx context.Context) ([]string, error) {
	leases, err := v.o.Store.Leases(ctx, BrokerVault, v.target)
	if err != nil {
		return nil, err
	}
	var reaped []string
	var errs []error
	for _, l := range leases {
		if l.Owner == v.owner || !ownerGone(l.Owner) {
			continue
		}
		if err := v.drop(ctx, l.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		reaped = append(reaped, l.ID)
		v.log.Info("credential reaped: left by a gateway that ended without revoking it", "server", l.Server, "lease", l.ID,
			"minted", l.Created.UTC().Format(time.RFC3339))
	}
	return reaped, errors.Join(errs...)
}

// renewLoop renews every live lease, so that one outlives its gateway by
// at most one increment.
func (v *Vault) renewLoop() {
	defer close(v.done)
	t := time.NewTicker(v.o.Renew)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
		}
		v.mu.Lock()
		gs := make([]*VaultGrant, 0, len(v.live))
		for _, g := range v.live {
			gs = append(gs, g)
		}
		v.mu.Unlock()
		for _, g := range gs {
			ctx, cancel := context.WithTimeout(context.Background(), min(v.o.Renew, 10*time.Second))
			if err := v.renew(ctx, g); err != nil && v.isLive(g) {
				v.log.Warn("credential renewal failed; the lease ends at its TTL unless a later renewal succeeds",
					"server", g.Server, "lease", g.ID, "err", err)
			}
			cancel()
		}
	}
}

func (v *Vault) isLive(g *VaultGrant) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.live[g.ID] == g
}

func (v *Vault) renew(ctx context.Context, g *VaultGrant) error {
	if !g.renewable || !v.isLive(g) {
		return nil // a lease Vault says cannot be renewed lives its TTL
	}
	var s *vault.Secret
	err := v.o.Client.Do(ctx, func(c *vault.Client) (err error) {
		s, err = c.Sys().RenewWithContext(ctx, g.ID, int(v.o.Increment.Seconds()))
		return err
	})
	if err != nil {
		return fmt.Errorf("creds: vault: renew %s: %w", g.ID, err)
	}
	if s == nil {
		return fmt.Errorf("creds: vault: renew %s: empty answer", g.ID)
	}
	exp := time.Now().Add(time.Duration(s.LeaseDuration) * time.Second)
	v.mu.Lock()
	g.Expires = exp
	v.mu.Unlock()
	return v.o.Store.renew(ctx, g.ID, exp)
}

// Close revokes every live lease and stops the broker.
func (v *Vault) Close(ctx context.Context) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	gs := make([]*VaultGrant, 0, len(v.live))
	for _, g := range v.live {
		gs = append(gs, g)
	}
	v.mu.Unlock()
	close(v.stop)
	<-v.done
	var errs []error
	for _, g := range gs {
		if err := g.Revoke(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	endOwner(v.owner)
	return errors.Join(errs...)
}

// crash stops the broker as a killed gateway would. For tests.
func (v *Vault) crash() {
	v.mu.Lock()
	v.closed = true
	v.mu.Unlock()
	close(v.stop)
	<-v.done
	endOwner(v.owner)
}
