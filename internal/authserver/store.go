package authserver

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Store keeps the authorization server's state: registered clients,
// pending authorization requests, authorization codes and refresh token
// families. MemoryStore is the only implementation so far: state lives in
// one process, so replicas behind a load balancer need sticky sessions
// for sign-in (the authorization request and its code live where the
// browser started) and a client registered at one replica is unknown to
// the others. Access tokens are unaffected: they are JWTs any replica
// verifies, and revocations go through the shared revocation store.
type Store interface {
	PutClient(ctx context.Context, c *Client) error
	Client(ctx context.Context, id string) (*Client, error)

	PutRequest(ctx context.Context, r *Request) error
	Request(ctx context.Context, id string) (*Request, error)
	DeleteRequest(ctx context.Context, id string) error
	// TakeCode returns the request a code was issued for and spends the
	// code: a second call for the same code answers ErrCodeSpent with the
	// request, so that its tokens can be revoked (RFC 9700 §4.2.4).
	TakeCode(ctx context.Context, code string) (*Request, error)

	// PutRefresh stores a new refresh token (by its hash) of a family.
	PutRefresh(ctx context.Context, r *Refresh) error
	// UseRefresh marks a refresh token used and returns it; a token used
	// before answers ErrRefreshReused with the token.
	UseRefresh(ctx context.Context, hash string) (*Refresh, error)
	// Refresh reads a refresh token without using it.
	Refresh(ctx context.Context, hash string) (*Refresh, error)
	// AddAccess records an access token issued in a grant (a refresh
	// family, whose id is the authorization request's), so that revoking
	// the grant revokes it too.
	AddAccess(ctx context.Context, a *Access) error
	Access(ctx context.Context, jti string) (*Access, error)
	// RevokeAccess marks one access token revoked.
	RevokeAccess(ctx context.Context, jti string) error
	// RevokeGrant ends a grant and returns the access tokens it issued
	// that may still be alive.
	RevokeGrant(ctx context.Context, grant string) (map[string]time.Time, error)
	GrantRevoked(ctx context.Context, grant string) (bool, error)

	// Sign-in sessions, by the hash of their cookie.
	PutSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
}

// Session is a browser's sign-in, reused by later authorizations in the
// same browser until it expires (the consent page is still shown).
type Session struct {
	Hash          string     `json:"hash"`
	User          *Principal `json:"user"`
	AuthTime      time.Time  `json:"auth_time"`
	Expires       time.Time  `json:"expires"`
	Authenticator string     `json:"authenticator"`
}

// Store errors.
var (
	ErrNotFound      = errors.New("authserver: not found")
	ErrCodeSpent     = errors.New("authserver: authorization code used before")
	ErrRefreshReused = errors.New("authserver: refresh token used before")
)

// Client is a registered client.
type Client struct {
	ID           string    `json:"client_id"`
	SecretHash   string    `json:"secret_hash,omitempty"` // hex SHA-256; empty: a public client
	AuthMethod   string    `json:"token_endpoint_auth_method,omitempty"`
	Name         string    `json:"client_name,omitempty"`
	RedirectURIs []string  `json:"redirect_uris"`
	GrantTypes   []string  `json:"grant_types"`
	Scopes       []string  `json:"scopes,omitempty"` // client credentials: the most it may ask for
	Native       bool      `json:"native,omitempty"` // loopback or private-use redirects (RFC 8252)
	Metadata     bool      `json:"metadata,omitempty"`
	Configured   bool      `json:"configured,omitempty"` // from the configuration (Config.Clients)
	Created      time.Time `json:"created"`
	Expires      time.Time `json:"expires,omitzero"` // a metadata document's cache entry
}

// Request is an authorization request from its creation to the code
// exchange.
type Request struct {
	ID          string    `json:"id"`
	ClientID    string    `json:"client_id"`
	RedirectURI string    `json:"redirect_uri"`
	State       string    `json:"state,omitempty"`
	Nonce       string    `json:"nonce,omitempty"`
	Scopes      []string  `json:"scopes"`
	Challenge   string    `json:"code_challenge"`
	Created     time.Time `json:"created"`
	Browser     string    `json:"browser,omitempty"` // hash of the sign-in cookie bound to it
	User        *Principal
	AuthTime    time.Time `json:"auth_time,omitzero"`
	Consented   bool      `json:"consented,omitempty"`
	Code        string    `json:"code,omitempty"`
	CodeExpires time.Time `json:"code_expires,omitzero"`
	CodeSpent   bool      `json:"code_spent,omitempty"`
	// ForceLogin (prompt=login, max_age=0) and MaxAge (max_age, seconds)
	// limit the reuse of a sign-in session.
	ForceLogin bool  `json:"force_login,omitempty"`
	MaxAge     *uint `json:"max_age,omitempty"`
}

