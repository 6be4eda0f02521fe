// Package pipesize enlarges the kernel buffer of the pipes a stdio relay
// reads and writes. A pipe holds 64 KiB by default, so a 64 KiB message
// plus its JSON framing cannot be written in one go: the writer blocks
// half way, the reader wakes for a partial line, and each large message
// costs several extra context switches on both sides. With a buffer larger
// than the usual message, one write and one wake-up carry it.
package pipesize

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Size is the buffer asked for: 1 MiB, the default pipe-max-size an
// unprivileged process may set. The kernel allocates the pages only as
// data arrives.
const Size = 1 << 20

// Grow sets the pipe behind f (an *os.File or anything with SyscallConn)
// to Size and returns the size the kernel granted, or 0 when f is not a
// pipe or the kernel refused (a user over its pipe-user-pages limit gets
// EPERM): the relay then works as before, with more wake-ups.
func Grow(f any) int {
	sc, ok := f.(interface {
		SyscallConn() (syscall.RawConn, error)
	})
	if !ok {
		return 0
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	got := 0
	_ = rc.Control(func(fd uintptr) {
		var st unix.Stat_t
		if unix.Fstat(int(fd), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
			return
		}
		if n, err := unix.FcntlInt(fd, unix.F_SETPIPE_SZ, Size); err == nil {
			got = n
		}
	})
	return got
}
