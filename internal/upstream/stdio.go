package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/linereader"
	"github.com/mcpwarden/mcpwarden/internal/linewriter"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/pipesize"
	"github.com/mcpwarden/mcpwarden/internal/rawio"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
)

// StdioOptions configures a child-process MCP server.
type StdioOptions struct {
	Command []string
	Env     []string // full environment of the child; nil means the gateway's
	Dir     string
	// Stderr receives the child's stderr; nil logs it line by line.
	Stderr io.Writer
	// MaxMessageBytes bounds one line from the child.
	MaxMessageBytes int
	// Multiplexed is set when several clients share this child. Progress
	// tokens are matched per call either way; a token already in use by
	// another call is rewritten whatever this says.
	Multiplexed bool
	Logger      *slog.Logger
	// Name labels log lines.
	Name string
	// Prepare, if set, rewrites the command before it starts: the sandbox
	// turns it into a launch of its helper.
	Prepare func(*exec.Cmd) error
}

// StdioConn is a Conn over a child process's stdin and stdout.
type StdioConn struct {
	o      StdioOptions
	log    *slog.Logger
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *linewriter.Writer
	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]*stdioCall
	tokens  map[string]*stdioCall // progress token (IDKey) → call
	unsol   func(*mcpwire.Message)

	done    chan struct{}
	err     error
	closing atomic.Bool
	exited  chan struct{}
}

type stdioCall struct {
	origID    []byte
	token     []byte // client's raw progress token
	tokKey    string // key of the token the server sees
	rewritten bool   // the server sees a gateway token instead of token
	related   Related
	// ans is the call's answer. Whoever takes the call from pending (it
	// is taken once) sets ans, then signals resp, which hands ans over:
	// a channel of answers would cost a second allocation, its buffer.
	ans  answer
	resp chan struct{}
}

// answer is what ends a call: the server's response, or why there is
// none to pass on (failCall).
type answer struct {
	msg *mcpwire.Message
	err error
}

