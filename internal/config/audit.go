package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/lazyre"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
	"go.yaml.in/yaml/v3"
)

// Audit defaults.
const (
	DefaultCheckpointEvery    = 10_000
	DefaultCheckpointInterval = 10 * time.Second
	DefaultRetention          = 90 * 24 * time.Hour
	MinRetention              = time.Hour
)

// Audit configures the tamper-evident audit store (docs/audit.md).
type Audit struct {
	// Store is "sqlite:PATH[?sync=normal|full]", "postgres:DSN" (DSN or
	// secret://NAME, no password in clear) or "off"; "" leaves the
	// choice to the command (run: a file in the state directory; serve:
	// off, with a warning).
	Store string
	// KeyFile holds the Ed25519 key that signs checkpoints (made by
	// mcpwarden audit keygen); relative to the config file's directory.
	// secret://NAME names it in the secrets backend instead.
	KeyFile string
	// FailClosed refuses a call whose record cannot be stored.
	FailClosed         bool
	CheckpointEvery    int
	CheckpointInterval time.Duration
	// Retention removes records older than this under a signed cut; 0
	// keeps everything.
	Retention time.Duration
	Sinks     []AuditSink
}

var natsNameRe = lazyre.New(`^[A-Za-z0-9_-]{1,64}$`)

// KeyPath is KeyFile when it names a file, "" for a secret://NAME
// reference or none.
func (a Audit) KeyPath() string {
	if strings.HasPrefix(a.KeyFile, "secret://") {
		return ""
	}
	return a.KeyFile
}

// Sink defaults.
const (
	DefaultSinkMaxSize  = 100 << 20
	DefaultSinkMaxFiles = 10
)

// AuditSink is a destination fed from the store (docs/audit.md#sinks).
type AuditSink struct {
	Type       string            // jsonl | nats | webhook | loki | otlp
	Path       string            // jsonl: the file written
	MaxSize    int64             // jsonl: rotate past this size
	MaxFiles   int               // jsonl: rotated files kept
	URL        string            // nats: server URL; webhook: where batches are POSTed; loki, otlp: base or push URL
	Subject    string            // nats: subject published to
	Stream     string            // nats: JetStream stream (created when missing)
	SecretFile string            // webhook: the HMAC-SHA256 key
	Timeout    time.Duration     // webhook, loki, otlp: per request
	Tenant     string            // loki: X-Scope-OrgID
	Labels     map[string]string // loki: stream labels added to job="mcpwarden-audit"
	Resource   map[string]string // otlp: resource attributes added to service.name=mcpwarden
}

// sinkTypeKeys lists, per sink type, the keys besides type that apply.
var sinkTypeKeys = map[string][]string{
	"jsonl":   {"path", "max_size", "max_files"},
	"nats":    {"url", "subject", "stream"},
	"webhook": {"url", "secret_file", "timeout"},
	"loki":    {"url", "tenant", "labels", "timeout"},
	"otlp":    {"url", "resource", "timeout"},
}

// DefaultSinkTimeout bounds one webhook or Loki request.
const DefaultSinkTimeout = 10 * time.Second

var lokiLabelRe = lazyre.New(`^[a-zA-Z_][a-zA-Z0-9_]{0,63}$`)

// NATS sink defaults.
const (
	DefaultNATSSubject = "mcpwarden.audit"
	DefaultNATSStream  = "MCPWARDEN_AUDIT"
)

func defaultAudit() Audit {
	return Audit{FailClosed: true, CheckpointEvery: DefaultCheckpointEvery, CheckpointInterval: DefaultCheckpointInterval,
		Retention: DefaultRetention}
}

var (
	auditKeys = []string{"store", "key_file", "fail_closed", "retention", "checkpoint_every", "checkpoint_interval", "sinks"}
	sinkKeys  = []string{"type", "path", "max_size", "max_files", "url", "subject", "stream", "secret_file", "timeout", "tenant", "labels", "resource"}
)

