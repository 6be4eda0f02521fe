package authn

import (
	"context"
	"crypto/sha256"
	"fmt"
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

// maxJTI bounds the token ids looked up in the store.
const maxJTI = 256

// checkNew checks a token not seen before against the shared store.
func (v *Validator) checkNew(ctx context.Context, p *Principal, r Revocations) error {
	if p.JTI == "" || len(p.JTI) > maxJTI {
		// A token without an id could not be revoked, so it is not taken
		// while revocation is on.
		return invalid("token has no usable jti, so it could not be revoked", nil)
	}
	revoked, err := r.Shared(ctx, p.JTI)
	return revocationResult(revoked, err)
}

// checkCached checks a cached token: against what this process has heard,
// and against the store again when the epoch moved.
func (v *Validator) checkCached(ctx context.Context, sum [32]byte, e *cacheEntry, r Revocations) error {
	revoked, err := r.Local(e.p.JTI)
	if err == nil && !revoked {
		if ep := r.Epoch(); e.epoch.Load() != ep {
			if revoked, err = r.Shared(ctx, e.p.JTI); err == nil && !revoked {
				e.epoch.Store(ep)
			}
		}
	}
	if revoked {
		v.cache.drop(sum)
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
