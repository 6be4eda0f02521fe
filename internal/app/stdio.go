package app

import (
	"os"
	"syscall"

	"github.com/mcpwarden/mcpwarden/internal/pipesize"
)

// pollable returns a version of f (the process's stdin or stdout) that the
// Go runtime's poller serves, when f is a pipe or a socket. A blocking
// read of stdin holds an OS thread and leaves the goroutine that a request
// was just handed to waiting for the scheduler to notice; measured, that
// cost tens of microseconds per call. Terminals and files are left alone:
// the non-blocking flag is shared with whoever else holds the descriptor.
// restore puts the flag back.
func pollable(f *os.File) (rw *os.File, restore func()) {
	var st syscall.Stat_t
	fd := int(f.Fd()) // Fd leaves f in blocking mode, which we change below
	if err := syscall.Fstat(fd, &st); err != nil {
		return f, func() {}
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFIFO, syscall.S_IFSOCK:
	default:
		return f, func() {}
	}
	dup, err := syscall.Dup(fd)
	if err != nil {
		return f, func() {}
	}
	if err := syscall.SetNonblock(dup, true); err != nil {
		syscall.Close(dup)
		return f, func() {}
	}
	nf := os.NewFile(uintptr(dup), f.Name())
	pipesize.Grow(nf)
	return nf, func() {
		nf.Close()
		_ = syscall.SetNonblock(fd, false)
	}
}
