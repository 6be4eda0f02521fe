package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/audit/sink"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
)

// auditing is the store the chain's audit stage appends to; nil when the
// store is off.
type auditing struct {
	store      audit.Appender
	failClosed bool

	outboxes []*sink.Outbox
	closers  []io.Closer
	stop     context.CancelFunc
	sinks    sync.WaitGroup
}

func (a *auditing) stage(sink func(*intercept.Record)) intercept.Interceptor {
	if a == nil || a.store == nil {
		return intercept.AuditLog(sink)
	}
	var st intercept.AuditStore = a.store
	if m := gatewayMetrics.Load(); m != nil {
		st = timedStore{a.store, m}
	}
	return intercept.AuditTo(sink, st, a.failClosed)
}

// Close signs the last checkpoint, then lets the sinks deliver what is
// left (bounded) and stops them.
func (a *auditing) Close() error {
	if a == nil || a.store == nil {
		return nil
	}
	err := a.store.Close()
	if a.stop != nil {
		a.stop()
		a.sinks.Wait()
	}
	for _, c := range a.closers {
		c.Close()
	}
	return err
}

// poke runs after a commit; commits start only once openAudit has
// returned, so outboxes no longer changes by then.
func (a *auditing) poke() {
	for _, o := range a.outboxes {
		o.Poke()
	}
}

// startSinks feeds each configured sink from the store.
func (a *auditing) startSinks(loc audit.Location, sinks []config.AuditSink, log *slog.Logger) error {
	if len(sinks) == 0 {
		return nil
	}
	dir, err := cursorDir(loc, a.store.Origin())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	for _, sk := range sinks {
		r, err := audit.OpenReader(loc)
		if err != nil {
			return err
		}
		a.closers = append(a.closers, r)
		var out sink.Sink
		var cursor string
		switch sk.Type {
		case "nats":
			n, err := sink.OpenNATS(ctx, sk.URL, sk.Subject, sk.Stream)
			if err != nil {
				return err
			}
			out, cursor = n, filepath.Join(dir, ".nats-"+sk.Stream+".cursor")
		case "webhook":
			w, err := sink.OpenWebhook(sk.URL, sk.SecretFile, sk.Timeout)
			if err != nil {
				return err
			}
			out, cursor = w, urlCursor(dir, "webhook", sk.URL)
		case "loki":
			l, err := sink.OpenLoki(sk.URL, sk.Tenant, sk.Labels, sk.Timeout)
			if err != nil {
				return err
			}
			out, cursor = l, urlCursor(dir, "loki", sk.URL)
		case "otlp":
			l, err := sink.OpenOTLP(sk.URL, sk.Resource, sk.Timeout)
			if err != nil {
				return err
			}
			out, cursor = l, urlCursor(dir, "otlp", sk.URL)
		default:
			j, err := sink.OpenJSONL(sk.Path, sk.MaxSize, sk.MaxFiles)
			if err != nil {
				return err
			}
			out, cursor = j, sink.CursorFileFor(sk.Path)
		}
		a.closers = append(a.closers, out)
		o := sink.New(r, out, sink.Options{CursorFile: cursor, Logger: log})
		a.outboxes = append(a.outboxes, o)
		a.sinks.Go(func() { o.Run(ctx) })
	}
	return nil
}

// urlCursor names the cursor file of a sink that delivers to a URL: in
// dir, one per URL, so that changing the URL starts afresh.
func urlCursor(dir, kind, url string) string {
	h := sha256.Sum256([]byte(url))
	return filepath.Join(dir, "."+kind+"-"+hex.EncodeToString(h[:6])+".cursor")
}