// StartStdio spawns the server. The child is in its own process group, dies
// with the gateway (Pdeathsig) and is reaped by Close.
func StartStdio(ctx context.Context, o StdioOptions) (*StdioConn, error) {
	if len(o.Command) == 0 {
		return nil, errors.New("upstream stdio: empty command")
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 4 << 20
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("server", o.Name)
	cmd := exec.Command(o.Command[0], o.Command[1:]...)
	cmd.Env = o.Env
	cmd.Dir = o.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if o.Prepare != nil {
		if err := o.Prepare(cmd); err != nil {
			return nil, fmt.Errorf("upstream stdio: %w", err)
		}
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("upstream stdio: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("upstream stdio: %w", err)
	}
	if o.Stderr != nil {
		cmd.Stderr = o.Stderr
	} else {
		cmd.Stderr = &lineLogger{log: log}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("upstream stdio: start %q: %w", o.Command[0], err)
	}
	pipesize.Grow(stdin)
	pipesize.Grow(stdout)
	c := &StdioConn{
		o: o, log: log, cmd: cmd, stdin: stdin, out: linewriter.New(rawio.Writer(stdin)),
		pending: make(map[uint64]*stdioCall),
		tokens:  make(map[string]*stdioCall),
		done:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
	go c.readLoop(rawio.Reader(stdout))
	go func() {
		werr := cmd.Wait()
		close(c.exited)
		if werr == nil {
			werr = errors.New("server exited")
		}
		c.fail(fmt.Errorf("upstream stdio: %w", werr))
	}()
	return c, nil
}

func (c *StdioConn) SetUnsolicited(fn func(*mcpwire.Message)) {
	c.mu.Lock()
	c.unsol = fn
	c.mu.Unlock()
}

func (c *StdioConn) Done() <-chan struct{} { return c.done }

func (c *StdioConn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

func (c *StdioConn) Call(ctx context.Context, req *mcpwire.Message, related Related) (*mcpwire.Message, error) {
	id := c.nextID.Add(1)
	var idb [20]byte
	upID := strconv.AppendUint(idb[:0], id, 10)
	call := &stdioCall{origID: req.ID, related: related, resp: make(chan struct{}, 1)}
	// out is only written, and the writer copies it: a request that fits
	// is put together on this stack rather than in a new slice.
	var outb [1024]byte
	out := req.AppendWithID(outb[:0], upID)
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return nil, c.err
	default:
	}
	if tok, ok := progressToken(req.Params); ok {
		call.token = tok
		call.tokKey = mcpwire.IDKey(tok)
		if c.tokens[call.tokKey] != nil {
			// Another call in flight on this shared child uses the same
			// token: give this one a gateway-unique token, so that neither
			// client sees the other's progress. Uncontended tokens pass
			// unchanged.
			q := []byte(strconv.Quote("mw-" + string(upID)))
			for n := 0; c.tokens[mcpwire.IDKey(q)] != nil; n++ {
				q = []byte(strconv.Quote("mw-" + string(upID) + "-" + strconv.Itoa(n)))
			}
			call.tokKey = mcpwire.IDKey(q)
			params, err := mcpwire.SetPath(req.Params, []string{"_meta", "progressToken"}, q)
			if err == nil {
				// From a copy of its own: Set's input escapes, outb must not.
				out, err = mcpwire.Set(req.WithID(upID), "params", params)
			}
			if err != nil {
				c.mu.Unlock()
				return nil, fmt.Errorf("upstream stdio: rewrite progress token: %w", err)
			}
			call.rewritten = true
		}
	}
	c.pending[id] = call
	if call.tokKey != "" {
		c.tokens[call.tokKey] = call
	}
	c.mu.Unlock()
	defer c.forget(id, call)

	if err := c.write(out); err != nil {
		return nil, err
	}
	sent(ctx)
	select {
	case <-call.resp:
		return call.ans.msg, call.ans.err
	case <-c.done:
		// A response that raced the exit still wins.
		select {
		case <-call.resp:
			return call.ans.msg, call.ans.err
		default:
		}
		return nil, c.err
	case <-ctx.Done():
		params := append(append([]byte(`{"requestId":`), upID...), `,"reason":"cancelled by client"}`...)
		_ = c.write(mcpwire.NewNotification("notifications/cancelled", params))
		return nil, ctx.Err()
	}
}

func (c *StdioConn) forget(id uint64, call *stdioCall) {
	c.mu.Lock()
	delete(c.pending, id)
	if call.tokKey != "" && c.tokens[call.tokKey] == call {
		delete(c.tokens, call.tokKey)
	}
	c.mu.Unlock()
}

func (c *StdioConn) Notify(ctx context.Context, msg *mcpwire.Message) error {
	return c.write(msg.Raw)
}

func (c *StdioConn) Respond(ctx context.Context, msg *mcpwire.Message) error {
	return c.write(msg.Raw)
}

// write sends one message as one line; concurrent writers are grouped
// into fewer system calls.
func (c *StdioConn) write(raw []byte) error {
	if err := c.out.Write(raw); err != nil {
		select {
		case <-c.done:
			return c.err
		default:
		}
		return fmt.Errorf("upstream stdio: write: %w", err)
	}
	return nil
}

func (c *StdioConn) readLoop(r io.Reader) {
	br := linereader.NewReader(r)
	for {
		line, err := linereader.Read(br, c.o.MaxMessageBytes)
		if len(line) > 0 {
			c.dispatch(line)
		}
		if err != nil {
			var tl *linereader.TooLongError
			if errors.As(err, &tl) {
				c.log.Warn("upstream sent a message over the size limit; dropped", "limit", c.o.MaxMessageBytes)
				id, method := mcpwire.RecoverID(tl.Head, tl.Tail)
				if !method {
					c.failCall(id, fmt.Errorf("upstream stdio: %w: %w (%d bytes)", ErrBadResponse, ErrMessageTooLarge, c.o.MaxMessageBytes))
				}
				continue
			}
			if !c.closing.Load() && !errors.Is(err, io.EOF) {
				c.log.Warn("upstream stdout read failed", "err", err)
			}
			c.fail(fmt.Errorf("upstream stdio: server closed its output"))
			return
		}
	}
}

func (c *StdioConn) dispatch(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	msg, err := mcpwire.Parse(line)
	if err != nil {
		// A server that prints to stdout breaks the framing; skip the line
		// rather than the whole connection, and say so. A line that names
		// a waiting call answers it with an error: otherwise the call
		// would wait for an answer that is not coming.
		c.log.Warn("upstream sent a line that is not a valid message; dropped", "err", err, "bytes", len(line))
		if id, method := mcpwire.RecoverID(line, line); !method {
			c.failCall(id, fmt.Errorf("upstream stdio: %w: %w", ErrBadResponse, err))
		}
		return
	}
	switch msg.Kind {
	case mcpwire.KindResponse, mcpwire.KindError:
		id, err := strconv.ParseUint(string(msg.ID), 10, 64)
		if err != nil {
			c.log.Warn("upstream answered an id it was never sent", "id", string(msg.ID))
			return
		}
		call := c.take(id)
		if call == nil {
			c.log.Debug("response for a call no longer waiting", "id", id)
			return
		}
		msg.SetID(call.origID) // Parse found the id, so its place is known
		call.answer(answer{msg: msg})
	default:
		call := c.relatedCall(msg)
		if call != nil {
			call.related(msg)
			return
		}
		c.mu.Lock()
		fn := c.unsol
		c.mu.Unlock()
		if fn != nil {
			fn(msg)
		}
	}
}

// failCall ends the waiting call whose upstream id is id with err, as an
// HTTP upstream's bad response does; it does nothing when no call waits
// for id.
func (c *StdioConn) failCall(id []byte, err error) {
	n, perr := strconv.ParseUint(string(id), 10, 64)
	if perr != nil {
		return
	}
	if call := c.take(n); call != nil {
		call.answer(answer{err: err})
	}
}

// answer ends the call with a, once: only the one that took the call
// from pending may.
func (call *stdioCall) answer(a answer) {
	call.ans = a
	call.resp <- struct{}{}
}

// take removes and returns the call waiting for upstream id n, or nil.
func (c *StdioConn) take(n uint64) *stdioCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	call := c.pending[n]
	delete(c.pending, n)
	return call
}

// relatedCall attributes a server message to an in-flight call. Progress
// goes by token. Over stdio nothing else says which request a log line or
// a server→client request belongs to; when exactly one call is in flight
// it is that one, otherwise the message is unsolicited.
func (c *StdioConn) relatedCall(msg *mcpwire.Message) *stdioCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	if msg.Method == "notifications/progress" {
		tok, ok := mcpwire.Get(msg.Params, "progressToken")
		if !ok {
			return nil
		}
		call := c.tokens[mcpwire.IDKey(tok)]
		if call == nil {
			return nil
		}
		if call.rewritten {
			if p, err := mcpwire.Set(msg.Params, "progressToken", call.token); err == nil {
				if raw, err := mcpwire.Set(msg.Raw, "params", p); err == nil {
					msg.Raw, msg.Params = raw, p
				}
			}
		}
		if call.related == nil {
			return nil
		}
		return call
	}
	if msg.Method == "notifications/cancelled" || len(c.pending) != 1 {
		return nil
	}
	for _, call := range c.pending {
		if call.related != nil {
			return call
		}
	}
	return nil
}

func (c *StdioConn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		return
	default:
	}
	if c.closing.Load() {
		err = ErrClosed
	}
	c.err = err
	close(c.done)
}

