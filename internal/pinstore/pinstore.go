// Package pinstore keeps trust-on-first-use pins: for a server without a
// capability manifest, the hash of each tool definition (and of the
// server's instructions) as first seen. A later definition that differs is
// held as pending until an operator approves it.
//
// The store is one JSON file, shared by every gateway process of the user:
// each change is a read-modify-write under an exclusive flock, written to
// a temporary file and renamed into place, so concurrent gateways and a
// crash mid-write never lose or tear it.
package pinstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"
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
	path string
	mu   sync.Mutex
	// cache of the file as last read, and the modification it had then:
	// Check reads the file again only when another process changed it.
	data  file
	mtime time.Time
	size  int64
}

// Open opens (creating its directory) the pin file at path.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("pin store: %w", err)
	}
	s := &Store{path: path}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

// refresh rereads the file if it changed since the last read.
func (s *Store) refresh() error {
	st, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.data = file{Version: 1, Servers: map[string]map[string]Entry{}}
		s.mtime, s.size = time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	if st.ModTime().Equal(s.mtime) && st.Size() == s.size && s.data.Servers != nil {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("pin store %s: %w", s.path, err)
	}
	if f.Version != 1 {
		return fmt.Errorf("pin store %s: unknown version %d", s.path, f.Version)
	}
	if f.Servers == nil {
		f.Servers = map[string]map[string]Entry{}
	}
	s.data, s.mtime, s.size = f, st.ModTime(), st.Size()
	return nil
}

// update runs fn on the current contents under the cross-process lock and
// writes the result when fn reports a change.
func (s *Store) update(fn func(*file) bool) error {
	lock, err := os.OpenFile(s.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("pin store: lock: %w", err)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	if err := s.refresh(); err != nil {
		return err
	}
	if !fn(&s.data) {
		return nil
	}
	b, err := json.MarshalIndent(s.data, "", "  ")
	if err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".pins-*")
	if err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("pin store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("pin store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("pin store: %w", err)
	}
	if st, err := os.Stat(s.path); err == nil {
		s.mtime, s.size = st.ModTime(), st.Size()
	}
	return nil
}

// Check compares the served hashes of one server's items (item name →
// hash) with the store: unknown items are pinned, differing ones marked
// pending. It returns each item's state and, for changed ones, the pin.
func (s *Store) Check(server string, served map[string]string, now time.Time) (map[string]State, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	states := make(map[string]State, len(served))
	pins := map[string]string{}
	// Fast path: every item matches what this process read last time.
	if err := s.refresh(); err != nil {
		return nil, nil, err
	}
	if known := s.data.Servers[server]; known != nil {
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
	err := s.update(func(f *file) bool {
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
	err := s.update(func(f *file) bool {
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
	err := s.update(func(f *file) bool {
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
	if err := s.refresh(); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]Entry, len(s.data.Servers))
	for k, v := range s.data.Servers {
		out[k] = maps.Clone(v)
	}
	return out, nil
}
