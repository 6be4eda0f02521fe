//go:build !linux

package config

import "github.com/fsnotify/fsnotify"

// fsWatcher is the dirWatcher of systems without inotify, on fsnotify
// (every operation, writes included: the portable API cannot leave them
// out).
type fsWatcher struct {
	w      *fsnotify.Watcher
	events chan string
}

func newDirWatcher() (dirWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	fw := &fsWatcher{w: w, events: make(chan string)}
	go func() {
		defer close(fw.events)
		for ev := range w.Events {
			fw.events <- ev.Name
		}
	}()
	return fw, nil
}

func (f *fsWatcher) Add(dir string) error    { return f.w.Add(dir) }
func (f *fsWatcher) Remove(dir string) error { return f.w.Remove(dir) }
func (f *fsWatcher) WatchList() []string     { return f.w.WatchList() }
func (f *fsWatcher) Events() <-chan string   { return f.events }
func (f *fsWatcher) Errors() <-chan error    { return f.w.Errors }
func (f *fsWatcher) Close() error            { return f.w.Close() }
