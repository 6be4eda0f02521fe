package sandbox

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// systemPaths are visible read-only in every profile: the dynamic loader,
// shared libraries, the usual tool directories, and the few files in /etc
// that name resolution, TLS and locales read. The rest of /etc (shadow,
// the gateway's own configuration, keys) is not.
var systemPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	"/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
	"/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/gai.conf",
	"/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/alternatives",
	"/etc/os-release", "/etc/mime.types", "/etc/protocols", "/etc/services",
}

// homePaths are, per profile, paths under the gateway user's home made
// visible read-only: the package managers' caches and version managers.
var homePaths = map[string][]string{
	ProfileNode:   {".npm", ".nvm", ".volta", ".cache/node", ".local/share/fnm"},
	ProfilePython: {".cache/uv", ".local/share/uv", ".pyenv", ".cache/pip", ".local/bin"},
}

// interpreters are looked up on PATH per profile; their installation
// prefix is made visible when it lies outside the system paths.
var interpreters = map[string][]string{
	ProfileNode:   {"node", "npm", "npx"},
	ProfilePython: {"python3", "python", "uv", "uvx"},
}

// DefaultPath is the PATH of a sandboxed server unless the config names
// PATH in env.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Env builds the clean environment of a sandboxed server: PATH, HOME,
// LANG and TMPDIR defaults, the gateway variables named in o.Env, then
// the config's own values (which win).
func Env(o Options, values map[string]string) []string {
	m := map[string]string{"PATH": DefaultPath, "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
	if extra := interpreterBins(o.profile()); len(extra) > 0 {
		m["PATH"] = strings.Join(extra, ":") + ":" + DefaultPath
	}
	for _, name := range o.Env {
		if v, ok := os.LookupEnv(name); ok {
			m[name] = v
		}
	}
	for k, v := range values {
		m[k] = v
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		env = append(env, k+"="+m[k])
	}
	return env
}

func (o Options) profile() string {
	if o.Profile == "" {
		return ProfileStrict
	}
	return o.Profile
}

// interpreterBins are the directories outside the system paths holding
// the profile's interpreters, for PATH.
func interpreterBins(profile string) []string {
	var dirs []string
	for _, name := range interpreters[profile] {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		d := filepath.Dir(p)
		if !underSystem(d) && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func underSystem(p string) bool {
	for _, s := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib64"} {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// ErrUnavailable wraps every refusal to start for want of a protection.
var ErrUnavailable = errors.New("sandbox: protection unavailable")

// Prepare turns cmd (already holding the server's environment) into a
// launch of the sandbox helper that will run it. hide lists gateway paths
// (config, state, keys) masked inside the sandbox should a visible path
// contain them. It fails, wrapping ErrUnavailable, when a requested
// protection is missing and o.AllowDegraded does not name it; warn is
// called for every protection that is missing but waived.
func Prepare(o Options, cmd *exec.Cmd, hide []string, warn func(feature, reason string)) (*Spec, error) {
	if o.Off {
		return nil, nil
	}
	if !stageBuilt {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, errNoStage)
	}
	spec, verdict, exe, err := plan(o, cmd, hide, warn)
	if err != nil {
		return nil, err
	}
	useCgroup := slices.Contains(verdict.Granted, FeatureCgroup)
	if len(o.AllowNet) > 0 && slices.Contains(verdict.Granted, FeatureNetwork) {
		e, err := startEgress(o.AllowNet, o.Logger)
		if err != nil {
			return nil, err
		}
		spec.Egress = e.socket()
		proxy := "http://127.0.0.1:" + strconv.Itoa(EgressPort)
		cmd.Env = append(cmd.Env, "HTTPS_PROXY="+proxy, "HTTP_PROXY="+proxy, "https_proxy="+proxy, "http_proxy="+proxy,
			"NO_PROXY=localhost,127.0.0.1", "no_proxy=localhost,127.0.0.1")
	}
	if useCgroup {
		newLeaf := newCgroupV1
		if probeQuick().CgroupV2 {
			newLeaf = newCgroupV2
		}
		procs, err := newLeaf(spec.Limits)
		if err != nil {
			return nil, err
		}
		spec.Cgroups = procs
	}

	ops, err := spec.program()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	raw, err := encodeProgram(ops)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	args := append([]string{"mcpwarden-sandbox", HelperArg, exe, "--"}, cmd.Args...)
	cmd.Path = "/proc/self/exe"
	cmd.Args = args
	cmd.Env = append(slices.Clip(cmd.Env), SpecEnv+"="+hex.EncodeToString(raw))
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if spec.Namespaces {
		cmd.SysProcAttr.Cloneflags |= cloneFlags
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		cmd.SysProcAttr.GidMappingsEnableSetgroups = false
	}
	return spec, nil
}

// view collects the read-only paths of a spec, turning symlinks into
// links to their targets so that a bind never follows one silently.
type view struct{ spec *Spec }

func (v *view) readOnly(p string, required bool) error {
	p = filepath.Clean(p)
	for range 16 {
		st, err := os.Lstat(p)
		if err != nil {
			if required {
				return fmt.Errorf("sandbox: %w", err)
			}
			return nil
		}
		if st.Mode()&os.ModeSymlink == 0 {
			break
		}
		// Make the link's parent chain real first (a link inside /bin →
		// usr/bin is reached through /bin itself).
		target, err := os.Readlink(p)
		if err != nil {
			return nil
		}
		v.link(p, target)
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if required {
			return fmt.Errorf("sandbox: %w", err)
		}
		return nil
	}
	for _, have := range v.spec.ReadOnly {
		if real == have || strings.HasPrefix(real, have+"/") {
			return nil
		}
	}
	v.spec.ReadOnly = append(v.spec.ReadOnly, real)
	return nil
}

func (v *view) link(p, target string) {
	if v.spec.Links == nil {
		v.spec.Links = map[string]string{}
	}
	v.spec.Links[p] = target
}

// shebang returns the interpreter named by a script's #! line.
func shebang(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := io.ReadFull(f, buf)
	buf = buf[:n]
	if !bytes.HasPrefix(buf, []byte("#!")) {
		return ""
	}
	line, _, _ := bytes.Cut(buf[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// Plan resolves what a server started as argv in dir would see, without
// starting anything: for mcpwarden doctor.
func Plan(o Options, argv []string, dir string, hide []string) (*Spec, error) {
	if o.Off || len(argv) == 0 {
		return nil, nil
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	spec, _, _, err := plan(o, cmd, hide, nil)
	return spec, err
}

// plan checks the machine and resolves the paths; it has no effects.
func plan(o Options, cmd *exec.Cmd, hide []string, warn func(feature, reason string)) (*Spec, Verdict, string, error) {
	if cmd.Err != nil {
		return nil, Verdict{}, "", cmd.Err // the command was not found on PATH
	}
	if probs := o.Validate(); len(probs) > 0 {
		return nil, Verdict{}, "", fmt.Errorf("sandbox: %s", strings.Join(probs, "; "))
	}
	spec := &Spec{Namespaces: true, Landlock: true, Seccomp: true, Limits: DefaultLimits, Degraded: o.AllowDegraded}
	sup := probeQuick()
	if slices.Contains(o.AllowDegraded, FeatureNamespaces) {
		sup = Probe()
	}
	spec.LandlockABI = sup.LandlockABI
	verdict := Check(o, sup)
	if len(verdict.Refused) > 0 {
		f := verdict.Refused[0]
		return nil, Verdict{}, "", fmt.Errorf("%w: %s: %s (name it in allow_degraded to start without it)", ErrUnavailable, f, verdict.Why[f])
	}
	for _, f := range verdict.Degraded {
		if warn != nil {
			warn(f, verdict.Why[f])
		}
		switch f {
		case FeatureNamespaces:
			spec.Namespaces = false
		case FeatureLandlock:
			spec.Landlock = false
		case FeatureSeccomp:
			spec.Seccomp = false
		}
	}
	if l := o.Limits; l != (Limits{}) {
		if l.NProc != 0 {
			spec.Limits.NProc = l.NProc
		}
		if l.Data != 0 {
			spec.Limits.Data = l.Data
		}
		if l.NoFile != 0 {
			spec.Limits.NoFile = l.NoFile
		}
		if l.CPU != 0 {
			spec.Limits.CPU = l.CPU
		}
		if l.Memory != 0 {
			spec.Limits.Memory = l.Memory
		}
	}

	dir := cmd.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	exe := cmd.Path
	if !filepath.IsAbs(exe) {
		exe = filepath.Join(dir, exe)
	}
	if _, err := os.Stat(exe); err != nil {
		return nil, Verdict{}, "", fmt.Errorf("sandbox: server executable: %w", err)
	}
	v := &view{spec: spec}
	for _, p := range systemPaths {
		v.readOnly(p, false)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		for _, rel := range homePaths[o.profile()] {
			v.readOnly(filepath.Join(home, rel), false)
		}
	}
	for _, name := range interpreters[o.profile()] {
		if p, err := exec.LookPath(name); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil && !underSystem(real) {
				// An install prefix such as ~/.nvm/versions/node/v22: bin and lib.
				v.readOnly(filepath.Dir(filepath.Dir(real)), false)
			}
			v.readOnly(p, false)
		}
	}
	for _, p := range o.ReadOnly {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if err := v.readOnly(p, true); err != nil {
			return nil, Verdict{}, "", err
		}
	}
	// The server's executable and a script's interpreter, alone.
	if err := v.readOnly(exe, true); err != nil {
		return nil, Verdict{}, "", err
	}
	if interp := shebang(exe); interp != "" {
		v.readOnly(interp, false)
	}
	// Script arguments (node dist/index.js, python server.py): the file,
	// or the whole node_modules tree it belongs to.
	for _, a := range cmd.Args[1:] {
		if strings.HasPrefix(a, "-") || a == "" {
			continue
		}
		p := a
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if i := strings.Index(real, "/node_modules/"); i >= 0 {
			v.readOnly(real[:i+len("/node_modules")], false)
		} else {
			v.readOnly(real, false)
		}
		if real != p {
			v.readOnly(p, false)
		}
	}
	for _, w := range o.Writable {
		if !filepath.IsAbs(w) {
			w = filepath.Join(dir, w)
		}
		real, err := filepath.EvalSymlinks(w)
		if err != nil {
			return nil, Verdict{}, "", fmt.Errorf("sandbox: writable dir: %w", err)
		}
		if st, err := os.Stat(real); err != nil || !st.IsDir() {
			return nil, Verdict{}, "", fmt.Errorf("sandbox: writable %s: not a directory", w)
		}
		if !slices.Contains(spec.Writable, real) {
			spec.Writable = append(spec.Writable, real)
		}
		if real != w {
			v.link(w, real)
		}
	}
	for _, h := range hide {
		if h == "" {
			continue
		}
		if abs, err := filepath.Abs(h); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			spec.Hide = append(spec.Hide, abs)
		}
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	spec.Dir = dir
	return spec, verdict, exe, nil
}
