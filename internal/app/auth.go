package app

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
)

// compileAuth builds the token validator of an auth section; nil when
// tokens are not required (no section, or mode none). A reload builds a
// new one: its first request fetches the issuer's keys again.
func compileAuth(cfg *config.Config, log *slog.Logger) (*authn.Validator, error) {
	a := cfg.Auth
	if a != nil && a.Mode == config.AuthNone {
		log.Info("auth mode none: requests are not authenticated here; the proxy in front must authenticate every one", "listen", cfg.Listen)
	}
	if a == nil || a.Mode == config.AuthNone {
		return nil, nil
	}
	ac, err := authConfig(cfg)
	if err != nil {
		return nil, err
	}
	// Revocation: shared through Redis, or this machine's list for the
	// local issuer; its store outlives reloads.
	lr, err := servingRevoker(a, log)
	if err != nil {
		return nil, err
	}
	if lr != nil {
		ac.Revocations = lr
	}
	v, err := authn.New(ac)
	if err != nil {
		return nil, err
	}
	if lr != nil {
		lr.latest.Store(v)
	}
	if a.IsLocal() {
		// The key set is read now: a gateway that cannot read its key does
		// not start (tokens could not be checked).
		if err := v.Warm(context.Background()); err != nil {
			return nil, err
		}
		return v, nil
	}
	// Fetch the issuer's keys ahead of the first request; failing here is
	// not fatal (the issuer may come up later), tokens are refused until
	// the keys can be had.
	go func() {
		if err := v.Warm(context.Background()); err != nil {
			log.Warn("auth: issuer keys not available yet; tokens are refused until they are", "issuer", a.Issuer, "err", err)
		}
	}()
	return v, nil
}

// authConfig is the validator configuration of an auth section (oauth
// mode), with the local issuer's key loaded.
func authConfig(cfg *config.Config) (authn.Config, error) {
	a := cfg.Auth
	ac := authn.Config{
		Issuer: a.Issuer, Resource: a.Resource, Audiences: a.Audience, JWKSURL: a.JWKSURL,
		ClockSkew: a.ClockSkew, GroupsClaim: a.GroupsClaim, RequiredScopes: a.RequiredScopes,
	}
	if a.Scopes != nil {
		ac.Scopes = make(authn.Scopes, len(a.Scopes))
		for name, g := range a.Scopes {
			ac.Scopes[name] = authn.Grant{Servers: g.Servers, Tools: g.Tools, Risks: g.Risks}
		}
	}
	if a.IsLocal() {
		// The gateway's own issuer: the public keys of its key set verify
		// (the current one, and retired ones until their overlap ends),
		// read from where auth.signing_key says, nothing fetched.
		var err error
		if ac.Issuer, err = issuer.IssuerFor(a.Resource); err != nil {
			return ac, err
		}
		ac.KeySource = signingKeySource(cfg)
	}
	return ac, nil
}

// authStage is the chain's authorization stage for v (nil: it only
// passes principals through), lists unfiltered.
func authStage(v *authn.Validator) intercept.Interceptor { return authStageFor(v, nil) }

// authStageFor is authStage with the manifests, so that lists show only
// what the token's scopes grant (by the manifests' risk classes).
func authStageFor(v *authn.Validator, ms map[string]*manifest.Manifest) intercept.Interceptor {
	if v == nil {
		return intercept.Authz(nil, nil, nil)
	}
	return intercept.Authz(v.Config().Scopes, v.Config().RequiredScopes, ms)
}

// resourceHost is the host clients reach the gateway by, per auth.resource:
// accepted in Host headers.
func resourceHost(a *config.Auth) []string {
	if a == nil || a.Resource == "" {
		return nil
	}
	u, err := url.Parse(a.Resource)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	return []string{u.Hostname()}
}
