package upstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/mcpwarden/mcpwarden/internal/rawio"
	"golang.org/x/sys/unix"
)

// directTransport sends POSTs to plain-http upstreams on the caller's own
// goroutine: it writes the request to a pooled connection and reads the
// response from it, with no other goroutine involved. net/http's
// Transport hands every request to a connection's write goroutine and
// every response back from its read goroutine; on loopback those two
// hand-offs cost more than the exchange itself (measured: 68 against
// 30–38 µs of CPU and 4.7 against 2 context switches per call on this
// machine, docs/performance.md). Everything else (https, proxies, GET
// streams, other methods) goes to the standard Transport.
type directTransport struct {
	std    *http.Transport
	dialer net.Dialer

	mu      sync.Mutex
	idle    map[string][]*h1Conn // by host:port, most recently used last
	pruning bool                 // a prune is scheduled
}

const (
	// h1IdleMax bounds the idle connections kept per upstream host.
	h1IdleMax = 64
	// h1IdleTimeout drops a connection idle for longer: below the 5 s
	// keep-alive timeout of Node's HTTP server, so that we do not write
	// into a connection the server is closing.
	h1IdleTimeout = 4 * time.Second
	// h1MaxHeaderBytes bounds a response's status line and headers.
	h1MaxHeaderBytes = 1 << 20
	// h1MaxDirectBody: larger requests go to the standard Transport, which
	// reads a response while it still writes, so that a server refusing a
	// large body early (413) is heard instead of a broken pipe.
	h1MaxDirectBody = 1 << 20
)

func newDirectTransport(std *http.Transport) *directTransport {
	return &directTransport{
		std:    std,
		dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		idle:   make(map[string][]*h1Conn),
	}
}

func (t *directTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = make(map[string][]*h1Conn)
	t.mu.Unlock()
	for _, cs := range idle {
		for _, c := range cs {
			c.conn.Close()
		}
	}
	t.std.CloseIdleConnections()
}

func (t *directTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.URL.Scheme != "http" || req.URL.User != nil ||
		req.ContentLength < 0 || req.ContentLength > h1MaxDirectBody {
		return t.std.RoundTrip(req)
	}
	if t.std.Proxy != nil {
		if p, err := t.std.Proxy(req); err != nil || p != nil {
			return t.std.RoundTrip(req)
		}
	}
	return t.roundTrip(req)
}

// h1Conn is one HTTP/1.1 connection, owned by one request at a time.
type h1Conn struct {
	conn net.Conn
	lr   headerLimit
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time // when it went idle
}

// headerLimit fails reads past its budget while the budget is set: the
// status line and headers of a response must fit in h1MaxHeaderBytes.
type headerLimit struct {
	r    io.Reader
	left int // < 0: no limit (reading a body, which the caller bounds)
}

var errHeaderTooLarge = errors.New("response headers exceed 1 MiB")

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.left < 0 {
		return l.r.Read(p)
	}
	if l.left == 0 {
		return 0, errHeaderTooLarge
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}

func hostPort(req *http.Request) string {
	if req.URL.Port() != "" {
		return req.URL.Host
	}
	return net.JoinHostPort(req.URL.Hostname(), "80")
}

func (t *directTransport) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	addr := hostPort(req)
	c, err := t.get(ctx, addr)
	if err != nil {
		return nil, err
	}
	// Cancelling the request's context breaks the connection's I/O; the
	// connection is then closed, never reused.
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		c.conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	if s, ok := ctx.Value(callPostKey{}).(Sender); ok {
		s.Sent()
	}
	c.lr.left = h1MaxHeaderBytes
	var resp *http.Response
	for {
		resp, err = http.ReadResponse(c.br, req)
		if err != nil {
			return fail(err)
		}
		// Informational responses precede the real one (101 is not
		// expected on a POST; it ends up as an unexpected status).
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	c.lr.left = -1
	reuse := !resp.Close && !req.Close
	if resp.Body == http.NoBody || resp.ContentLength == 0 {
		resp.Body.Close()
		resp.Body = http.NoBody
		t.done(addr, c, stop, reuse)
		return resp, nil
	}
	resp.Body = &h1Body{t: t, addr: addr, c: c, body: resp.Body, stop: stop, reuse: reuse}
	return resp, nil
}

