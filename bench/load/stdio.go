package main

import (
	"bufio"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errConnClosed marks a failure after which the connection is unusable; the
// measuring loop stops the caller for the rest of the round.
var errConnClosed = errors.New("connection closed")

type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func isFatal(err error) bool {
	var f *fatalError
	return errors.As(err, &f) || errors.Is(err, errConnClosed)
}

// stdioResp is one response line with the time it was read off the pipe.
type stdioResp struct {
	line []byte
	at   time.Time
}

// stdioConn multiplexes concurrent JSON-RPC calls over one child's
// stdin/stdout: callers enqueue request lines to a single writer goroutine,
// and a single reader goroutine hands each response line to the caller
// waiting on its id.
type stdioConn struct {
	ch     *child
	wq     chan []byte
	mu     sync.Mutex
	wait   map[string]chan stdioResp
	closed chan struct{}
	once   sync.Once
	err    error // why closed, valid after closed
}

func newStdioConn(c *child) *stdioConn {
	s := &stdioConn{
		ch:     c,
		wq:     make(chan []byte, 1024),
		wait:   make(map[string]chan stdioResp),
		closed: make(chan struct{}),
	}
	go s.writeLoop()
	go s.readLoop()
	return s
}

func (s *stdioConn) fail(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.closed)
	})
}

func (s *stdioConn) closeErr() error {
	<-s.closed
	if s.ch.exited() {
		return &fatalError{fmt.Errorf("%w: %v", errConnClosed, s.ch.exitError())}
	}
	return &fatalError{fmt.Errorf("%w: %v", errConnClosed, s.err)}
}

func (s *stdioConn) writeLoop() {
	w := bufio.NewWriterSize(s.ch.stdin, 64<<10)
	for {
		select {
		case <-s.closed:
			return
		case b := <-s.wq:
			if _, err := w.Write(b); err != nil {
				s.fail(fmt.Errorf("write: %w", err))
				return
			}
			// Coalesce whatever else is already queued into one flush.
			for n := len(s.wq); n > 0; n-- {
				if _, err := w.Write(<-s.wq); err != nil {
					s.fail(fmt.Errorf("write: %w", err))
					return
				}
			}
			if err := w.Flush(); err != nil {
				s.fail(fmt.Errorf("write: %w", err))
				return
			}
		}
	}
}

func (s *stdioConn) readLoop() {
	r := bufio.NewReaderSize(s.ch.stdout, 128<<10)
	for {
		line, err := r.ReadBytes('\n')
		at := time.Now()
		if len(line) > 1 {
			s.dispatch(line, at)
		}
		if err != nil {
			s.fail(fmt.Errorf("read: %w", err))
			return
		}
	}
}

func (s *stdioConn) dispatch(line []byte, at time.Time) {
	env, err := scanEnvelope(line)
	if err != nil {
		return // not JSON-RPC; a verifier will time out and report it
	}
	if len(env.Method) > 0 {
		if len(env.ID) > 0 { // server->client request: refuse it
			resp := make([]byte, 0, 128)
			resp = append(resp, `{"jsonrpc":"2.0","id":`...)
			resp = append(resp, env.ID...)
			resp = append(resp, `,"error":{"code":-32601,"message":"load client supports no requests"}}`+"\n"...)
			select {
			case s.wq <- resp:
			case <-s.closed:
			}
		}
		return // notifications are ignored
	}
	s.mu.Lock()
	ch, ok := s.wait[string(env.ID)]
	if ok {
		delete(s.wait, string(env.ID))
	}
	s.mu.Unlock()
	if ok {
		ch <- stdioResp{line: line, at: at} // buffered, one outstanding call per channel
	}
}

// roundTrip sends req (without newline) with the given raw id and waits for
// the response line. Used outside the measured loop.
func (s *stdioConn) roundTrip(req []byte, id string, timeout time.Duration) ([]byte, error) {
	ch := make(chan stdioResp, 1)
	s.mu.Lock()
	s.wait[id] = ch
	s.mu.Unlock()
	line := append(append([]byte(nil), req...), '\n')
	select {
	case s.wq <- line:
	case <-s.closed:
		return nil, s.closeErr()
	}
	select {
	case r := <-ch:
		return r.line, nil
	case <-s.closed:
		return nil, s.closeErr()
	case <-time.After(timeout):
		s.mu.Lock()
		delete(s.wait, id)
		s.mu.Unlock()
		return nil, fmt.Errorf("no response to id %s within %v", id, timeout)
	}
}

func (s *stdioConn) notify(msg []byte) error {
	select {
	case s.wq <- append(append([]byte(nil), msg...), '\n'):
		return nil
	case <-s.closed:
		return s.closeErr()
	}
}

// handshake performs initialize + notifications/initialized (session era).
func (s *stdioConn) handshake(timeout time.Duration) error {
	resp, err := s.roundTrip(initializeRequest(1), "1", timeout)
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if err := checkResult(resp); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	return s.notify(initializedNotification)
}

// checkResult returns the JSON-RPC error of resp, if any.
func checkResult(resp []byte) error {
	env, err := scanEnvelope(resp)
	if err != nil {
		return fmt.Errorf("bad response %s", truncate(resp, 200))
	}
	if len(env.Error) > 0 && string(env.Error) != "null" {
		return decodeRPCError(env.Error)
	}
	if len(env.Result) == 0 {
		return fmt.Errorf("response without result: %s", truncate(resp, 200))
	}
	return nil
}

// stdioCaller is one closed-loop caller on a shared stdioConn.
type stdioCaller struct {
	conn    *stdioConn
	tpl     *callTemplate
	ch      chan stdioResp
	timer   *time.Timer
	timeout time.Duration
}

func (s *stdioConn) newCaller(payload int, modern bool, timeout time.Duration) *stdioCaller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &stdioCaller{
		conn:    s,
		tpl:     newCallTemplate(payload, modern, true),
		ch:      make(chan stdioResp, 1),
		timer:   t,
		timeout: timeout,
	}
}

func (c *stdioCaller) call() (time.Duration, error) {
	s := c.conn
	idb := c.tpl.setID(nextID())
	key := string(idb)
	s.mu.Lock()
	s.wait[key] = c.ch
	s.mu.Unlock()
	c.timer.Reset(c.timeout)
	start := time.Now()
	select {
	case s.wq <- c.tpl.buf:
	case <-s.closed:
		return 0, s.closeErr()
	}
	select {
	case r := <-c.ch:
		c.timer.Stop()
		if err := verifyEcho(r.line, idb, c.tpl.quotedText); err != nil {
			return 0, err
		}
		return r.at.Sub(start), nil
	case <-s.closed:
		return 0, s.closeErr()
	case <-c.timer.C:
		s.mu.Lock()
		_, pending := s.wait[key]
		delete(s.wait, key)
		s.mu.Unlock()
		if !pending {
			// The reader took the response concurrently; it is (about to be)
			// in c.ch. Use a fresh channel rather than wait for it.
			c.ch = make(chan stdioResp, 1)
		}
		// The writer may still hold the old buffer.
		c.tpl = c.tpl.clone()
		return 0, fmt.Errorf("timeout: no response within %v", c.timeout)
	}
}
