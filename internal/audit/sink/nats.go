package sink

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

// NATS publishes records to a JetStream stream, one message per record
// with the record id as Nats-Msg-Id, so that the stream drops a record
// delivered twice (within its duplicate window).
type NATS struct {
	URL, Subject, Stream string

	nc *nats.Conn
	js jetstream.JetStream
}

// OpenNATS connects and makes sure the stream exists.
func OpenNATS(ctx context.Context, url, subject, stream string) (*NATS, error) {
	nc, err := nats.Connect(url, nats.Name("mcpwarden-audit"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true))
	if err != nil {
		return nil, fmt.Errorf("nats sink: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats sink: %w", err)
	}
	n := &NATS{URL: url, Subject: subject, Stream: stream, nc: nc, js: js}
	if err := n.ensureStream(ctx); err != nil {
		// Not fatal: the outbox retries, and the stream may appear later.
		return n, nil
	}
	return n, nil
}

func (n *NATS) ensureStream(ctx context.Context) error {
	if _, err := n.js.Stream(ctx, n.Stream); err == nil {
		return nil
	}
	_, err := n.js.CreateStream(ctx, jetstream.StreamConfig{
		Name: n.Stream, Subjects: []string{n.Subject}, Storage: jetstream.FileStorage,
		Duplicates: 10 * time.Minute,
	})
	return err
}

func (n *NATS) Name() string { return "nats:" + n.Subject }

// Deliver publishes the batch asynchronously and waits for every ack.
func (n *NATS) Deliver(ctx context.Context, recs []Record) error {
	if err := n.ensureStream(ctx); err != nil {
		return fmt.Errorf("nats sink: stream %s: %w", n.Stream, err)
	}
	futs := make([]jetstream.PubAckFuture, 0, len(recs))
	for _, r := range recs {
		e, err := audit.ParseEntry(r.Data)
		if err != nil {
			return err
		}
		m := &nats.Msg{Subject: n.Subject, Data: r.Data, Header: nats.Header{}}
		m.Header.Set("Mcpwarden-Seq", fmt.Sprint(r.Seq))
		f, err := n.js.PublishMsgAsync(m, jetstream.WithMsgID(e.ID), jetstream.WithExpectStream(n.Stream))
		if err != nil {
			return fmt.Errorf("nats sink: %w", err)
		}
		futs = append(futs, f)
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("nats sink: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return fmt.Errorf("nats sink: no ack within 10s")
		}
	}
	return nil
}

func (n *NATS) Close() error {
	n.nc.Close()
	return nil
}
