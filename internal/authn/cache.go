package authn

import (
	"sync"
	"sync/atomic"
	"time"
)

const defaultCacheSize = 10_000

// tokenCache remembers verified tokens by their SHA-256 until they expire,
// so that a client sending the same token on every request pays for the
// signature once. Entries are immutable Principals shared by readers.
// With a revocation list (Config.Revocations) every hit is checked against
// it, and a revoked token's entry is dropped.
type tokenCache struct {
	mu  sync.RWMutex
	max int
	m   map[[32]byte]*cacheEntry
}

type cacheEntry struct {
	p *Principal
	// epoch is the revocation list's epoch when the token was last checked
	// against the shared store.
	epoch atomic.Uint64
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, m: make(map[[32]byte]*cacheEntry)}
}

func (c *tokenCache) get(sum [32]byte, now time.Time) (*Principal, bool) {
	e, ok := c.entry(sum, now)
	if !ok {
		return nil, false
	}
	return e.p, true
}

func (c *tokenCache) entry(sum [32]byte, now time.Time) (*cacheEntry, bool) {
	c.mu.RLock()
	e, ok := c.m[sum]
	c.mu.RUnlock()
	if !ok || !now.Before(e.p.Expiry) {
		return nil, false
	}
	return e, true
}

func (c *tokenCache) put(sum [32]byte, p *Principal) { c.putEpoch(sum, p, 0) }

func (c *tokenCache) putEpoch(sum [32]byte, p *Principal, epoch uint64) {
	e := &cacheEntry{p: p}
	e.epoch.Store(epoch)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Drop the expired, then (if still full) about half at random:
		// map order is random, and an evicted token is only verified again.
		now := time.Now()
		for k, v := range c.m {
			if !now.Before(v.p.Expiry) {
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
	c.m[sum] = e
}

func (c *tokenCache) drop(sum [32]byte) {
	c.mu.Lock()
	delete(c.m, sum)
	c.mu.Unlock()
}

// dropJTI removes every entry of token id jti (a revocation heard); it
// scans, as revocations are rare and the cache is bounded.
func (c *tokenCache) dropJTI(jti string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.m {
		if e.p.JTI == jti {
			delete(c.m, k)
			n++
		}
	}
	return n
}

func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
