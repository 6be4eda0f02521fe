package mcpwire

import (
	"strings"
	"testing"
)

var (
	smallCall = []byte(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"search_files","arguments":{"path":"/home/user/project","pattern":"*.go","limit":50}}}`)
	bigCall   = []byte(`{"jsonrpc":"2.0","id":"req-1","method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/out.txt","content":"` +
		strings.Repeat("lorem ipsum dolor sit amet, consectetur adipiscing elit \\n", 64<<10/58+1)[:64<<10] + `"}}}`)
)

func benchParse(b *testing.B, msg []byte) {
	if _, err := Parse(msg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := Parse(msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSmall(b *testing.B) { benchParse(b, smallCall) }
func BenchmarkParse64K(b *testing.B)   { benchParse(b, bigCall) }

func BenchmarkWithID(b *testing.B) {
	m, err := Parse(smallCall)
	if err != nil {
		b.Fatal(err)
	}
	id := []byte(`"gw-000000000001"`)
	b.ReportAllocs()
	b.SetBytes(int64(len(smallCall)))
	for b.Loop() {
		_ = m.WithID(id)
	}
}

func BenchmarkSetPathMeta(b *testing.B) {
	m, err := Parse(smallCall)
	if err != nil {
		b.Fatal(err)
	}
	path := []string{"_meta", "io.modelcontextprotocol/protocolVersion"}
	val := []byte(`"2025-06-18"`)
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Params)))
	for b.Loop() {
		if _, err := SetPath(m.Params, path, val); err != nil {
			b.Fatal(err)
		}
	}
}

// The hot path's allocation budget is part of the contract: the Message
// itself and nothing else for a typical call, whatever its size.
func TestAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes allocation counts")
	}
	m, err := Parse(bigCall)
	if err != nil {
		t.Fatal(err)
	}
	id, num := []byte(`"gw-1"`), []byte(`12`)
	cases := []struct {
		name string
		max  float64
		fn   func()
	}{
		{"Parse small", 1, func() { _, _ = Parse(smallCall) }},
		{"Parse 64K", 1, func() { _, _ = Parse(bigCall) }},
		{"WithID", 1, func() { _ = m.WithID(id) }},
		{"Get", 0, func() { _, _ = Get(m.Params, "name") }},
		{"IDKey", 1, func() { _ = IDKey(num) }}, // the key string itself
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(100, c.fn); n > c.max {
			t.Errorf("%s: %v allocations, want at most %v", c.name, n, c.max)
		}
	}
}

// Meta on a large call skips the whole arguments object to find _meta
// missing: the router and the upstream pay this on every tools/call.
func BenchmarkMeta64K(b *testing.B) {
	m, err := Parse(bigCall)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Params)))
	for b.Loop() {
		if Meta(m.Params) != nil {
			b.Fatal("unexpected _meta")
		}
	}
}

var (
	smallResult = []byte(`{"content":[{"type":"text","text":"` + strings.Repeat("x", 64) + `"}],"isError":false,"structuredContent":{"path":"/home/user/project","count":3}}`)
	bigResult   = []byte(`{"content":[{"type":"text","text":"` + strings.Repeat("lorem ipsum dolor sit amet, consectetur adipiscing elit \\n", 64<<10/58+1)[:64<<10] + `"}]}`)
)

// MapStrings is how the result stages walk every string of a result
// (secrets, injection): it runs on each tools/call response, often twice.
func benchMapStrings(b *testing.B, v []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	n := 0
	for b.Loop() {
		if _, changed := MapStrings(v, func(s string, key bool) (string, bool) { n += len(s); return s, false }); changed {
			b.Fatal("changed")
		}
	}
}

func BenchmarkMapStringsSmall(b *testing.B) { benchMapStrings(b, smallResult) }
func BenchmarkMapStrings64K(b *testing.B)   { benchMapStrings(b, bigResult) }

// AppendString writes every string of an audit record and of a rewritten
// message.
func BenchmarkAppendString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"id24", "a6429c16f90bab32af006ef3"},
		{"text1K", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 23)},
		{"escaped1K", strings.Repeat("line \"one\"\n\tüñï ", 64)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.s)))
			buf := make([]byte, 0, 4096)
			for b.Loop() {
				buf = AppendString(buf[:0], c.s)
			}
		})
	}
}
