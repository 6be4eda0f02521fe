package app

import (
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/session"
)

var serversSink []string

// The session asks its backend for the servers on every request: run's
// backend answers without allocating, always the same one server.
func TestRunBackendServers(t *testing.T) {
	var rb session.Backend = &runBackend{names: []string{"echo"}}
	if n := testing.AllocsPerRun(100, func() { serversSink = rb.Servers() }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	if s := rb.Servers(); len(s) != 1 || s[0] != "echo" {
		t.Errorf("Servers() = %v", s)
	}
}