// cursorDir is where the sinks of a store keep their cursors: beside a
// SQLite file; for PostgreSQL, in the state directory, one directory per
// chain (named by its origin). Each replica keeps its own cursors, so each
// delivers the whole chain (at least once; docs/audit.md).
func cursorDir(loc audit.Location, origin string) (string, error) {
	if loc.Postgres == "" {
		return filepath.Dir(loc.Path), nil
	}
	d, err := StateDir()
	if err != nil {
		return "", err
	}
	id := origin[strings.LastIndexByte(origin, '/')+1:]
	dir := filepath.Join(d, "audit-sinks", id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return dir, nil
}

// StateDir is where mcpwarden keeps its own files by default:
// $XDG_STATE_HOME/mcpwarden, else ~/.local/state/mcpwarden.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "mcpwarden"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "mcpwarden"), nil
}

// DefaultAuditStore is mcpwarden run's store when none is configured.
func DefaultAuditStore() (string, error) {
	d, err := StateDir()
	if err != nil {
		return "", err
	}
	return "sqlite:" + filepath.Join(d, "audit.db"), nil
}

// ResolveAuditLocation parses a store URL and reads a postgres DSN kept
// in the secrets backend (postgres:secret://NAME).
func ResolveAuditLocation(ctx context.Context, store string, sec config.Secrets) (audit.Location, error) {
	loc, err := audit.ParseLocation(store)
	if err != nil {
		return audit.Location{}, err
	}
	if !strings.HasPrefix(loc.Postgres, secretstore.Scheme) {
		return loc, nil
	}
	b, err := OpenSecrets(sec)
	if err != nil {
		return audit.Location{}, fmt.Errorf("audit.store: %w", err)
	}
	return audit.ResolveLocation(ctx, loc, func(ctx context.Context, v string) (string, error) {
		return secretstore.Resolve(ctx, b, v)
	})
}

// loadAuditKey reads the checkpoint signing key from a file or, for
// secret://NAME, from the secrets backend.
func loadAuditKey(ctx context.Context, keyFile string, sec config.Secrets) (*audit.Key, error) {
	name, ok := secretstore.Ref(keyFile)
	if !ok {
		return audit.LoadKey(keyFile)
	}
	b, err := OpenSecrets(sec)
	if err != nil {
		return nil, fmt.Errorf("audit: key %s: %w", keyFile, err)
	}
	v, err := b.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("audit: key %s: %w (store the file mcpwarden audit keygen made with mcpwarden secret set %s)", keyFile, err, name)
	}
	return audit.ParseKey([]byte(v), keyFile)
}

// openAudit opens the configured store. Without a key_file, the signing
// key is kept (and made on first use) beside a SQLite database, or in the
// state directory for PostgreSQL (replicas must share one key_file).
func openAudit(c config.Audit, sec config.Secrets, log *slog.Logger) (*auditing, error) {
	if c.Store == "" || c.Store == "off" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	loc, err := ResolveAuditLocation(ctx, c.Store, sec)
	if err != nil {
		return nil, err
	}
	var key *audit.Key
	switch {
	case c.KeyFile != "":
		key, err = loadAuditKey(ctx, c.KeyFile, sec)
	default:
		dir := filepath.Dir(loc.Path)
		if loc.Postgres != "" {
			if dir, err = StateDir(); err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			log.Warn("audit: no key_file for the postgres store: signing with the state directory's key; replicas writing one chain must share one key_file")
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		key, err = audit.LoadOrCreateKey(filepath.Join(dir, "audit.key"))
	}
	if err != nil {
		return nil, err
	}
	a := &auditing{failClosed: c.FailClosed}
	st, err := audit.OpenAppender(ctx, loc, audit.Options{Key: key, CheckpointEvery: c.CheckpointEvery,
		CheckpointInterval: c.CheckpointInterval, Retention: c.Retention, Logger: log, OnCommit: a.poke})
	if err != nil {
		return nil, err
	}
	a.store = st
	if err := a.startSinks(loc, c.Sinks, log); err != nil {
		a.Close()
		return nil, fmt.Errorf("audit: sinks: %w", err)
	}
	log.Info("audit store open", "store", audit.RedactStore(c.Store), "origin", st.Origin(), "vkey", key.VKey, "fail_closed", c.FailClosed,
		"retention", c.Retention.String())
	return a, nil
}
