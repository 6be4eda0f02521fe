package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// child is a process started by the load tool. Every child runs in its own
// process group with Pdeathsig=SIGKILL (Linux), and is registered so that
// killAll (normal exit, error paths and SIGINT/SIGTERM) ends it and anything it
// spawned in its group.
type child struct {
	name   string
	cmd    *exec.Cmd
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after done
	stdin  io.WriteCloser
	stdout io.ReadCloser
}

var (
	childrenMu sync.Mutex
	children   = map[*child]struct{}{}
	shutdown   bool
)

// startChild starts argv. With pipes, the child's stdin/stdout are connected
// to the returned child's stdin/stdout fields.
func startChild(name string, argv []string, pipes bool) (*child, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	setChildAttrs(cmd)
	c := &child{name: name, cmd: cmd, stderr: newTailBuffer(8 << 10), done: make(chan struct{})}
	cmd.Stderr = c.stderr
	if pipes {
		var err error
		if c.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
		if c.stdout, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
	}
	childrenMu.Lock()
	defer childrenMu.Unlock()
	if shutdown {
		return nil, errors.New("shutting down")
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	children[c] = struct{}{}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// exitError describes how the child died, with the tail of its stderr.
func (c *child) exitError() error {
	return fmt.Errorf("%s exited (%v); stderr tail: %q", c.name, c.err, c.stderr.String())
}

// stop ends the child: close stdin (a stdio server exits on EOF), SIGTERM the
// group, then SIGKILL the group if it has not exited within grace.
func (c *child) stop(grace time.Duration) {
	if c.stdin != nil {
		_ = c.stdin.Close()
	}
	if !c.exited() {
		signalGroup(c.pid(), sigTERM)
		select {
		case <-c.done:
		case <-time.After(grace):
		}
	}
	// Always kill the group: the child may be gone while its own children
	// (e.g. the gateway's upstream) linger in it.
	signalGroup(c.pid(), sigKILL)
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	childrenMu.Lock()
	delete(children, c)
	childrenMu.Unlock()
}

// killAll SIGKILLs every registered child's process group and refuses new
// children. It is safe to call from a signal handler goroutine.
func killAll() {
	childrenMu.Lock()
	shutdown = true
	list := make([]*child, 0, len(children))
	for c := range children {
		list = append(list, c)
	}
	childrenMu.Unlock()
	for _, c := range list {
		signalGroup(c.pid(), sigKILL)
	}
	for _, c := range list {
		select {
		case <-c.done:
		case <-time.After(2 * time.Second):
		}
	}
}

// freeLoopbackAddr returns 127.0.0.1:PORT for a port that was free a moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr, nil
}

// waitReady polls url until it answers 200, the child exits, or timeout.
func waitReady(ctx context.Context, c *child, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	return poll(ctx, c, timeout, func() (*http.Response, error) { return client.Get(url) })
}

// waitInitialize waits until an MCP initialize POSTed to url is answered
// 200: the readiness check for a proxy that has no readiness endpoint.
func waitInitialize(ctx context.Context, c *child, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	return poll(ctx, c, timeout, func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(initializeRequest(1)))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		return client.Do(req)
	})
}

// poll calls probe every 10 ms until it answers 200, c exits or timeout
// passes.
func poll(ctx context.Context, c *child, timeout time.Duration, probe func() (*http.Response, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if c.exited() {
			return c.exitError()
		}
		resp, err := probe()
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s %s: %s", resp.Request.Method, resp.Request.URL, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %v: %v; stderr tail: %q", c.name, timeout, last, c.stderr.String())
}

// rssSample is one reading of /proc/PID/status.
type rssSample struct {
	RSSKiB int64 // VmRSS
	HWMKiB int64 // VmHWM, peak RSS so far
}

func parseProcStatus(s string) (rssSample, error) {
	var r rssSample
	found := 0
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 1 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return r, err
		}
		if k == "VmRSS" {
			r.RSSKiB = n
		} else {
			r.HWMKiB = n
		}
		found++
	}
	if found < 2 {
		return r, errors.New("VmRSS/VmHWM not found")
	}
	return r, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
