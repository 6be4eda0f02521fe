package redteam

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// honeypotEnv makes the test binary act as the honeypot, so the runner
// can be tested without an mcpwarden binary.
const honeypotEnv = "MCPWARDEN_REDTEAM_TEST_HONEYPOT"

func TestMain(m *testing.M) {
	if os.Getenv(honeypotEnv) == "1" {
		os.Exit(Honeypot(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRunThroughTransparentGateway runs cases through a stand-in gateway
// that checks nothing (it starts the honeypot in its place): every attack
// must be judged missed and every benign case passed. This tests the
// runner, the honeypot and the judge together; e2e/redteam_test.go runs
// the real gateway.
func TestRunThroughTransparentGateway(t *testing.T) {
	f, err := loadSample(t, sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// As `mcpwarden run … -- BIN __honeypot ARGS`, it runs the honeypot
	// with ARGS and relays nothing itself.
	script := filepath.Join(t.TempDir(), "transparent-gateway")
	os.WriteFile(script, []byte(`#!/bin/sh
[ "$1" = run ] || exit 2
while [ "$1" != "--" ]; do shift; done
shift 3
exec env `+honeypotEnv+`=1 "`+exe+`" "$@"
`), 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, []*File{f}, Options{Gateway: script, CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a1": Missed, "b1": Passed, "r1": Missed, "r2": Missed, "p1": Missed}
	for _, v := range rep.Cases {
		if v.Outcome != want[v.ID] {
			t.Errorf("%s: %s (%s), want %s", v.ID, v.Outcome, v.Detail, want[v.ID])
		}
		if v.Duration <= 0 {
			t.Errorf("%s: no duration", v.ID)
		}
		if v.Kind == KindAttack && !v.Reached && v.Phase != "result" {
			t.Errorf("%s: not on the honeypot's record", v.ID)
		}
	}
	for _, v := range rep.Cases {
		t.Logf("%s %s reached=%v %s", v.ID, v.Outcome, v.Reached, v.Detail)
	}
	if rep.Total.Missed != 4 || rep.Total.Passed != 1 || len(rep.Failed(0.02)) == 0 {
		t.Errorf("summary %+v", rep.Total)
	}
}
