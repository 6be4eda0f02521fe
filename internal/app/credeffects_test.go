package app

import (
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/creds"
)

// TestWatchesFor: a call is watched on its session's child's role; a
// stateless call on the server's pool.
func TestWatchesFor(t *testing.T) {
	sess, pool1, pool2, other := (&creds.Grant{}).Watch(), (&creds.Grant{}).Watch(), (&creds.Grant{}).Watch(), (&creds.Grant{}).Watch()
	watched.Lock()
	watched.m[watchKey{server: "t-db", session: "s1"}] = []*creds.Watch{sess}
	watched.m[watchKey{server: "t-db", pooled: true}] = []*creds.Watch{pool1, pool2}
	watched.m[watchKey{server: "t-other", session: "s1"}] = []*creds.Watch{other}
	watched.Unlock()
	t.Cleanup(func() {
		watched.Lock()
		for k := range watched.m {
			if strings.HasPrefix(k.server, "t-") {
				delete(watched.m, k)
			}
		}
		watched.Unlock()
	})
	if ws := watchesFor("t-db", "s1", false); len(ws) != 1 || ws[0] != sess {
		t.Errorf("session s1: %v", ws)
	}
	if ws := watchesFor("t-db", "", true); len(ws) != 2 || ws[0] != pool1 || ws[1] != pool2 {
		t.Errorf("stateless: %v", ws)
	}
	if ws := watchesFor("t-db", "s2", false); len(ws) != 0 {
		t.Errorf("a session whose child has no watched role: %v, want none (not the pool's)", ws)
	}
	if ws := watchesFor("t-none", "s1", false); len(ws) != 0 {
		t.Errorf("unknown server: %v", ws)
	}
}
