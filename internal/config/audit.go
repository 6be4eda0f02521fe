package config

import (
	"path/filepath"
	"strings"
	"time"

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
	// Store is "sqlite:PATH[?sync=normal|full]" or "off"; "" leaves the
	// choice to the command (run: a file in the state directory; serve:
	// off, with a warning).
	Store string
	// KeyFile holds the Ed25519 key that signs checkpoints (made by
	// mcpwarden audit keygen); relative to the config file's directory.
	KeyFile string
	// FailClosed refuses a call whose record cannot be stored.
	FailClosed         bool
	CheckpointEvery    int
	CheckpointInterval time.Duration
	// Retention removes records older than this under a signed cut; 0
	// keeps everything.
	Retention time.Duration
}

func defaultAudit() Audit {
	return Audit{FailClosed: true, CheckpointEvery: DefaultCheckpointEvery, CheckpointInterval: DefaultCheckpointInterval,
		Retention: DefaultRetention}
}

var auditKeys = []string{"store", "key_file", "fail_closed", "retention", "checkpoint_every", "checkpoint_interval"}

func (d *decoder) audit(path string, raw *yaml.Node, a *Audit) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		switch e.name {
		case "store", "key_file", "fail_closed", "retention", "checkpoint_every", "checkpoint_interval":
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
				a.KeyFile = d.relative(s)
			}
		case "fail_closed":
			if n := resolve(v); n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
				a.FailClosed = strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "yes") || strings.EqualFold(n.Value, "on")
			} else {
				d.errorf(v, p, "expected true or false, got %s", describe(v))
			}
		case "retention":
			a.Retention, _ = d.retention(p, v)
		case "checkpoint_every":
			a.CheckpointEvery, _ = d.integer(p, v)
		case "checkpoint_interval":
			a.CheckpointInterval, _ = d.duration(p, v)
		}
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
	default:
		v.addf("audit.store", "unknown store %q: use sqlite:PATH or off", a.Store)
	}
	if strings.ContainsRune(a.KeyFile, 0) {
		v.addf("audit.key_file", "contains a NUL byte")
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
