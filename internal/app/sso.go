package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/authserver"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/sso"
)

func init() { ExtraAuthenticators = ssoAuthenticators }

// Sign-ins in flight at the IdP survive a reload: one set per process.
var ssoPending = sync.OnceValue(sso.NewPending)

// ssoAuthenticators is single sign-on through the company's identity
// provider (auth.authorization_server.sso), when configured. Its client
// secret is read from the secrets backend now: a gateway that cannot read
// it does not start (or keeps its previous configuration on a reload).
func ssoAuthenticators(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]authserver.Authenticator, error) {
	s := cfg.Auth.AuthorizationServer.SSO
	if s == nil {
		return nil, nil
	}
	secret, err := readSecretRef(ctx, cfg, s.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("auth.authorization_server.sso.client_secret: %w", err)
	}
	iss, err := issuer.IssuerFor(cfg.Auth.Resource)
	if err != nil {
		return nil, err
	}
	var m sso.Mapping
	for _, name := range slices.Sorted(maps.Keys(s.Roles)) {
		r := s.Roles[name]
		m.Roles = append(m.Roles, sso.Role{Name: name, Groups: r.Groups, Scopes: r.Scopes})
	}
	rp, err := sso.New(sso.Config{
		Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: secret, RedirectURL: iss + sso.CallbackPath,
		Scopes: s.Scopes, GroupsClaim: s.GroupsClaim, Mapping: m,
		AllowedDomains: s.AllowedDomains, AllowedSubjects: s.AllowedSubjects,
		Pending: ssoPending(), ClockSkew: cfg.Auth.ClockSkew,
	})
	if err != nil {
		return nil, err
	}
	label := "Sign in with single sign-on"
	if u, err := url.Parse(s.Issuer); err == nil {
		label += " (" + u.Host + ")"
	}
	a, err := sso.NewAuthenticator(rp, label, log)
	if err != nil {
		return nil, err
	}
	return []authserver.Authenticator{a}, nil
}