func (d *decoder) audit(path string, raw *yaml.Node, a *Audit) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		switch e.name {
		case "store", "key_file", "fail_closed", "retention", "checkpoint_every", "checkpoint_interval", "sinks":
		default:
			d.unknown(p, e, auditKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "store":
			if s, ok := d.str(p, v); ok {
				// A relative sqlite file is relative to the config file.
				if rest, ok := strings.CutPrefix(s, "sqlite:"); ok && rest != "" && !strings.HasPrefix(rest, "?") {
					s = "sqlite:" + d.relative(rest)
				}
				a.Store = s
			}
		case "key_file":
			if s, ok := d.str(p, v); ok {
				if strings.HasPrefix(s, "secret://") {
					a.KeyFile = s
				} else {
					a.KeyFile = d.relative(s)
				}
			}
		case "fail_closed":
			if b, ok := d.boolean(p, v); ok {
				a.FailClosed = b
			}
		case "retention":
			a.Retention, _ = d.retention(p, v)
		case "sinks":
			d.sinks(p, v, a)
		case "checkpoint_every":
			a.CheckpointEvery, _ = d.integer(p, v)
		case "checkpoint_interval":
			a.CheckpointInterval, _ = d.duration(p, v)
		}
	}
}

func (d *decoder) sinks(path string, raw *yaml.Node, a *Audit) {
	n := resolve(raw)
	if n == nil || n.Kind != yaml.SequenceNode {
		d.errorf(raw, path, "expected a list of sinks, got %s", describe(raw))
		return
	}
	a.Sinks = make([]AuditSink, 0, len(n.Content))
	for i, item := range n.Content {
		if !d.count(1) {
			return
		}
		p := joinIndex(path, i)
		d.mark(p, item)
		sk := AuditSink{MaxSize: DefaultSinkMaxSize, MaxFiles: DefaultSinkMaxFiles}
		es, ok := d.mapping(p, item)
		set := map[string]*yaml.Node{}
		if ok {
			for _, e := range es {
				ep := joinKey(p, e.name)
				if !slices.Contains(sinkKeys, e.name) {
					d.unknown(ep, e, sinkKeys)
					continue
				}
				v := d.field(ep, e)
				if v == nil {
					continue
				}
				set[e.name] = e.key
				switch e.name {
				case "type":
					sk.Type, _ = d.str(ep, v)
				case "path":
					if s, ok := d.str(ep, v); ok {
						sk.Path = d.relative(s)
					}
				case "max_size":
					sk.MaxSize, _ = d.size(ep, v)
				case "max_files":
					sk.MaxFiles, _ = d.integer(ep, v)
				case "url":
					sk.URL, _ = d.str(ep, v)
				case "subject":
					sk.Subject, _ = d.str(ep, v)
				case "stream":
					sk.Stream, _ = d.str(ep, v)
				case "secret_file":
					if s, ok := d.str(ep, v); ok {
						sk.SecretFile = d.relative(s)
					}
				case "timeout":
					sk.Timeout, _ = d.duration(ep, v)
				case "tenant":
					sk.Tenant, _ = d.str(ep, v)
				case "labels":
					sk.Labels, _ = d.strMap(ep, v, false)
				case "resource":
					sk.Resource, _ = d.strMap(ep, v, false)
				}
			}
		}
		// A key of another sink type is a mistake (a webhook with a path
		// delivers nowhere near it): say so.
		if keys, known := sinkTypeKeys[sk.Type]; known {
			for name, key := range set {
				if name != "type" && !slices.Contains(keys, name) {
					d.errorf(key, joinKey(p, name), "does not apply to a %s sink (its keys: %s)", sk.Type, strings.Join(keys, ", "))
				}
			}
		}
		if sk.Type == "webhook" || sk.Type == "loki" || sk.Type == "otlp" {
			sk.Timeout = cmp.Or(sk.Timeout, DefaultSinkTimeout)
		}
		if sk.Type == "nats" {
			sk.Subject = cmp.Or(sk.Subject, DefaultNATSSubject)
			sk.Stream = cmp.Or(sk.Stream, DefaultNATSStream)
		}
		a.Sinks = append(a.Sinks, sk)
	}
}

// retention decodes "off" or a duration that may use days: 90d, 36h.
func (d *decoder) retention(path string, raw *yaml.Node) (time.Duration, bool) {
	n := resolve(raw)
	if n != nil && n.Kind == yaml.ScalarNode {
		v := strings.TrimSpace(n.Value)
		if strings.EqualFold(v, "off") || n.ShortTag() == "!!bool" && strings.EqualFold(v, "false") {
			return 0, true
		}
		if days, ok := strings.CutSuffix(v, "d"); ok && n.ShortTag() == "!!str" {
			if k, err := parseInt(days, 32); err == nil && k > 0 {
				return time.Duration(k) * 24 * time.Hour, true
			}
			d.errorf(raw, path, "invalid retention %q: use a number of days such as 90d, a duration such as 36h, or off", n.Value)
			return 0, false
		}
	}
	return d.duration(path, raw)
}

