// Package vaultfake is a small stand-in for a HashiCorp Vault server, for
// tests only: no Vault server can be installed where mcpwarden is tested.
// It follows Vault's documented HTTP API for the endpoints mcpwarden uses,
// and nothing more:
//   - AppRole login: POST (or PUT) /v1/auth/approle/login {"role_id","secret_id"}
//     → {"auth":{"client_token","lease_duration",...}}, 400 on bad credentials
//     (https://developer.hashicorp.com/vault/api-docs/auth/approle#login-with-approle);
//   - JWT/OIDC login: POST (or PUT) /v1/auth/{jwt mount}/login {"role","jwt"}
//     → the same "auth" answer, 400 when the role is unknown or the JWT is
//     not valid for it (https://developer.hashicorp.com/vault/api-docs/auth/jwt#jwt-login).
//     The fake does not verify signatures or claims as Vault would (bound
//     audiences, subject, expiry): it accepts exactly the JWTs the test
//     listed with AcceptJWT, which is what such a configuration decides;
//   - KV v2 read: GET /v1/{mount}/data/{path} → {"data":{"data":{...},"metadata":{...}}},
//     404 {"errors":[]} when absent
//     (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2#read-secret-version);
//   - database credentials: GET /v1/{mount}/creds/{role} → {"lease_id",
//     "lease_duration","renewable","data":{"username","password"}}
//     (https://developer.hashicorp.com/vault/api-docs/secret/databases#generate-credentials);
//   - lease renew and revoke: PUT /v1/sys/leases/renew {"lease_id","increment"},
//     PUT /v1/sys/leases/revoke {"lease_id"}, 400 for an unknown lease on renew,
//     204 on revoke (https://developer.hashicorp.com/vault/api-docs/system/leases).
//
// Every call but the login needs a known X-Vault-Token (403 "permission
// denied" otherwise), and every call the X-Vault-Request header.
package vaultfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Lease is a live dynamic secret in the fake.
type Lease struct {
	Role     string
	Username string
	Password string
	Expires  time.Time
	Renewals int
}

// Server is the fake. Set the fields before serving; use the methods
// while it serves.
type Server struct {
	Mount    string                    // KV v2 mount
	Secrets  map[string]map[string]any // KV: path under Mount → data
	DBMount  string                    // database secrets engine mount
	Roles    map[string]bool           // database roles that exist
	TTL      time.Duration             // of a database lease; 1h when 0
	RoleID   string                    // AppRole credentials that log in
	SecretID string
	JWTMount string // JWT/OIDC auth mount; "jwt" when empty
	JWTRole  string // the JWT role that exists

	Logins atomic.Int32 // successful logins, any method

	mu      sync.Mutex
	jwts    map[string]bool // JWTs the JWT role accepts
	tokens  map[string]bool
	leases  map[string]*Lease
	revoked []string
	fail    int // the next N database calls answer 500
	n       int
}

// AddToken makes tok a valid token.
func (f *Server) AddToken(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokens == nil {
		f.tokens = map[string]bool{}
	}
	f.tokens[tok] = true
}

// AcceptJWT makes jwt valid for JWTRole (as a workload's fresh token
// would be); RejectJWT makes it invalid again (expired).
func (f *Server) AcceptJWT(jwt string) { f.setJWT(jwt, true) }

// RejectJWT makes jwt invalid.
func (f *Server) RejectJWT(jwt string) { f.setJWT(jwt, false) }

func (f *Server) setJWT(jwt string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jwts == nil {
		f.jwts = map[string]bool{}
	}
	f.jwts[jwt] = ok
}

// ClearTokens revokes every token.
func (f *Server) ClearTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

// Leases returns a copy of the live database leases by lease id.
func (f *Server) Leases() map[string]Lease {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]Lease{}
	for id, l := range f.leases {
		out[id] = *l
	}
	return out
}

// Revoked lists the lease ids revoked through the API, in order.
func (f *Server) Revoked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.revoked...)
}

