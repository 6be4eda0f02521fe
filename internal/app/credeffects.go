package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/creds"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/session"
)

// Per-call SQL effects (docs/audit.md "Downstream effects"): for a server
// whose children log in with a just-in-time PostgreSQL role, each call is
// a window on that role's pg_stat_statements counters, opened before the
// request goes to the child and closed once it answered; what grew in
// between is the call's effect. Which role serves a call: the one minted
// for the child of the call's session, or for a stateless request (served
// by the shared pool) every role of the server's pool.

// snapshotTimeout bounds one look at pg_stat_statements. After a failure
// the broker does not look again for 10 s (creds.failPause), so a
// database in trouble costs a call at most this once.
const snapshotTimeout = 2 * time.Second

// watchKey finds the roles that may serve a call.
type watchKey struct {
	server  string
	session string // the gateway session whose child it is; "" for run's one session
	pooled  bool   // a shared (stateless) child of the server
}

// watched holds the watches of live children with effects on.
var watched = struct {
	sync.Mutex
	m map[watchKey][]*creds.Watch
}{m: map[watchKey][]*creds.Watch{}}

// effectGrants are the grants mintFor enabled effects for, until
// bindGrant knows their child.
var effectGrants sync.Map // *creds.Grant → struct{}

// statementsLogged: brokers whose unavailable pg_stat_statements was
// logged (once each).
var statementsLogged sync.Map // *creds.Postgres → struct{}

// enableEffects marks g for per-call effects when its broker can read
// pg_stat_statements; when it cannot, the gateway says why once and the
// child runs without them.
func (b *backend) enableEffects(ctx context.Context, p *creds.Postgres, g *creds.Grant, server string) {
	if err := p.EnableStatements(ctx); err != nil {
		if _, logged := statementsLogged.LoadOrStore(p, struct{}{}); !logged {
			b.log.Warn("per-call SQL effects unavailable: calls go on without them (credentials.postgres.effects: false silences this)",
				"server", server, "target", p.Target(), "err", err)
		}
		return
	}
	effectGrants.Store(g, struct{}{})
}

// watchChild registers the watch of g's child, if mintFor enabled
// effects for it and the child started, and returns what to run once the
// child has ended: unregister, and record what the role ran after the
// last call (before the role is dropped).
func (b *backend) watchChild(ctx context.Context, g creds.Credential, startErr error, multiplexed bool) (ended func()) {
	pg, ok := g.(*creds.Grant)
	if !ok {
		return func() {}
	}
	if _, on := effectGrants.LoadAndDelete(pg); !on || startErr != nil {
		return func() {}
	}
	key := watchKey{server: pg.Server, pooled: multiplexed}
	if !multiplexed {
		key.session, _ = intercept.SessionFrom(ctx)
	}
	w := pg.Watch()
	watched.Lock()
	watched.m[key] = append(watched.m[key], w)
	watched.Unlock()
	return func() {
		watched.Lock()
		ws := slices.DeleteFunc(watched.m[key], func(x *creds.Watch) bool { return x == w })
		if len(ws) == 0 {
			delete(watched.m, key)
		} else {
			watched.m[key] = ws
		}
		watched.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), snapshotTimeout)
		defer cancel()
		if ss, err := w.Final(ctx); err == nil && len(ss) > 0 {
			b.audit.record(event{Method: "effects/outside-call", Server: pg.Server, Name: w.Role(),
				Reason: "statements run as " + w.Role() + " after the last call of its child", Effects: sqlEffectsOf(w, ss, 0)})
		}
	}
}

// watchesFor are the roles that may serve a call to server: a stateless
// (2026-07-28) call is served by the server's pool, any other by the
// child of its session (session.conn makes the same choice).
func watchesFor(server, sessionID string, stateless bool) []*creds.Watch {
	key := watchKey{server: server, session: sessionID}
	if stateless {
		key = watchKey{server: server, pooled: true}
	}
	watched.Lock()
	defer watched.Unlock()
	return slices.Clone(watched.m[key])
}

// sqlEffects is the intercept.EffectWatcher of one configuration.
type sqlEffects struct {
	servers map[string]bool // servers with credentials.postgres.effects on
	audit   func() recorder
	log     *slog.Logger
	warned  atomic.Int64 // unix seconds of the last failure logged
}

