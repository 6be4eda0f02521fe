package secretstore

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/mcpwarden/mcpwarden/internal/vaultclient"
)

// VaultOptions configure the Vault KV v2 backend. The token comes from a
// file (a Vault Agent sink, a Kubernetes projected secret) or from an
// AppRole or JWT/OIDC login whose secret_id or JWT is in a file; never
// from the config and, unlike the Vault CLI, never from VAULT_*
// environment variables.
type VaultOptions struct {
	Address string // https://vault.example.com:8200
	Mount   string // KV v2 mount, e.g. "secret"
	Prefix  string // path under the mount; secret://NAME reads PREFIX/NAME
	Field   string // key in the secret's data holding the value
	// TokenFile holds a token; read again at every login, so a rotating
	// sink keeps working.
	TokenFile string
	// RoleID and SecretIDFile log in with AppRole instead.
	RoleID       string
	SecretIDFile string
	// JWTRole and JWTFile log in with JWT/OIDC instead, at the auth mount
	// JWTMount (default jwt).
	JWTRole, JWTFile, JWTMount string
	CAFile                     string // PEM CA bundle for the server's certificate; "" = system roots
	Timeout                    time.Duration
}

// Vault reads secret://NAME from Vault KV v2. Safe for concurrent use.
type Vault struct {
	o      VaultOptions
	client *vaultclient.Client
}

// NewVault builds the backend; nothing is contacted until the first Get.
func NewVault(o VaultOptions) (*Vault, error) {
	if o.Address == "" || o.Mount == "" || o.Field == "" {
		return nil, errors.New("vault: address, mount and field are required")
	}
	c, err := vaultclient.New(vaultclient.Options{Address: o.Address, TokenFile: o.TokenFile, RoleID: o.RoleID,
		SecretIDFile: o.SecretIDFile, JWTRole: o.JWTRole, JWTFile: o.JWTFile, JWTMount: o.JWTMount, CAFile: o.CAFile, Timeout: o.Timeout})
	if err != nil {
		return nil, err
	}
	return &Vault{o: o, client: c}, nil
}

// Get reads the field of MOUNT/data/PREFIX/NAME.
func (v *Vault) Get(ctx context.Context, name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	p := path.Join(v.o.Prefix, name)
	var s *vault.KVSecret
	err := v.client.Do(ctx, func(c *vault.Client) (err error) {
		s, err = c.KVv2(v.o.Mount).Get(ctx, p)
		return err
	})
	if errors.Is(err, vault.ErrSecretNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("vault: read %s/%s: %w", v.o.Mount, p, err)
	}
	val, ok := s.Data[v.o.Field].(string)
	if !ok {
		return "", fmt.Errorf("vault: %s/%s has no string field %q", v.o.Mount, p, v.o.Field)
	}
	return val, nil
}
