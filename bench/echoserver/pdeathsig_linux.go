package main

import (
	"os"
	"syscall"
)

// dieWithParent asks the kernel to SIGKILL this process when its parent (the
// load tool, or mcpwarden when it is the upstream child) exits, so a killed
// benchmark never leaves an echo server behind.
func dieWithParent() {
	ppid := os.Getppid()
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
	if os.Getppid() != ppid { // parent already gone before prctl took effect
		os.Exit(1)
	}
}
