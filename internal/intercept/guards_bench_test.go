package intercept

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

// BenchmarkAllGuardsCall is one echo call of the load tool through the
// stages bench/guards turns on, in the gateway's order (app.chain): the
// audit record (hash and redacted view of the arguments; the store is a
// no-op here), results (secrets redacted, injection neutralized),
// manifest (schema, canonical arguments), guards (secrets scan of the
// text), policy (CEL rules) and the rate limit; the upstream echoes the
// text. It reads the
// benchmark's own manifest and policy files, so it measures what
// bench/load measures, minus the relay.
func BenchmarkAllGuardsCall(b *testing.B) {
	dir := filepath.Join("..", "..", "bench", "guards")
	raw, err := os.ReadFile(filepath.Join(dir, "echo.manifest.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := manifest.Parse("echo.manifest.yaml", raw)
	if err != nil {
		b.Fatal(err)
	}
	if err := CheckGuards(m); err != nil {
		b.Fatal(err)
	}
	raw, err = os.ReadFile(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	p, err := policy.Parse("policy.yaml", raw)
	if err != nil {
		b.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"echo": m}
	for _, c := range []struct {
		name string
		size int
	}{{"64B", 64}, {"64KiB", 64 << 10}} {
		size := c.size
		b.Run(c.name, func(b *testing.B) {
			var sb strings.Builder
			for i := 0; sb.Len() < size; i++ {
				sb.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[i%36])
			}
			text := sb.String()
			result, _ := mcpwire.Parse(mcpwire.NewResult([]byte("7"), []byte(`{"content":[{"type":"text","text":"`+text+`"}]}`)))
			h := NewChain(AuditTo(nil, discardStore{}, true), Results(ms), Manifests(ms), Guards(ms), Policy(p), RateLimit(p.Limiter())).
				Then(func(ctx context.Context, x *Exchange) (*Reply, error) { return &Reply{Msg: result}, nil })
			x := exchange(b, "legacy", "echo", "tools/call", `{"name":"echo","arguments":{"text":"`+text+`"}}`)
			x.Peer.SessionID = "bench"
			orig := x.Msg
			ctx := context.Background()
			run := func() {
				x.Msg, x.Facts, x.Record = orig, nil, &Record{}
				r, err := h(ctx, x)
				if err != nil || r == nil || r.Msg != result {
					b.Fatalf("call refused or result rewritten: %v", err)
				}
			}
			run() // the engines compile at their first use
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}

// discardStore stands in for the audit store: the benchmark measures the
// stage's work on the record, not the journal's write.
type discardStore struct{}

func (discardStore) Append(*Record) error { return nil }
