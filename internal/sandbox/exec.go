package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/landlock-lsm/go-landlock/landlock"
	"golang.org/x/sys/unix"
)

// Main is the helper: args are what follows HelperArg on the command
// line (EXE -- ARGV...). It returns only on failure, with the exit code;
// the message goes to stderr, which the gateway logs.
func Main(args []string, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "--probe" {
		return 0
	}
	if len(args) == 2 && args[0] == "--forward" {
		if err := forward(args[1]); err != nil {
			fmt.Fprintf(stderr, "mcpwarden sandbox: egress forwarder: %v\n", err)
		}
		return 1
	}
	if err := run(args); err != nil {
		fmt.Fprintf(stderr, "mcpwarden sandbox: %v\n", err)
		return 126
	}
	return 0
}

func run(args []string) error {
	// Credentials, securebits and the bounding set are per thread: set
	// them on the thread that calls execve.
	runtime.LockOSThread()
	if len(args) < 3 || args[1] != "--" {
		return errors.New("usage: " + HelperArg + " EXE -- ARGV...")
	}
	exe, argv := args[0], args[2:]
	raw, ok := os.LookupEnv(SpecEnv)
	if !ok {
		return errors.New("no spec in " + SpecEnv)
	}
	var spec Spec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, SpecEnv+"=") })

	if err := joinCgroups(spec.Cgroups); err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	if spec.Namespaces {
		if err := buildRoot(&spec); err != nil {
			return fmt.Errorf("root file system: %w", err)
		}
		if err := loopbackUp(); err != nil {
			return fmt.Errorf("loopback: %w", err)
		}
		_ = unix.Sethostname([]byte("mcpwarden-sandbox"))
		// No nested user namespaces, whatever the seccomp filter allows.
		_ = os.WriteFile("/proc/sys/user/max_user_namespaces", []byte("0\n"), 0)
	}
	if err := os.Chdir(spec.Dir); err != nil {
		_ = os.Chdir("/tmp")
	}
	if err := setLimits(spec.Limits); err != nil {
		return fmt.Errorf("rlimits: %w", err)
	}
	if err := dropCaps(); err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	// The relay starts with what the server will have so far (no
	// capability, no_new_privs, rlimits, cgroups, namespaces) and confines
	// itself further; it must start before Landlock, which would not let
	// it execute the gateway's binary.
	if spec.Egress != "" {
		if err := startForwarder(); err != nil {
			return fmt.Errorf("egress forwarder: %w", err)
		}
	}
	if spec.Landlock {
		if err := applyLandlock(&spec); err != nil {
			return fmt.Errorf("landlock: %w", err)
		}
	}
	if spec.Seccomp {
		if err := seccomp.LoadFilter(seccompFilter()); err != nil {
			return fmt.Errorf("seccomp: %w", err)
		}
	}
	// The gateway's death kills the pid namespace's first process, and
	// with it every process in the sandbox.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0)
	if err := syscall.Exec(exe, argv, env); err != nil {
		return fmt.Errorf("exec %s: %w", exe, err)
	}
	return nil
}