// Close ends the child: stdin closed, then SIGTERM, then SIGKILL to its
// whole process group, waiting for it to be reaped.
func (c *StdioConn) Close() error {
	if !c.closing.CompareAndSwap(false, true) {
		<-c.exited
		return nil
	}
	c.fail(ErrClosed)
	_ = c.stdin.Close()
	pgid := c.cmd.Process.Pid
	for _, step := range []struct {
		wait time.Duration
		sig  syscall.Signal
	}{{2 * time.Second, syscall.SIGTERM}, {2 * time.Second, syscall.SIGKILL}} {
		select {
		case <-c.exited:
			_ = syscall.Kill(-pgid, syscall.SIGKILL) // grandchildren left behind
			return nil
		case <-time.After(step.wait):
			_ = syscall.Kill(-pgid, step.sig)
		}
	}
	<-c.exited
	return nil
}

func progressToken(params []byte) ([]byte, bool) {
	meta := mcpwire.Meta(params)
	if meta == nil {
		return nil, false
	}
	return mcpwire.Get(meta, "progressToken")
}

// lineLogger turns a child's stderr into log lines.
type lineLogger struct {
	log *slog.Logger
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			if len(l.buf) > 8<<10 {
				l.emit(l.buf)
				l.buf = l.buf[:0]
			}
			return len(p), nil
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

func (l *lineLogger) emit(b []byte) {
	if len(bytes.TrimSpace(b)) > 0 {
		// Servers print their own credentials ("using key sk-…"); the
		// gateway's log must not carry them on.
		line, _ := secrets.Redact(string(b))
		l.log.Info("server stderr", "line", line)
	}
}

var _ Conn = (*StdioConn)(nil)
