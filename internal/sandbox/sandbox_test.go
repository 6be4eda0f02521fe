package sandbox

import (
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary act as the helper, as mcpwarden does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == HelperArg {
		os.Exit(Main(os.Args[2:], os.Stderr))
	}
	os.Exit(m.Run())
}

func TestEnvIsClean(t *testing.T) {
	t.Setenv("MCPWARDEN_TEST_SECRET", "s3cret")
	t.Setenv("MCPWARDEN_TEST_PASS", "passed")
	env := Env(Options{Env: []string{"MCPWARDEN_TEST_PASS", "MCPWARDEN_TEST_UNSET"}}, map[string]string{"LANG": "fr_FR.UTF-8", "X": "1"})
	joined := strings.Join(env, "\n")
	for _, want := range []string{"HOME=/tmp", "LANG=fr_FR.UTF-8", "MCPWARDEN_TEST_PASS=passed", "X=1", "PATH="} {
		if !strings.Contains(joined, want) {
			t.Errorf("env lacks %q:\n%s", want, joined)
		}
	}
	for _, bad := range []string{"s3cret", "MCPWARDEN_TEST_UNSET"} {
		if strings.Contains(joined, bad) {
			t.Errorf("env has %q:\n%s", bad, joined)
		}
	}
}

func TestCheck(t *testing.T) {
	none := Support{NamespacesWhy: "no userns", LandlockWhy: "no landlock"}
	full := Support{Namespaces: true, LandlockABI: 7, Seccomp: true, CgroupV1: true}
	bare := []string{FeatureNamespaces, FeatureLandlock, FeatureSeccomp}
	if rootGateway {
		bare = append(bare, FeatureCgroup)
	}
	for _, tt := range []struct {
		name    string
		o       Options
		s       Support
		refused []string
	}{
		{"full", Options{}, full, nil},
		{"off", Options{Off: true}, none, nil},
		{"bare machine", Options{}, none, bare},
		{"waived", Options{AllowDegraded: []string{FeatureLandlock}}, Support{Namespaces: true, Seccomp: true, CgroupV1: true}, nil},
		{"network", Options{AllowNet: []string{"example.com"}}, full, nil},
		{"network without namespaces", Options{AllowNet: []string{"example.com"}, AllowDegraded: []string{FeatureNamespaces, FeatureLandlock, FeatureSeccomp, FeatureCgroup}}, none, []string{FeatureNetwork}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(tt.o, tt.s)
			if !slices.Equal(v.Refused, tt.refused) {
				t.Errorf("refused %v, want %v", v.Refused, tt.refused)
			}
			for _, f := range v.Refused {
				if v.Why[f] == "" {
					t.Errorf("no reason for %s", f)
				}
			}
		})
	}
}

func TestEgressRules(t *testing.T) {
	rules, err := parseAllow([]string{"registry.npmjs.org", "example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		host string
		port int
		want bool
	}{
		{"registry.npmjs.org", 443, true},
		{"REGISTRY.npmjs.org.", 80, true},
		{"a.registry.npmjs.org", 443, true},
		{"registry.npmjs.org", 22, false},
		{"evilregistry.npmjs.org.attacker.com", 443, false},
		{"npmjs.org", 443, false},
		{"example.com", 8443, true},
		{"example.com", 443, false},
	} {
		if got := allowed(rules, tt.host, tt.port); got != tt.want {
			t.Errorf("allowed(%s, %d) = %v", tt.host, tt.port, got)
		}
	}
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fe80::1", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "fc00::1", "64:ff9b::a00:1"} {
		if publicAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s counted as public", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "2606:4700::1111"} {
		if !publicAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s counted as internal", a)
		}
	}
}

func TestPrepareView(t *testing.T) {
	requireStage(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "bin", "server")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755)
	other := filepath.Join(dir, "bin", "other-secret")
	os.WriteFile(other, []byte("x"), 0o600)
	w := filepath.Join(dir, "data")
	os.Mkdir(w, 0o755)
	cmd := exec.Command(exe)
	spec, err := Prepare(Options{Writable: []string{w}}, cmd, []string{"/etc/mcpwarden.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(spec.ReadOnly, exe) || slices.Contains(spec.ReadOnly, filepath.Dir(exe)) {
		t.Errorf("read-only %v: want the executable alone", spec.ReadOnly)
	}
	if !slices.Contains(spec.Writable, w) {
		t.Errorf("writable %v", spec.Writable)
	}
	if cmd.Path != "/proc/self/exe" || cmd.Args[1] != HelperArg || cmd.SysProcAttr.Cloneflags&syscall.CLONE_NEWUSER == 0 {
		t.Errorf("not a helper launch: %q %q", cmd.Path, cmd.Args)
	}
	// The program the helper gets binds the executable alone, read-only.
	var prog []op
	for _, kv := range cmd.Env {
		if h, ok := strings.CutPrefix(kv, SpecEnv+"="); ok {
			raw, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			if prog, err = decodeProgram(raw); err != nil {
				t.Fatal(err)
			}
		}
	}
	boundExe := false
	for _, o := range prog {
		for _, f := range o.f {
			if strings.Contains(string(f), "other-secret") {
				t.Errorf("program names a file it should not expose: %v", o)
			}
		}
		if o.code == opBind && o.s(1) == newRoot+exe {
			boundExe = o.n(2)&attrRO != 0
		}
	}
	if !boundExe {
		t.Errorf("the executable is not bound read-only")
	}
}

// run starts argv sandboxed through the test binary as helper and
// returns its combined output.
func runSandboxed(t testing.TB, o Options, argv ...string) (string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = Env(o, nil)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if _, err := Prepare(o, cmd, nil, nil); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func requireSupport(t testing.TB) {
	requireStage(t)
	s := Probe()
	if !s.Namespaces || s.LandlockABI == 0 || !s.Seccomp {
		t.Skipf("machine lacks a protection: %+v", s)
	}
}

func TestHelperConfines(t *testing.T) {
	requireSupport(t)
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("s3cret"), 0o600)
	w := t.TempDir()
	script := `ls /proc | grep -c '^[0-9]' ; cat ` + secret + ` 2>&1; echo x > ` + w + `/ok && echo wrote; echo x > /usr/nope 2>&1; grep -E 'CapEff|NoNewPrivs|Seccomp:' /proc/self/status`
	out, err := runSandboxed(t, Options{Writable: []string{w}}, "/bin/sh", "-c", script)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"wrote", "CapEff:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("secret readable:\n%s", out)
	}
	if n := strings.SplitN(out, "\n", 2)[0]; n != "3" && n != "2" && n != "4" {
		t.Errorf("sees %s processes in /proc, want only its own few", n)
	}
}

// BenchmarkSpawn measures start-to-exit of a trivial program, plain and
// sandboxed; the difference is the sandbox's spawn overhead.
func BenchmarkSpawn(b *testing.B) {
	requireSupport(b)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command("/bin/true")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sandboxed", func(b *testing.B) {
		for b.Loop() {
			if out, err := runSandboxed(b, Options{}, "/bin/true"); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}
