package sandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// The helper's program: the list of operations stage.c applies, in
// order, before it executes the server. The gateway plans everything
// here (which mounts, which access rights for this kernel's Landlock ABI,
// the assembled seccomp filter); the C side knows no policy. The format
// is described in stage.h.

// errNoStage is the refusal of a binary in which the C stage does not run.
var errNoStage = errors.New("built without cgo or without glibc: the sandbox helper (stage.c) is not active")

type opcode uint8

// Operation codes: the enum of stage.h, in the same order.
const (
	opCgroup opcode = iota + 1
	opMount
	opMkdir
	opMkfile
	opBind
	opSymlink
	opHide
	opPivot
	opChdir
	opUmount
	opSetattr
	opLoopback
	opHostname
	opWrite
	opChdirTry
	opRlimit
	opCaps
	opNoNewPrivs
	opForward
	opLLRuleset
	opLLPath
	opLLPort
	opLLRestrict
	opSeccomp
	opPdeathsig
	opExec
	opCount
)

// opSigs are the field kinds per operation, as mw_sig in stage.c.
var opSigs = [opCount]string{
	opCgroup: "S", opMount: "SSSNS", opMkdir: "S", opMkfile: "S",
	opBind: "SSN", opSymlink: "SS", opHide: "SS", opPivot: "SS",
	opChdir: "S", opUmount: "SN", opSetattr: "SNN", opLoopback: "",
	opHostname: "S", opWrite: "SS", opChdirTry: "SS", opRlimit: "NN",
	opCaps: "", opNoNewPrivs: "", opForward: "SS*", opLLRuleset: "NNN",
	opLLPath: "NS", opLLPort: "NN", opLLRestrict: "", opSeccomp: "B",
	opPdeathsig: "N", opExec: "",
}

// Limits of the format, as in stage.h.
const (
	progMagic     = "MWS1"
	progMaxFields = 8
	progMaxOps    = 4096
	progMaxStr    = 4096
	progMaxBlob   = 32768
	progMaxBytes  = 65536
)

// op is one operation; each field is already in its wire form (a string
// with its NUL, a number as 8 bytes, a blob as is).
type op struct {
	code opcode
	f    [][]byte
}

func str(s string) []byte   { return append([]byte(s), 0) }
func num(n uint64) []byte   { return binary.LittleEndian.AppendUint64(nil, n) }
func (o op) s(i int) string { return string(o.f[i][:len(o.f[i])-1]) }
func (o op) n(i int) uint64 { return binary.LittleEndian.Uint64(o.f[i]) }

// fieldKind is the kind of field i of sig, or 0.
func fieldKind(sig string, i int) byte {
	if base, ok := strings.CutSuffix(sig, "*"); ok {
		if i < len(base) {
			return base[i]
		}
		return base[len(base)-1]
	}
	if i < len(sig) {
		return sig[i]
	}
	return 0
}

// encodeProgram checks each operation against its signature and the
// format's limits, and writes the program.
func encodeProgram(ops []op) ([]byte, error) {
	if len(ops) == 0 || len(ops) > progMaxOps || ops[len(ops)-1].code != opExec {
		return nil, errors.New("sandbox program: must hold at most 4096 operations and end in exec")
	}
	b := []byte(progMagic)
	for i, o := range ops {
		if o.code == 0 || o.code >= opCount || (o.code == opExec) != (i == len(ops)-1) {
			return nil, fmt.Errorf("sandbox program: operation %d: bad code %d", i, o.code)
		}
		sig := opSigs[o.code]
		fixed := len(strings.TrimSuffix(sig, "*"))
		if len(o.f) > progMaxFields || len(o.f) < fixed || !strings.HasSuffix(sig, "*") && len(o.f) != fixed {
			return nil, fmt.Errorf("sandbox program: operation %d: %d fields for %q", i, len(o.f), sig)
		}
		b = append(b, byte(o.code), byte(len(o.f)))
		for j, f := range o.f {
			ok := false
			switch fieldKind(sig, j) {
			case 'S':
				ok = len(f) >= 1 && len(f) <= progMaxStr && f[len(f)-1] == 0 && !slices.Contains(f[:len(f)-1], 0)
			case 'N':
				ok = len(f) == 8
			case 'B':
				ok = len(f) > 0 && len(f)%8 == 0 && len(f) <= progMaxBlob
			}
			if !ok {
				return nil, fmt.Errorf("sandbox program: operation %d field %d: bad %c field (%d bytes)", i, j, fieldKind(sig, j), len(f))
			}
			b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
			b = append(b, f...)
		}
	}
	if len(b) > progMaxBytes {
		return nil, fmt.Errorf("sandbox program: %d bytes, more than %d (too many paths)", len(b), progMaxBytes)
	}
	return b, nil
}

