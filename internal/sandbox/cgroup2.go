package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Cgroup v2 (the unified hierarchy, the only one on current
// distributions). A sandbox gets a leaf with memory.max and pids.max,
// joined by the helper before anything else runs, like the v1 leaves.
//
// Where the leaves go, given v2's rule that a cgroup with processes
// cannot hand controllers to children:
//   - delegated: the gateway's own cgroup holds the gateway alone and is
//     writable (systemd Delegate=yes, or a container's cgroup): the
//     gateway moves itself into a child "gateway" and the leaves are its
//     siblings, inside the unit's own accounting;
//   - otherwise, for a gateway running as root: a subtree of its own at
//     the top of the hierarchy, mcpwarden/g<pid>/ (as container runtimes
//     do with the cgroupfs driver);
//   - otherwise the feature is unavailable, and the reason says how to
//     delegate a cgroup.
//
// This machine binds the memory and pids controllers to v1 hierarchies,
// so the v2 code is tested against a directory that follows the
// interface of the cgroup v2 file system (cgroup2_test.go), not against
// the kernel.

// cgroup2Root is where the unified hierarchy is mounted (a variable for
// tests).
var cgroup2Root = "/sys/fs/cgroup"

// ownCgroup2 returns the gateway's cgroup in the unified hierarchy, from
// the "0::PATH" line of /proc/self/cgroup.
var ownCgroup2 = func() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("no cgroup v2 entry in /proc/self/cgroup")
}

// mkCgroup makes a cgroup (the kernel adds its interface files); a
// variable for tests, whose directory has no kernel behind it.
var mkCgroup = func(dir string) error { return os.Mkdir(dir, 0o755) }

// rmCgroup removes a cgroup, which the kernel allows once it has no
// process and no child; a variable for tests, like mkCgroup.
var rmCgroup = os.Remove

// cgroup2Controllers lists the controllers a cgroup offers its children.
func cgroup2Controllers(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	return strings.Fields(string(b))
}

func hasControllers(dir string) bool {
	have := cgroup2Controllers(dir)
	for _, c := range cgroupControllers {
		if !slices.Contains(have, c) {
			return false
		}
	}
	return true
}

// cgroup2Plan is where this gateway's leaves go.
type cgroup2Plan struct {
	parent   string // directory the leaves are created in
	delegate bool   // the gateway moves into parent/gateway first
}

// planCgroup2 decides where the leaves go, or says why there is no place.
func planCgroup2() (cgroup2Plan, error) {
	own, err := ownCgroup2()
	if err != nil {
		return cgroup2Plan{}, err
	}
	base := filepath.Join(cgroup2Root, own)
	if own != "/" && hasControllers(base) && unix.Access(base, unix.W_OK) == nil &&
		unix.Access(filepath.Join(base, "cgroup.subtree_control"), unix.W_OK) == nil {
		if alone, err := onlyUs(base); err == nil && alone {
			return cgroup2Plan{parent: base, delegate: true}, nil
		}
	}
	if os.Geteuid() == 0 && hasControllers(cgroup2Root) {
		return cgroup2Plan{parent: filepath.Join(cgroup2Root, "mcpwarden", "g"+strconv.Itoa(os.Getpid()))}, nil
	}
	return cgroup2Plan{}, fmt.Errorf("cgroup v2: the gateway's cgroup %s is not delegated to it (it must be writable, offer memory and pids, and hold no other process): run it as a systemd unit with Delegate=yes, or with systemd-run --scope -p Delegate=yes", own)
}

// onlyUs reports whether dir's processes are this process alone (moving
// into a child is then the gateway's own business).
func onlyUs(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return false, err
	}
	for _, f := range strings.Fields(string(b)) {
		if f != strconv.Itoa(os.Getpid()) {
			return false, nil
		}
	}
	return true, nil
}