// relative resolves a path against the config file's directory.
func (d *decoder) relative(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(d.file), p)
}

func (a *Audit) validate(v *validator) {
	switch {
	case a.Store == "", a.Store == "off":
	case strings.HasPrefix(a.Store, "sqlite:"):
		rest := strings.TrimPrefix(a.Store, "sqlite:")
		path, q, _ := strings.Cut(rest, "?")
		if path == "" {
			v.addf("audit.store", "sqlite: needs a file path, e.g. sqlite:/var/lib/mcpwarden/audit.db")
		}
		if q != "" && q != "sync=normal" && q != "sync=full" {
			v.addf("audit.store", "unknown option %q: the only option is sync=normal or sync=full", q)
		}
	case strings.HasPrefix(a.Store, "postgres:"):
		a.validatePostgres(v)
	default:
		v.addf("audit.store", "unknown store %q: use sqlite:PATH, postgres:DSN or off", a.Store)
	}
	if strings.ContainsRune(a.KeyFile, 0) {
		v.addf("audit.key_file", "contains a NUL byte")
	}
	if name, ok := strings.CutPrefix(a.KeyFile, "secret://"); ok && !secretNameRe.MatchString(name) {
		v.addf("audit.key_file", "invalid secret name in %q", a.KeyFile)
	}
	paths := map[string]bool{}
	for i, sk := range a.Sinks {
		p := joinIndex("audit.sinks", i)
		switch sk.Type {
		case "jsonl":
			if sk.Path == "" {
				v.addf(joinKey(p, "path"), "a jsonl sink needs a path")
			} else if paths[sk.Path] {
				v.addf(joinKey(p, "path"), "two sinks write %s", sk.Path)
			}
			paths[sk.Path] = true
			if sk.MaxSize < 1<<10 {
				v.addf(joinKey(p, "max_size"), "must be at least 1KiB, got %d", sk.MaxSize)
			}
			if sk.MaxFiles < 1 || sk.MaxFiles > 1000 {
				v.addf(joinKey(p, "max_files"), "must be 1-1000, got %d", sk.MaxFiles)
			}
		case "nats":
			if !strings.HasPrefix(sk.URL, "nats://") && !strings.HasPrefix(sk.URL, "tls://") {
				v.addf(joinKey(p, "url"), "a nats sink needs url: nats://HOST:PORT or tls://HOST:PORT")
			}
			if !natsNameRe.MatchString(sk.Stream) {
				v.addf(joinKey(p, "stream"), "invalid stream name %q: use A-Z, a-z, 0-9, - and _", sk.Stream)
			}
			if sk.Subject == "" || strings.ContainsAny(sk.Subject, " *>") {
				v.addf(joinKey(p, "subject"), "invalid subject %q: a literal subject, without wildcards", sk.Subject)
			}
			if paths[sk.Stream] {
				v.addf(joinKey(p, "stream"), "two sinks publish to stream %s", sk.Stream)
			}
			paths[sk.Stream] = true
		case "webhook", "loki", "otlp":
			if err := checkSinkURL(sk.URL); err != nil {
				v.addf(joinKey(p, "url"), "a %s sink needs url: %v", sk.Type, err)
			} else if paths[sk.Type+" "+sk.URL] {
				v.addf(joinKey(p, "url"), "two %s sinks deliver to %s", sk.Type, sk.URL)
			}
			paths[sk.Type+" "+sk.URL] = true
			if sk.Type == "webhook" && sk.SecretFile == "" {
				v.addf(joinKey(p, "secret_file"), "a webhook sink needs secret_file: the HMAC-SHA256 key (at least 32 bytes) its requests are signed with")
			}
			if sk.Timeout < 0 || sk.Timeout > 5*time.Minute {
				v.addf(joinKey(p, "timeout"), "must be positive and at most 5m, got %v", sk.Timeout)
			}
			if len(sk.Tenant) > 256 || strings.ContainsAny(sk.Tenant, "\r\n") {
				v.addf(joinKey(p, "tenant"), "must be one line of at most 256 bytes")
			}
			for name, val := range sk.Labels {
				if !lokiLabelRe.MatchString(name) || strings.HasPrefix(name, "__") || name == "job" {
					v.addf(joinKey(joinKey(p, "labels"), name), "invalid label name: use [a-zA-Z_][a-zA-Z0-9_]*, not __… or job")
				}
				if val == "" || len(val) > 256 {
					v.addf(joinKey(joinKey(p, "labels"), name), "label value must be 1-256 bytes")
				}
			}
			for name, val := range sk.Resource {
				if name == "" || len(name) > 256 || len(val) > 1024 || strings.ContainsAny(name+val, "\r\n") {
					v.addf(joinKey(joinKey(p, "resource"), name), "resource attribute: a name of 1-256 bytes and a value of at most 1024, on one line")
				}
			}
		case "":
			v.addf(p, "missing type (jsonl, nats, webhook, loki or otlp)")
		default:
			v.addf(joinKey(p, "type"), "unknown sink type %q (jsonl, nats, webhook, loki or otlp)", sk.Type)
		}
	}
	if len(a.Sinks) > 0 && (a.Store == "" || a.Store == "off") {
		v.addf("audit.sinks", "sinks are fed from the store: set audit.store")
	}
	if a.Retention != 0 && a.Retention < MinRetention {
		v.addf("audit.retention", "must be at least %v (or off), got %v", MinRetention, a.Retention)
	}
	// Zero values (a Config built in code) mean the defaults.
	if a.CheckpointEvery < 0 {
		v.addf("audit.checkpoint_every", "must be at least 1, got %d", a.CheckpointEvery)
	}
	if a.CheckpointInterval != 0 && a.CheckpointInterval < time.Second {
		v.addf("audit.checkpoint_interval", "must be at least 1s, got %v", a.CheckpointInterval)
	}
}

