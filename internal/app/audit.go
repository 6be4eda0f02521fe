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
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/audit/sink"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// auditing is the store the chain's audit stage appends to; nil when the
// store is off.
type auditing struct {
	store      *audit.Store
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
			out, cursor = n, filepath.Join(filepath.Dir(loc.Path), ".nats-"+sk.Stream+".cursor")
		case "webhook":
			w, err := sink.OpenWebhook(sk.URL, sk.SecretFile, sk.Timeout)
			if err != nil {
				return err
			}
			out, cursor = w, urlCursor(loc, "webhook", sk.URL)
		case "loki":
			l, err := sink.OpenLoki(sk.URL, sk.Tenant, sk.Labels, sk.Timeout)
			if err != nil {
				return err
			}
			out, cursor = l, urlCursor(loc, "loki", sk.URL)
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

// urlCursor names the cursor file of a sink that delivers to a URL: beside
// the database, one per URL, so that changing the URL starts afresh.
func urlCursor(loc audit.Location, kind, url string) string {
	h := sha256.Sum256([]byte(url))
	return filepath.Join(filepath.Dir(loc.Path), "."+kind+"-"+hex.EncodeToString(h[:6])+".cursor")
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

// openAudit opens the configured store. Without a key_file, the signing
// key is kept (and made on first use) beside the database.
func openAudit(c config.Audit, log *slog.Logger) (*auditing, error) {
	if c.Store == "" || c.Store == "off" {
		return nil, nil
	}
	loc, err := audit.ParseLocation(c.Store)
	if err != nil {
		return nil, err
	}
	var key *audit.Key
	if c.KeyFile != "" {
		key, err = audit.LoadKey(c.KeyFile)
	} else {
		if err := os.MkdirAll(filepath.Dir(loc.Path), 0o700); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		key, err = audit.LoadOrCreateKey(filepath.Join(filepath.Dir(loc.Path), "audit.key"))
	}
	if err != nil {
		return nil, err
	}
	a := &auditing{failClosed: c.FailClosed}
	st, err := audit.Open(loc, audit.Options{Key: key, CheckpointEvery: c.CheckpointEvery,
		CheckpointInterval: c.CheckpointInterval, Retention: c.Retention, Logger: log, OnCommit: a.poke})
	if err != nil {
		return nil, err
	}
	a.store = st
	if err := a.startSinks(loc, c.Sinks, log); err != nil {
		a.Close()
		return nil, fmt.Errorf("audit: sinks: %w", err)
	}
	log.Info("audit store open", "store", c.Store, "origin", st.Origin(), "vkey", key.VKey, "fail_closed", c.FailClosed,
		"retention", c.Retention.String())
	return a, nil
}
