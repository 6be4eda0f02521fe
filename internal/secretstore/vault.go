package secretstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	vault "github.com/hashicorp/vault/api"
)

// VaultOptions configure the Vault KV v2 backend. The token comes from a
// file (a Vault Agent sink, a Kubernetes projected secret) or from an
// AppRole login whose secret_id is in a file; never from the config and,
// unlike the Vault CLI, never from VAULT_* environment variables.
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
	CAFile       string // PEM CA bundle for the server's certificate; "" = system roots
	Timeout      time.Duration
}

// Vault reads secret://NAME from Vault KV v2. Safe for concurrent use.
type Vault struct {
	o      VaultOptions
	client *vault.Client

	mu      sync.Mutex
	token   string
	renewAt time.Time // when an AppRole token should be replaced
}

// NewVault builds the backend; nothing is contacted until the first Get.
func NewVault(o VaultOptions) (*Vault, error) {
	if o.Address == "" || o.Mount == "" || o.Field == "" {
		return nil, errors.New("vault: address, mount and field are required")
	}
	if (o.TokenFile == "") == (o.RoleID == "") {
		return nil, errors.New("vault: set exactly one of token_file and approle")
	}
	if o.RoleID != "" && o.SecretIDFile == "" {
		return nil, errors.New("vault: approle needs secret_id_file")
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("vault: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("vault: ca_file %s: no PEM certificates", o.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	// Our own client and settings: vault.DefaultConfig would take
	// VAULT_ADDR, VAULT_SKIP_VERIFY and the like from the environment.
	hc := &http.Client{
		Timeout:   o.Timeout,
		Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4},
		// The API client follows Vault's redirects itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c, err := vault.NewClient(&vault.Config{Address: o.Address, HttpClient: hc, Timeout: o.Timeout, MaxRetries: 2,
		MinRetryWait: 500 * time.Millisecond, MaxRetryWait: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	// NewClient also reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_HEADERS.
	c.ClearToken()
	c.ClearNamespace()
	c.SetHeaders(http.Header{vault.RequestHeaderName: []string{"true"}})
	return &Vault{o: o, client: c}, nil
}

// login sets the client's token: from the token file, or a fresh AppRole
// token when the last one is near its end.
func (v *Vault) login(ctx context.Context, force bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.o.TokenFile != "" {
		b, err := os.ReadFile(v.o.TokenFile)
		if err != nil {
			return fmt.Errorf("vault: token_file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return fmt.Errorf("vault: token_file %s is empty", v.o.TokenFile)
		}
		v.client.SetToken(t)
		return nil
	}
	if !force && v.token != "" && time.Now().Before(v.renewAt) {
		return nil
	}
	b, err := os.ReadFile(v.o.SecretIDFile)
	if err != nil {
		return fmt.Errorf("vault: secret_id_file: %w", err)
	}
	v.client.ClearToken()
	s, err := v.client.Logical().WriteWithContext(ctx, "auth/approle/login",
		map[string]any{"role_id": v.o.RoleID, "secret_id": strings.TrimSpace(string(b))})
	if err != nil {
		return fmt.Errorf("vault: approle login: %w", err)
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return errors.New("vault: approle login returned no token")
	}
	v.token = s.Auth.ClientToken
	ttl := time.Duration(s.Auth.LeaseDuration) * time.Second
	if ttl <= 0 {
		ttl = time.Minute
	}
	v.renewAt = time.Now().Add(ttl * 2 / 3)
	v.client.SetToken(v.token)
	return nil
}

// Get reads the field of MOUNT/data/PREFIX/NAME.
func (v *Vault) Get(ctx context.Context, name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	p := path.Join(v.o.Prefix, name)
	var s *vault.KVSecret
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = v.login(ctx, attempt > 0); err != nil {
			return "", err
		}
		s, err = v.client.KVv2(v.o.Mount).Get(ctx, p)
		var re *vault.ResponseError
		if attempt == 0 && v.o.RoleID != "" && errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
			continue // the token was revoked or expired early: log in again
		}
		break
	}
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
