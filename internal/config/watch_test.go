package config

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const watchWait = 5 * time.Second

// watchRun is a watcher under test. changes receives the file's content
// as read inside each onChange call; checks receives every debounced
// check's outcome.
type watchRun struct {
	path    string
	changes chan string
	checks  chan bool
	cancel  context.CancelFunc
	done    chan error
}

func startWatch(t *testing.T, path string) *watchRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &watchRun{
		path:    path,
		changes: make(chan string, 100),
		checks:  make(chan bool, 1000),
		cancel:  cancel,
		done:    make(chan error, 1),
	}
	ready := make(chan struct{})
	hooks := watchHooks{
		ready:   func() { close(ready) },
		checked: func(changed bool) { r.checks <- changed },
	}
	go func() {
		r.done <- watch(ctx, path, 20*time.Millisecond, func() {
			data, _ := os.ReadFile(path)
			r.changes <- string(data)
		}, hooks)
	}()
	select {
	case <-ready:
	case err := <-r.done:
		t.Fatalf("watch failed to start: %v", err)
	case <-time.After(watchWait):
		t.Fatal("watch did not become ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("watch returned %v", err)
			}
		case <-time.After(watchWait):
			t.Error("watch did not return after cancel")
		}
		select {
		case c := <-r.changes:
			t.Errorf("unexpected extra onChange, content %q", c)
		default:
		}
	})
	return r
}

// expectChange waits for one onChange call that saw content want.
func (r *watchRun) expectChange(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-r.changes:
		if got != want {
			t.Fatalf("onChange saw %q, want %q", got, want)
		}
	case <-time.After(watchWait):
		t.Fatalf("no onChange within %v (want content %q)", watchWait, want)
	}
}

// drainChecks forgets checks run so far.
func (r *watchRun) drainChecks() {
	for {
		select {
		case <-r.checks:
		default:
			return
		}
	}
}

// expectUnchanged waits for a check that found the content unchanged and
// makes sure no onChange happened.
func (r *watchRun) expectUnchanged(t *testing.T) {
	t.Helper()
	deadline := time.After(watchWait)
	for {
		select {
		case changed := <-r.checks:
			if changed {
				t.Fatal("identical content was reported as a change")
			}
			select {
			case c := <-r.changes:
				t.Fatalf("onChange called for identical content %q", c)
			default:
			}
			return
		case c := <-r.changes:
			t.Fatalf("onChange called for identical content %q", c)
		case <-deadline:
			t.Fatal("no check ran after the rewrite")
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeRename replaces path the way editors and config tools do: a new
// file renamed over the old one.
func writeRename(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	write(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestWatchInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcpwarden.yaml")
	write(t, path, "a")
	r := startWatch(t, path)

	write(t, path, "b")
	r.expectChange(t, "b")

	r.drainChecks()
	write(t, path, "b")
	r.expectUnchanged(t)

	write(t, path, "c")
	r.expectChange(t, "c")
}

func TestWatchRenameOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcpwarden.yaml")
	write(t, path, "a")
	r := startWatch(t, path)

	writeRename(t, path, "b")
	r.expectChange(t, "b")

	r.drainChecks()
	writeRename(t, path, "b")
	r.expectUnchanged(t)

	// Delete and re-create (some editors), with new content.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	write(t, path, "c")
	r.expectChange(t, "c")
}

// TestWatchConfigMap reproduces a Kubernetes ConfigMap volume:
//
//	mcpwarden.yaml -> ..data/mcpwarden.yaml
//	..data -> ..2024_01
//
// updated by writing a new timestamped directory and atomically renaming
// a new ..data link over the old one.
func TestWatchConfigMap(t *testing.T) {
	dir := t.TempDir()
	version := 0
	publish := func(content string) {
		version++
		ts := filepath.Join(dir, "..v"+string(rune('0'+version)))
		if err := os.Mkdir(ts, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(ts, "mcpwarden.yaml"), content)
		tmp := filepath.Join(dir, "..data_tmp")
		symlink(t, filepath.Base(ts), tmp)
		old, _ := os.Readlink(filepath.Join(dir, "..data"))
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
		if old != "" {
			if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish("v1")
	path := filepath.Join(dir, "mcpwarden.yaml")
	symlink(t, filepath.Join("..data", "mcpwarden.yaml"), path)
	r := startWatch(t, path)

	publish("v2")
	r.expectChange(t, "v2")

	r.drainChecks()
	publish("v2") // new directory, same bytes
	r.expectUnchanged(t)

	publish("v3")
	r.expectChange(t, "v3")
}

// A link to a file elsewhere: edits to the target and re-pointing the link
// are both seen.
func TestWatchSymlinkElsewhere(t *testing.T) {
	confDir, dataDir := t.TempDir(), t.TempDir()
	target1 := filepath.Join(dataDir, "one.yaml")
	target2 := filepath.Join(dataDir, "two.yaml")
	write(t, target1, "one")
	write(t, target2, "two")
	path := filepath.Join(confDir, "mcpwarden.yaml")
	symlink(t, target1, path)
	r := startWatch(t, path)

	write(t, target1, "one edited")
	r.expectChange(t, "one edited")

	writeRename(t, target1, "one renamed over")
	r.expectChange(t, "one renamed over")

	// Re-point the link atomically.
	tmp := path + ".new"
	symlink(t, target2, tmp)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	r.expectChange(t, "two")

	// The old target is no longer what path reads.
	r.drainChecks()
	write(t, target2, "two edited")
	r.expectChange(t, "two edited")
}

func TestWatchFileAppears(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcpwarden.yaml")
	r := startWatch(t, path)

	write(t, path, "created")
	r.expectChange(t, "created")

	// Removal is not a change (there is nothing to reload)…
	r.drainChecks()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	r.expectUnchanged(t)
	// …and coming back with the same bytes is not one either.
	write(t, path, "created")
	r.expectUnchanged(t)
	write(t, path, "new")
	r.expectChange(t, "new")
}

// The exported Watch, without test hooks: it reports a change and returns
// nil once ctx is cancelled.
func TestWatchPublic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mcpwarden.yaml")
	write(t, path, "start")
	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}, 100)
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, path, 0, func() { changed <- struct{}{} }) }()

	// Watch has no ready signal, so keep writing new content until it
	// notices (the first writes may precede its baseline).
	deadline := time.After(watchWait)
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		write(t, path, "content "+string(rune('a'+i%26)))
		select {
		case <-changed:
		case <-tick.C:
			continue
		case <-deadline:
			t.Fatal("no onChange")
		}
		break
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch returned %v after cancel, want nil", err)
		}
	case <-time.After(watchWait):
		t.Fatal("Watch did not return after cancel")
	}
}

