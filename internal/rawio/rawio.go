// Package rawio reads and writes the relay's non-blocking pipes and sockets
// with raw system calls, still waiting in the runtime's poller when one is
// empty or full; WriteFile does the same for the audit journal's appends.
//
// Why: every ordinary read(2) or write(2) from Go passes through the
// runtime's syscall entry, and the first one after the process was idle
// wakes the runtime's monitor thread (sysmon) from its deep sleep and sets
// it polling every 20 µs until the process is idle again. A relay that is
// idle between calls pays that wake-up and two or three more on every
// call: measured on the development VM, the monitor thread took 28 % of
// run's CPU and most of its context switches (docs/performance.md). A read
// or write on a non-blocking pipe never blocks, so it does not need the
// syscall entry: the monitor, which exists to take the processor back from
// calls that block, has nothing to do for it.
//
// Only descriptors in non-blocking mode that the poller serves get the raw
// path; anything else (a terminal, a regular file, a blocking descriptor,
// a value that is not an *os.File or a TCP or Unix connection) is returned
// unchanged.
package rawio

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

type rawConner interface {
	SyscallConn() (syscall.RawConn, error)
}

// nonblocking returns the RawConn of f when f is a descriptor in
// non-blocking mode.
func nonblocking(f any) syscall.RawConn {
	sc, ok := f.(rawConner)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	nb := false
	_ = rc.Control(func(fd uintptr) {
		fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0)
		nb = err == nil && fl&unix.O_NONBLOCK != 0
	})
	if !nb {
		return nil
	}
	return rc
}

// Reader returns a reader of r that uses raw reads when r is a
// non-blocking descriptor, else r.
func Reader(r io.Reader) io.Reader {
	rc := nonblocking(r)
	if rc == nil {
		return r
	}
	return &reader{rc: rc, op: newReadOp(), name: name(r)}
}

// Writer returns a writer to w that uses raw writes when w is a
// non-blocking descriptor, else w. Like os.File's, a write returns only
// when all of p is written or an error occurred.
func Writer(w io.Writer) io.Writer {
	rc := nonblocking(w)
	if rc == nil {
		return w
	}
	return &writer{rc: rc, op: newWriteOp(), name: name(w)}
}

func name(f any) string {
	if n, ok := f.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "pipe"
}

// pollErr is what os.File reports for an error of the poller: the file
// was closed (the poller's own "use of closed file" becomes os.ErrClosed,
// as os.File has it) or a deadline passed.
func pollErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrNoDeadline) {
		return err
	}
	return os.ErrClosed
}

// op is one raw read or write in flight: the buffer, the result, and the
// function the RawConn calls with the descriptor. Readers, writers and
// connections keep one op per direction and reuse it, so a call allocates
// nothing (a closure over its results would cost three allocations per
// read or write, several per relayed message). A second call that
// overlaps one in flight (io.Reader does not promise there is none) gets
// an op of its own.
type op struct {
	busy  atomic.Bool
	p     []byte
	n     int // read: bytes read; write: bytes written so far
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func newReadOp() *op {
	o := new(op)
	o.fn = o.read
	return o
}

func newWriteOp() *op {
	o := new(op)
	o.fn = o.write
	return o
}

// read is one read(2) of o.p, or false to wait in the poller while there
// is nothing to read.
func (o *op) read(fd uintptr) bool {
	for {
		m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&o.p[0])), uintptr(len(o.p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait in the poller, then try again
		}
		o.n, o.errno = int(m), e
		return true
	}
}

// write writes the rest of o.p, or returns false to wait in the poller
// while the descriptor is full.
func (o *op) write(fd uintptr) bool {
	for o.n < len(o.p) {
		m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&o.p[o.n])), uintptr(len(o.p)-o.n))
		switch e {
		case 0:
			if m == 0 {
				return false // nothing taken: wait in the poller
			}
			o.n += int(m)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // full: wait in the poller
		default:
			o.errno = e
			return true
		}
	}
	return true
}

// acquire returns o for one call, or a new op when o is in use.
func (o *op) acquire(fresh func() *op) *op {
	if o.busy.CompareAndSwap(false, true) {
		return o
	}
	return fresh()
}

// release drops the caller's buffer (the op must not keep it alive) and
// frees o for the next call.
func (o *op) release() {
	o.p = nil
	o.busy.Store(false)
}

// read is one read(2) into p on rc's descriptor, waiting in the poller
// while there is nothing to read. err is the poller's error (closed,
// deadline), errno the system call's; n == 0 with neither is the end of
// the stream.
func read(rc syscall.RawConn, cached *op, p []byte) (n int, errno syscall.Errno, err error) {
	return cached.acquire(newReadOp).run(rc, false, p)
}

// write writes all of p to rc's descriptor, waiting in the poller while it
// is full; done is what was written before an error.
func write(rc syscall.RawConn, cached *op, p []byte) (done int, errno syscall.Errno, err error) {
	return cached.acquire(newWriteOp).run(rc, true, p)
}

// run does o's read or write of p on rc, then releases o.
func (o *op) run(rc syscall.RawConn, write bool, p []byte) (n int, errno syscall.Errno, err error) {
	o.p, o.n, o.errno = p, 0, 0
	if write {
		err = rc.Write(o.fn)
	} else {
		err = rc.Read(o.fn)
	}
	n, errno = o.n, o.errno
	o.release()
	return n, errno, err
}

type reader struct {
	rc   syscall.RawConn
	op   *op
	name string
}

func (r *reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, errno, err := read(r.rc, r.op, p)
	switch {
	case err != nil:
		return 0, &os.PathError{Op: "read", Path: r.name, Err: pollErr(err)}
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: r.name, Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

type writer struct {
	rc   syscall.RawConn
	op   *op
	name string
}

func (w *writer) Write(p []byte) (int, error) {
	done, errno, err := write(w.rc, w.op, p)
	switch {
	case err != nil:
		return done, &os.PathError{Op: "write", Path: w.name, Err: pollErr(err)}
	case errno != 0:
		return done, &os.PathError{Op: "write", Path: w.name, Err: errno}
	}
	return done, nil
}

// fileOps are WriteFile's ops: it has no writer to keep one in.
var fileOps = sync.Pool{New: func() any { return newWriteOp() }}

// WriteFile writes all of b to f, a regular file, with raw write(2)s: the
// audit journal's one write per call, which would otherwise wake the
// monitor thread on every call like the pipes do. A write to a regular
// file copies into the page cache and returns; when the kernel throttles
// a writer behind a slow disk it can sleep instead, and then holds its
// processor for that time, which is the price of the raw path. Durability
// does not rest on it: fdatasync stays an ordinary call.
func WriteFile(f *os.File, b []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	// A regular file never reports EAGAIN, so write never waits in the
	// poller (which does not serve regular files).
	o := fileOps.Get().(*op)
	done, errno, err := write(rc, o, b)
	fileOps.Put(o)
	switch {
	case err != nil:
		return done, &os.PathError{Op: "write", Path: f.Name(), Err: pollErr(err)}
	case errno != 0:
		return done, &os.PathError{Op: "write", Path: f.Name(), Err: errno}
	}
	return done, nil
}
