package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
	"github.com/mcpwarden/mcpwarden/internal/revocation"
)

// Revoker is a revocation store: the list validators read, and the way
// to add to it.
type Revoker interface {
	authn.Revocations
	authn.SubjectRevocations
	Revoke(ctx context.Context, jti string, exp time.Time) error
	// RevokeSubject revokes the tokens of a subject key (authn.SubjectKey)
	// issued at or before since, until exp.
	RevokeSubject(ctx context.Context, key string, since, exp time.Time) error
}

// The stores of this process, by where they keep the list: a reload
// keeps the subscription instead of opening another.
var (
	revMu     sync.Mutex
	revStores = map[string]*liveRevoker{}
)

type liveRevoker struct {
	Revoker
	// latest is the newest validator using the store: revocations heard
	// drop its cached entries at once (older ones check on every hit).
	latest atomic.Pointer[authn.Validator]
}

// RevocationFile is the fallback list of a gateway without
// auth.revocation: one machine's state directory.
func RevocationFile() (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", fmt.Errorf("revocation: %w; set auth.revocation", err)
	}
	return filepath.Join(dir, "revoked-tokens"), nil
}

// OpenRevoker opens the store of an auth section for `token revoke`
// (not subscribed); nil when tokens are not revocable (an external
// issuer without auth.revocation).
func OpenRevoker(a *config.Auth) (Revoker, func(), error) {
	switch {
	case a == nil || a.Mode == config.AuthNone:
		return nil, func() {}, nil
	case a.Revocation != "":
		r, err := revocation.OpenRedis(a.Revocation, a.RevocationPrefix, nil)
		if err != nil {
			return nil, nil, err
		}
		return r, func() { _ = r.Close() }, nil
	case a.IsLocal():
		p, err := RevocationFile()
		if err != nil {
			return nil, nil, err
		}
		return revocation.OpenFile(p), func() {}, nil
	}
	return nil, func() {}, nil
}

// servingRevoker is the subscribed store of a gateway; nil when
// revocation is off.
func servingRevoker(a *config.Auth, log *slog.Logger) (*liveRevoker, error) {
	var key string
	switch {
	case a.Revocation != "":
		key = "redis " + a.Revocation + " " + a.RevocationPrefix
	case a.IsLocal():
		key = "file"
	default:
		return nil, nil
	}
	revMu.Lock()
	defer revMu.Unlock()
	if lr, ok := revStores[key]; ok {
		return lr, nil
	}
	lr := &liveRevoker{}
	if a.Revocation != "" {
		r, err := revocation.OpenRedis(a.Revocation, a.RevocationPrefix, log)
		if err != nil {
			return nil, err
		}
		r.OnRevoke = func(jti string) {
			if v := lr.latest.Load(); v != nil {
				v.Forget(jti)
			}
		}
		// Sessions and credentials (tokencreds.go): the credentials are
		// revoked before this replica confirms, so they are gone when
		// `token revoke` returns.
		r.Applying = tokenRevoked
		r.Start()
		lr.Revoker = r
		log.Info("token revocation shared through redis", "prefix", a.RevocationPrefix)
	} else {
		p, err := RevocationFile()
		if err != nil {
			return nil, err
		}
		f := revocation.OpenFile(p)
		lr.Revoker = f
		watchRevocationFile(f)
		log.Warn("token revocation is local to this machine (no auth.revocation): replicas elsewhere do not see it", "file", p)
	}
	revStores[key] = lr
	revocationLog.Store(log)
	return lr, nil
}

// RevokeToken records the revocation of a token of this gateway: the
// token itself (verified first, so only a real token is recorded, until
// its own expiry), or a bare jti of the local issuer (recorded for the
// longest life such a token can have).
func RevokeToken(ctx context.Context, cfg *config.Config, token, jti string) (string, time.Time, error) {
	a := cfg.Auth
	r, closeFn, err := OpenRevoker(a)
	if err != nil {
		return "", time.Time{}, err
	}
	defer closeFn()
	if r == nil {
		return "", time.Time{}, fmt.Errorf("token revoke: no revocation store: set auth.revocation (redis://…), or use issuer: local")
	}
	var exp time.Time
	if token != "" {
		ac, err := authConfig(cfg)
		if err != nil {
			return "", time.Time{}, err
		}
		v, err := authn.New(ac)
		if err != nil {
			return "", time.Time{}, err
		}
		p, err := v.Validate(ctx, token)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("token revoke: not a token this gateway accepts: %w", err)
		}
		jti, exp = p.JTI, p.Expiry
		if jti == "" {
			return "", time.Time{}, fmt.Errorf("token revoke: the token has no jti; it cannot be revoked on its own (rotate the issuer's key)")
		}
	} else {
		if !a.IsLocal() {
			return "", time.Time{}, fmt.Errorf("token revoke: --jti needs issuer: local (an external issuer's token lifetime is unknown): pass the token")
		}
		exp = time.Now().Add(issuer.MaxTTL + a.ClockSkew)
	}
	if err := r.Revoke(ctx, jti, exp); err != nil {
		return "", time.Time{}, err
	}
	return jti, exp, nil
}

// RevokeSubject revokes every token of subject that this gateway's own
// issuer made until now: those issued at or before this second are
// refused, later ones are not. The record lasts as long as such a token
// can (the longest token life plus the clock skew). It returns the
// subject key and when the record ends.
func RevokeSubject(ctx context.Context, cfg *config.Config, subject string) (string, time.Time, error) {
	a := cfg.Auth
	if !a.IsLocal() {
		return "", time.Time{}, fmt.Errorf("token revoke: --subject needs the gateway's own issuer (an external issuer's token lifetime is unknown): revoke the subject's tokens at the issuer")
	}
	if strings.TrimSpace(subject) == "" {
		return "", time.Time{}, fmt.Errorf("token revoke: empty subject")
	}
	r, closeFn, err := OpenRevoker(a)
	if err != nil {
		return "", time.Time{}, err
	}
	defer closeFn()
	iss, err := issuer.IssuerFor(a.Resource)
	if err != nil {
		return "", time.Time{}, err
	}
	key := authn.SubjectKey(iss, subject)
	now := time.Now()
	exp := now.Add(issuer.MaxTTL + a.ClockSkew)
	if err := r.RevokeSubject(ctx, key, now, exp); err != nil {
		return "", time.Time{}, err
	}
	return key, exp, nil
}
