package creds

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient"
	"github.com/mcpwarden/mcpwarden/internal/vaultclient/vaultfake"
)

// A fake Vault stands in for the server (none can be installed here): see
// vaultfake for the documented endpoints it follows.
func newFakeVault(t testing.TB) (*vaultfake.Server, *vaultclient.Client, *Store) {
	t.Helper()
	f := &vaultfake.Server{DBMount: "database", Roles: map[string]bool{"readonly": true}, RoleID: "role-1", SecretID: "sid-1"}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	sid := filepath.Join(dir, "sid")
	os.WriteFile(sid, []byte("sid-1\n"), 0o600)
	c, err := vaultclient.New(vaultclient.Options{Address: srv.URL, RoleID: "role-1", SecretIDFile: sid})
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(filepath.Join(dir, "leases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return f, c, st
}

func TestVaultMintRenewRevoke(t *testing.T) {
	f, c, st := newFakeVault(t)
	ctx := context.Background()
	v, err := NewVault(VaultOptions{Client: c, Mount: "database", Role: "readonly", Increment: 10 * time.Minute, Store: st,
		Renew: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close(ctx)
	g, err := v.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	live := f.Leases()
	fl, ok := live[g.ID]
	if !ok || len(live) != 1 {
		t.Fatalf("lease %q not live in Vault: %v", g.ID, live)
	}
	if g.Data["username"] != fl.Username || g.Data["password"] != fl.Password || fl.Password == "" {
		t.Fatalf("grant data %v does not match Vault's %+v", g.Data, fl)
	}
	if ls, _ := st.Leases(ctx, BrokerVault, v.Target()); len(ls) != 1 || ls[0].ID != g.ID || ls[0].Server != "db" {
		t.Fatalf("lease record: %+v", ls)
	}
	// The renew loop moves the lease to now+increment, in Vault and in the record.
	deadline := time.Now().Add(5 * time.Second)
	for f.Leases()[g.ID].Renewals == 0 {
		if time.Now().After(deadline) {
			t.Fatal("lease never renewed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if exp := f.Leases()[g.ID].Expires; time.Until(exp) < 9*time.Minute {
		t.Fatalf("renewed lease expires in %v, want ~10m", time.Until(exp))
	}
	if ls, _ := st.Leases(ctx, BrokerVault, v.Target()); len(ls) != 1 || time.Until(ls[0].Expires) < 9*time.Minute {
		t.Fatalf("renewal not recorded: %+v", ls)
	}
	if err := g.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if rv := f.Revoked(); len(rv) != 1 || rv[0] != g.ID {
		t.Fatalf("revoke endpoint calls: %v", rv)
	}
	if len(f.Leases()) != 0 {
		t.Fatal("lease still live in Vault")
	}
	if ls, _ := st.Leases(ctx, BrokerVault, v.Target()); len(ls) != 0 {
		t.Fatalf("lease record left: %+v", ls)
	}
	if err := g.Revoke(ctx); err != nil || len(f.Revoked()) != 1 {
		t.Fatalf("second Revoke: %v, %v", err, f.Revoked())
	}
	// Close revokes what is still live.
	g2, err := v.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, live := f.Leases()[g2.ID]; live {
		t.Fatal("Close left a lease live")
	}
	if _, err := v.Mint(ctx, "db"); err == nil {
		t.Fatal("mint after Close")
	}
}

func TestVaultReapAfterCrash(t *testing.T) {
	f, c, st := newFakeVault(t)
	ctx := context.Background()
	opts := VaultOptions{Client: c, Mount: "database", Role: "readonly", Increment: 10 * time.Minute, Store: st}
	crashed, _ := NewVault(opts)
	g, err := crashed.Mint(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	// A live broker's lease is not reaped by another broker of the process.
	other, _ := NewVault(opts)
	defer other.Close(ctx)
	if r, err := other.Reap(ctx); err != nil || len(r) != 0 {
		t.Fatalf("reaped a live broker's lease: %v, %v", r, err)
	}
	crashed.crash()
	next, _ := NewVault(opts)
	defer next.Close(ctx)
	r, err := next.Reap(ctx)
	if err != nil || len(r) != 1 || r[0] != g.ID {
		t.Fatalf("Reap = %v, %v; want [%s]", r, err, g.ID)
	}
	if len(f.Leases()) != 0 || len(f.Revoked()) != 1 {
		t.Fatalf("lease not revoked in Vault: live %v, revoked %v", f.Leases(), f.Revoked())
	}
	if ls, _ := st.Leases(ctx, BrokerVault, next.Target()); len(ls) != 0 {
		t.Fatalf("record left: %+v", ls)
	}
	// A record that is not a lease of this role is never revoked.
	st.add(ctx, Lease{ID: "sys/other/lease1", Broker: BrokerVault, Target: next.Target(), Server: "db", Owner: processID() + "/dead",
		Created: time.Now(), Expires: time.Now()})
	if _, err := next.Reap(ctx); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("foreign lease id: %v", err)
	}
	if rv := f.Revoked(); len(rv) != 1 {
		t.Fatalf("revoked a foreign lease: %v", rv)
	}
}

func TestVaultMintErrors(t *testing.T) {
	f, c, st := newFakeVault(t)
	ctx := context.Background()
	v, _ := NewVault(VaultOptions{Client: c, Mount: "database", Role: "nosuch", Increment: time.Minute, Store: st})
	defer v.Close(ctx)
	if _, err := v.Mint(ctx, "db"); err == nil || !strings.Contains(err.Error(), "unknown role: nosuch") {
		t.Fatalf("unknown role: %v", err)
	}
	// Vault failing (500 after the client's retries): a clear error, no record.
	ok, _ := NewVault(VaultOptions{Client: c, Mount: "database", Role: "readonly", Increment: time.Minute, Store: st})
	defer ok.Close(ctx)
	f.FailNext(3)
	if _, err := ok.Mint(ctx, "db"); err == nil || !strings.Contains(err.Error(), "read database/creds/readonly") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("vault 500: %v", err)
	}
	if ls, _ := st.Leases(ctx, BrokerVault, ok.Target()); len(ls) != 0 || len(f.Leases()) != 0 {
		t.Fatalf("leaked: records %+v, live %v", ls, f.Leases())
	}
	// A lost secret_id: the login fails, nothing is minted or recorded.
	dir := t.TempDir()
	bad := filepath.Join(dir, "sid")
	os.WriteFile(bad, []byte("wrong"), 0o600)
	bc, _ := vaultclient.New(vaultclient.Options{Address: c.Address(), RoleID: "role-1", SecretIDFile: bad})
	b, _ := NewVault(VaultOptions{Client: bc, Mount: "database", Role: "readonly", Increment: time.Minute, Store: st})
	defer b.Close(ctx)
	if _, err := b.Mint(ctx, "db"); err == nil || !strings.Contains(err.Error(), "approle login") {
		t.Fatalf("bad login: %v", err)
	}
	// The lease cannot be recorded: it is revoked in Vault at once.
	good, _ := NewVault(VaultOptions{Client: c, Mount: "database", Role: "readonly", Increment: time.Minute, Store: st})
	defer good.Close(ctx)
	st2, _ := OpenStore(filepath.Join(dir, "closed.db"))
	st2.Close()
	good.o.Store = st2
	if _, err := good.Mint(ctx, "db"); err == nil {
		t.Fatal("mint with a broken lease store succeeded")
	}
	if len(f.Leases()) != 0 || len(f.Revoked()) != 1 {
		t.Fatalf("leaked lease: live %v, revoked %v", f.Leases(), f.Revoked())
	}
	if ls, _ := st.Leases(ctx, BrokerVault, good.Target()); len(ls) != 0 {
		t.Fatalf("records: %+v", ls)
	}
}

func BenchmarkVaultMintRevoke(b *testing.B) {
	_, c, st := newFakeVault(b)
	ctx := context.Background()
	v, _ := NewVault(VaultOptions{Client: c, Mount: "database", Role: "readonly", Increment: time.Minute, Store: st})
	defer v.Close(ctx)
	for b.Loop() {
		g, err := v.Mint(ctx, "db")
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Revoke(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
