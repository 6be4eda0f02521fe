package sandbox

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func requireStage(t testing.TB) {
	if !stageBuilt {
		t.Skip("built without cgo: no C stage")
	}
}

func TestStageNames(t *testing.T) {
	requireStage(t)
	if arg, env := stageNames(); arg != HelperArg || env != SpecEnv {
		t.Errorf("stage.h names %q %q, Go %q %q", arg, env, HelperArg, SpecEnv)
	}
}

// samplePrograms are valid programs: a full plan and small ones.
func samplePrograms(t testing.TB) [][]op {
	w := t.TempDir()
	spec := &Spec{Namespaces: true, Landlock: true, Seccomp: true, LandlockABI: 7, Limits: DefaultLimits,
		ReadOnly: []string{"/usr", "/etc/hosts"}, Writable: []string{w}, Links: map[string]string{"/bin": "usr/bin"},
		Hide: []string{"/etc/mcpwarden.yaml"}, Dir: w, Cgroups: []string{"/sys/fs/cgroup/pids/x/cgroup.procs"}, Egress: "/tmp/e/egress.sock"}
	full, err := spec.program()
	if err != nil {
		t.Fatal(err)
	}
	return [][]op{
		full,
		{{code: opExec}},
		{{code: opChdir, f: [][]byte{str("/")}}, {code: opRlimit, f: [][]byte{num(7), num(64)}}, {code: opExec}},
		{{code: opForward, f: [][]byte{str("/proc/self/exe"), str("a"), str("")}}, {code: opSeccomp, f: [][]byte{make([]byte, 16)}}, {code: opExec}},
	}
}

// TestProgramRoundTrip: what the planner writes, the C decoder reads
// back field for field, and the hex the helper receives decodes the same.
func TestProgramRoundTrip(t *testing.T) {
	requireStage(t)
	for i, ops := range samplePrograms(t) {
		raw, err := encodeProgram(ops)
		if err != nil {
			t.Fatalf("program %d: %v", i, err)
		}
		got, err := decodeProgram(raw)
		if err != nil {
			t.Fatalf("program %d: C decoder: %v", i, err)
		}
		if len(got) != len(ops) {
			t.Fatalf("program %d: %d operations back, want %d", i, len(got), len(ops))
		}
		for j := range ops {
			if got[j].code != ops[j].code || !slices.EqualFunc(got[j].f, ops[j].f, bytes.Equal) {
				t.Errorf("program %d op %d: %v, want %v", i, j, got[j], ops[j])
			}
		}
		if b, ok := unhexC(hex.EncodeToString(raw)); !ok || !bytes.Equal(b, raw) {
			t.Errorf("program %d: hex round trip failed", i)
		}
	}
}

