package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchMask is what a config file's directory is watched for: a file
// written and closed, created, deleted, renamed in or out or changed in
// its permissions (a file made readable again), and the directory itself
// going away. Not IN_MODIFY: that fires on every write(2)
// to any file there, and an audit store beside its config (store:
// sqlite:audit.db) is written on every call; measured, the watcher then
// woke for each call and cost the gateway several per cent of its CPU.
// Editors and deployment tools close what they write or rename it into
// place, which the mask sees.
const watchMask = unix.IN_CLOSE_WRITE | unix.IN_CREATE | unix.IN_DELETE | unix.IN_ATTRIB |
	unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF |
	unix.IN_ONLYDIR

// inotifyWatcher is a dirWatcher on Linux's inotify, with watchMask.
type inotifyWatcher struct {
	fd     int      // for inotify_add_watch and rm_watch; owned by f
	f      *os.File // read through the runtime's poller
	mu     sync.Mutex
	closed bool
	byWD   map[int32]string
	byDir  map[string]int32
	events chan string
	errs   chan error
	done   chan struct{}
}

func newDirWatcher() (dirWatcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("inotify_init1: %w", err)
	}
	w := &inotifyWatcher{
		fd: fd, f: os.NewFile(uintptr(fd), "inotify"),
		byWD: map[int32]string{}, byDir: map[string]int32{},
		events: make(chan string), errs: make(chan error), done: make(chan struct{}),
	}
	go w.read()
	return w, nil
}

func (w *inotifyWatcher) Add(dir string) error {
	dir = filepath.Clean(dir)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("watcher closed")
	}
	wd, err := unix.InotifyAddWatch(w.fd, dir, watchMask)
	if err != nil {
		return &os.PathError{Op: "inotify_add_watch", Path: dir, Err: err}
	}
	w.byWD[int32(wd)] = dir
	w.byDir[dir] = int32(wd)
	return nil
}

func (w *inotifyWatcher) Remove(dir string) error {
	dir = filepath.Clean(dir)
	w.mu.Lock()
	defer w.mu.Unlock()
	wd, ok := w.byDir[dir]
	if !ok || w.closed {
		return nil
	}
	delete(w.byDir, dir)
	delete(w.byWD, wd)
	if _, err := unix.InotifyRmWatch(w.fd, uint32(wd)); err != nil && err != unix.EINVAL {
		return &os.PathError{Op: "inotify_rm_watch", Path: dir, Err: err}
	}
	return nil
}

func (w *inotifyWatcher) WatchList() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := make([]string, 0, len(w.byDir))
	for d := range w.byDir {
		l = append(l, d)
	}
	return l
}

func (w *inotifyWatcher) Events() <-chan string { return w.events }
func (w *inotifyWatcher) Errors() <-chan error  { return w.errs }

func (w *inotifyWatcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.done)
	return w.f.Close() // wakes the reader, which then closes the channels
}

func (w *inotifyWatcher) read() {
	defer close(w.events)
	defer close(w.errs)
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			send(w.done, w.errs, fmt.Errorf("inotify: read: %w", err))
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			end := off + unix.SizeofInotifyEvent + int(ev.Len)
			if end > n {
				break // the kernel never splits an event; be safe anyway
			}
			name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:end], "\x00")) // NUL-padded
			off = end
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				if !send(w.done, w.errs, errors.New("inotify: event queue overflow")) {
					return
				}
				continue
			}
			w.mu.Lock()
			dir, ok := w.byWD[ev.Wd]
			if ev.Mask&unix.IN_IGNORED != 0 && ok { // the directory went away
				delete(w.byWD, ev.Wd)
				if w.byDir[dir] == ev.Wd {
					delete(w.byDir, dir)
				}
			}
			w.mu.Unlock()
			if !ok {
				continue
			}
			path := dir
			if name != "" {
				path = filepath.Join(dir, name)
			}
			if !send(w.done, w.events, path) {
				return
			}
		}
	}
}

// send delivers v on ch unless the watcher is closing; it reports whether
// it did.
func send[T any](done <-chan struct{}, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-done:
		return false
	}
}
