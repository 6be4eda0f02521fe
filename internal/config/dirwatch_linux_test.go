package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// nextEvent returns the next event's path, or "" when none comes within d.
func nextEvent(t *testing.T, w dirWatcher, d time.Duration) string {
	t.Helper()
	select {
	case name := <-w.Events():
		return name
	case err := <-w.Errors():
		t.Fatalf("watcher error: %v", err)
	case <-time.After(d):
	}
	return ""
}

// A file kept open and written over and over beside the config (an audit
// store, its journal) wakes the watcher only when it is closed; a config
// renamed into place is seen at once.
func TestDirWatcherIgnoresWritesUntilClose(t *testing.T) {
	dir := t.TempDir()
	w, err := newDirWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "audit.db")
	f, err := os.Create(store)
	if err != nil {
		t.Fatal(err)
	}
	if got := nextEvent(t, w, 2*time.Second); got != store {
		t.Fatalf("after creating %s: event %q", store, got)
	}
	for range 1000 {
		if _, err := f.Write([]byte("record\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got := nextEvent(t, w, 200*time.Millisecond); got != "" {
		t.Fatalf("1000 writes to an open file beside the config gave an event for %q", got)
	}
	f.Close()
	if got := nextEvent(t, w, 2*time.Second); got != store {
		t.Fatalf("after closing %s: event %q", store, got)
	}

	cfg := filepath.Join(dir, "mcpwarden.yaml")
	tmp := filepath.Join(dir, ".mcpwarden.yaml.tmp")
	if err := os.WriteFile(tmp, []byte("listen: 127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for nextEvent(t, w, 200*time.Millisecond) == tmp { // its create and close
	}
	if err := os.Rename(tmp, cfg); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for name := nextEvent(t, w, 2*time.Second); name != ""; name = nextEvent(t, w, 200*time.Millisecond) {
		seen[name] = true
	}
	if !seen[cfg] {
		t.Fatalf("renaming a new config into place: events %v, none for %s", seen, cfg)
	}
}

// Removing a watch, or the directory, stops its events; Close ends both
// channels.
func TestDirWatcherRemoveAndClose(t *testing.T) {
	dir := t.TempDir()
	w, err := newDirWatcher()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	if l := w.WatchList(); len(l) != 1 || l[0] != dir {
		t.Fatalf("WatchList = %v, want [%s]", l, dir)
	}
	if err := w.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := nextEvent(t, w, 200*time.Millisecond); got != "" {
		t.Fatalf("event %q after the watch was removed", got)
	}
	if err := w.Add(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Add of a missing directory succeeded")
	}
	w.Close()
	select {
	case _, ok := <-w.Events():
		if ok {
			t.Fatal("event after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Events not closed 5 s after Close")
	}
}
