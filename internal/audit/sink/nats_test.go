package sink

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

// natsURL is the JetStream server of the development machines and CI
// (.ci/run starts one when none runs).
func natsURL(t *testing.T) string {
	url := os.Getenv("MCPWARDEN_NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	c, err := net.DialTimeout("tcp", url[len("nats://"):], time.Second)
	if err != nil {
		t.Fatalf("no NATS server at %s (start one: nats-server -js -a 127.0.0.1 -p 4222): %v", url, err)
	}
	c.Close()
	return url
}

// Every record reaches the stream once, even when the outbox delivers a
// batch again (message dedup by record id).
func TestNATSSink(t *testing.T) {
	url := natsURL(t)
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	writeLog(t, loc, 0, 500)
	name := fmt.Sprintf("MCPWARDEN_TEST_%d", time.Now().UnixNano())
	subject := "mcpwarden.test." + name
	ctx := context.Background()
	n, err := OpenNATS(ctx, url, subject, name)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	t.Cleanup(func() { n.js.DeleteStream(context.Background(), name) })
	r, _ := audit.OpenReader(loc)
	defer r.Close()
	for range 2 { // the second pass repeats everything, as after a lost cursor
		o := New(r, n, Options{CursorFile: filepath.Join(t.TempDir(), "cursor")})
		next := int64(0)
		for {
			k, err := o.deliverFrom(ctx, &next)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		if o.Delivered.Load() != 500 {
			t.Fatalf("delivered %d", o.Delivered.Load())
		}
	}
	st, err := n.js.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 500 {
		t.Fatalf("stream holds %d messages, want 500", info.State.Msgs)
	}
}
