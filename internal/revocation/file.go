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
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// maxFileBytes bounds the revocation file read (a line is under 300
// bytes; records of expired tokens are dropped when it is rewritten).
const maxFileBytes = 8 << 20

// File is the revocation list of one machine: a 0600 file of
// "jti unix-expiry" lines (and "subjectkey unix-expiry unix-since" for a
// subject's tokens) that `mcpwarden token revoke` appends to and
// every gateway process on the machine rereads when it changes (each
// check compares its size and modification time). It is not shared with
// replicas on other machines.
type File struct {
	path string

	mu      sync.Mutex
	size    int64
	mtime   time.Time
	revoked map[string]entry
	told    map[string]bool // ids Fresh has returned
}

// entry is a record of the list; since is set for a subject key.
type entry struct{ exp, since time.Time }

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
	e, ok := f.revoked[jti]
	return ok && e.since.IsZero() && time.Now().Before(e.exp), nil
}

// RevokedSince is when the tokens of the subject key were revoked (zero:
// not revoked). With local it answers from the list as last read: the
// validator asks Local, which reads the file again if it changed, just
// before, so a cached token costs one stat, not two.
func (f *File) RevokedSince(_ context.Context, key string, local bool) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !local || f.size < 0 {
		if err := f.reloadLocked(); err != nil {
			return time.Time{}, err
		}
	}
	e, ok := f.revoked[key]
	if !ok || !time.Now().Before(e.exp) {
		return time.Time{}, nil
	}
	return e.since, nil
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

// parseList reads "jti unix-expiry" and "subjectkey unix-expiry
// unix-since" lines, skipping malformed and expired ones.
func parseList(data []byte, now time.Time) map[string]entry {
	m := map[string]entry{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		id, exp, since, ok := parseAnnouncement(sc.Text())
		if ok && now.Before(exp) {
			m[id] = entry{exp: exp, since: since}
		}
	}
	return m
}

// Revoke adds jti until exp.
func (f *File) Revoke(_ context.Context, jti string, exp time.Time) error {
	if err := CheckJTI(jti); err != nil {
		return err
	}
	if strings.HasPrefix(jti, SubjectPrefix) {
		return fmt.Errorf("revocation: token id %q looks like a subject key", jti)
	}
	return f.add(jti, entry{exp: exp})
}

// RevokeSubject adds the subject key: its tokens issued at or before
// since are refused until exp.
func (f *File) RevokeSubject(_ context.Context, key string, since, exp time.Time) error {
	if err := checkSubjectKey(key); err != nil {
		return err
	}
	return f.add(key, entry{exp: exp, since: time.Unix(since.Unix(), 0)})
}

// add writes the list with id added. The list is rewritten without
// expired records under an exclusive lock, then renamed into place, so
// readers never see half a file.
func (f *File) add(id string, e entry) error {
	if !time.Now().Before(e.exp) {
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
	if old, ok := m[id]; !ok || e.since.After(old.since) || (e.since.Equal(old.since) && e.exp.After(old.exp)) {
		m[id] = e
	}
	var b bytes.Buffer
	for k, x := range m {
		fmt.Fprintf(&b, "%s %d", k, x.exp.Unix())
		if !x.since.IsZero() {
			fmt.Fprintf(&b, " %d", x.since.Unix())
		}
		b.WriteByte('\n')
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
