package upstream

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// lifecycle is what the HTTP and legacy SSE connections share about their
// end and about messages tied to no call.
type lifecycle struct {
	log    *slog.Logger
	cancel context.CancelFunc // ends the connection's own context

	lmu         sync.Mutex
	unsolicited func(*mcpwire.Message)
	err         error
	doneOnce    sync.Once
	done        chan struct{}
}

func newLifecycle(log *slog.Logger) lifecycle {
	return lifecycle{log: log, done: make(chan struct{})}
}

// SetUnsolicited installs the receiver of messages tied to no call.
func (l *lifecycle) SetUnsolicited(fn func(msg *mcpwire.Message)) {
	l.lmu.Lock()
	l.unsolicited = fn
	l.lmu.Unlock()
}

func (l *lifecycle) toUnsolicited(m *mcpwire.Message) {
	l.lmu.Lock()
	fn := l.unsolicited
	l.lmu.Unlock()
	if fn == nil {
		l.log.Debug("dropping unsolicited server message: no receiver", "method", m.Method, "kind", m.Kind.String())
		return
	}
	fn(m)
}

// Done is closed when the connection is closed or lost.
func (l *lifecycle) Done() <-chan struct{} { return l.done }

// Err says why Done closed: ErrClosed after Close, or what was lost.
func (l *lifecycle) Err() error {
	l.lmu.Lock()
	defer l.lmu.Unlock()
	return l.err
}

func (l *lifecycle) fail(err error) {
	l.doneOnce.Do(func() {
		l.lmu.Lock()
		l.err = err
		l.lmu.Unlock()
		close(l.done)
		if l.cancel != nil {
			l.cancel()
		}
	})
}

// closedErr is nil while the connection is usable, else an error wrapping
// ErrClosed (and the reason, when it is not a plain Close).
func (l *lifecycle) closedErr() error {
	select {
	case <-l.done:
	default:
		return nil
	}
	if err := l.Err(); err != nil && err != ErrClosed {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return ErrClosed
}