// Refresh is one refresh token of a family (all the tokens one grant
// rotated through).
type Refresh struct {
	Hash     string     `json:"hash"`
	Family   string     `json:"family"`
	ClientID string     `json:"client_id"`
	User     *Principal `json:"user"`
	Scopes   []string   `json:"scopes"`
	AuthTime time.Time  `json:"auth_time"`
	Expires  time.Time  `json:"expires"` // of the family: rotation does not extend it
	Used     bool       `json:"used,omitempty"`
}

// Access is an issued access token, for introspection and revocation.
type Access struct {
	JTI      string    `json:"jti"`
	Grant    string    `json:"grant,omitempty"`
	ClientID string    `json:"client_id"`
	Subject  string    `json:"sub"`
	Scopes   []string  `json:"scopes"`
	Issued   time.Time `json:"iat"`
	Expires  time.Time `json:"exp"`
	Revoked  bool      `json:"revoked,omitempty"`
}

// MemoryStore is a Store in this process's memory.
type MemoryStore struct {
	mu       sync.Mutex
	clients  map[string]*Client
	requests map[string]*Request
	codes    map[string]string // code → request id
	refresh  map[string]*Refresh
	grants   map[string]*grant
	access   map[string]*Access
	sessions map[string]*Session
	now      func() time.Time
	swept    time.Time
}

type grant struct {
	revoked bool
	access  map[string]time.Time
}

// NewMemoryStore makes an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{clients: map[string]*Client{}, requests: map[string]*Request{}, codes: map[string]string{},
		refresh: map[string]*Refresh{}, grants: map[string]*grant{}, access: map[string]*Access{}, sessions: map[string]*Session{}, now: time.Now}
}

// Limits of the memory store: entries beyond them push out expired ones
// first, and registration is refused when still full.
const (
	maxClients  = 10000
	maxRequests = 10000
)

// putBounded stores a copy of v under k (m.mu held). A new key in a full
// table sweeps expired entries first, and is refused if it is still full.
func putBounded[T any](m *MemoryStore, tbl map[string]*T, k string, v *T, limit int, what string) error {
	if _, ok := tbl[k]; !ok && len(tbl) >= limit {
		m.sweepLocked()
		if len(tbl) >= limit {
			return errors.New("authserver: too many " + what)
		}
	}
	cp := *v
	tbl[k] = &cp
	return nil
}

// copyOf returns a copy of the entry under k (m.mu held): callers never
// share the store's own.
func copyOf[T any](tbl map[string]*T, k string) (*T, error) {
	v, ok := tbl[k]
	if !ok {
		return nil, ErrNotFound
	}
	cp := *v
	return &cp, nil
}

func (m *MemoryStore) PutClient(_ context.Context, c *Client) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return putBounded(m, m.clients, c.ID, c, maxClients, "registered clients")
}

func (m *MemoryStore) Client(_ context.Context, id string) (*Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return copyOf(m.clients, id)
}

func (m *MemoryStore) PutRequest(_ context.Context, r *Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := putBounded(m, m.requests, r.ID, r, maxRequests, "pending authorization requests"); err != nil {
		return err
	}
	if r.Code != "" && !r.CodeSpent {
		m.codes[r.Code] = r.ID
	}
	return nil
}

func (m *MemoryStore) Request(_ context.Context, id string) (*Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return copyOf(m.requests, id)
}

func (m *MemoryStore) DeleteRequest(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.requests[id]; ok && !r.CodeSpent {
		// A spent code's request stays until it expires, so a second
		// use of the code is recognised as such.
		delete(m.codes, r.Code)
		delete(m.requests, id)
	}
	return nil
}

