// Package sink copies audit records from the store to other systems. The
// store is the outbox: each sink keeps a cursor (the next seq to deliver)
// in a file beside its output and reads on from there, so delivery is at
// least once, survives restarts, and never blocks the call path.
package sink

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

// Record is one stored record: its seq and exact bytes.
type Record struct {
	Seq  int64
	Data []byte
}

// Sink delivers batches of records. Deliver may be called again with the
// same records after a failure or a restart.
type Sink interface {
	Name() string
	Deliver(ctx context.Context, recs []Record) error
	Close() error
}

// Options tune an Outbox.
type Options struct {
	CursorFile  string        // where the next seq to deliver is kept
	Batch       int           // records per Deliver; default 1000
	Poll        time.Duration // how often to look for new records without a poke; default 250ms
	MaxAttempts int           // attempts before a batch is dead-lettered; default 8
	MaxBackoff  time.Duration // default 30s
	Logger      *slog.Logger
}

// Outbox feeds one sink from the store.
type Outbox struct {
	r    *audit.Reader
	sink Sink
	opts Options
	poke chan struct{}

	Delivered atomic.Int64
	Dead      atomic.Int64 // records given up on (still in the store)
	pos       atomic.Int64 // the next seq to deliver
}

// Name is the sink's name.
func (o *Outbox) Name() string { return o.sink.Name() }

// Position is the next seq the sink will be given: the store's size minus
// this is the sink's lag.
func (o *Outbox) Position() int64 { return o.pos.Load() }

// New makes an outbox reading r for s.
func New(r *audit.Reader, s Sink, opts Options) *Outbox {
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Outbox{r: r, sink: s, opts: opts, poke: make(chan struct{}, 1)}
}

// Poke says new records were committed. It never blocks.
func (o *Outbox) Poke() {
	select {
	case o.poke <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then delivers what is left once more.
func (o *Outbox) Run(ctx context.Context) {
	next := o.cursor()
	o.pos.Store(next)
	for {
		n, err := o.deliverFrom(ctx, &next)
		if err != nil && ctx.Err() == nil {
			o.opts.Logger.Error("audit sink: read failed", "sink", o.sink.Name(), "err", err)
		}
		if n == o.opts.Batch {
			continue
		}
		select {
		case <-ctx.Done():
			// Final drain, bounded: shutdown should not hang on a dead sink.
			dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			for {
				if n, _ := o.deliverFrom(dctx, &next); n < o.opts.Batch {
					break
				}
			}
			cancel()
			return
		case <-o.poke:
		case <-time.After(o.opts.Poll):
		}
	}
}

// deliverFrom sends one batch starting at *next and advances it.
func (o *Outbox) deliverFrom(ctx context.Context, next *int64) (int, error) {
	var recs []Record
	err := o.r.Query(ctx, audit.Filter{AfterSeq: *next - 1, Limit: o.opts.Batch}, func(seq int64, data []byte) error {
		recs = append(recs, Record{Seq: seq, Data: append([]byte(nil), data...)})
		return nil
	})
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err = o.sink.Deliver(ctx, recs)
		if err == nil {
			o.Delivered.Add(int64(len(recs)))
			break
		}
		if attempt >= o.opts.MaxAttempts || ctx.Err() != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			o.Dead.Add(int64(len(recs)))
			o.opts.Logger.Error("audit sink: batch dead-lettered (still in the store)", "sink", o.sink.Name(),
				"from_seq", recs[0].Seq, "to_seq", recs[len(recs)-1].Seq, "attempts", attempt, "err", err, "dead_total", o.Dead.Load())
			break
		}
		o.opts.Logger.Warn("audit sink: delivery failed; retrying", "sink", o.sink.Name(), "attempt", attempt, "in", backoff.String(), "err", err)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, o.opts.MaxBackoff)
	}
	*next = recs[len(recs)-1].Seq + 1
	o.pos.Store(*next)
	if err := o.saveCursor(*next); err != nil {
		o.opts.Logger.Error("audit sink: cursor not saved; records may be delivered again", "sink", o.sink.Name(), "err", err)
	}
	return len(recs), nil
}

func (o *Outbox) cursor() int64 {
	b, err := os.ReadFile(o.opts.CursorFile)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			o.opts.Logger.Error("audit sink: cursor unreadable; starting from the first record", "sink", o.sink.Name(), "err", err)
		}
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		o.opts.Logger.Error("audit sink: cursor malformed; starting from the first record", "sink", o.sink.Name())
		return 0
	}
	return n
}

func (o *Outbox) saveCursor(n int64) error {
	tmp := o.opts.CursorFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(n, 10)+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, o.opts.CursorFile)
}

// CursorFileFor names the cursor file of a sink writing to path.
func CursorFileFor(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".cursor")
}
