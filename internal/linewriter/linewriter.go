// Package linewriter writes newline-delimited messages to a stream with
// group commit: while one goroutine is in a write system call, messages
// from others gather in a buffer and go out together in the next one. A
// lone message is written at once, so there is no added latency, and a
// busy stream needs far fewer system calls than messages.
package linewriter

import (
	"bytes"
	"io"
	"sync"
)

// Writer is safe for concurrent use. Each message becomes one line.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte // pending lines
	spare   []byte
	writing bool
	err     error
}

// New returns a Writer on w.
func New(w io.Writer) *Writer { return &Writer{w: w} }

// maxSpare bounds the buffer kept between bursts.
const maxSpare = 1 << 20

// Write queues msg plus a newline and, unless another goroutine is
// already writing, writes everything queued. Raw newlines inside msg are
// removed: the framing forbids them, and strict JSON has none outside
// whitespace. The error is the stream's first write error, if any.
func (l *Writer) Write(msg []byte) error {
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return err
	}
	if bytes.IndexByte(msg, '\n') >= 0 || bytes.IndexByte(msg, '\r') >= 0 {
		for _, c := range msg {
			if c != '\n' && c != '\r' {
				l.buf = append(l.buf, c)
			}
		}
	} else {
		l.buf = append(l.buf, msg...)
	}
	l.buf = append(l.buf, '\n')
	if l.writing {
		l.mu.Unlock()
		return nil
	}
	l.writing = true
	var err error
	for len(l.buf) > 0 && err == nil {
		b := l.buf
		l.buf = l.spare[:0]
		l.mu.Unlock()
		_, err = l.w.Write(b)
		l.mu.Lock()
		if cap(b) <= maxSpare {
			l.spare = b[:0]
		} else {
			l.spare = nil
		}
	}
	if err != nil {
		l.err = err
		l.buf = nil
	}
	l.writing = false
	l.mu.Unlock()
	return err
}