// get returns an idle connection to addr that the server has not closed,
// or a new one.
func (t *directTransport) get(ctx context.Context, addr string) (*h1Conn, error) {
	now := time.Now()
	for {
		t.mu.Lock()
		cs := t.idle[addr]
		var c *h1Conn
		if n := len(cs); n > 0 {
			c = cs[n-1]
			cs[n-1] = nil
			t.idle[addr] = cs[:n-1]
		}
		t.mu.Unlock()
		if c == nil {
			break
		}
		if now.Sub(c.used) < h1IdleTimeout && quiet(c.conn) {
			return c, nil
		}
		c.conn.Close()
	}
	conn, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn = rawio.Conn(conn)
	c := &h1Conn{conn: conn}
	c.lr = headerLimit{r: conn, left: -1}
	c.br = bufio.NewReaderSize(&c.lr, 16<<10)
	c.bw = bufio.NewWriterSize(conn, 16<<10)
	return c, nil
}

// quiet reports whether an idle connection is still open and has nothing
// to read: a peek that does not wait. A server that closed it (EOF) or
// sent bytes nobody asked for makes it unusable.
func quiet(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var b [1]byte
	cerr := rc.Read(func(fd uintptr) bool {
		// Raw, like the connection's reads and writes (package rawio).
		_, _, err := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&b[0])), 1,
			unix.MSG_PEEK|unix.MSG_DONTWAIT, 0, 0)
		alive = err == unix.EAGAIN || err == unix.EWOULDBLOCK
		return true // never wait for readiness
	})
	return cerr == nil && alive
}

// done ends a request's use of c: back to the pool when the response was
// read to its end and nothing broke, closed otherwise.
func (t *directTransport) done(addr string, c *h1Conn, stop func() bool, reuse bool) {
	if !stop() || !reuse || c.br.Buffered() > 0 {
		// The context fired (a deadline may be set), the server asked to
		// close, or it sent more than the response.
		c.conn.Close()
		return
	}
	c.used = time.Now()
	t.mu.Lock()
	if len(t.idle[addr]) < h1IdleMax {
		t.idle[addr] = append(t.idle[addr], c)
		c = nil
		if !t.pruning {
			t.pruning = true
			time.AfterFunc(h1IdleTimeout, t.prune)
		}
	}
	t.mu.Unlock()
	if c != nil {
		c.conn.Close()
	}
}

// prune closes connections idle for longer than h1IdleTimeout (the
// oldest are first in each list), so that a burst's connections do not
// stay open, or half-closed by the server, once traffic stops.
func (t *directTransport) prune() {
	cutoff := time.Now().Add(-h1IdleTimeout)
	var stale []*h1Conn
	t.mu.Lock()
	for addr, cs := range t.idle {
		n := 0
		for n < len(cs) && cs[n].used.Before(cutoff) {
			n++
		}
		stale = append(stale, cs[:n]...)
		if n == len(cs) {
			delete(t.idle, addr)
		} else {
			t.idle[addr] = append(cs[:0:0], cs[n:]...)
		}
	}
	t.pruning = len(t.idle) > 0
	if t.pruning {
		time.AfterFunc(h1IdleTimeout/2, t.prune)
	}
	t.mu.Unlock()
	for _, c := range stale {
		c.conn.Close()
	}
}

// h1Body is a response body that gives its connection back at EOF.
type h1Body struct {
	t     *directTransport
	addr  string
	c     *h1Conn
	body  io.ReadCloser
	stop  func() bool
	reuse bool

	mu     sync.Mutex
	eof    bool
	closed atomic.Bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errors.New("http: read on closed response body")
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.mu.Lock()
		b.eof = true
		b.mu.Unlock()
	}
	return n, err
}

// Close may run concurrently with Read (a timer bounding a drain): closing
// the connection unblocks the reader.
func (b *h1Body) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	b.mu.Lock()
	eof := b.eof
	b.mu.Unlock()
	if eof {
		b.t.done(b.addr, b.c, b.stop, b.reuse)
		return nil
	}
	b.stop()
	return b.c.conn.Close()
}
