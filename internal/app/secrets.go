package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
)

// SecretPaths are the store and key files of a file backend: the
// configured ones, else secrets.enc and secrets.key in the state directory.
func SecretPaths(c config.Secrets) (store, key string, err error) {
	store, key = c.File, c.KeyFile
	if store == "" || key == "" {
		dir, err := StateDir()
		if err != nil {
			return "", "", fmt.Errorf("secrets: %w; set secrets.file and secrets.key_file", err)
		}
		if store == "" {
			store = filepath.Join(dir, "secrets.enc")
		}
		if key == "" {
			key = filepath.Join(dir, "secrets.key")
		}
	}
	return store, key, nil
}

// OpenSecrets opens the configured backend for reading. The file store's
// key must already exist (secret set makes it): a gateway that cannot
// read its secrets refuses to start the servers that need them.
func OpenSecrets(c config.Secrets) (secretstore.Backend, error) {
	switch c.Backend {
	case config.SecretsEnv:
		return secretstore.Env{}, nil
	case config.SecretsVault:
		if c.Vault == nil {
			return nil, fmt.Errorf("secrets: backend vault needs secrets.vault")
		}
		v := c.Vault
		return secretstore.NewVault(secretstore.VaultOptions{Address: v.Address, Mount: v.Mount, Prefix: v.Prefix,
			Field: v.Field, TokenFile: v.TokenFile, RoleID: v.RoleID, SecretIDFile: v.SecretIDFile,
			JWTRole: v.JWTRole, JWTFile: v.JWTFile, JWTMount: v.JWTMount, CAFile: v.CAFile})
	}
	f, _, err := OpenSecretFile(c, false)
	return f, err
}

// OpenSecretFile opens the file backend, making its key on first use when
// create is set; created reports that a new key was made.
func OpenSecretFile(c config.Secrets, create bool) (f *secretstore.File, created bool, err error) {
	switch c.Backend {
	case config.SecretsEnv:
		return nil, false, fmt.Errorf("secrets: backend is env: set MCPWARDEN_SECRET_<NAME> variables instead")
	case config.SecretsVault:
		return nil, false, fmt.Errorf("secrets: backend is vault: manage secrets with the vault CLI (vault kv put MOUNT/PREFIX/NAME value=-)")
	}
	store, keyPath, err := SecretPaths(c)
	if err != nil {
		return nil, false, err
	}
	var key []byte
	switch {
	case c.KeyFromEnv:
		key, err = secretstore.KeyFromEnv(os.Getenv)
	case create:
		key, created, err = secretstore.LoadOrCreateKey(keyPath)
	default:
		key, err = secretstore.LoadKey(keyPath)
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("secrets: no store key at %s: store a secret first with: mcpwarden secret set NAME (value on stdin)", keyPath)
		}
	}
	if err != nil {
		return nil, false, err
	}
	f, err = secretstore.OpenFile(store, key)
	clear(key)
	return f, created, err
}

// needsSecrets reports whether any server, or the audit store, refers to a
// secret.
func needsSecrets(cfg *config.Config) bool {
	if strings.HasPrefix(strings.TrimPrefix(cfg.Audit.Store, "postgres:"), secretstore.Scheme) {
		return true
	}
	for _, s := range cfg.Servers {
		for _, m := range []map[string]string{s.Env, s.Headers} {
			for _, v := range m {
				if strings.HasPrefix(v, secretstore.Scheme) {
					return true
				}
			}
		}
		if pg := s.Credentials.Postgres; pg != nil && strings.HasPrefix(pg.AdminDSN, secretstore.Scheme) {
			return true
		}
	}
	return len(authSecretRefs(cfg)) > 0
}

// authSecretRefs are the embedded authorization server's secret://
// references by configuration path: the administrator's password, the
// SSO client secret and the configured clients' secrets.
func authSecretRefs(cfg *config.Config) map[string]string {
	if !cfg.Auth.IsEmbedded() || cfg.Auth.AuthorizationServer == nil {
		return nil
	}
	s := cfg.Auth.AuthorizationServer
	refs := map[string]string{}
	add := func(path, v string) {
		if strings.HasPrefix(v, secretstore.Scheme) {
			refs[path] = v
		}
	}
	add("auth.authorization_server.admin.password", s.AdminPassword)
	if s.SSO != nil {
		add("auth.authorization_server.sso.client_secret", s.SSO.ClientSecret)
	}
	for id, c := range s.Clients {
		add("auth.authorization_server.clients."+id+".secret", c.Secret)
	}
	return refs
}

// secretsFor opens the backend when the configuration uses one; nil
// otherwise, so a gateway without secret:// values needs no key.
func secretsFor(cfg *config.Config) (secretstore.Backend, error) {
	if !needsSecrets(cfg) {
		return nil, nil
	}
	return OpenSecrets(cfg.Secrets)
}

// CheckSecrets resolves every secret:// value of cfg, as serve would at
// spawn or connect time, and reports the ones that cannot be read. The
// values are dropped at once.
func CheckSecrets(ctx context.Context, cfg *config.Config) error {
	b, err := secretsFor(cfg)
	if err != nil {
		return err
	}
	var errs []string
	if dsn := strings.TrimPrefix(cfg.Audit.Store, "postgres:"); strings.HasPrefix(dsn, secretstore.Scheme) {
		if _, err := secretstore.Resolve(ctx, b, dsn); err != nil {
			errs = append(errs, fmt.Sprintf("audit.store: %v", err))
		}
	}
	for _, s := range cfg.Servers {
		refs := map[string]string{}
		for k, v := range s.Env {
			refs["env."+k] = v
		}
		for k, v := range s.Headers {
			refs["headers."+k] = v
		}
		if pg := s.Credentials.Postgres; pg != nil {
			refs["credentials.postgres.admin_dsn"] = pg.AdminDSN
		}
		for where, v := range refs {
			if _, ok := secretstore.Ref(v); !ok {
				continue
			}
			if _, err := secretstore.Resolve(ctx, b, v); err != nil {
				errs = append(errs, fmt.Sprintf("servers.%s.%s: %v", s.Name, where, err))
			}
		}
	}
	for where, v := range authSecretRefs(cfg) {
		if _, err := secretstore.Resolve(ctx, b, v); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", where, err))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// resolve reads the secret:// values of m (env or headers) for one spawn
// or connection.
func (b *backend) resolve(ctx context.Context, m map[string]string) (map[string]string, error) {
	if b.secretsErr != nil {
		return nil, fmt.Errorf("secrets backend: %w", b.secretsErr)
	}
	return secretstore.ResolveMap(ctx, b.secrets, m)
}

// headers are s's headers with secrets read, for one connection.
func (b *backend) headers(ctx context.Context, s config.Server) (map[string]string, error) {
	h, err := b.resolve(ctx, s.Headers)
	if err != nil {
		return nil, fmt.Errorf("app: server %q: headers: %w", s.Name, err)
	}
	return h, nil
}
