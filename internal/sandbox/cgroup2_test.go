package sandbox

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fakeCgroup2 lays out a directory the way the cgroup v2 file system
// presents one: cgroup.controllers, cgroup.subtree_control and
// cgroup.procs in each cgroup. This machine binds memory and pids to v1
// hierarchies, so the kernel's v2 cannot be exercised here; what the
// kernel does on these writes (moving processes, refusing controllers to
// a cgroup with processes) is not simulated.
func fakeCgroup2(t *testing.T, own string, procs ...int) string {
	t.Helper()
	root := t.TempDir()
	mk := func(dir, controllers string, pids []int) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, p := range pids {
			b.WriteString(strconv.Itoa(p) + "\n")
		}
		for f, v := range map[string]string{"cgroup.controllers": controllers, "cgroup.subtree_control": "", "cgroup.procs": b.String()} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk(root, "cpuset cpu io memory hugetlb pids rdma misc", nil)
	if own != "/" {
		mk(filepath.Join(root, own), "memory pids", procs)
	}
	old, oldOwn, oldMk := cgroup2Root, ownCgroup2, mkCgroup
	cgroup2Root, ownCgroup2 = root, func() (string, error) { return own, nil }
	// As the kernel does: a new cgroup gets the interface files, offering
	// what its parent enabled for children; the memory and pids files are
	// there when the parent enabled those controllers.
	mkCgroup = func(dir string) error {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		enabled := strings.ReplaceAll(read(t, filepath.Join(filepath.Dir(dir), "cgroup.subtree_control")), "+", "")
		mk(dir, enabled, nil)
		for _, c := range strings.Fields(enabled) {
			files := map[string][]string{"memory": {"memory.max", "memory.swap.max"}, "pids": {"pids.max"}}[c]
			for _, f := range files {
				os.WriteFile(filepath.Join(dir, f), []byte("max"), 0o644)
			}
		}
		return nil
	}
	// rmdir of a cgroup fails while it has a child or a process.
	oldRm := rmCgroup
	rmCgroup = func(dir string) error {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if e.IsDir() {
				return syscall.EBUSY
			}
		}
		if read(t, filepath.Join(dir, "cgroup.procs")) != "" {
			return syscall.EBUSY
		}
		return os.RemoveAll(dir)
	}
	t.Cleanup(func() {
		rmCgroup = oldRm
		cgroup2Root, ownCgroup2, mkCgroup = old, oldOwn, oldMk
		cgroup2Once.Lock()
		cgroup2Parent = ""
		cgroup2Once.Unlock()
	})
	return root
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestCgroup2Delegated(t *testing.T) {
	root := fakeCgroup2(t, "/system.slice/mcpwarden.service", os.Getpid())
	base := filepath.Join(root, "system.slice/mcpwarden.service")
	if ok, why := cgroup2Usable(); !ok {
		t.Fatalf("delegated cgroup not usable: %s", why)
	}
	procs, err := newCgroupV2(Limits{NProc: 64, Memory: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	// The gateway moved into base/gateway, base hands memory and pids to
	// its children, and the leaf is a sibling with its limits.
	if got := read(t, filepath.Join(base, "gateway/cgroup.procs")); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("gateway not moved: %q", got)
	}
	if got := read(t, filepath.Join(base, "cgroup.subtree_control")); !enables(got) {
		t.Errorf("subtree_control %q", got)
	}
	leaf := filepath.Dir(procs[0])
	if filepath.Dir(leaf) != base || len(procs) != 1 || filepath.Base(procs[0]) != "cgroup.procs" {
		t.Fatalf("leaf %v", procs)
	}
	for f, want := range map[string]string{"pids.max": "64", "memory.max": "268435456", "memory.swap.max": "0"} {
		if got := read(t, filepath.Join(leaf, f)); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	// A second sandbox: another leaf, the gateway not moved again.
	procs2, err := newCgroupV2(Limits{NProc: 8})
	if err != nil || filepath.Dir(procs2[0]) == leaf {
		t.Fatalf("second leaf %v %v", procs2, err)
	}
	if got := read(t, filepath.Join(filepath.Dir(procs2[0]), "memory.max")); got != "max" {
		t.Errorf("memory.max %q written without a memory limit", got)
	}
}

func TestCgroup2SharedCgroup(t *testing.T) {
	// A session scope with a shell in it is not the gateway's to divide.
	fakeCgroup2(t, "/user.slice/session-3.scope", os.Getpid(), 1)
	ok, why := cgroup2Usable()
	if os.Geteuid() == 0 {
		// root: a subtree of its own at the top of the hierarchy instead.
		if !ok {
			t.Fatalf("root gateway: %s", why)
		}
		procs, err := newCgroupV2(Limits{NProc: 16})
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(cgroup2Root, "mcpwarden", "g"+strconv.Itoa(os.Getpid()))
		if filepath.Dir(filepath.Dir(procs[0])) != want {
			t.Fatalf("leaf %s, want under %s", procs[0], want)
		}
		for _, d := range []string{cgroup2Root, filepath.Dir(want), want} {
			if got := read(t, filepath.Join(d, "cgroup.subtree_control")); !enables(got) {
				t.Errorf("%s: subtree_control %q", d, got)
			}
		}
		return
	}
	if ok || !strings.Contains(why, "Delegate=yes") {
		t.Fatalf("shared cgroup accepted for a non-root gateway (%v, %q)", ok, why)
	}
}

func TestCgroup2NoControllers(t *testing.T) {
	root := fakeCgroup2(t, "/app.scope", os.Getpid())
	for _, d := range []string{root, filepath.Join(root, "app.scope")} {
		os.WriteFile(filepath.Join(d, "cgroup.controllers"), []byte("cpu io"), 0o644)
	}
	if ok, why := cgroup2Usable(); ok || !strings.Contains(why, "memory and pids") {
		t.Fatalf("cgroup without memory and pids accepted (%v, %q)", ok, why)
	}
	if _, err := newCgroupV2(DefaultLimits); err == nil {
		t.Fatal("leaf created without controllers")
	}
}

func TestCgroup2SweepsExitedGateways(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the subtree at the top of the hierarchy is for a root gateway")
	}
	root := fakeCgroup2(t, "/")
	// A gateway that is gone (pid 0x7ffffff0 is not a process) left a
	// subtree with an empty leaf.
	top := filepath.Join(root, "mcpwarden")
	dead := filepath.Join(top, "g2147483632")
	for _, d := range []string{top, dead, filepath.Join(dead, "s1")} {
		os.WriteFile(filepath.Join(filepath.Dir(d), "cgroup.subtree_control"), []byte("+memory +pids"), 0o644)
		if err := mkCgroup(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newCgroupV2(Limits{NProc: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("exited gateway's subtree still there: %v", err)
	}
}

// enables reports whether a subtree_control write enabled memory and pids.
func enables(s string) bool {
	f := strings.Fields(s)
	return len(f) == 2 && strings.Contains(s, "+memory") && strings.Contains(s, "+pids")
}