func (m *MemoryStore) TakeCode(_ context.Context, code string) (*Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.codes[code]
	if !ok {
		return nil, ErrNotFound
	}
	r, ok := m.requests[id]
	if !ok {
		delete(m.codes, code)
		return nil, ErrNotFound
	}
	cp := *r
	if r.CodeSpent {
		return &cp, ErrCodeSpent
	}
	r.CodeSpent = true
	return &cp, nil
}

func (m *MemoryStore) PutRefresh(_ context.Context, r *Refresh) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *r
	m.refresh[r.Hash] = &cp
	return nil
}

func (m *MemoryStore) UseRefresh(_ context.Context, hash string) (*Refresh, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.refresh[hash]
	if !ok {
		return nil, ErrNotFound
	}
	cp := *r
	if r.Used {
		return &cp, ErrRefreshReused
	}
	r.Used = true
	return &cp, nil
}

func (m *MemoryStore) Refresh(_ context.Context, hash string) (*Refresh, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return copyOf(m.refresh, hash)
}

func (m *MemoryStore) AddAccess(_ context.Context, a *Access) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *a
	m.access[a.JTI] = &cp
	if a.Grant == "" {
		return nil
	}
	gr := m.grants[a.Grant]
	if gr == nil {
		gr = &grant{access: map[string]time.Time{}}
		m.grants[a.Grant] = gr
	}
	gr.access[a.JTI] = a.Expires
	return nil
}

func (m *MemoryStore) Access(_ context.Context, jti string) (*Access, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp, err := copyOf(m.access, jti)
	if err != nil {
		return nil, err
	}
	if gr := m.grants[cp.Grant]; cp.Grant != "" && gr != nil && gr.revoked {
		cp.Revoked = true
	}
	return cp, nil
}

func (m *MemoryStore) RevokeAccess(_ context.Context, jti string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.access[jti]; ok {
		a.Revoked = true
	}
	return nil
}

func (m *MemoryStore) RevokeGrant(_ context.Context, g string) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	gr := m.grants[g]
	if gr == nil {
		gr = &grant{access: map[string]time.Time{}}
		m.grants[g] = gr
	}
	gr.revoked = true
	out := map[string]time.Time{}
	now := m.now()
	for jti, exp := range gr.access {
		if exp.After(now) {
			out[jti] = exp
		}
	}
	return out, nil
}

func (m *MemoryStore) GrantRevoked(_ context.Context, g string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	gr := m.grants[g]
	return gr != nil && gr.revoked, nil
}

// maxSessions bounds the memory store's sign-in sessions.
const maxSessions = 10000

func (m *MemoryStore) PutSession(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return putBounded(m, m.sessions, s.Hash, s, maxSessions, "sign-in sessions")
}

func (m *MemoryStore) Session(_ context.Context, hash string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok || m.now().After(s.Expires) {
		return nil, ErrNotFound
	}
	cp := *s
	return &cp, nil
}

func (m *MemoryStore) DeleteSession(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, hash)
	return nil
}

// Sweep drops what has expired: requests older than requestTTL, refresh
// tokens past their family's expiry, metadata clients past their cache
// time. The server calls it periodically.
func (m *MemoryStore) Sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweepLocked()
}

// maybeSweep sweeps at most once a minute.
func (m *MemoryStore) maybeSweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := m.now(); now.Sub(m.swept) > time.Minute {
		m.swept = now
		m.sweepLocked()
	}
}

func (m *MemoryStore) sweepLocked() {
	now := m.now()
	for jti, a := range m.access {
		if now.After(a.Expires) {
			delete(m.access, jti)
		}
	}
	for h, se := range m.sessions {
		if now.After(se.Expires) {
			delete(m.sessions, h)
		}
	}
	for id, r := range m.requests {
		if now.Sub(r.Created) > requestTTL {
			delete(m.codes, r.Code)
			delete(m.requests, id)
		}
	}
	live := map[string]bool{}
	for h, r := range m.refresh {
		if now.After(r.Expires) {
			delete(m.refresh, h)
			continue
		}
		live[r.Family] = true
	}
	for g, gr := range m.grants {
		for jti, exp := range gr.access {
			if now.After(exp) {
				delete(gr.access, jti)
			}
		}
		if len(gr.access) == 0 && !live[g] {
			delete(m.grants, g)
		}
	}
	for id, c := range m.clients {
		if !c.Expires.IsZero() && now.After(c.Expires) {
			delete(m.clients, id)
		}
	}
}
