package testpeers

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"
)

// RedisURL is the Redis the tests use: the development machines' local
// server, which .ci/run starts when it is missing.
const RedisURL = "redis://127.0.0.1:6379/0"

// Redis checks that RedisURL answers and returns a key prefix of the test's
// own (name + random hex + ":"), so that parallel tests and runs never see
// each other's keys. Like Postgres, a missing server skips the test, except
// in CI, where it fails.
func Redis(t testing.TB, name string) (url, prefix string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis is required in CI: %v", err)
		}
		t.Skipf("no Redis on 127.0.0.1:6379: %v", err)
	}
	c.Close()
	var b [6]byte
	rand.Read(b[:])
	return RedisURL, name + ":" + hex.EncodeToString(b[:]) + ":"
}
