package authn

import (
	"crypto/sha256"
	"strconv"
	"testing"
	"time"
)

// The token cache stays bounded however many distinct tokens arrive, and
// never answers for an expired token.
func TestTokenCacheBounded(t *testing.T) {
	c := newTokenCache(100)
	now := time.Now()
	for i := range 1000 {
		c.put(sha256.Sum256([]byte(strconv.Itoa(i))), &Principal{Subject: "s", Expiry: now.Add(time.Hour)})
		if len(c.m) > 100 {
			t.Fatalf("cache holds %d entries, max 100", len(c.m))
		}
	}
	if _, ok := c.get(sha256.Sum256([]byte("999")), now); !ok {
		t.Error("the newest entry is gone")
	}
	old := sha256.Sum256([]byte("old"))
	c.put(old, &Principal{Subject: "s", Expiry: now.Add(time.Minute)})
	if _, ok := c.get(old, now.Add(2*time.Minute)); ok {
		t.Error("an expired token was answered from the cache")
	}
}