// Landlock access rights as go-landlock's RODirs, ROFiles, RWDirs and
// RWFiles define them.
const (
	llFile  = ll.AccessFSExecute | ll.AccessFSWriteFile | ll.AccessFSTruncate | ll.AccessFSReadFile
	llRead  = ll.AccessFSExecute | ll.AccessFSReadFile | ll.AccessFSReadDir
	llWrite = ll.AccessFSWriteFile | ll.AccessFSRemoveDir | ll.AccessFSRemoveFile | ll.AccessFSMakeChar |
		ll.AccessFSMakeDir | ll.AccessFSMakeReg | ll.AccessFSMakeSock | ll.AccessFSMakeFifo |
		ll.AccessFSMakeBlock | ll.AccessFSMakeSym | ll.AccessFSTruncate
)

// landlockHandled is what a ruleset handles at a kernel's ABI, capped at
// ABI 7 (the rights this code knows): file system rights, TCP bind and
// connect (ABI ≥ 4), signal and abstract-socket scoping (ABI ≥ 6).
func landlockHandled(abi int) (fs, net, scoped uint64) {
	switch {
	case abi <= 0:
		return 0, 0, 0
	case abi == 1:
		fs = 1<<13 - 1
	case abi == 2:
		fs = 1<<14 - 1
	case abi <= 4:
		fs = 1<<15 - 1
	default:
		fs = 1<<16 - 1
	}
	if abi >= 4 {
		net = ll.AccessNetBindTCP | ll.AccessNetConnectTCP
	}
	if abi >= 6 {
		scoped = ll.ScopeAbstractUnixSocket | ll.ScopeSignal
	}
	return fs, net, scoped
}

// Mount attributes and flags the plan uses (linux/mount.h).
const (
	attrNoSUID = unix.MOUNT_ATTR_NOSUID
	attrNoDev  = unix.MOUNT_ATTR_NODEV
	attrRO     = unix.MOUNT_ATTR_RDONLY
)

var (
	seccompOnce sync.Once
	seccompProg []byte
	seccompErr  error
)

// seccompProgram is seccompFilter assembled to the kernel's sock_filter
// layout (u16 code, u8 jt, u8 jf, u32 k, native endian), once.
func seccompProgram() ([]byte, error) {
	seccompOnce.Do(func() {
		f := seccompFilter()
		insts, err := f.Policy.Assemble()
		if err != nil {
			seccompErr = fmt.Errorf("seccomp: %w", err)
			return
		}
		for _, in := range insts {
			raw, err := in.Assemble()
			if err != nil {
				seccompErr = fmt.Errorf("seccomp: %w", err)
				return
			}
			seccompProg = binary.NativeEndian.AppendUint16(seccompProg, raw.Op)
			seccompProg = append(seccompProg, raw.Jt, raw.Jf)
			seccompProg = binary.NativeEndian.AppendUint32(seccompProg, raw.K)
		}
	})
	return seccompProg, seccompErr
}

// planner accumulates a program.
type planner struct{ ops []op }

func (p *planner) add(c opcode, f ...[]byte) { p.ops = append(p.ops, op{code: c, f: f}) }

func (p *planner) mount(src, dst, fstype string, flags uintptr, data string) {
	p.add(opMount, str(src), str(dst), str(fstype), num(uint64(flags)), str(data))
}

// tmpfs mounts a fresh tmpfs at dst, creating it first.
func (p *planner) tmpfs(dst string, flags uintptr, data string) {
	p.add(opMkdir, str(dst))
	p.mount("tmpfs", dst, "tmpfs", flags, data)
}

// newRoot is where the server's root is assembled, and oldRoot where the
// host's stays reachable until the final pivot.
const (
	newRoot = "/newroot"
	oldRoot = "/oldroot"
)

// program plans what the helper does for spec, in the order it must
// happen: cgroups first (before anything else runs), the root file
// system and network while capabilities are held, then the limits, the
// capability drop, no_new_privs, the egress relay (which must start
// before Landlock forbids executing it), Landlock, seccomp, exec.
func (s *Spec) program() ([]op, error) {
	p := &planner{}
	for _, c := range s.Cgroups {
		p.add(opCgroup, str(c))
	}
	if s.Namespaces {
		s.planRoot(p)
		p.add(opLoopback)
		p.add(opHostname, str("mcpwarden-sandbox"))
		// No nested user namespaces, whatever the seccomp filter allows.
		p.add(opWrite, str("/proc/sys/user/max_user_namespaces"), str("0\n"))
	}
	p.add(opChdirTry, str(s.Dir), str("/tmp"))
	for _, r := range []struct {
		res int
		v   uint64
	}{{unix.RLIMIT_NPROC, s.Limits.NProc}, {unix.RLIMIT_DATA, s.Limits.Data}, {unix.RLIMIT_NOFILE, s.Limits.NoFile}, {unix.RLIMIT_CPU, s.Limits.CPU}} {
		if r.v != 0 {
			p.add(opRlimit, num(uint64(r.res)), num(r.v))
		}
	}
	p.add(opRlimit, num(unix.RLIMIT_CORE), num(0))
	p.add(opCaps)
	p.add(opNoNewPrivs)
	if s.Egress != "" {
		// Through /proc/self/exe: the binary itself is not in the new root.
		p.add(opForward, str("/proc/self/exe"), str("mcpwarden-egress"), str(HelperArg), str("--forward"), str(egressSocket))
	}
	if s.Landlock {
		if err := s.planLandlock(p); err != nil {
			return nil, err
		}
	}
	if s.Seccomp {
		prog, err := seccompProgram()
		if err != nil {
			return nil, err
		}
		p.add(opSeccomp, prog)
	}
	// The gateway's death kills the pid namespace's first process, and
	// with it every process in the sandbox.
	p.add(opPdeathsig, num(uint64(unix.SIGKILL)))
	p.add(opExec)
	return p.ops, nil
}

