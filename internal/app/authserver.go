package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/mcpwarden/mcpwarden/internal/authserver"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/downstream"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
	"golang.org/x/time/rate"
)

// The embedded authorization server's state (clients, pending sign-ins,
// refresh families) outlives reloads: one store per issuer and place per
// process.
var (
	asMu      sync.Mutex
	asStores  = map[string]authserver.Store{}
	opLogOnce sync.Once
)

// ExtraAuthenticators, when set, adds sign-in methods to the embedded
// authorization server (single sign-on, internal/sso), after the local
// administrator's password.
var ExtraAuthenticators func(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]authserver.Authenticator, error)

// compileAuthServer builds the embedded authorization server of an
// issuer: embedded configuration; nil for any other.
func compileAuthServer(cfg *config.Config, log *slog.Logger) (*authserver.Server, error) {
	a := cfg.Auth
	if !a.IsEmbedded() {
		return nil, nil
	}
	// zitadel/oidc logs its refusals through slog's default logger: into
	// the gateway's log, not a second format on stderr.
	// Spaced: refused requests are a stranger's to send, so they must not
	// become a flood of log lines.
	opLogOnce.Do(func() {
		slog.SetDefault(slog.New(&spacedHandler{Handler: log.With("component", "authserver").Handler(),
			lim: rate.NewLimiter(rate.Every(time.Second), 20)}))
	})
	ctx := context.Background()
	k, err := LoadSigningKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	iss, err := issuer.IssuerFor(a.Resource)
	if err != nil {
		return nil, err
	}
	s := a.AuthorizationServer
	var auths []authserver.Authenticator
	if s.AdminPassword != "" {
		pw, err := readSecretRef(ctx, cfg, s.AdminPassword)
		if err != nil {
			return nil, fmt.Errorf("auth.authorization_server.admin.password: %w", err)
		}
		auths = append(auths, &authserver.PasswordAuthenticator{User: s.AdminUser, Password: pw})
	}
	if ExtraAuthenticators != nil {
		more, err := ExtraAuthenticators(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		auths = append(auths, more...)
	}
	if len(auths) == 0 {
		log.Warn("embedded authorization server: nobody can sign in (set auth.authorization_server.admin.password or single sign-on)")
	}
	scopes := slices.Sorted(maps.Keys(a.Scopes))
	for _, r := range a.RequiredScopes {
		if !slices.Contains(scopes, r) {
			scopes = append(scopes, r)
		}
	}
	// Revoked grants reach every replica through the revocation store
	// the validator reads (Redis, or this machine's file).
	lr, err := servingRevoker(a, log)
	if err != nil {
		return nil, err
	}
	var rev authserver.Revoker
	if lr != nil {
		rev = lr
	}
	var clients []*authserver.Client
	for _, id := range slices.Sorted(maps.Keys(s.Clients)) {
		c := s.Clients[id]
		secret, err := readSecretRef(ctx, cfg, c.Secret)
		if err != nil {
			return nil, fmt.Errorf("auth.authorization_server.clients.%s.secret: %w", id, err)
		}
		clients = append(clients, &authserver.Client{ID: id, SecretHash: authserver.HashSecret(secret), AuthMethod: "client_secret_basic",
			GrantTypes: []string{"client_credentials"}, Scopes: c.Scopes, Name: id})
	}
	var wls []authserver.Workload
	for _, w := range s.TokenExchange {
		wls = append(wls, authserver.Workload{Issuer: w.Issuer, Audience: w.Audience, Subjects: w.Subjects, Scopes: w.Scopes})
	}
	asMu.Lock()
	skey := iss + " " + s.Store + " " + s.StorePrefix
	st, ok := asStores[skey]
	if !ok {
		if s.Store != "" {
			rs, err := authserver.OpenRedisStore(s.Store, s.StorePrefix)
			if err != nil {
				asMu.Unlock()
				return nil, err
			}
			st = rs
			log.Info("embedded authorization server: state shared through redis", "prefix", s.StorePrefix)
		} else {
			st = authserver.NewMemoryStore()
		}
		asStores[skey] = st
	}
	asMu.Unlock()
	follow := FollowSigningKey(cfg)
	current := func(ctx context.Context) (authserver.SigningKey, error) { return follow(ctx) }
	return authserver.New(authserver.Config{
		Issuer: iss, Resource: a.Resource, Key: k, CurrentKey: current, PublicKeys: publishedKeys(cfg), Scopes: scopes, RequiredScopes: a.RequiredScopes,
		AccessTokenTTL: s.AccessTokenTTL, RefreshTokenTTL: s.RefreshTokenTTL, SessionTTL: s.SessionTTL,
		DynamicRegistration: s.DynamicRegistration, MetadataDocuments: s.ClientIDMetadataDocuments,
		Authenticators: auths, Revoker: rev, Store: st, Log: log, Clients: clients, Workloads: wls,
		AllowedHosts: slices.Concat(cfg.HTTP.AllowedHosts, []string{listenHost(cfg.Listen)}),
	})
}

// spacedHandler drops records beyond its limiter's budget (warnings and
// below; errors always pass).
type spacedHandler struct {
	slog.Handler
	lim *rate.Limiter
}

func (h *spacedHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && !h.lim.Allow() {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *spacedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &spacedHandler{Handler: h.Handler.WithAttrs(as), lim: h.lim}
}

func (h *spacedHandler) WithGroup(name string) slog.Handler {
	return &spacedHandler{Handler: h.Handler.WithGroup(name), lim: h.lim}
}

// publishedKeys are the public keys of the signing key set (current and
// retired still verifying), read again at most once a minute.
func publishedKeys(cfg *config.Config) func(context.Context) ([]jose.JSONWebKey, error) {
	var mu sync.Mutex
	var keys []jose.JSONWebKey
	var read time.Time
	return func(ctx context.Context) ([]jose.JSONWebKey, error) {
		mu.Lock()
		defer mu.Unlock()
		if keys != nil && time.Since(read) < followEvery {
			return keys, nil
		}
		s, err := LoadSigningKeys(ctx, cfg)
		read = time.Now()
		if err != nil {
			if keys != nil {
				return keys, nil
			}
			return nil, err
		}
		keys = keys[:0:0]
		for _, k := range s.Verifying() {
			keys = append(keys, k.Key)
		}
		return keys, nil
	}
}

// readSecretRef reads a secret://NAME reference from the secrets backend.
func readSecretRef(ctx context.Context, cfg *config.Config, ref string) (string, error) {
	name, ok := secretstore.Ref(ref)
	if !ok {
		return "", fmt.Errorf("%q is not a secret://NAME reference", ref)
	}
	b, err := OpenSecrets(cfg.Secrets)
	if err != nil {
		return "", err
	}
	v, err := b.Get(ctx, name)
	if err != nil {
		return "", fmt.Errorf("%s: %w (store it with mcpwarden secret set %s)", ref, err, name)
	}
	return v, nil
}

// asHandler routes the embedded authorization server's paths to the
// current snapshot's server, and everything else (or every path, when
// there is none) to next.
func asHandler(cur func() *authserver.Server, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := cur(); s != nil {
			s.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
	for _, p := range authserver.Paths() {
		mux.Handle(p, h)
	}
	return mcpFirst(next, mux)
}

// mcpFirst sends requests for the MCP endpoint straight to next, where mux
// would send them too, and the rest to mux: the endpoint takes every
// message of every session, and a mux lookup allocates.
func mcpFirst(next, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == downstream.MCPPath {
			next.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
