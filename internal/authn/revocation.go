package authn

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Revocations is the list of revoked token ids (jti) the validator
// consults. Implementations: internal/revocation (Redis, shared by every
// replica; a file, for one machine).
type Revocations interface {
	// Epoch changes whenever this process may have missed revocations
	// (it lost and regained the shared store): a cached token checked in
	// an older epoch is asked about again with Shared.
	Epoch() uint64
	// Local answers from what this process has heard, without a round
	// trip. An error means it cannot vouch for any token (the store is
	// unreachable): the token is refused.
	Local(jti string) (revoked bool, err error)
	// Shared asks the store itself (a round trip); an error refuses.
	Shared(ctx context.Context, jti string) (revoked bool, err error)
}

// SubjectRevocations is what a Revocations also implements when it can
// revoke every token of a subject at once (token revoke --subject): the
// tokens of that subject issued at or before a time are refused, later
// ones are not.
type SubjectRevocations interface {
	// RevokedSince is when the tokens of key (SubjectKey) were revoked;
	// zero when they are not. With local it answers from what this process
	// has heard, as Local does; otherwise it asks the store, as Shared.
	RevokedSince(ctx context.Context, key string, local bool) (time.Time, error)
}

// SubjectKey names a subject of an issuer in the revocation store: a
// fixed-size printable id (the subject may hold anything), "sub:" and the
// base64url SHA-256 of issuer, NUL, subject.
func SubjectKey(issuer, subject string) string {
	h := sha256.Sum256([]byte(issuer + "\x00" + subject))
	return SubjectPrefix + base64.RawURLEncoding.EncodeToString(h[:])
}

// SubjectPrefix starts every SubjectKey, and no token id this gateway
// issues (those are base64url).
const SubjectPrefix = "sub:"

// checkSubject refuses p when its subject's tokens were revoked at or
// after it was issued (a token without iat counts as issued before).
func (v *Validator) checkSubject(ctx context.Context, key string, iat time.Time, local bool) error {
	if v.subjects == nil {
		return nil
	}
	since, err := v.subjects.RevokedSince(ctx, key, local)
	switch {
	case err != nil:
		return invalid("revocation status unavailable", fmt.Errorf("revocation store: %w", err))
	case !since.IsZero() && !iat.After(since):
		return invalid("token revoked (every token of its subject)", nil)
	}
	return nil
}

// maxJTI bounds the token ids looked up in the store.
const maxJTI = 256

// checkNew checks a token not seen before against the shared store.
func (v *Validator) checkNew(ctx context.Context, p *Principal, r Revocations, subKey string) error {
	if p.JTI == "" || len(p.JTI) > maxJTI {
		// A token without an id could not be revoked, so it is not taken
		// while revocation is on.
		return invalid("token has no usable jti, so it could not be revoked", nil)
	}
	revoked, err := r.Shared(ctx, p.JTI)
	if err := revocationResult(revoked, err); err != nil {
		return err
	}
	return v.checkSubject(ctx, subKey, p.IssuedAt, false)
}

// checkCached checks a cached token: against what this process has heard,
// and against the store again when the epoch moved.
func (v *Validator) checkCached(ctx context.Context, sum [32]byte, e *cacheEntry, r Revocations) error {
	revoked, err := r.Local(e.p.JTI)
	if err == nil && !revoked {
		err = v.checkSubject(ctx, e.subKey, e.p.IssuedAt, true)
		if err == nil {
			if ep := r.Epoch(); e.epoch.Load() != ep {
				if revoked, err = r.Shared(ctx, e.p.JTI); err == nil && !revoked {
					if err = v.checkSubject(ctx, e.subKey, e.p.IssuedAt, false); err == nil {
						e.epoch.Store(ep)
					}
				}
			}
		}
	}
	if revoked {
		v.cache.drop(sum)
	}
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return err
		}
	}
	return revocationResult(revoked, err)
}

func revocationResult(revoked bool, err error) error {
	switch {
	case err != nil:
		return invalid("revocation status unavailable", fmt.Errorf("revocation store: %w", err))
	case revoked:
		return invalid("token revoked", nil)
	}
	return nil
}

// Forget drops the cached entries of token id jti, so that a revocation
// heard takes effect on the next request without waiting for a check.
func (v *Validator) Forget(jti string) int { return v.cache.dropJTI(jti) }

// cacheKey is a token's cache key.
func cacheKey(token string) [32]byte { return sha256.Sum256([]byte(token)) }
