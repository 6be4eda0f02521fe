// Package vaultclient builds a HashiCorp Vault API client and keeps it
// logged in, for every part of mcpwarden that talks to Vault (the KV v2
// secrets backend, the dynamic-secrets credential broker). The token
// comes from a file (a Vault Agent sink, a Kubernetes projected secret)
// or from an AppRole login whose secret_id is in a file; never from the
// config and, unlike the Vault CLI, never from VAULT_* variables.
package vaultclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	vault "github.com/hashicorp/vault/api"
)

// Options say where Vault is and how to log in.
type Options struct {
	Address string // https://vault.example.com:8200
	// TokenFile holds a token; read again at every login, so a rotating
	// sink keeps working.
	TokenFile string
	// RoleID and SecretIDFile log in with AppRole instead.
	RoleID       string
	SecretIDFile string
	CAFile       string // PEM CA bundle for the server's certificate; "" = system roots
	Timeout      time.Duration
}

// Client is a Vault API client with its login. Safe for concurrent use.
type Client struct {
	o      Options
	client *vault.Client

	mu      sync.Mutex
	token   string
	renewAt time.Time // when an AppRole token should be replaced
}

// New builds the client; nothing is contacted until the first Do.
func New(o Options) (*Client, error) {
	if o.Address == "" {
		return nil, errors.New("vault: address is required")
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
	return &Client{o: o, client: c}, nil
}

// Address is the server's URL.
func (c *Client) Address() string { return c.o.Address }

// Do runs f with a logged-in client. With AppRole, a 403 (the token was
// revoked or expired early) means one fresh login and one more try.
func (c *Client) Do(ctx context.Context, f func(*vault.Client) error) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = c.login(ctx, attempt > 0); err != nil {
			return err
		}
		err = f(c.client)
		if attempt == 0 && c.o.RoleID != "" && IsStatus(err, http.StatusForbidden) {
			continue
		}
		break
	}
	return err
}

// IsStatus reports whether err is a Vault response with that HTTP status.
func IsStatus(err error, code int) bool {
	var re *vault.ResponseError
	return errors.As(err, &re) && re.StatusCode == code
}

// login sets the client's token: from the token file, or a fresh AppRole
// token when the last one is near its end.
func (c *Client) login(ctx context.Context, force bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o.TokenFile != "" {
		b, err := os.ReadFile(c.o.TokenFile)
		if err != nil {
			return fmt.Errorf("vault: token_file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return fmt.Errorf("vault: token_file %s is empty", c.o.TokenFile)
		}
		c.client.SetToken(t)
		return nil
	}
	if !force && c.token != "" && time.Now().Before(c.renewAt) {
		return nil
	}
	b, err := os.ReadFile(c.o.SecretIDFile)
	if err != nil {
		return fmt.Errorf("vault: secret_id_file: %w", err)
	}
	c.client.ClearToken()
	s, err := c.client.Logical().WriteWithContext(ctx, "auth/approle/login",
		map[string]any{"role_id": c.o.RoleID, "secret_id": strings.TrimSpace(string(b))})
	if err != nil {
		return fmt.Errorf("vault: approle login: %w", err)
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return errors.New("vault: approle login returned no token")
	}
	c.token = s.Auth.ClientToken
	ttl := time.Duration(s.Auth.LeaseDuration) * time.Second
	if ttl <= 0 {
		ttl = time.Minute
	}
	c.renewAt = time.Now().Add(ttl * 2 / 3)
	c.client.SetToken(c.token)
	return nil
}