// buildRoot assembles the server's root file system on a tmpfs and
// pivots into it: the listed paths bound at their own places, a private
// /tmp, a minimal /dev, a /proc for the new pid namespace, and nothing of
// the host besides.
func buildRoot(spec *Spec) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	// Stage under /tmp and pivot once so the old root is reachable at
	// /oldroot: sources under the host's /tmp stay bindable.
	if err := unix.Mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m"); err != nil {
		return fmt.Errorf("staging tmpfs: %w", err)
	}
	for _, d := range []string{"/tmp/oldroot", "/tmp/newroot"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := unix.PivotRoot("/tmp", "/tmp/oldroot"); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	const nr = "/newroot"
	if err := unix.Mount("tmpfs", nr, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m"); err != nil {
		return fmt.Errorf("root tmpfs: %w", err)
	}
	bind := func(p string, ro bool) error {
		return bindAt(nr, p, ro, !strings.HasPrefix(p, "/dev/"))
	}
	// /tmp, /dev and /proc first: a server under the host's /tmp is
	// bound on top of the private one.
	if err := mountPoint(nr+"/tmp", true); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", nr+"/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=256m"); err != nil {
		return fmt.Errorf("/tmp: %w", err)
	}
	if err := mountPoint(nr+"/dev", true); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", nr+"/dev", "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=0755,size=64k"); err != nil {
		return fmt.Errorf("/dev: %w", err)
	}
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		if err := bind("/dev/"+d, false); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		_ = os.Symlink(target, nr+"/dev/"+name)
	}
	if err := mountPoint(nr+"/dev/shm", true); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", nr+"/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=1777,size=64m"); err != nil {
		return fmt.Errorf("/dev/shm: %w", err)
	}
	if err := mountPoint(nr+"/proc", true); err != nil {
		return err
	}
	if err := unix.Mount("proc", nr+"/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("/proc: %w", err)
	}
	for _, p := range spec.ReadOnly {
		if err := bind(p, true); err != nil {
			return err
		}
	}
	for _, p := range spec.Writable {
		if err := bind(p, false); err != nil {
			return err
		}
	}
	links := make([]string, 0, len(spec.Links))
	for p := range spec.Links {
		links = append(links, p)
	}
	slices.Sort(links)
	for _, p := range links {
		dst := nr + p
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			continue // under a read-only bind: the link is there already
		}
		_ = os.Symlink(spec.Links[p], dst)
	}
	if spec.Egress != "" {
		if err := mountPoint(nr+egressSocket, false); err != nil {
			return err
		}
		if err := unix.Mount("/oldroot"+spec.Egress, nr+egressSocket, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("egress socket: %w", err)
		}
	}
	for _, h := range spec.Hide {
		dst := nr + h
		st, err := os.Stat(dst)
		if err != nil {
			continue
		}
		if st.IsDir() {
			err = unix.Mount("tmpfs", dst, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k")
		} else {
			err = unix.Mount("/oldroot/dev/null", dst, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("hide %s: %w", h, err)
		}
	}
	// Into the new root; the staging tmpfs and the host's root go away.
	if err := os.Chdir(nr); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := unix.MountSetattr(-1, "/", 0, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}); err != nil {
		return fmt.Errorf("read-only root: %w", err)
	}
	return nil
}

