package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
	if !cmp.Equal(c.Audit, want) {
		t.Errorf("Audit = %+v, want %+v", c.Audit, want)
	}
	if d := mustParse(t, "servers: {a: {command: [x]}}\n"); !cmp.Equal(d.Audit, defaultAudit()) || !d.Audit.FailClosed {
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

func TestAuditSinks(t *testing.T) {
	c := mustParse(t, `audit:
  store: sqlite:/a.db
  sinks:
    - {type: jsonl, path: /var/log/a.jsonl}
    - type: jsonl
      path: b.jsonl
      max_size: 1MiB
      max_files: 3
    - {type: nats, url: "nats://127.0.0.1:4222"}
servers: {a: {command: [x]}}
`)
	want := []AuditSink{{Type: "jsonl", Path: "/var/log/a.jsonl", MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles},
		{Type: "jsonl", Path: "b.jsonl", MaxSize: 1 << 20, MaxFiles: 3}}
	want = append(want, AuditSink{Type: "nats", URL: "nats://127.0.0.1:4222", Subject: DefaultNATSSubject, Stream: DefaultNATSStream,
		MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles})
	if !cmp.Equal(c.Audit.Sinks, want) {
		t.Errorf("sinks %+v", c.Audit.Sinks)
	}
	_, err := Parse("x.yaml", []byte(`audit:
  sinks:
    - {type: splunk, path: a}
    - {type: jsonl}
    - {path: a, colour: red}
    - {type: nats, subject: a.>}
servers: {a: {command: [x]}}
`))
	for _, want := range []string{
		`x.yaml:2:3: audit.sinks: sinks are fed from the store`,
		`audit.sinks[0].type: unknown sink type "splunk"`,
		`audit.sinks[1].path: a jsonl sink needs a path`,
		`audit.sinks[2]: missing type`,
		`audit.sinks[3].url: a nats sink needs url`,
		`audit.sinks[3].subject: invalid subject "a.>"`,
		`audit.sinks[2].colour: unknown key`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestAuditHTTPSinks(t *testing.T) {
	c := mustParse(t, `audit:
  store: sqlite:/a.db
  sinks:
    - {type: webhook, url: "https://hooks.example.com/audit", secret_file: hook.key}
    - type: loki
      url: "http://127.0.0.1:3100"
      tenant: acme
      labels: {env: prod, region: eu}
      timeout: 3s
servers: {a: {command: [x]}}
`)
	want := []AuditSink{
		{Type: "webhook", URL: "https://hooks.example.com/audit", SecretFile: "hook.key", Timeout: DefaultSinkTimeout, MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles},
		{Type: "loki", URL: "http://127.0.0.1:3100", Tenant: "acme", Labels: map[string]string{"env": "prod", "region": "eu"}, Timeout: 3 * time.Second,
			MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles},
	}
	if !cmp.Equal(c.Audit.Sinks, want) {
		t.Errorf("sinks %+v", c.Audit.Sinks)
	}
	_, err := Parse("x.yaml", []byte(`audit:
  store: sqlite:/a.db
  sinks:
    - {type: webhook, url: "http://hooks.example.com/audit"}
    - {type: webhook, url: "https://h.example/", secret_file: k, path: /tmp/x}
    - {type: loki, url: "ftp://127.0.0.1", labels: {__name__: x, job: y, ok: ""}, timeout: 10m}
    - {type: loki}
    - {type: jsonl, path: /tmp/a.jsonl, url: "https://x.example/"}
servers: {a: {command: [x]}}
`))
	for _, want := range []string{
		`audit.sinks[0].url: a webhook sink needs url: "http://hooks.example.com/audit": http:// only to a loopback address`,
		`audit.sinks[0].secret_file: a webhook sink needs secret_file`,
		`audit.sinks[1].path: does not apply to a webhook sink`,
		`audit.sinks[2].url: a loki sink needs url: "ftp://127.0.0.1": use https://`,
		`audit.sinks[2].labels.__name__: invalid label name`,
		`audit.sinks[2].labels.job: invalid label name`,
		`audit.sinks[2].labels.ok: label value must be 1-256 bytes`,
		`audit.sinks[2].timeout: must be positive and at most 5m`,
		`audit.sinks[3].url: a loki sink needs url: missing`,
		`audit.sinks[4].url: does not apply to a jsonl sink`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestAuditProblems(t *testing.T) {
	_, err := Parse("x.yaml", []byte(`audit:
  store: mysql:x
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
		`x.yaml:2:10: audit.store: unknown store "mysql:x"`,
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

// A postgres store's DSN never carries a password in the config: attack
// cases (every way a password can be written) and benign look-alikes.
func TestAuditPostgresStore(t *testing.T) {
	for _, tc := range []struct {
		store, key string
		want       string // "" = accepted
	}{
		{"postgres:postgres://mcpwarden@db.internal/app?sslmode=verify-full", "/k", ""},
		{"postgres:postgresql://db.internal:5433/app?search_path=audit_chain", "/k", ""},
		{"postgres:host=db.internal dbname=app user=mcpwarden sslmode=require", "/k", ""},
		{"postgres:secret://audit-dsn", "/k", ""},
		// Look-alikes: a user or host named password, an empty password parameter.
		{"postgres:postgres://password@password.example/app", "/k", ""},
		{"postgres:postgres://u@h/app?password=", "/k", ""},
		{"postgres:host=h user=password", "/k", ""},
		// Attacks.
		{"postgres:postgres://u:hunter2@h/app", "/k", "password in clear"},
		{"postgres:postgres://u@h/app?password=hunter2", "/k", "password parameter in clear"},
		{"postgres:postgresql://u@h/app?sslmode=verify-full&PassWord=hunter2", "/k", "password parameter in clear"},
		{"postgres:postgres://u@h/app?sslpassword=hunter2", "/k", "password parameter in clear"},
		{"postgres:host=h password=hunter2", "/k", "password in clear"},
		{"postgres:host=h sslpassword=hunter2", "/k", "password parameter in clear"},
		{"postgres:host=h PASSWORD = 'hunter 2'", "/k", "password in clear"},
		{"postgres:secret://../x", "/k", "invalid secret name"},
		{"postgres:", "/k", "needs a DSN"},
		{"postgres:db.internal/app", "/k", "neither a postgres:// URL"},
		{"postgres:postgres://u@h/app", "", "audit.key_file: is required with a postgres store"},
	} {
		cfg := "audit:\n  store: \"" + tc.store + "\"\n"
		if tc.key != "" {
			cfg += "  key_file: " + tc.key + "\n"
		}
		_, err := Parse("x.yaml", []byte(cfg+"servers: {a: {command: [x]}}\n"))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.store, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.store, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "hunter"):
			t.Errorf("%s: the error quotes the password: %v", tc.store, err)
		}
	}
}

func TestAuditOTLPSink(t *testing.T) {
	c := mustParse(t, `audit:
  store: sqlite:/a.db
  sinks:
    - type: otlp
      url: "http://127.0.0.1:4318"
      resource: {deployment.environment: prod}
servers: {a: {command: [x]}}
`)
	want := []AuditSink{{Type: "otlp", URL: "http://127.0.0.1:4318", Resource: map[string]string{"deployment.environment": "prod"},
		Timeout: DefaultSinkTimeout, MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles}}
	if !cmp.Equal(c.Audit.Sinks, want) {
		t.Errorf("sinks %+v", c.Audit.Sinks)
	}
	_, err := Parse("x.yaml", []byte(`audit:
  store: sqlite:/a.db
  sinks:
    - {type: otlp, url: "http://collector.internal:4318"}
    - {type: otlp, url: "https://c.example", tenant: acme, resource: {a: "x\ny"}}
servers: {a: {command: [x]}}
`))
	for _, want := range []string{
		`audit.sinks[0].url: a otlp sink needs url: "http://collector.internal:4318": http:// only to a loopback address`,
		`audit.sinks[1].tenant: does not apply to a otlp sink`,
		`audit.sinks[1].resource.a: resource attribute`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestAuditKeyFileSecret(t *testing.T) {
	c := mustParse(t, "audit: {store: 'sqlite:/a.db', key_file: 'secret://audit-key'}\nservers: {a: {command: [x]}}\n")
	if c.Audit.KeyFile != "secret://audit-key" || c.Audit.KeyPath() != "" {
		t.Fatalf("key_file %q, path %q", c.Audit.KeyFile, c.Audit.KeyPath())
	}
	c = mustParse(t, "audit: {store: 'sqlite:/a.db', key_file: /etc/mcpwarden/audit.key}\nservers: {a: {command: [x]}}\n")
	if c.Audit.KeyPath() != "/etc/mcpwarden/audit.key" {
		t.Fatalf("key path %q", c.Audit.KeyPath())
	}
	_, err := Parse("x.yaml", []byte("audit: {store: 'sqlite:/a.db', key_file: 'secret://a b'}\nservers: {a: {command: [x]}}\n"))
	if err == nil || !strings.Contains(err.Error(), `audit.key_file: invalid secret name in "secret://a b"`) {
		t.Fatalf("bad secret name: %v", err)
	}
}
