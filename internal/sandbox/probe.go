package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

const cloneFlags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS |
	syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS

// Support is what this machine offers the sandbox.
type Support struct {
	Namespaces    bool
	NamespacesWhy string
	LandlockABI   int // 0: none
	LandlockWhy   string
	Seccomp       bool
	CgroupV1      bool   // writable pids and memory v1 hierarchies
	CgroupV2      bool   // a place for v2 leaves with memory and pids (cgroup2.go)
	CgroupWhy     string // why neither
}

// Has reports whether feature is available, and why not.
func (s Support) Has(feature string) (bool, string) {
	switch feature {
	case FeatureNamespaces:
		return s.Namespaces, s.NamespacesWhy
	case FeatureLandlock:
		return s.LandlockABI > 0, s.LandlockWhy
	case FeatureSeccomp:
		if !s.Seccomp {
			return false, "the kernel has no seccomp filter support"
		}
		return true, ""
	case FeatureNetwork:
		if !s.Namespaces {
			return false, "the egress proxy needs the sandbox's own network and mount namespaces"
		}
		return true, ""
	case FeatureCgroup:
		if !s.CgroupV1 && !s.CgroupV2 && s.CgroupWhy == "" {
			return false, "no usable cgroup hierarchy"
		}
		return s.CgroupV1 || s.CgroupV2, s.CgroupWhy
	}
	return false, "unknown feature"
}

var (
	probeOnce sync.Once
	probed    Support
)

// Probe inspects the machine once and caches the answer.
func Probe() Support {
	probeOnce.Do(func() { probed = probe() })
	return probed
}

var (
	quickOnce sync.Once
	quick     Support
)

// probeQuick is Probe without starting a process: namespaces are taken
// as available. A start in namespaces the machine refuses fails anyway,
// and ExplainStart then names the reason; the probe process is only worth
// its few milliseconds when allow_degraded may fall back.
func probeQuick() Support {
	quickOnce.Do(func() {
		quick = probeLSM()
		quick.Namespaces = true
	})
	return quick
}

// ExplainStart turns the failed start of a sandboxed server into the
// reason, when the reason is that namespaces cannot be created here.
func ExplainStart(o Options, err error) error {
	if err == nil || o.Off {
		return err
	}
	if ok, why := Probe().Has(FeatureNamespaces); !ok {
		return fmt.Errorf("%w: %s: %s (name it in allow_degraded to start without it): %w", ErrUnavailable, FeatureNamespaces, why, err)
	}
	return err
}

func probe() Support {
	s := probeLSM()
	if err := probeNamespaces(); err != nil {
		s.NamespacesWhy = err.Error()
	} else {
		s.Namespaces = true
	}
	return s
}

// probeLSM checks everything but namespaces; it starts no process.
func probeLSM() Support {
	var s Support
	if v, err := ll.LandlockGetABIVersion(); err != nil || v < 1 {
		s.LandlockWhy = "the kernel does not offer Landlock (not built in, or not in the lsm= list)"
		if err != nil {
			s.LandlockWhy += ": " + err.Error()
		}
	} else {
		s.LandlockABI = v
	}
	s.Seccomp = seccomp.Supported()
	s.CgroupV1, s.CgroupV2, s.CgroupWhy = probeCgroup()
	return s
}

// probeNamespaces starts a trivial process in the namespaces the helper
// uses; it is the only honest test (sysctls, AppArmor and seccomp
// policies of the host can all forbid what the kernel version allows).
func probeNamespaces() error {
	path, err := exec.LookPath("true")
	if err != nil {
		path = "/proc/self/exe"
	}
	cmd := exec.Command(path)
	if path == "/proc/self/exe" {
		cmd.Args = []string{"mcpwarden-sandbox", HelperArg, "--probe"}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  cloneFlags,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
	if err := cmd.Run(); err != nil {
		why := err.Error()
		if b, _ := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); strings.TrimSpace(string(b)) == "0" {
			why += " (kernel.unprivileged_userns_clone=0)"
		}
		if b, _ := os.ReadFile("/proc/sys/user/max_user_namespaces"); strings.TrimSpace(string(b)) == "0" {
			why += " (user.max_user_namespaces=0)"
		}
		return fmt.Errorf("cannot create user, pid, mount and network namespaces: %s", why)
	}
	return nil
}

// probeCgroup reports which cgroup version the leaves use: v2 where
// /sys/fs/cgroup is the unified hierarchy, v1 hierarchies otherwise.
func probeCgroup() (v1, v2 bool, why string) {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/sys/fs/cgroup", &st); err != nil {
		return false, false, "no /sys/fs/cgroup"
	}
	const cgroup2Magic = 0x63677270
	if st.Type == cgroup2Magic {
		v2, why = cgroup2Usable()
		return false, v2, why
	}
	v1, why = cgroupV1Usable()
	return v1, false, why
}

// Verdict is what a server's options get on a machine.
type Verdict struct {
	Granted  []string // requested and available
	Degraded []string // requested, missing, waived by allow_degraded
	Refused  []string // requested, missing, not waived: the server will not start
	Why      map[string]string
}

// Check compares what o requests with what s offers.
func Check(o Options, s Support) Verdict {
	v := Verdict{Why: map[string]string{}}
	for _, f := range o.Requested() {
		ok, why := s.Has(f)
		switch {
		case ok:
			v.Granted = append(v.Granted, f)
		case contains(o.AllowDegraded, f):
			v.Degraded = append(v.Degraded, f)
			v.Why[f] = why
		default:
			v.Refused = append(v.Refused, f)
			v.Why[f] = why
		}
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
