package revocation

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// maxFileBytes bounds the revocation file read (a line is under 300
// bytes; records of expired tokens are dropped when it is rewritten).
const maxFileBytes = 8 << 20

// File is the revocation list of one machine: a 0600 file of
// "jti unix-expiry" lines that `mcpwarden token revoke` appends to and
// every gateway process on the machine rereads when it changes (each
// check compares its size and modification time). It is not shared with
// replicas on other machines.
type File struct {
	path string

	mu      sync.Mutex
	size    int64
	mtime   time.Time
	revoked map[string]time.Time
	told    map[string]bool // ids Fresh has returned
}

// OpenFile uses the list at path (made on the first revocation).
func OpenFile(path string) *File { return &File{path: path, size: -1} }

// Epoch is constant: every check reads the whole list.
func (f *File) Epoch() uint64 { return 0 }

// Local reports whether jti is in the list; an unreadable list refuses.
func (f *File) Local(jti string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reloadLocked(); err != nil {
		return false, err
	}
	exp, ok := f.revoked[jti]
	return ok && time.Now().Before(exp), nil
}

// Fresh returns the ids in the list that no earlier call returned (all
// of them on the first call), reading the file again if it changed: a
// gateway polls it to act on revocations made by other processes.
func (f *File) Fresh() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.reloadLocked(); err != nil {
		return nil, err
	}
	if f.told == nil {
		f.told = map[string]bool{}
	}
	var out []string
	for jti := range f.revoked {
		if !f.told[jti] {
			f.told[jti] = true
			out = append(out, jti)
		}
	}
	// Forget the ids that left the list (expired), so the map stays as
	// small as the list.
	for jti := range f.told {
		if _, ok := f.revoked[jti]; !ok {
			delete(f.told, jti)
		}
	}
	return out, nil
}

// Shared is Local: the file is the whole store.
func (f *File) Shared(_ context.Context, jti string) (bool, error) { return f.Local(jti) }

func (f *File) reloadLocked() error {
	st, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.revoked, f.size = nil, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	if st.Size() == f.size && st.ModTime().Equal(f.mtime) {
		return nil
	}
	if st.Size() > maxFileBytes {
		return fmt.Errorf("revocation: %s is larger than %d bytes", f.path, maxFileBytes)
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	f.revoked = parseList(data, time.Now())
	f.size, f.mtime = st.Size(), st.ModTime()
	return nil
}

// parseList reads "jti unix-expiry" lines, skipping malformed and
// expired ones.
func parseList(data []byte, now time.Time) map[string]time.Time {
	m := map[string]time.Time{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		jti, exp, ok := bytes.Cut(sc.Bytes(), []byte{' '})
		sec, err := strconv.ParseInt(string(exp), 10, 64)
		if !ok || err != nil || len(jti) == 0 {
			continue
		}
		if t := time.Unix(sec, 0); now.Before(t) {
			m[string(jti)] = t
		}
	}
	return m
}

// Revoke adds jti until exp. The list is rewritten without expired
// records under an exclusive lock, then renamed into place, so readers
// never see half a file.
func (f *File) Revoke(_ context.Context, jti string, exp time.Time) error {
	if err := CheckJTI(jti); err != nil {
		return err
	}
	if !time.Now().Before(exp) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	lock, err := os.OpenFile(f.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("revocation: lock: %w", err)
	}
	data, err := os.ReadFile(f.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("revocation: %w", err)
	}
	m := parseList(data, time.Now())
	m[jti] = exp
	var b bytes.Buffer
	for k, t := range m {
		fmt.Fprintf(&b, "%s %d\n", k, t.Unix())
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	return nil
}
