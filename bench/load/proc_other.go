//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

const (
	sigTERM = syscall.SIGTERM
	sigKILL = syscall.SIGKILL
)

// The load tool targets Linux (Pdeathsig, process groups, /proc). Elsewhere it
// builds, and children are still killed on every exit path, but a hard crash
// of the tool can orphan them.
func setChildAttrs(*exec.Cmd) {}

func signalGroup(pid int, _ syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

func readRSS(int) (rssSample, error) {
	return rssSample{}, errors.New("-rss needs /proc (Linux)")
}