// bindAt binds the host's p (reached under /oldroot) at the same path
// under root, read-only if ro, never honouring set-uid bits, and device
// nodes only where nodev is false.
func bindAt(root, p string, ro, nodev bool) error {
	src := "/oldroot" + p
	st, err := os.Stat(src)
	if err != nil {
		return nil // vanished since the gateway looked
	}
	dst := root + p
	if err := mountPoint(dst, st.IsDir()); err != nil {
		return err
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", p, err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID}
	if nodev {
		attr.Attr_set |= unix.MOUNT_ATTR_NODEV
	}
	if ro {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	if err := unix.MountSetattr(-1, dst, unix.AT_RECURSIVE, attr); err != nil {
		return fmt.Errorf("restrict %s: %w", p, err)
	}
	return nil
}

// startForwarder runs the egress relay as a second process of the
// sandbox (it dies with the namespace's first process) and waits until it
// listens.
func startForwarder() error {
	cmd := exec.Command("/proc/self/exe", HelperArg, "--forward", egressSocket)
	cmd.Args[0] = "mcpwarden-egress"
	cmd.Env = []string{}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("did not start: %v", err)
	}
	return nil
}

// mountPoint creates an empty directory or file at p, and its parents.
func mountPoint(p string, dir bool) error {
	if dir {
		return os.MkdirAll(p, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

func setLimits(l Limits) error {
	for _, r := range []struct {
		res int
		v   uint64
	}{{unix.RLIMIT_NPROC, l.NProc}, {unix.RLIMIT_DATA, l.Data}, {unix.RLIMIT_NOFILE, l.NoFile}, {unix.RLIMIT_CPU, l.CPU}, {unix.RLIMIT_CORE, 0}} {
		if r.v == 0 && r.res != unix.RLIMIT_CORE {
			continue
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(r.res, &cur); err != nil {
			return err
		}
		v := r.v
		if cur.Max < v {
			v = cur.Max
		}
		if err := unix.Setrlimit(r.res, &unix.Rlimit{Cur: v, Max: v}); err != nil {
			return fmt.Errorf("resource %d: %w", r.res, err)
		}
	}
	return nil
}

// applyLandlock repeats the mount rules as a second, independent layer:
// read and execute under the read-only paths, write only in the writable
// ones and /tmp, no TCP bind or connect, no signals or abstract sockets
// out of the sandbox.
func applyLandlock(spec *Spec) error {
	var rules []landlock.Rule
	var dirs, files []string
	for _, p := range spec.ReadOnly {
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				dirs = append(dirs, p)
			} else {
				files = append(files, p)
			}
		}
	}
	if len(dirs) > 0 {
		rules = append(rules, landlock.RODirs(dirs...))
	}
	if len(files) > 0 {
		rules = append(rules, landlock.ROFiles(files...))
	}
	rw := append([]string{"/tmp", "/dev/shm"}, spec.Writable...)
	rules = append(rules,
		landlock.RWDirs(rw...).IgnoreIfMissing(),
		landlock.RODirs("/proc", "/dev").IgnoreIfMissing(),
		landlock.RWFiles("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty").WithIoctlDev().IgnoreIfMissing(),
	)
	if spec.Egress != "" {
		rules = append(rules, landlock.ConnectTCP(EgressPort))
	}
	// The kernel's ABI caps what is asked: V7 degrades to what it offers,
	// but not below V1 (Prepare refused to start if Landlock is missing).
	return landlock.V7.BestEffort().Restrict(rules...)
}

// Linux capability ABI.
const (
	capV3          = 0x20080522
	secbitNoRoot   = 1 << 0
	secbitNoRootL  = 1 << 1
	secbitNoFixup  = 1 << 2
	secbitNoFixupL = 1 << 3
	secbitKeepL    = 1 << 5
	secbitNoAmbL   = 1 << 7
	secbitNoAmb    = 1 << 6
)

// dropCaps leaves the thread (and the program it executes) no
// capability: root in the namespace gains none from execve either.
func dropCaps() error {
	_ = unix.Prctl(unix.PR_SET_SECUREBITS, secbitNoRoot|secbitNoRootL|secbitNoFixup|secbitNoFixupL|secbitKeepL|secbitNoAmb|secbitNoAmbL, 0, 0, 0)
	_ = unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			if errors.Is(err, unix.EPERM) {
				break // not ours to drop (degraded, unprivileged): nothing held
			}
			return err
		}
	}
	hdr := unix.CapUserHeader{Version: capV3}
	var data [2]unix.CapUserData
	if _, _, e := unix.RawSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return e
	}
	return nil
}

// seccompFilter denies what a tool server never needs and a breakout
// does: mounting, tracing, kernel keyrings and modules, BPF, new user
// namespaces, joining other namespaces.
func seccompFilter() seccomp.Filter {
	return seccomp.Filter{
		NoNewPrivs: true,
		Flag:       seccomp.FilterFlagTSync,
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionAllow,
			Syscalls: []seccomp.SyscallGroup{
				{
					Action: seccomp.ActionErrno,
					Names: []string{
						"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
						"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
						"ptrace", "process_vm_readv", "process_vm_writev",
						"kexec_load", "kexec_file_load", "reboot",
						"init_module", "finit_module", "delete_module",
						"bpf", "perf_event_open", "userfaultfd",
						"keyctl", "add_key", "request_key",
						"setns", "unshare",
						"open_by_handle_at", "name_to_handle_at",
						"swapon", "swapoff", "acct", "quotactl", "syslog",
						"iopl", "ioperm", "lookup_dcookie", "fanotify_init",
						"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
					},
					NamesWithCondtions: []seccomp.NameWithConditions{{
						Name:       "clone",
						Conditions: seccomp.ArgumentConditions{{Argument: 0, Operation: seccomp.BitsSet, Value: unix.CLONE_NEWUSER}},
					}},
				},
				{
					// clone3 passes its flags in memory a filter cannot
					// read: say it does not exist, and libc falls back to
					// clone, whose flags the rule above checks.
					Action: seccomp.Action(unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)),
					Names:  []string{"clone3"},
				},
			},
		},
	}
}