// effectWatcher returns the watcher for b's servers; nil when none mints
// PostgreSQL roles with effects on.
func (b *backend) effectWatcher() intercept.EffectWatcher {
	on := map[string]bool{}
	for name, s := range b.servers {
		if pg := s.Credentials.Postgres; pg != nil && pg.Effects {
			on[name] = true
		}
	}
	if len(on) == 0 {
		return nil
	}
	// Read b.audit at use: run replaces its early recorder once the
	// audit store is open, and the watcher must not keep the first one.
	return &sqlEffects{servers: on, audit: func() recorder { return b.audit }, log: b.log}
}

func snapshotCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	// A call the client cancels still closes its window: the role's
	// baseline must move on.
	return context.WithTimeout(context.WithoutCancel(ctx), snapshotTimeout)
}

// Watch opens a window on every role that may serve the call.
func (e *sqlEffects) Watch(ctx context.Context, x *intercept.Exchange) func(context.Context, *intercept.Exchange) {
	if !e.servers[x.Server] {
		return nil
	}
	sessionID, stateless := "", false
	if x.Peer != nil {
		sessionID, stateless = x.Peer.SessionID, x.Peer.Era == session.EraModern
	}
	ws := watchesFor(x.Server, sessionID, stateless)
	wins := make([]*creds.Window, len(ws))
	for i, w := range ws {
		sctx, cancel := snapshotCtx(ctx)
		win, outside, err := w.Open(sctx)
		cancel()
		wins[i] = win
		if err != nil {
			e.failed(x.Server, w, err)
		}
		if len(outside) > 0 {
			e.audit().record(event{Method: "effects/outside-call", Server: x.Server, Name: w.Role(),
				Reason:  "statements run as " + w.Role() + " outside any call (between calls, or during requests not watched)",
				Effects: sqlEffectsOf(w, outside, 0)})
		}
	}
	return func(ctx context.Context, x *intercept.Exchange) {
		sctx, cancel := snapshotCtx(ctx)
		defer cancel()
		// A child started by this call (the first stateless request to
		// a server starts its pool) has a role born in the window: all
		// it ran so far is the call's.
		for _, w := range watchesFor(x.Server, sessionID, stateless) {
			if slices.Contains(ws, w) {
				continue
			}
			ran, err := w.Final(sctx)
			if err != nil {
				e.failed(x.Server, w, err)
			}
			for _, ef := range sqlEffectsOf(w, ran, 0) {
				x.AddEffect(ef)
			}
		}
		for i, win := range wins {
			ran, shared, err := win.Close(sctx)
			if err != nil {
				e.failed(x.Server, ws[i], err)
				x.AddEffect(intercept.Effect{Kind: "sql", Target: ws[i].Database(), Role: ws[i].Role(),
					Error: "statements not read: " + err.Error()})
				continue
			}
			for _, ef := range sqlEffectsOf(ws[i], ran, shared) {
				x.AddEffect(ef)
			}
		}
	}
}

// sqlEffectsOf turns statements into effects. The fingerprint is the
// queryid in decimal, as pg_stat_statements shows it. A window shared
// with other calls says so in error: its statements may be theirs.
func sqlEffectsOf(w *creds.Watch, ss []creds.Statement, shared int) []intercept.Effect {
	note := ""
	if shared > 0 {
		note = fmt.Sprintf("attribution: window shared with %d concurrent call", shared)
		if shared > 1 {
			note += "s"
		}
	}
	out := make([]intercept.Effect, len(ss))
	for i, s := range ss {
		out[i] = intercept.Effect{Kind: "sql", Target: w.Database(), Operation: s.Op, Fingerprint: strconv.FormatInt(s.QueryID, 10),
			Role: w.Role(), Rows: s.Rows, RowsKnown: true, Error: note}
	}
	return out
}

// failed logs a failed look at the statistics, at most once a minute.
func (e *sqlEffects) failed(server string, w *creds.Watch, err error) {
	now := time.Now().Unix()
	if last := e.warned.Load(); now-last < 60 || !e.warned.CompareAndSwap(last, now) {
		return
	}
	e.log.Warn("per-call SQL effects: statistics not read; the call's record says so", "server", server, "role", w.Role(), "err", err)
}
