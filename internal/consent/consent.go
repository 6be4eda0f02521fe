// Package consent asks a person before an agent uses a tool for the first
// time. A call without a grant opens a request with an unguessable id; the
// person opens the request's page, sees who wants which tool of which
// server with which arguments, and grants or denies it. Grants are kept
// per principal, server and tool in a state file shared by the user's
// gateways, optionally with an expiry.
package consent

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/statefile"
)

// Defaults.
const (
	DefaultRequestTTL = 10 * time.Minute
	// maxPending bounds the open requests: past it, new ones are refused
	// until some are decided or expire, so callers cannot grow memory.
	maxPending = 1000
	// maxWatchers bounds the sessions waiting on one request.
	maxWatchers = 16
	// DenialHold is how long a denial answers for its key before a new
	// request may be opened: a refused agent does not reopen the question
	// at once.
	DenialHold = time.Minute
)

// Key names what a grant covers.
type Key struct {
	Principal string `json:"principal"`
	Server    string `json:"server"`
	Tool      string `json:"tool"`
}

// Grant is one person's approval.
type Grant struct {
	Key
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Expires time.Time `json:"expires,omitzero"`
}

// Request is one open question to a person.
type Request struct {
	ID string
	Key
	Risk    string
	Args    string // the call's arguments as shown to the person (redacted, bounded)
	Created time.Time
	Expires time.Time
	// Decision is "" while open, then "granted" or "denied".
	Decision string
	By       string

	watchers []func(Request)
}

type grantsFile struct {
	Version int     `json:"version"`
	Grants  []Grant `json:"grants"`
}

// Broker holds the grants and the open requests. Safe for concurrent use.
type Broker struct {
	grantTTL   time.Duration
	requestTTL time.Duration

	mu      sync.Mutex
	f       *statefile.File[grantsFile] // nil: grants live in memory only
	mem     grantsFile
	pending map[string]*Request
	byKey   map[Key]*Request
	denied  map[Key]time.Time // key → end of its denial hold
}

// New opens the grants at path ("" keeps them in memory). Grants expire
// after grantTTL (0: never).
func New(path string, grantTTL time.Duration) (*Broker, error) {
	b := &Broker{grantTTL: grantTTL, requestTTL: DefaultRequestTTL,
		pending: map[string]*Request{}, byKey: map[Key]*Request{}, denied: map[Key]time.Time{}, mem: grantsFile{Version: 1}}
	if path != "" {
		f, err := statefile.Open(path, func() grantsFile { return grantsFile{Version: 1} }, func(g *grantsFile) error {
			if g.Version != 1 {
				return fmt.Errorf("unknown grants file version %d", g.Version)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("consent: %w", err)
		}
		b.f = f
	}
	return b, nil
}

// grants runs fn on the current grants, writing them when fn changes them.
func (b *Broker) grants(fn func(*grantsFile) bool) error {
	if b.f == nil {
		fn(&b.mem)
		return nil
	}
	return b.f.Update(fn)
}

// Granted reports whether k has a live grant.
func (b *Broker) Granted(k Key, now time.Time) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var g *grantsFile
	if b.f == nil {
		g = &b.mem
	} else {
		if err := b.f.Refresh(); err != nil {
			return false, fmt.Errorf("consent: %w", err)
		}
		g = b.f.Data()
	}
	for _, gr := range g.Grants {
		if gr.Key == k && (gr.Expires.IsZero() || now.Before(gr.Expires)) {
			return true, nil
		}
	}
	return false, nil
}

// ErrTooMany is Ask's error when too many requests are open.
var ErrTooMany = errors.New("consent: too many requests are waiting for a decision")

// ErrDenied is Ask's error while a recent denial of the key holds.
var ErrDenied = errors.New("consent: a person denied this recently")

// Ask opens a request for k, or returns the one already open for it.
func (b *Broker) Ask(k Key, risk, args string, now time.Time) (*Request, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expire(now)
	if r := b.byKey[k]; r != nil {
		return r, nil
	}
	if until, ok := b.denied[k]; ok && now.Before(until) {
		return nil, ErrDenied
	}
	if len(b.pending) >= maxPending {
		return nil, ErrTooMany
	}
	id := make([]byte, 18)
	rand.Read(id)
	r := &Request{ID: base64.RawURLEncoding.EncodeToString(id), Key: k, Risk: risk, Args: args,
		Created: now, Expires: now.Add(b.requestTTL)}
	b.pending[r.ID], b.byKey[k] = r, r
	return r, nil
}

// Watch calls fn once request id is decided (not when it expires). It
// reports false when the request is not open or has enough watchers.
func (b *Broker) Watch(id string, fn func(Request)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.pending[id]
	if !ok || len(r.watchers) >= maxWatchers {
		return false
	}
	r.watchers = append(r.watchers, fn)
	return true
}

// expire drops requests and denial holds past their time. Callers hold mu.
func (b *Broker) expire(now time.Time) {
	for k, until := range b.denied {
		if !now.Before(until) {
			delete(b.denied, k)
		}
	}
	for id, r := range b.pending {
		if !now.Before(r.Expires) {
			delete(b.pending, id)
			if b.byKey[r.Key] == r {
				delete(b.byKey, r.Key)
			}
		}
	}
}

// Lookup returns a copy of the open request id.
func (b *Broker) Lookup(id string, now time.Time) (Request, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expire(now)
	r, ok := b.pending[id]
	if !ok {
		return Request{}, false
	}
	c := *r
	c.watchers = nil
	return c, true
}

// ErrNoRequest is Decide's error for an unknown, expired or decided id.
var ErrNoRequest = errors.New("consent: no such request (it may have expired or been decided)")

// Decide closes request id: grant records a grant for its key. Each
// request is decided once.
func (b *Broker) Decide(id string, grant bool, by string, now time.Time) (Request, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expire(now)
	r, ok := b.pending[id]
	if !ok {
		return Request{}, ErrNoRequest
	}
	if grant {
		g := Grant{Key: r.Key, By: by, At: now}
		if b.grantTTL > 0 {
			g.Expires = now.Add(b.grantTTL)
		}
		err := b.grants(func(f *grantsFile) bool {
			f.Grants = slices.DeleteFunc(f.Grants, func(o Grant) bool { return o.Key == g.Key })
			f.Grants = append(f.Grants, g)
			return true
		})
		if err != nil {
			return Request{}, fmt.Errorf("consent: %w", err)
		}
		r.Decision = "granted"
	} else {
		r.Decision = "denied"
		b.denied[r.Key] = now.Add(DenialHold)
	}
	r.By = by
	delete(b.pending, id)
	delete(b.byKey, r.Key)
	done := *r
	done.watchers = nil
	for _, fn := range r.watchers {
		go fn(done) // a slow client must not hold the broker
	}
	return done, nil
}

// Revoke removes the grant of k; it reports whether there was one.
func (b *Broker) Revoke(k Key) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	found := false
	err := b.grants(func(f *grantsFile) bool {
		n := len(f.Grants)
		f.Grants = slices.DeleteFunc(f.Grants, func(o Grant) bool { return o.Key == k })
		found = len(f.Grants) != n
		return found
	})
	return found, err
}

// Grants lists the recorded grants, expired ones included.
func (b *Broker) Grants() ([]Grant, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.f == nil {
		return slices.Clone(b.mem.Grants), nil
	}
	if err := b.f.Refresh(); err != nil {
		return nil, err
	}
	return slices.Clone(b.f.Data().Grants), nil
}
