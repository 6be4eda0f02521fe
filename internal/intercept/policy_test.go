package intercept

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/policy"
)

const stagePolicy = `rules:
  - id: reads
    effect: allow
    when: risk == "read"
  - id: small-limits
    effect: deny
    when: has(args.limit) && args.limit > 1000
`

func TestPolicyStage(t *testing.T) {
	p, err := policy.Parse("p.yaml", []byte(stagePolicy))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse("m.yaml", []byte("tools:\n  q: {risk: read}\n  w: {risk: write}\n"))
	if err != nil {
		t.Fatal(err)
	}
	chain := NewChain(Manifests(map[string]*manifest.Manifest{"s": m}), Policy(p))
	for _, tt := range []struct {
		params, rule string
	}{
		{`{"name":"q","arguments":{"limit":10}}`, ""},
		{`{"name":"q","arguments":{"limit":1e4}}`, "small-limits"},
		{`{"name":"w","arguments":{}}`, policy.DefaultDenyRule},
		{`{"name":"x","arguments":{}}`, "manifest.undeclared-tool"},
	} {
		x := exchange(t, "legacy", "s", "tools/call", tt.params)
		_, err := chain.Then(answer(`{}`, nil))(context.Background(), x)
		if tt.rule == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.params, err)
			}
			continue
		}
		if d, ok := AsDenial(err); !ok || d.Rule != tt.rule {
			t.Errorf("%s: got %v, want rule %s", tt.params, err, tt.rule)
		}
	}
	// Lists and other methods are not the policy's business.
	x := exchange(t, "legacy", "s", "ping", `{}`)
	if _, err := Policy(p).Intercept(context.Background(), x, answer(`{}`, nil)); err != nil {
		t.Error(err)
	}
}

// BenchmarkManifestPolicyCall is the whole per-call decision: manifest
// lookup, schema validation, canonical re-encoding and a CEL decision.
func BenchmarkManifestPolicyCall(b *testing.B) {
	p, err := policy.Parse("p.yaml", []byte(stagePolicy))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("tools=%d", n), func(b *testing.B) {
			var sb strings.Builder
			sb.WriteString("tools:\n")
			for i := range n {
				fmt.Fprintf(&sb, "  tool_%d:\n    risk: read\n    arguments:\n      type: object\n      properties:\n        query: {type: string, maxLength: 200}\n        limit: {type: integer, minimum: 1, maximum: 1000}\n      required: [query]\n      additionalProperties: false\n", i)
			}
			m, err := manifest.Parse("bench.yaml", []byte(sb.String()))
			if err != nil {
				b.Fatal(err)
			}
			h := NewChain(Manifests(map[string]*manifest.Manifest{"s": m}), Policy(p)).Then(func(ctx context.Context, x *Exchange) (*Reply, error) { return nil, nil })
			x := exchange(b, "legacy", "s", "tools/call", fmt.Sprintf(`{"name":"tool_%d","arguments":{"query":"select name from users","limit":10}}`, n/2))
			orig := x.Msg
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				x.Msg = orig
				if _, err := h(ctx, x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
