//go:build unix

package audit

import (
	"errors"
	"os"
	"syscall"
)

// errLocked: another live writer holds the journal.
var errLocked = errors.New("journal held by a running writer")

// lockFile takes an exclusive flock on f without waiting: it lasts until
// f is closed or the process dies, which is how a journal left by a
// stopped writer is told from a live one's.
func lockFile(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB) }); err != nil {
		return err
	}
	if errors.Is(lerr, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return lerr
}