func TestWatchMissingDir(t *testing.T) {
	err := Watch(context.Background(), filepath.Join(t.TempDir(), "no", "such", "f.yaml"), 0, func() {})
	if err == nil {
		t.Fatal("Watch on a missing directory succeeded")
	}
}

func TestLinkChain(t *testing.T) {
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir) // the temp dir itself may be behind a link
	if err := os.Mkdir(filepath.Join(dir, "..v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "..v1", "c.yaml"), "x")
	symlink(t, "..v1", filepath.Join(dir, "..data"))
	symlink(t, "..data/c.yaml", filepath.Join(dir, "c.yaml"))

	got := linkChain(filepath.Join(dir, "c.yaml"))
	want := []string{
		filepath.Join(dir, "c.yaml"),
		filepath.Join(dir, "..data"),
		filepath.Join(dir, "..v1", "c.yaml"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("linkChain = %q, want %q", got, want)
	}
	ws := &watchState{chain: got}
	for name, want := range map[string]bool{
		filepath.Join(dir, "c.yaml"):         true,
		filepath.Join(dir, "..data"):         true,
		filepath.Join(dir, "..v1"):           true, // removing the directory removes the file
		filepath.Join(dir, "..v1", "c.yaml"): true,
		filepath.Join(dir, "other.yaml"):     false,
		filepath.Join(dir, "c.yaml.swp"):     false,
		filepath.Join(dir, "..data_tmp"):     false,
	} {
		if got := ws.relevant(name); got != want {
			t.Errorf("relevant(%s) = %v, want %v", name, got, want)
		}
	}

	// A loop terminates.
	symlink(t, "loop2", filepath.Join(dir, "loop1"))
	symlink(t, "loop1", filepath.Join(dir, "loop2"))
	if got := linkChain(filepath.Join(dir, "loop1")); len(got) > 50 {
		t.Errorf("linkChain on a loop returned %d paths", len(got))
	}
}