// TestProgramRefused: malformed programs, each refused by the encoder
// and the C decoder alike, beside valid look-alikes.
func TestProgramRefused(t *testing.T) {
	requireStage(t)
	exec := op{code: opExec}
	for name, ops := range map[string][]op{
		"empty":              nil,
		"no exec":            {{code: opChdir, f: [][]byte{str("/")}}},
		"exec not last":      {exec, {code: opNoNewPrivs}, exec},
		"two execs":          {exec, exec},
		"unknown code":       {{code: opCount}, exec},
		"code zero":          {{code: 0}, exec},
		"string without nul": {{code: opChdir, f: [][]byte{[]byte("/")}}, exec},
		"nul inside string":  {{code: opChdir, f: [][]byte{[]byte("/a\x00b\x00")}}, exec},
		"empty field":        {{code: opChdir, f: [][]byte{{}}}, exec},
		"short number":       {{code: opPdeathsig, f: [][]byte{{9, 0, 0, 0}}}, exec},
		"missing field":      {{code: opRlimit, f: [][]byte{num(1)}}, exec},
		"extra field":        {{code: opNoNewPrivs, f: [][]byte{num(1)}}, exec},
		"odd blob":           {{code: opSeccomp, f: [][]byte{make([]byte, 12)}}, exec},
		"huge blob":          {{code: opSeccomp, f: [][]byte{make([]byte, progMaxBlob+8)}}, exec},
		"long string":        {{code: opChdir, f: [][]byte{str(strings.Repeat("a", progMaxStr))}}, exec},
		"forward no argv":    {{code: opForward, f: [][]byte{str("/proc/self/exe")}}, exec},
		"forward too long":   {{code: opForward, f: slices.Repeat([][]byte{str("a")}, progMaxFields+1)}, exec},
	} {
		if _, err := encodeProgram(ops); err == nil {
			t.Errorf("%s: encoded", name)
		}
		// The same bytes, written without the encoder's checks.
		b := []byte(progMagic)
		for _, o := range ops {
			b = append(b, byte(o.code), byte(len(o.f)))
			for _, f := range o.f {
				b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
				b = append(b, f...)
			}
		}
		if _, err := decodeProgram(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	good, _ := encodeProgram([]op{exec})
	for name, b := range map[string][]byte{
		"no magic":        good[4:],
		"wrong magic":     append([]byte("MWS2"), good[4:]...),
		"truncated":       append(slices.Clone(good[:len(good)-1]), byte(opChdir), 1, 5, 0, 0),
		"length past end": append(append([]byte(progMagic), byte(opChdir), 1, 0xff, 0xff, 0xff, 0xff, '/', 0), good[4:]...),
		"too big":         append(slices.Clone(good), make([]byte, progMaxBytes)...),
	} {
		if _, err := decodeProgram(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	for _, s := range []string{"0", "zz", "4D", "4d5", " 4d5", strings.Repeat("00", progMaxBytes+2)} {
		if _, ok := unhexC(s); ok {
			t.Errorf("unhex %.10q accepted", s)
		}
	}
	if b, ok := unhexC("4d575331"); !ok || string(b) != "MWS1" {
		t.Errorf("unhex of a valid string: %q %v", b, ok)
	}
}

// FuzzProgram: the C decoder never crashes, and whatever it accepts the
// Go encoder writes back to the same bytes (one format, two sides).
func FuzzProgram(f *testing.F) {
	requireStage(f)
	for _, ops := range samplePrograms(f) {
		raw, err := encodeProgram(ops)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("MWS1"))
	f.Add([]byte("MWS1\x1a\x00"))
	f.Add([]byte("MWS1\x09\x01\x02\x00\x00\x00/\x00\x1a\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := decodeProgram(b)
		if err != nil {
			return
		}
		again, err := encodeProgram(ops)
		if err != nil {
			t.Fatalf("C accepted what Go refuses: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoded differently:\n%x\n%x", again, b)
		}
	})
}

// helperRun runs the test binary as the helper with a raw program, with
// no namespaces: what stage.c does with it, without a sandbox. "-" means
// no program at all.
func helperRun(t *testing.T, program string, argv ...string) (string, int) {
	cmd := exec.Command(os.Args[0], append([]string{HelperArg, argv[0], "--"}, argv...)...)
	cmd.Env = []string{"KEEP=1"}
	if program != "-" {
		cmd.Env = append(cmd.Env, SpecEnv+"="+program)
	}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// TestStageFailsClosed: a broken program or a failing operation stops the
// helper with 126 and a message, before the server runs.
func TestStageFailsClosed(t *testing.T) {
	requireStage(t)
	enc := func(ops ...op) string {
		b, err := encodeProgram(append(ops, op{code: opExec}))
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(b)
	}
	out, code := helperRun(t, enc(), "/bin/sh", "-c", "echo ran; env")
	if code != 0 || !strings.Contains(out, "ran") || !strings.Contains(out, "KEEP=1") || strings.Contains(out, SpecEnv) {
		t.Errorf("plain exec: exit %d, output %q (want the server's environment without the program)", code, out)
	}
	for name, c := range map[string]struct{ prog, msg string }{
		"no program":      {"-", "no " + SpecEnv},
		"not hex":         {"zz", "bad hex"},
		"bad program":     {hex.EncodeToString([]byte("MWS1\x00\x00")), "unknown operation"},
		"empty program":   {"", "bad magic"},
		"failing chdir":   {enc(op{code: opChdir, f: [][]byte{str("/nonexistent-mcpwarden")}}), "chdir /nonexistent-mcpwarden"},
		"failing cgroup":  {enc(op{code: opCgroup, f: [][]byte{str("/nonexistent-mcpwarden/cgroup.procs")}}), "cgroup: join"},
		"landlock unruly": {enc(op{code: opLLRestrict}), "restrict before ruleset"},
		"seccomp garbage": {enc(op{code: opNoNewPrivs}, op{code: opSeccomp, f: [][]byte{bytes.Repeat([]byte{0xff}, 8)}}), "seccomp"},
	} {
		out, code := helperRun(t, c.prog, "/bin/sh", "-c", "echo ran")
		if code != 126 || strings.Contains(out, "ran") || !strings.Contains(out, "mcpwarden sandbox: ") || !strings.Contains(out, c.msg) {
			t.Errorf("%s: exit %d, output %q; want 126 and %q", name, code, out, c.msg)
		}
	}
}

// FuzzPlan: whatever paths a plan holds, the encoder either refuses the
// program (a NUL in a path, a path too long) or writes one the C decoder
// reads back operation for operation, each path intact.
func FuzzPlan(f *testing.F) {
	requireStage(f)
	f.Add("/srv/data", "/etc/mcpwarden.yaml", "usr/bin", 7)
	f.Add("/a\x00/b", "", "", 1)
	f.Add(strings.Repeat("/x", 3000), "/h", "../..", 4)
	f.Add("/dev/null", "/proc/self/environ", "/", 0)
	f.Fuzz(func(t *testing.T, path, hide, target string, abi int) {
		spec := &Spec{Namespaces: true, Landlock: abi > 0, Seccomp: true, LandlockABI: abi % 10, Limits: DefaultLimits,
			ReadOnly: []string{path}, Writable: []string{path}, Links: map[string]string{path: target},
			Hide: []string{hide}, Dir: path, Cgroups: []string{path}, Egress: path}
		ops, err := spec.program()
		if err != nil {
			return // no Landlock ABI
		}
		raw, err := encodeProgram(ops)
		if err != nil {
			return
		}
		got, err := decodeProgram(raw)
		if err != nil {
			t.Fatalf("C refuses what Go wrote: %v", err)
		}
		if len(got) != len(ops) {
			t.Fatalf("%d operations back, want %d", len(got), len(ops))
		}
		for i := range ops {
			if got[i].code != ops[i].code || !slices.EqualFunc(got[i].f, ops[i].f, bytes.Equal) {
				t.Fatalf("op %d: %v, want %v", i, got[i], ops[i])
			}
		}
		if strings.ContainsRune(path+hide+target, 0) {
			t.Fatalf("a path with a NUL was encoded")
		}
	})
}
