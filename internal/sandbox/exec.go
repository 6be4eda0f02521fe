package sandbox

import (
	"fmt"
	"io"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/sys/unix"
)

// Main is the Go part of the helper: args are what follows HelperArg on
// the command line. The sandbox's setup never reaches Go: stage.c runs it
// and executes the server before the Go runtime starts. What remains
// here is the egress relay (--forward SOCK), which stage.c starts. Main
// returns the exit code; messages go to stderr, which the gateway logs.
func Main(args []string, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "--forward" {
		if err := forward(args[1]); err != nil {
			fmt.Fprintf(stderr, "mcpwarden sandbox: egress forwarder: %v\n", err)
		}
		return 1
	}
	why := "the setup stage (stage.c) did not run: a binary without cgo, or a C library that does not pass argv to constructors"
	if !stageBuilt {
		why = errNoStage.Error()
	}
	fmt.Fprintf(stderr, "mcpwarden sandbox: %s\n", why)
	return 126
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
