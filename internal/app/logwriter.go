package app

import (
	"io"
	"sync"
	"time"
)

// logWriter batches log lines so that the exchange path does not pay a
// system call per line. Lines are whole (slog writes one per call) and are
// flushed within flushEvery, when the buffer fills, and on Close.
type logWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	spare  []byte // the buffer last written, reused for the next batch
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

const (
	flushEvery = 20 * time.Millisecond
	flushSize  = 64 << 10
)

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.loop()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.w.Write(p)
	}
	first := len(l.buf) == 0
	l.buf = append(l.buf, p...)
	if first || len(l.buf) >= flushSize {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

func (l *logWriter) loop() {
	defer close(l.done)
	for range l.wake {
		// Let a burst accumulate, unless the buffer is already large.
		l.mu.Lock()
		small := len(l.buf) < flushSize
		closed := l.closed
		l.mu.Unlock()
		if small && !closed {
			time.Sleep(flushEvery)
		}
		if l.flush() {
			return
		}
	}
}

// flush writes what is buffered; it reports whether the writer is closed.
// Two buffers take turns: one fills while the other is written, so a
// batch does not grow a fresh buffer from nothing (that regrowth was the
// largest allocation per exchange with the audit store off).
func (l *logWriter) flush() bool {
	l.mu.Lock()
	b := l.buf
	l.buf = l.spare[:0]
	l.spare = nil
	closed := l.closed
	l.mu.Unlock()
	if len(b) > 0 {
		_, _ = l.w.Write(b)
	}
	l.mu.Lock()
	if cap(b) <= maxSpareLog {
		l.spare = b[:0]
	}
	l.mu.Unlock()
	return closed
}

// maxSpareLog bounds the buffer kept between batches: a burst of huge
// lines should not pin its memory.
const maxSpareLog = 1 << 20

// Close flushes and stops; later writes go straight through.
func (l *logWriter) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.wake)
	l.mu.Unlock()
	<-l.done
	l.flush()
	return nil
}
