// Package vaultclient builds a HashiCorp Vault API client and keeps it
// logged in, for every part of mcpwarden that talks to Vault (the KV v2
// secrets backend, the dynamic-secrets credential broker). The token
// comes from a file (a Vault Agent sink, a Kubernetes projected secret),
// from an AppRole login whose secret_id is in a file, or from a JWT/OIDC
// login with a JWT read from a file (a workload's projected service
// account token, a CI job's OIDC token); never from the config and,
// unlike the Vault CLI, never from VAULT_* variables.
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
	// JWTRole and JWTFile log in with the JWT/OIDC auth method instead
	// (POST /v1/auth/JWTMount/login {role, jwt}); the file is read again
	// at every login, since such tokens are short-lived and rotated by
	// whoever projects them. JWTMount is "jwt" when empty.
	JWTRole  string
	JWTFile  string
	JWTMount string
	CAFile   string // PEM CA bundle for the server's certificate; "" = system roots
	Timeout  time.Duration
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
	methods := 0
	for _, set := range []bool{o.TokenFile != "", o.RoleID != "", o.JWTRole != ""} {
		if set {
			methods++
		}
	}
	if methods != 1 {
		return nil, errors.New("vault: set exactly one of token_file, approle (role_id) and jwt (jwt_role)")
	}
	if o.RoleID != "" && o.SecretIDFile == "" {
		return nil, errors.New("vault: approle needs secret_id_file")
	}
	if o.JWTRole != "" && o.JWTFile == "" {
		return nil, errors.New("vault: jwt login needs jwt_file")
	}
	if o.JWTMount == "" {
		o.JWTMount = "jwt"
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

// Do runs f with a logged-in client. With AppRole or JWT, a 403 (the
// token was revoked or expired early) means one fresh login and one more
// try.
func (c *Client) Do(ctx context.Context, f func(*vault.Client) error) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = c.login(ctx, attempt > 0); err != nil {
			return err
		}
		err = f(c.client)
		if attempt == 0 && c.o.TokenFile == "" && IsStatus(err, http.StatusForbidden) {
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
// or JWT login's token when the last one is near its end.
func (c *Client) login(ctx context.Context, force bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o.TokenFile != "" {
		t, err := readFile("token_file", c.o.TokenFile)
		if err != nil {
			return err
		}
		c.client.SetToken(t)
		return nil
	}
	if !force && c.token != "" && time.Now().Before(c.renewAt) {
		return nil
	}
	method, path := "approle", "auth/approle/login"
	var body map[string]any
	if c.o.JWTRole != "" {
		jwt, err := readFile("jwt_file", c.o.JWTFile)
		if err != nil {
			return err
		}
		method, path = "jwt", "auth/"+c.o.JWTMount+"/login"
		body = map[string]any{"role": c.o.JWTRole, "jwt": jwt}
	} else {
		// An empty secret_id is sent as such: a role with
		// bind_secret_id=false takes role_id alone.
		b, err := os.ReadFile(c.o.SecretIDFile)
		if err != nil {
			return fmt.Errorf("vault: secret_id_file: %w", err)
		}
		sid := strings.TrimSpace(string(b))
		body = map[string]any{"role_id": c.o.RoleID, "secret_id": sid}
	}
	c.client.ClearToken()
	s, err := c.client.Logical().WriteWithContext(ctx, path, body)
	clear(body)
	if err != nil {
		return fmt.Errorf("vault: %s login: %w", method, err)
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return fmt.Errorf("vault: %s login returned no token", method)
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

// readFile reads a credential file (trimmed); empty is an error.
func readFile(key, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("vault: %s: %w", key, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("vault: %s %s is empty", key, path)
	}
	return v, nil
}
