package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// A gateway running as root cannot rely on RLIMIT_NPROC: the kernel never
// applies it to the host's root user, whatever the user namespace. It
// needs a pids cgroup instead, so for root the cgroup feature is
// requested (and its absence refuses the start unless waived).
var rootGateway = os.Getuid() == 0

// Cgroup v1 hierarchies used: pids caps the process count of the whole
// sandbox, memory its total memory.
var cgroupControllers = []string{"pids", "memory"}

const cgroupV1Root = "/sys/fs/cgroup"

// ownCgroupV1 returns the gateway's own cgroup path per v1 controller.
func ownCgroupV1() map[string]string {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			m[c] = parts[2]
		}
	}
	return m
}

// cgroupV1Usable reports whether the gateway may create child cgroups in
// every controller it needs.
func cgroupV1Usable() (bool, string) {
	own := ownCgroupV1()
	for _, c := range cgroupControllers {
		p, ok := own[c]
		if !ok {
			return false, "no cgroup v1 " + c + " hierarchy"
		}
		dir := filepath.Join(cgroupV1Root, c, p)
		if err := unix.Access(dir, unix.W_OK); err != nil {
			return false, fmt.Sprintf("cgroup v1 %s: %s not writable", c, dir)
		}
	}
	return true, ""
}

var cgroupSeq atomic.Uint64

// newCgroupV1 creates one leaf per controller for a sandbox, with its
// limits, and returns the cgroup.procs files the helper joins. Leaves
// left by exited sandboxes of this gateway are removed first (rmdir of a
// cgroup succeeds only once it is empty).
func newCgroupV1(l Limits) ([]string, error) {
	own := ownCgroupV1()
	var procs []string
	for _, c := range cgroupControllers {
		parent := filepath.Join(cgroupV1Root, c, own[c], "mcpwarden-"+strconv.Itoa(os.Getpid()))
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, fmt.Errorf("cgroup: %w", err)
		}
		sweep(parent)
		sweepGateways(filepath.Dir(parent))
		leaf := filepath.Join(parent, "s"+strconv.FormatUint(cgroupSeq.Add(1), 10))
		if err := os.Mkdir(leaf, 0o755); err != nil {
			return nil, fmt.Errorf("cgroup: %w", err)
		}
		var err error
		switch c {
		case "pids":
			err = os.WriteFile(filepath.Join(leaf, "pids.max"), []byte(strconv.FormatUint(l.NProc, 10)), 0)
		case "memory":
			if l.Memory > 0 {
				err = os.WriteFile(filepath.Join(leaf, "memory.limit_in_bytes"), []byte(strconv.FormatUint(l.Memory, 10)), 0)
			}
		}
		if err != nil {
			os.Remove(leaf)
			return nil, fmt.Errorf("cgroup: %s limit: %w", c, err)
		}
		procs = append(procs, filepath.Join(leaf, "cgroup.procs"))
	}
	return procs, nil
}

// sweep removes the empty leaves under parent. A leaf is empty from its
// creation until its helper joins it, so young leaves are left alone.
func sweep(parent string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "s") {
			continue
		}
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < leafGrace {
			continue
		}
		_ = os.Remove(filepath.Join(parent, e.Name()))
	}
}

// leafGrace is longer than any server start.
const leafGrace = 2 * time.Minute

// sweepGateways removes the cgroups of gateways that have exited.
func sweepGateways(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, ok := strings.CutPrefix(e.Name(), "mcpwarden-")
		if !ok || !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(pid)
		if err != nil || n == os.Getpid() || unix.Kill(n, 0) == nil {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if ents, err := os.ReadDir(p); err == nil {
			for _, l := range ents {
				_ = os.Remove(filepath.Join(p, l.Name()))
			}
		}
		_ = os.Remove(p)
	}
}