// validatePostgres checks a postgres:DSN store: the DSN is a
// secret://NAME reference or carries no password (PGPASSFILE and
// PGPASSWORD also work), and replicas writing one chain sign with one
// key, so key_file is required. Messages never quote the DSN.
func (a *Audit) validatePostgres(v *validator) {
	dsn := strings.TrimPrefix(a.Store, "postgres:")
	if name, ok := secretstore.Ref(dsn); ok {
		if err := secretstore.CheckName(name); err != nil {
			v.addf("audit.store", "%v", err)
		}
	} else {
		switch {
		case dsn == "":
			v.addf("audit.store", "postgres: needs a DSN or secret://NAME, e.g. postgres:postgres://mcpwarden@db.internal/app?sslmode=verify-full")
		case plaintextValue(dsn) != "":
			v.addf("audit.store", "the postgres DSN %s", plaintextSecret("store", dsn))
		case dsnQueryPassword(dsn):
			v.addf("audit.store", "the postgres DSN holds a password parameter in clear; %s", howToStore)
		case !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") && !strings.Contains(dsn, "="):
			v.addf("audit.store", "postgres: the DSN is neither a postgres:// URL nor key=value pairs")
		}
	}
	if a.KeyFile == "" {
		v.addf("audit.key_file", "is required with a postgres store: every replica writing the chain signs its checkpoints with this one key (make it with mcpwarden audit keygen)")
	}
}

var kvPasswordRe = lazyre.New(`(?i)(^|\s)(ssl)?password\s*=`)

// dsnQueryPassword finds a password given as a parameter (?password=,
// ?sslpassword=, or sslpassword= in key=value form), which plaintextValue
// does not look for.
func dsnQueryPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		for k, vals := range u.Query() {
			if (strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword")) && slices.ContainsFunc(vals, func(v string) bool { return v != "" }) {
				return true
			}
		}
		return false
	}
	return kvPasswordRe.MatchString(dsn)
}

// checkSinkURL wants https, or http to a loopback address: records do not
// cross a network in clear text. (internal/audit/sink checks the same at
// start; config does not import it.)
func checkSinkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("missing")
	case err != nil:
		return err
	case u.Host == "" || u.User != nil:
		return fmt.Errorf("%q: want https://host[:port]/path without user info", raw)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("%q: http:// only to a loopback address; use https://", raw)
	}
	return fmt.Errorf("%q: use https:// (or http:// to a loopback address)", raw)
}
