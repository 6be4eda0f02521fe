package authn

import (
	"sync"
	"time"
)

const defaultCacheSize = 10_000

// tokenCache remembers verified tokens by their SHA-256 until they expire,
// so that a client sending the same token on every request pays for the
// signature once. Entries are immutable Principals shared by readers.
// A token whose key the issuer withdraws stays accepted until it expires
// (tokens are short-lived; revocation before expiry is not modelled).
type tokenCache struct {
	mu  sync.RWMutex
	max int
	m   map[[32]byte]*Principal
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, m: make(map[[32]byte]*Principal)}
}

func (c *tokenCache) get(sum [32]byte, now time.Time) (*Principal, bool) {
	c.mu.RLock()
	p, ok := c.m[sum]
	c.mu.RUnlock()
	if !ok || !now.Before(p.Expiry) {
		return nil, false
	}
	return p, true
}

func (c *tokenCache) put(sum [32]byte, p *Principal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Drop the expired, then (if still full) about half at random:
		// map order is random, and an evicted token is only verified again.
		now := time.Now()
		for k, v := range c.m {
			if !now.Before(v.Expiry) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < c.max/2 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[sum] = p
}
