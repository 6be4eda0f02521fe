// Package sandbox confines a stdio MCP server without a container engine:
// the gateway re-executes itself as a small helper (mcpwarden
// __sandbox-exec) in new user, pid, mount, network, ipc and uts
// namespaces; the helper builds a minimal root file system, brings up
// loopback, applies rlimits, Landlock, drops capabilities, loads a
// seccomp deny-list and then executes the server with a clean
// environment. stdin, stdout and stderr pass through untouched.
//
// The gateway side (Prepare) resolves everything that needs the host's
// view (paths, the executable, a script's interpreter) into a Spec and
// plans it as a program of operations (program.go); the helper, stage.c,
// runs that program from a C constructor before the Go runtime starts.
package sandbox

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// Profiles.
const (
	ProfileStrict = "strict"
	ProfileNode   = "node"
	ProfilePython = "python"
	ProfileCustom = "custom"
)

// Profiles lists the profile names in documentation order.
var Profiles = []string{ProfileStrict, ProfileNode, ProfilePython, ProfileCustom}

// Features that a profile requests and that allow_degraded may waive.
const (
	FeatureNamespaces = "namespaces" // user, pid, mount, net, ipc, uts namespaces
	FeatureLandlock   = "landlock"
	FeatureSeccomp    = "seccomp"
	FeatureNetwork    = "network" // network allow-list through the gateway's proxy
	FeatureCgroup     = "cgroup"  // cgroup v2 leaf with memory and pids limits
)

// Features lists the names allow_degraded accepts.
var Features = []string{FeatureNamespaces, FeatureLandlock, FeatureSeccomp, FeatureNetwork, FeatureCgroup}

// Options is what a configuration asks of one server's sandbox.
type Options struct {
	Off           bool
	Profile       string   // "" means strict
	Writable      []string // directories the server may write
	ReadOnly      []string // extra read-only paths (any profile)
	AllowNet      []string // domains reachable through the egress proxy
	Env           []string // names of the gateway's variables passed through
	AllowDegraded []string // features the server may start without
	// Limits override the profile's resource limits where non-zero.
	Limits Limits
	// Logger receives the egress proxy's decisions; nil means slog.Default().
	Logger *slog.Logger
}

// Limits are per-process resource limits (setrlimit).
type Limits struct {
	NProc  uint64 // processes of the sandbox's user
	Data   uint64 // bytes of data segment (heap) per process
	NoFile uint64 // open files per process
	CPU    uint64 // CPU seconds per process
	// Memory caps the whole sandbox's memory where a cgroup is used.
	Memory uint64
}

// DefaultLimits suit one MCP server: enough for node with its worker
// threads, little enough that a fork bomb or a leak stops early.
var DefaultLimits = Limits{NProc: 512, Data: 2 << 30, NoFile: 4096, CPU: 3600, Memory: 2 << 30}

// Requested returns the features these options need from the machine.
// The process limit comes from RLIMIT_NPROC, except for a gateway running
// as root, which needs a pids cgroup (see rootGateway).
func (o Options) Requested() []string {
	if o.Off {
		return nil
	}
	f := []string{FeatureNamespaces, FeatureLandlock, FeatureSeccomp}
	if rootGateway {
		f = append(f, FeatureCgroup)
	}
	if len(o.AllowNet) > 0 {
		f = append(f, FeatureNetwork)
	}
	return f
}

// Validate reports problems with the options, each as one message.
func (o Options) Validate() []string {
	var probs []string
	if o.Profile != "" && !slices.Contains(Profiles, o.Profile) {
		probs = append(probs, fmt.Sprintf("unknown profile %q (expected one of %s)", o.Profile, strings.Join(Profiles, ", ")))
	}
	for _, f := range o.AllowDegraded {
		if !slices.Contains(Features, f) {
			probs = append(probs, fmt.Sprintf("allow_degraded: unknown feature %q (expected one of %s)", f, strings.Join(Features, ", ")))
		}
	}
	return probs
}

// Spec is the resolved plan for one server. The helper receives it as a
// program (program.go) in an environment variable, so it must never hold
// secrets; the server's environment travels as the helper's own
// environment.
type Spec struct {
	// Namespaces is set when the helper runs in fresh namespaces and
	// builds the root file system; when false (degraded) it applies only
	// the process-level protections.
	Namespaces bool              `json:"namespaces"`
	ReadOnly   []string          `json:"ro,omitempty"`    // dirs or files, bound read-only at the same path
	Writable   []string          `json:"rw,omitempty"`    // dirs bound writable at the same path
	Links      map[string]string `json:"links,omitempty"` // symlink path → target, made in the new root
	Hide       []string          `json:"hide,omitempty"`  // paths masked by an empty file or dir
	Dir        string            `json:"dir,omitempty"`   // working directory, if visible
	Landlock   bool              `json:"landlock"`
	// LandlockABI is the kernel's Landlock ABI version, which decides the
	// access rights the helper's ruleset handles.
	LandlockABI int      `json:"landlock_abi,omitempty"`
	Seccomp     bool     `json:"seccomp"`
	Limits      Limits   `json:"limits"`
	Cgroups     []string `json:"cgroups,omitempty"` // cgroup.procs files to join
	Egress      string   `json:"egress,omitempty"`  // host path of the egress proxy's socket
	// Degraded lists requested features the server may start without.
	Degraded []string `json:"degraded,omitempty"`
}

// SpecEnv is the variable that carries the helper's program, hex-encoded.
const SpecEnv = "MCPWARDEN_SANDBOX_SPEC"

// HelperArg is the hidden subcommand that runs the helper.
const HelperArg = "__sandbox-exec"
