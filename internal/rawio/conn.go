package rawio

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// Conn returns c with raw reads and writes when c is a socket connection
// (TCP or Unix) the poller serves, else c. Deadlines, Close and the rest
// are c's own; errors are *net.OpError like those of c.
func Conn(c net.Conn) net.Conn {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return c
	}
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return c
	}
	return &conn{Conn: c, rc: rc, rd: newReadOp(), wr: newWriteOp()}
}

// Listener returns a listener whose connections are Conn(c).
func Listener(l net.Listener) net.Listener { return listener{l} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Conn(c), nil
}

type conn struct {
	net.Conn
	rc     syscall.RawConn
	rd, wr *op
}

func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, errno, err := read(c.rc, c.rd, p)
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case errno != 0:
		return 0, c.opError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (c *conn) Write(p []byte) (int, error) {
	done, errno, err := write(c.rc, c.wr, p)
	switch {
	case err != nil:
		return done, c.opError("write", err)
	case errno != 0:
		return done, c.opError("write", errno)
	}
	return done, nil
}

// opError makes err look like the error c itself would return: a poller
// error arrives as the RawConn's "raw-read"/"raw-write" *net.OpError
// (net.ErrClosed, os.ErrDeadlineExceeded inside), an errno as itself.
func (c *conn) opError(op string, err error) error {
	if oe, ok := errors.AsType[*net.OpError](err); ok {
		err = oe.Err
	} else if errno, ok := err.(syscall.Errno); ok {
		err = &os.SyscallError{Syscall: op, Err: errno}
	}
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// SyscallConn and CloseWrite are c's own: callers look for them by
// interface (net/http half-closes with CloseWrite).
func (c *conn) SyscallConn() (syscall.RawConn, error) { return c.rc, nil }

func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