// FailNext makes the next n database and lease calls answer 500.
func (f *Server) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = n
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(code int, msgs ...string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"errors": append([]string{}, msgs...)})
	}
	if r.Header.Get("X-Vault-Request") != "true" {
		fail(http.StatusPreconditionFailed, "missing X-Vault-Request")
		return
	}
	write := r.Method == http.MethodPost || r.Method == http.MethodPut // Vault takes both; the client sends PUT
	var body map[string]any
	if write {
		json.NewDecoder(r.Body).Decode(&body)
	}
	str := func(k string) string { s, _ := body[k].(string); return s }
	if write && r.URL.Path == "/v1/auth/approle/login" {
		if f.RoleID == "" || str("role_id") != f.RoleID || str("secret_id") != f.SecretID {
			fail(http.StatusBadRequest, "invalid role or secret ID")
			return
		}
		n := f.Logins.Add(1)
		tok := fmt.Sprintf("hvs.approle-%d", n)
		f.AddToken(tok)
		json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{"client_token": tok, "accessor": "acc",
			"policies": []string{"default"}, "lease_duration": 1200, "renewable": true}})
		return
	}
	jwtMount := f.JWTMount
	if jwtMount == "" {
		jwtMount = "jwt"
	}
	if write && r.URL.Path == "/v1/auth/"+jwtMount+"/login" {
		role, jwt := str("role"), str("jwt")
		f.mu.Lock()
		valid := f.jwts[jwt]
		f.mu.Unlock()
		switch {
		case jwt == "":
			fail(http.StatusBadRequest, "missing token")
			return
		case f.JWTRole == "" || role != f.JWTRole:
			fail(http.StatusBadRequest, fmt.Sprintf("role %q could not be found", role))
			return
		case !valid:
			fail(http.StatusBadRequest, "error validating token: invalid signature or claims")
			return
		}
		n := f.Logins.Add(1)
		tok := fmt.Sprintf("hvs.jwt-%d", n)
		f.AddToken(tok)
		json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{"client_token": tok, "accessor": "acc",
			"policies": []string{"default"}, "lease_duration": 1200, "renewable": true,
			"metadata": map[string]any{"role": role}}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.tokens[r.Header.Get("X-Vault-Token")] {
		fail(http.StatusForbidden, "permission denied")
		return
	}
	ttl := f.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	isDB := strings.HasPrefix(r.URL.Path, "/v1/sys/leases/") || (f.DBMount != "" && strings.HasPrefix(r.URL.Path, "/v1/"+f.DBMount+"/creds/"))
	if isDB && f.fail > 0 {
		f.fail--
		fail(http.StatusInternalServerError, "internal error")
		return
	}
	switch {
	case r.Method == http.MethodGet && f.Mount != "" && strings.HasPrefix(r.URL.Path, "/v1/"+f.Mount+"/data/"):
		data, ok := f.Secrets[strings.TrimPrefix(r.URL.Path, "/v1/"+f.Mount+"/data/")]
		if !ok {
			fail(http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 0,
			"data": map[string]any{"data": data, "metadata": map[string]any{"created_time": "2026-01-01T00:00:00Z",
				"custom_metadata": nil, "deletion_time": "", "destroyed": false, "version": 1}}})
	case r.Method == http.MethodGet && f.DBMount != "" && strings.HasPrefix(r.URL.Path, "/v1/"+f.DBMount+"/creds/"):
		role := strings.TrimPrefix(r.URL.Path, "/v1/"+f.DBMount+"/creds/")
		if !f.Roles[role] {
			fail(http.StatusBadRequest, fmt.Sprintf("unknown role: %s", role))
			return
		}
		f.n++
		id := fmt.Sprintf("%s/creds/%s/lease%04d", f.DBMount, role, f.n)
		l := &Lease{Role: role, Username: fmt.Sprintf("v-approle-%s-%04d", role, f.n), Password: fmt.Sprintf("A1a-pw%04dxyz", f.n),
			Expires: time.Now().Add(ttl)}
		if f.leases == nil {
			f.leases = map[string]*Lease{}
		}
		f.leases[id] = l
		json.NewEncoder(w).Encode(map[string]any{"request_id": "r", "lease_id": id, "renewable": true,
			"lease_duration": int(ttl.Seconds()), "data": map[string]any{"username": l.Username, "password": l.Password}})
	case write && r.URL.Path == "/v1/sys/leases/renew":
		l := f.leases[str("lease_id")]
		if l == nil {
			fail(http.StatusBadRequest, "lease not found")
			return
		}
		inc := ttl
		if n, ok := body["increment"].(float64); ok && n > 0 {
			inc = time.Duration(n) * time.Second
		}
		l.Expires = time.Now().Add(inc)
		l.Renewals++
		json.NewEncoder(w).Encode(map[string]any{"request_id": "r", "lease_id": str("lease_id"), "renewable": true,
			"lease_duration": int(inc.Seconds()), "data": nil})
	case write && r.URL.Path == "/v1/sys/leases/revoke":
		id := str("lease_id")
		delete(f.leases, id) // Vault answers 204 for an unknown lease too
		f.revoked = append(f.revoked, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(http.StatusNotFound)
	}
}
