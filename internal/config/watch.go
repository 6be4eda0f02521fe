package config

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultDebounce is Watch's debounce when none is given.
const DefaultDebounce = 200 * time.Millisecond

// Watch calls onChange whenever the content of the file at path changes,
// until ctx is done; it then returns nil. It returns an error only when
// watching cannot start.
//
// It watches the file's directory rather than the file, because editors
// and deployment tools replace files by renaming a new one over them. On
// Linux it listens for files closed after writing, created, deleted and
// renamed, not for each write: files kept open beside the config (an audit
// store) would otherwise wake it on every record (dirwatch_linux.go).
// When path is a symbolic link (or goes through one, as with a Kubernetes
// ConfigMap's ..data link) the directories of every link on the way and of
// the final file are watched too, and re-pointing a link counts as a
// change. Events are debounced (debounce <= 0 means DefaultDebounce), and
// onChange is called only when the file's content hash differs from the
// last one seen, so rewriting identical bytes, touching the file or
// swapping in an identical copy does nothing. While the file is missing or
// unreadable nothing is reported; its reappearance with new content is.
//
// The baseline is the content when Watch starts, so a change made between
// loading the file and calling Watch is not reported. onChange runs on
// Watch's goroutine, one call at a time; events arriving meanwhile are
// handled after it returns.
func Watch(ctx context.Context, path string, debounce time.Duration, onChange func()) error {
	return watch(ctx, path, debounce, onChange, watchHooks{})
}

// watchHooks lets tests observe the watcher without sleeping.
type watchHooks struct {
	ready   func()             // watches are in place and the baseline is read
	checked func(changed bool) // a debounced check ran
}

func watch(ctx context.Context, path string, debounce time.Duration, onChange func(), hooks watchHooks) error {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config: watch %s: %w", path, err)
	}
	w, err := newDirWatcher()
	if err != nil {
		return fmt.Errorf("config: watch %s: %w", path, err)
	}
	defer w.Close()
	ws := &watchState{path: abs, dir: filepath.Dir(abs), w: w}
	if err := w.Add(ws.dir); err != nil {
		return fmt.Errorf("config: watch %s: %w", ws.dir, err)
	}
	ws.refresh()
	last, _ := hashFile(abs)
	if hooks.ready != nil {
		hooks.ready()
	}

	var timer *time.Timer
	var fire <-chan time.Time
	arm := func() {
		if timer == nil {
			timer = time.NewTimer(debounce)
		} else {
			timer.Reset(debounce)
		}
		fire = timer.C
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case name, ok := <-w.Events():
			if !ok {
				return errors.New("config: watcher closed")
			}
			if ws.relevant(name) {
				arm()
			}
		case _, ok := <-w.Errors():
			if !ok {
				return errors.New("config: watcher closed")
			}
			// An overflow may have dropped our event: check anyway.
			arm()
		case <-fire:
			fire = nil
			ws.refresh()
			sum, err := hashFile(abs)
			changed := err == nil && sum != last
			if changed {
				last = sum
			}
			if hooks.checked != nil {
				hooks.checked(changed)
			}
			if changed {
				onChange()
			}
		}
	}
}

type watchState struct {
	path  string // absolute path as given
	dir   string // its directory, always watched
	w     dirWatcher
	chain []string // paths taking part in resolving path
}

// refresh re-resolves the symlink chain and adjusts the watched
// directories to it.
func (ws *watchState) refresh() {
	ws.chain = linkChain(ws.path)
	want := []string{ws.dir}
	for _, p := range ws.chain {
		if d := filepath.Dir(p); !slices.Contains(want, d) {
			want = append(want, d)
		}
	}
	have := ws.w.WatchList()
	for _, d := range have {
		if !slices.Contains(want, d) {
			_ = ws.w.Remove(d)
		}
	}
	for _, d := range want {
		if !slices.Contains(have, d) {
			_ = ws.w.Add(d) // may not exist (yet); the next event retries
		}
	}
}

// relevant reports whether an event on name may change what path reads:
// name is on the link chain or is a directory containing part of it.
func (ws *watchState) relevant(name string) bool {
	for _, p := range ws.chain {
		if p == name || strings.HasPrefix(p, name+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// linkChain returns path, every symbolic link met while resolving it (as
// a path of its own, including links in directory components) and the
// final target. Links directly under the filesystem root (/tmp, /var on
// some systems) are followed but not listed: watching / is pointless.
func linkChain(path string) []string {
	chain := []string{path}
	p := path
	for hops := 0; hops < 40; hops++ {
		vol := filepath.VolumeName(p)
		root := vol + string(filepath.Separator)
		parts := strings.Split(strings.TrimPrefix(p[len(vol):], string(filepath.Separator)), string(filepath.Separator))
		cur := root
		followed := false
		for i, part := range parts {
			cur = filepath.Join(cur, part)
			fi, err := os.Lstat(cur)
			if err != nil {
				break
			}
			if fi.Mode()&os.ModeSymlink == 0 {
				continue
			}
			target, err := os.Readlink(cur)
			if err != nil {
				break
			}
			if filepath.Dir(cur) != root && !slices.Contains(chain, cur) {
				chain = append(chain, cur)
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			p = filepath.Join(append([]string{target}, parts[i+1:]...)...)
			followed = true
			break
		}
		if !followed {
			break
		}
	}
	if !slices.Contains(chain, p) {
		chain = append(chain, p)
	}
	return chain
}

func hashFile(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