// planRoot assembles the server's root file system on a tmpfs and pivots
// into it: the listed paths bound at their own places, a private /tmp, a
// minimal /dev, a /proc for the new pid namespace, and nothing of the
// host besides.
func (s *Spec) planRoot(p *planner) {
	p.mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
	// Stage under /tmp and pivot once so the old root is reachable at
	// /oldroot: sources under the host's /tmp stay bindable.
	p.mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m")
	p.add(opMkdir, str("/tmp"+oldRoot))
	p.add(opMkdir, str("/tmp"+newRoot))
	p.add(opPivot, str("/tmp"), str("/tmp"+oldRoot))
	p.add(opChdir, str("/"))
	p.mount("tmpfs", newRoot, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755,size=1m")
	// bind: at the same path, never honouring set-uid bits, device nodes
	// only under /dev.
	bind := func(path string, ro bool) {
		attr := uint64(attrNoSUID)
		if !strings.HasPrefix(path, "/dev/") {
			attr |= attrNoDev
		}
		if ro {
			attr |= attrRO
		}
		p.add(opBind, str(oldRoot+path), str(newRoot+path), num(attr))
	}
	// /tmp, /dev and /proc first: a server under the host's /tmp is bound
	// on top of the private one.
	p.tmpfs(newRoot+"/tmp", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777,size=256m")
	p.tmpfs(newRoot+"/dev", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=0755,size=64k")
	for _, d := range devNodes {
		bind(d, false)
	}
	for _, l := range [][2]string{{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}} {
		p.add(opSymlink, str(l[1]), str(newRoot+"/dev/"+l[0]))
	}
	p.tmpfs(newRoot+"/dev/shm", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=1777,size=64m")
	p.add(opMkdir, str(newRoot+"/proc"))
	p.mount("proc", newRoot+"/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	for _, path := range s.ReadOnly {
		bind(path, true)
	}
	for _, path := range s.Writable {
		bind(path, false)
	}
	links := make([]string, 0, len(s.Links))
	for l := range s.Links {
		links = append(links, l)
	}
	slices.Sort(links)
	for _, l := range links {
		p.add(opSymlink, str(s.Links[l]), str(newRoot+l))
	}
	if s.Egress != "" {
		p.add(opMkfile, str(newRoot+egressSocket))
		p.mount(oldRoot+s.Egress, newRoot+egressSocket, "", unix.MS_BIND, "")
	}
	for _, h := range s.Hide {
		p.add(opHide, str(newRoot+h), str(oldRoot+"/dev/null"))
	}
	// Into the new root; the staging tmpfs and the host's root go away.
	p.add(opChdir, str(newRoot))
	p.add(opPivot, str("."), str("."))
	p.add(opUmount, str("."), num(unix.MNT_DETACH))
	p.add(opChdir, str("/"))
	p.add(opSetattr, str("/"), num(attrRO), num(0))
}

// devNodes are the devices bound into the sandbox's /dev.
var devNodes = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}

// planLandlock repeats the mount rules as a second, independent layer:
// read and execute under the read-only paths, write only in the
// writable ones, /tmp and /dev/shm, no TCP bind or connect (but to the
// egress relay), no signals or abstract sockets out of the sandbox. The
// rights are those of go-landlock's V7 in best-effort mode, cut to what
// this kernel's ABI handles; a path missing in the sandbox is skipped.
func (s *Spec) planLandlock(p *planner) error {
	fs, net, scoped := landlockHandled(s.LandlockABI)
	if fs == 0 {
		return errors.New("landlock: the kernel offers no Landlock ABI")
	}
	p.add(opLLRuleset, num(fs), num(net), num(scoped))
	rule := func(access uint64, path string) {
		if access&fs != 0 {
			p.add(opLLPath, num(access&fs), str(path))
		}
	}
	for _, path := range s.ReadOnly {
		// Directory rights on a file are an error for the kernel.
		if st, err := os.Stat(path); err == nil && !st.IsDir() {
			rule(llRead&llFile, path)
		} else if err == nil {
			rule(llRead, path)
		}
	}
	for _, path := range append([]string{"/tmp", "/dev/shm"}, s.Writable...) {
		rule(llRead|llWrite, path)
	}
	rule(llRead, "/proc")
	rule(llRead, "/dev")
	for _, d := range devNodes {
		rule((llRead|llWrite)&llFile|ll.AccessFSIoctlDev, d)
	}
	if s.Egress != "" && net&ll.AccessNetConnectTCP != 0 {
		p.add(opLLPort, num(ll.AccessNetConnectTCP), num(EgressPort))
	}
	p.add(opLLRestrict)
	return nil
}
