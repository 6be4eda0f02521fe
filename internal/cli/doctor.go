package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/sandbox"
)

func doctorCmd() *cobra.Command {
	var file string
	var paths bool
	c := &cobra.Command{
		Use:   "doctor [-c FILE [--paths]]",
		Short: "Report which sandbox protections this machine supports, and what each configured server gets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			sup := sandbox.Probe()
			printSupport(out, sup)
			if file == "" {
				return nil
			}
			cfg, err := config.Load(file)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintln(out)
			refused := printServers(out, cfg, sup)
			if paths {
				printPaths(out, cfg)
			}
			if refused > 0 {
				return &exitError{code: 1, err: fmt.Errorf("doctor: %d server(s) would not start on this machine", refused)}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&file, "config", "c", "", "configuration file whose stdio servers to check")
	c.Flags().BoolVar(&paths, "paths", false, "with -c: list what each sandboxed server sees (read-only, writable, masked)")
	return c
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func printSupport(w io.Writer, s sandbox.Support) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROTECTION\tAVAILABLE\tDETAIL")
	ns := "user, pid, mount, network, ipc, uts"
	if !s.Namespaces {
		ns = s.NamespacesWhy
	}
	fmt.Fprintf(tw, "namespaces\t%s\t%s\n", yesNo(s.Namespaces), ns)
	ll := s.LandlockWhy
	if s.LandlockABI > 0 {
		ll = fmt.Sprintf("ABI %d: %s", s.LandlockABI, landlockDetail(s.LandlockABI))
	}
	fmt.Fprintf(tw, "landlock\t%s\t%s\n", yesNo(s.LandlockABI > 0), ll)
	sc := "deny-list filter, no_new_privs"
	if !s.Seccomp {
		_, sc = s.Has(sandbox.FeatureSeccomp)
	}
	fmt.Fprintf(tw, "seccomp\t%s\t%s\n", yesNo(s.Seccomp), sc)
	fmt.Fprintf(tw, "capabilities\t%s\t%s\n", yesNo(s.Namespaces), "all dropped, bounding set cleared, no root fixup")
	fmt.Fprintf(tw, "rlimits\t%s\t%s\n", "yes", fmt.Sprintf("nproc %d, data %d MiB, nofile %d, cpu %ds",
		sandbox.DefaultLimits.NProc, sandbox.DefaultLimits.Data>>20, sandbox.DefaultLimits.NoFile, sandbox.DefaultLimits.CPU))
	netOK, why := s.Has(sandbox.FeatureNetwork)
	if netOK {
		why = "HTTP CONNECT proxy per server on a socket inside the sandbox; listed names only, no internal addresses"
	}
	fmt.Fprintf(tw, "network allow-list\t%s\t%s\n", yesNo(netOK), why)
	version := "v1"
	if s.CgroupV2 {
		version = "v2"
	}
	cg := fmt.Sprintf("%s leaf per server: pids.max %d, memory %d MiB", version, sandbox.DefaultLimits.NProc, sandbox.DefaultLimits.Memory>>20)
	cgOK, why := s.Has(sandbox.FeatureCgroup)
	if !cgOK {
		cg = why
	}
	fmt.Fprintf(tw, "cgroup\t%s\t%s\n", yesNo(cgOK), cg)
	tw.Flush()
}

func landlockDetail(abi int) string {
	parts := []string{"filesystem"}
	if abi >= 4 {
		parts = append(parts, "TCP bind/connect")
	}
	if abi >= 5 {
		parts = append(parts, "device ioctl")
	}
	if abi >= 6 {
		parts = append(parts, "signal and abstract-socket scoping")
	}
	return strings.Join(parts, ", ")
}

// printServers writes one row per stdio server and returns how many
// would be refused.
func printServers(w io.Writer, cfg *config.Config, s sandbox.Support) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tPROFILE\tSTARTS\tGETS\tDEGRADED\tMISSING")
	refused := 0
	var notes []error
	for _, srv := range cfg.Servers {
		if srv.Transport != config.TransportStdio {
			continue
		}
		sb := srv.Sandbox
		if sb.Off {
			fmt.Fprintf(tw, "%s\toff\tyes\t-\t-\t(sandbox off)\n", srv.Name)
			continue
		}
		profile := sb.Profile
		if profile == "" {
			profile = sandbox.ProfileStrict
		}
		v := sandbox.Check(sandbox.Options{Profile: sb.Profile, AllowNet: sb.AllowNet, AllowDegraded: sb.AllowDegraded}, s)
		starts := "yes"
		if len(v.Refused) > 0 {
			starts = "NO"
			refused++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", srv.Name, profile, starts, list(v.Granted), list(v.Degraded), list(v.Refused))
		for _, f := range append(v.Refused, v.Degraded...) {
			notes = append(notes, fmt.Errorf("%s: %s: %s", srv.Name, f, v.Why[f]))
		}
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, errors.Join(notes...))
	}
	return refused
}

func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

// printPaths lists, per sandboxed stdio server, the paths its sandbox
// would show it, as resolved on this machine now.
func printPaths(w io.Writer, cfg *config.Config) {
	hide := app.GatewayPaths(cfg)
	for _, srv := range cfg.Servers {
		if srv.Transport != config.TransportStdio || srv.Sandbox.Off {
			continue
		}
		sb := srv.Sandbox
		o := sandbox.Options{Profile: sb.Profile, Writable: sb.Writable, ReadOnly: sb.ReadOnly,
			AllowNet: sb.AllowNet, Env: sb.Env, AllowDegraded: sb.AllowDegraded}
		fmt.Fprintf(w, "\n%s:\n", srv.Name)
		spec, err := sandbox.Plan(o, srv.Command, srv.Cwd, hide)
		if err != nil {
			fmt.Fprintf(w, "  cannot plan: %v\n", err)
			continue
		}
		fmt.Fprintf(w, "  read-only: %s\n", strings.Join(spec.ReadOnly, " "))
		fmt.Fprintf(w, "  writable:  %s\n", strings.Join(append([]string{"/tmp (private)", "/dev/shm (private)"}, spec.Writable...), " "))
		fmt.Fprintf(w, "  masked:    %s\n", strings.Join(spec.Hide, " "))
		if len(sb.AllowNet) > 0 {
			fmt.Fprintf(w, "  network:   %s through the egress proxy\n", strings.Join(sb.AllowNet, " "))
		} else {
			fmt.Fprintf(w, "  network:   none (own loopback only)\n")
		}
		fmt.Fprintf(w, "  env:       %s\n", strings.Join(envNames(sandbox.Env(o, srv.Env)), " "))
	}
}

func envNames(env []string) []string {
	names := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	return names
}