func cgroup2Usable() (bool, string) {
	if _, err := planCgroup2(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

var (
	cgroup2Once   sync.Mutex
	cgroup2Parent string // set once the parent is ready
)

// enable writes "+memory +pids" to dir's cgroup.subtree_control unless
// both are enabled already.
func enable(dir string) error {
	f := filepath.Join(dir, "cgroup.subtree_control")
	b, err := os.ReadFile(f)
	if err != nil {
		return err
	}
	on := strings.Fields(string(b))
	var add []string
	for _, c := range cgroupControllers {
		if !slices.Contains(on, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return os.WriteFile(f, []byte(strings.Join(add, " ")), 0)
}

// cgroup2ParentDir prepares the parent of the leaves once: moves the
// gateway out of a delegated cgroup into its "gateway" child, or makes
// the mcpwarden/g<pid> subtree, and enables memory and pids for children.
func cgroup2ParentDir() (string, error) {
	cgroup2Once.Lock()
	defer cgroup2Once.Unlock()
	if cgroup2Parent != "" {
		return cgroup2Parent, nil
	}
	plan, err := planCgroup2()
	if err != nil {
		return "", err
	}
	if plan.delegate {
		g := filepath.Join(plan.parent, "gateway")
		if err := mkCgroup(g); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("cgroup v2: %w", err)
		}
		if err := os.WriteFile(filepath.Join(g, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
			return "", fmt.Errorf("cgroup v2: moving the gateway into %s: %w", g, err)
		}
	} else {
		top := filepath.Dir(plan.parent)
		if err := enable(cgroup2Root); err != nil {
			return "", fmt.Errorf("cgroup v2: %w", err)
		}
		if err := mkCgroup(top); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("cgroup v2: %w", err)
		}
		if err := enable(top); err != nil {
			return "", fmt.Errorf("cgroup v2: %w", err)
		}
		if err := mkCgroup(plan.parent); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("cgroup v2: %w", err)
		}
		sweepGateways2(top)
	}
	if err := enable(plan.parent); err != nil {
		return "", fmt.Errorf("cgroup v2: enabling memory and pids in %s: %w", plan.parent, err)
	}
	cgroup2Parent = plan.parent
	return plan.parent, nil
}

// newCgroupV2 creates a leaf for one sandbox with its limits and returns
// its cgroup.procs file, which the helper joins.
func newCgroupV2(l Limits) ([]string, error) {
	parent, err := cgroup2ParentDir()
	if err != nil {
		return nil, err
	}
	sweep(parent)
	leaf := filepath.Join(parent, "s"+strconv.FormatUint(cgroupSeq.Add(1), 10))
	if err := mkCgroup(leaf); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	set := func(file string, v uint64) error {
		return os.WriteFile(filepath.Join(leaf, file), []byte(strconv.FormatUint(v, 10)), 0)
	}
	err = set("pids.max", l.NProc)
	if err == nil && l.Memory > 0 {
		err = set("memory.max", l.Memory)
		// No swap beyond the limit, where the kernel has swap accounting.
		if e := set("memory.swap.max", 0); e != nil && !errors.Is(e, os.ErrNotExist) && err == nil {
			err = e
		}
	}
	if err != nil {
		rmCgroup(leaf)
		return nil, fmt.Errorf("cgroup v2: limits of %s: %w", leaf, err)
	}
	return []string{filepath.Join(leaf, "cgroup.procs")}, nil
}

// sweepGateways2 removes the subtrees of exited gateways under top
// (mcpwarden/g<pid>), leaves first; a leaf still holding processes stays.
func sweepGateways2(top string) {
	ents, err := os.ReadDir(top)
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, ok := strings.CutPrefix(e.Name(), "g")
		if !ok || !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(pid)
		if err != nil || n == os.Getpid() || unix.Kill(n, 0) == nil {
			continue
		}
		p := filepath.Join(top, e.Name())
		if leaves, err := os.ReadDir(p); err == nil {
			for _, l := range leaves {
				if l.IsDir() {
					_ = rmCgroup(filepath.Join(p, l.Name()))
				}
			}
		}
		_ = rmCgroup(p)
	}
}
