package authn

import (
	"slices"
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
	// kid is the key that verified the token; until is when the entry
	// ends: the token's expiry, or the key's end if sooner.
	kid   string
	until time.Time
	// subKey is the SubjectKey of the token's subject, with a revocation
	// list that revokes by subject.
	subKey string
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
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e, true
}

func (c *tokenCache) put(sum [32]byte, p *Principal) { c.putKey(sum, p, 0, "", time.Time{}, "") }

// putKey caches p, verified by key kid, which ends at keyEnd (zero:
// never); subKey is its subject's revocation key ("" when not revocable
// by subject).
func (c *tokenCache) putKey(sum [32]byte, p *Principal, epoch uint64, kid string, keyEnd time.Time, subKey string) {
	e := &cacheEntry{p: p, kid: kid, until: p.Expiry, subKey: subKey}
	if !keyEnd.IsZero() && keyEnd.Before(e.until) {
		e.until = keyEnd
	}
	e.epoch.Store(epoch)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Drop the expired, then (if still full) about half at random:
		// map order is random, and an evicted token is only verified again.
		now := time.Now()
		for k, v := range c.m {
			if !now.Before(v.until) {
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

// dropKIDs removes the entries verified by the keys kids (keys the
// issuer no longer lists).
func (c *tokenCache) dropKIDs(kids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if slices.Contains(kids, e.kid) {
			delete(c.m, k)
		}
	}
}

func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
