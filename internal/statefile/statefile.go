// Package statefile keeps a small piece of gateway state (pins, consent
// grants) in one JSON file shared by every gateway process of the user.
// Each change is a read-modify-write under an exclusive flock, written to
// a temporary file and renamed into place, so concurrent processes and a
// crash mid-write never lose or tear it. Reads are cached and redone only
// when the file changed.
package statefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// File is one state file holding a T. Not safe for concurrent use: its
// owner serializes calls.
type File[T any] struct {
	path  string
	empty func() T // the contents of a missing file
	check func(*T) error
	data  T
	read  bool
	mtime time.Time
	size  int64
	ino   uint64
}

// Open opens the file at path (creating its directory, 0700). empty gives
// the contents of a missing file; check, if set, validates what was read.
func Open[T any](path string, empty func() T, check func(*T) error) (*File[T], error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	f := &File[T]{path: path, empty: empty, check: check}
	if err := f.Refresh(); err != nil {
		return nil, err
	}
	return f, nil
}

// Path is the file's path.
func (f *File[T]) Path() string { return f.path }

// Data is the contents as last read or written.
func (f *File[T]) Data() *T { return &f.data }

// Refresh rereads the file if it changed since the last read, as far as
// its inode, size and modification time tell (each write renames a new
// file into place). Update always rereads: those can miss a change made
// within the file system's timestamp granularity.
func (f *File[T]) Refresh() error { return f.refresh(false) }

func (f *File[T]) refresh(force bool) error {
	st, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.data, f.read, f.mtime, f.size = f.empty(), true, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	ino := inode(st)
	if !force && f.read && st.ModTime().Equal(f.mtime) && st.Size() == f.size && ino == f.ino {
		return nil
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	v := f.empty()
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("state file %s: %w", f.path, err)
	}
	if f.check != nil {
		if err := f.check(&v); err != nil {
			return fmt.Errorf("state file %s: %w", f.path, err)
		}
	}
	f.data, f.read, f.mtime, f.size, f.ino = v, true, st.ModTime(), st.Size(), ino
	return nil
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// Update runs fn on the current contents under the cross-process lock
// and writes the result (0600) when fn reports a change.
func (f *File[T]) Update(fn func(*T) bool) error {
	lock, err := os.OpenFile(f.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("state file: lock: %w", err)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	if err := f.refresh(true); err != nil {
		return err
	}
	if !fn(&f.data) {
		return nil
	}
	b, err := json.MarshalIndent(f.data, "", "  ")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".state-*")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		f.read = false // the next read must look at the file again
		return fmt.Errorf("state file: %w", err)
	}
	if st, err := os.Stat(f.path); err == nil {
		f.mtime, f.size, f.ino = st.ModTime(), st.Size(), inode(st)
	}
	return nil
}
