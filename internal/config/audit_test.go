package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseAudit(t *testing.T) {
	c := mustParse(t, `audit:
  store: sqlite:audit.db?sync=full
  key_file: keys/audit.key
  fail_closed: false
  retention: 30d
  checkpoint_every: 500
  checkpoint_interval: 30s
servers:
  a: {command: [x]}
`)
	dir := filepath.Dir("test.yaml")
	want := Audit{Store: "sqlite:" + filepath.Join(dir, "audit.db?sync=full"), KeyFile: filepath.Join(dir, "keys/audit.key"),
		CheckpointEvery: 500, CheckpointInterval: 30 * time.Second, Retention: 30 * 24 * time.Hour}
	if c.Audit != want {
		t.Errorf("Audit = %+v, want %+v", c.Audit, want)
	}
	if d := mustParse(t, "servers: {a: {command: [x]}}\n"); d.Audit != defaultAudit() || !d.Audit.FailClosed {
		t.Errorf("default Audit = %+v", d.Audit)
	}
}

func TestAuditRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"off": 0, "false": 0, "1d": 24 * time.Hour, "36h": 36 * time.Hour} {
		c := mustParse(t, "audit: {retention: "+in+"}\nservers: {a: {command: [x]}}\n")
		if c.Audit.Retention != want {
			t.Errorf("retention %s = %v, want %v", in, c.Audit.Retention, want)
		}
	}
	for _, bad := range []string{"0d", "-1d", "30m", "xd"} {
		if _, err := Parse("x.yaml", []byte("audit: {retention: "+bad+"}\nservers: {a: {command: [x]}}\n")); err == nil {
			t.Errorf("retention %s accepted", bad)
		}
	}
}

func TestAuditProblems(t *testing.T) {
	_, err := Parse("x.yaml", []byte(`audit:
  store: postgres:x
  fail_closed: maybe
  checkpoint_every: -1
  checkpoint_interval: 1ms
  sink: []
  retention: 5x
servers:
  a: {command: [x]}
`))
	if err == nil {
		t.Fatal("no problems")
	}
	for _, want := range []string{
		`x.yaml:2:10: audit.store: unknown store "postgres:x"`,
		`x.yaml:3:16: audit.fail_closed: expected true or false, got a string`,
		`x.yaml:4:21: audit.checkpoint_every: must be at least 1`,
		`x.yaml:5:24: audit.checkpoint_interval: must be at least 1s`,
		`x.yaml:6:3: audit.sink: unknown key`,
		`x.yaml:7:14: audit.retention: invalid duration "5x"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
