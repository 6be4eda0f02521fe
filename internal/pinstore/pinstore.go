// Package pinstore keeps trust-on-first-use pins: for a server without a
// capability manifest, the hash of each tool definition (and of the
// server's instructions) as first seen. A later definition that differs is
// held as pending until an operator approves it.
//
// The store is one JSON file shared by every gateway process of the user
// (internal/statefile).
package pinstore

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/statefile"
)

// State is the outcome of checking one item against the store.
type State int

const (
	// Pinned: the item matches its pin.
	Pinned State = iota
	// First: the item was not known; it is pinned now.
	First
	// Changed: the item differs from its pin; the new hash is pending.
	Changed
)

// Entry is one pinned item.
type Entry struct {
	Pin       string    `json:"pin"`
	FirstSeen time.Time `json:"first_seen"`
	// Pending is the hash last served that differs from Pin, waiting for
	// an operator's approval.
	Pending     string    `json:"pending,omitempty"`
	PendingSeen time.Time `json:"pending_seen,omitzero"`
}

type file struct {
	Version int                         `json:"version"`
	Servers map[string]map[string]Entry `json:"servers"` // server key → item → entry
}

// Store is an open pin file. Safe for concurrent use.
type Store struct {
	mu sync.Mutex
	f  *statefile.File[file]
}

// Open opens (creating its directory) the pin file at path.
func Open(path string) (*Store, error) {
	f, err := statefile.Open(path,
		func() file { return file{Version: 1, Servers: map[string]map[string]Entry{}} },
		func(f *file) error {
			if f.Version != 1 {
				return fmt.Errorf("unknown pin file version %d", f.Version)
			}
			if f.Servers == nil {
				f.Servers = map[string]map[string]Entry{}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("pin store: %w", err)
	}
	return &Store{f: f}, nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.f.Path() }

// Check compares the served hashes of one server's items (item name →
// hash) with the store: unknown items are pinned, differing ones marked
// pending. It returns each item's state and, for changed ones, the pin.
func (s *Store) Check(server string, served map[string]string, now time.Time) (map[string]State, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	states := make(map[string]State, len(served))
	pins := map[string]string{}
	// Fast path: every item matches the file (read only if it changed).
	if err := s.f.Refresh(); err != nil {
		return nil, nil, err
	}
	if known := s.f.Data().Servers[server]; known != nil {
		all := true
		for item, h := range served {
			if e, ok := known[item]; !ok || e.Pin != h {
				all = false
				break
			}
		}
		if all {
			for item := range served {
				states[item] = Pinned
			}
			return states, pins, nil
		}
	}
	err := s.f.Update(func(f *file) bool {
		changed := false
		items := f.Servers[server]
		if items == nil {
			items = map[string]Entry{}
			f.Servers[server] = items
		}
		for item, h := range served {
			e, ok := items[item]
			switch {
			case !ok:
				items[item] = Entry{Pin: h, FirstSeen: now}
				states[item], changed = First, true
			case e.Pin == h:
				states[item] = Pinned
			default:
				states[item], pins[item] = Changed, e.Pin
				if e.Pending != h {
					e.Pending, e.PendingSeen = h, now
					items[item], changed = e, true
				}
			}
		}
		return changed
	})
	if err != nil {
		return nil, nil, err
	}
	return states, pins, nil
}

// Approve makes the pending hash of item the pin. With item "", every
// pending item of the server is approved. It returns the items approved.
func (s *Store) Approve(server, item string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var done []string
	err := s.f.Update(func(f *file) bool {
		for name, e := range f.Servers[server] {
			if (item == "" || name == item) && e.Pending != "" {
				f.Servers[server][name] = Entry{Pin: e.Pending, FirstSeen: e.PendingSeen}
				done = append(done, name)
			}
		}
		return len(done) > 0
	})
	slices.Sort(done)
	return done, err
}

// Forget removes a server's pins (item "") or one item's.
func (s *Store) Forget(server, item string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	err := s.f.Update(func(f *file) bool {
		items, ok := f.Servers[server]
		switch {
		case !ok:
		case item == "":
			delete(f.Servers, server)
			found = true
		default:
			if _, found = items[item]; found {
				delete(items, item)
			}
		}
		return found
	})
	return found, err
}

// All returns a copy of every server's entries.
func (s *Store) All() (map[string]map[string]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.f.Refresh(); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]Entry, len(s.f.Data().Servers))
	for k, v := range s.f.Data().Servers {
		out[k] = maps.Clone(v)
	}
	return out, nil
}
