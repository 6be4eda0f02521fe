package secrets

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// mixedText is about 1 MiB of what tool results look like: prose, code,
// JSON, logs, a lockfile, base64 and a few real-looking secrets.
func mixedText() string { return buildText(true) }

// buildText writes about 1 MiB; with nearMisses it interleaves the test
// cases (a secret every 20 blocks, a placeholder or look-alike in every one).
func buildText(nearMisses bool) string {
	var b strings.Builder
	secrets := secretCases()
	benign := benignCases()
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "2026-11-25T20:%02d:%02dZ INFO request id=%d method=tools/call duration=%dms user=jane\n", i%60, i%60, i, i%97)
		b.WriteString("The quick brown fox reads the configuration file and passes the result to the next stage of the pipeline.\n")
		fmt.Fprintf(&b, `{"jsonrpc":"2.0","id":%d,"result":{"content":[{"type":"text","text":"row %d of the report: %s"}]}}`+"\n", i, i, rnd(uint64(i), alnum, 24))
		b.WriteString("func (s *Server) handle(ctx context.Context, req *Request) (*Response, error) {\n\tif err := s.check(req); err != nil {\n\t\treturn nil, fmt.Errorf(\"handle: %w\", err)\n\t}\n}\n")
		if !nearMisses {
			continue
		}
		b.WriteString(benign[i%len(benign)].text + "\n")
		if i%20 == 0 {
			b.WriteString(secrets[i/20%len(secrets)].text + "\n")
		}
		if i%50 == 0 {
			b.WriteString(rnd(uint64(i), alnum+"+/", 512) + "\n")
		}
	}
	return b.String()
}

// BenchmarkLoad: building the embedded rule set, and the heap it keeps
// (rules compile on first use; compiled at load they kept ≈ 5 MB).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		e, err := Load(rulesJSON, extraJSON)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(e)
		b.StartTimer()
	}
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024, "KiB-kept")
}

func BenchmarkScan(b *testing.B) {
	text := mixedText()
	e := Default()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		e.Scan(text)
	}
}

// BenchmarkScanPlain is ordinary logs, prose, JSON and code with no
// credential look-alikes: the cost of the prefilter path alone.
func BenchmarkScanPlain(b *testing.B) {
	text := buildText(false)
	e := Default()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		e.Scan(text)
	}
}

// BenchmarkScan64KData is one 64 KiB text of base64-alphabet filler, as
// the load tool's echo sends and gets back: one long run that decodes to
// binary and must be given up early, not decoded whole.
func BenchmarkScan64KData(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		sb.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[i%36])
	}
	text := sb.String()
	for _, e := range []*Engine{Default(), Outbound()} {
		if len(e.Scan(text)) != 0 {
			b.Fatal("finding in filler")
		}
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Default().Scan(text)
	}
}

// BenchmarkOutbound is the arguments' engine (labels read upper-cased as
// well) on ordinary text with dots in it and on 64 KiB of filler.
func BenchmarkOutbound(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		sb.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[i%36])
	}
	for name, text := range map[string]string{"plain": buildText(false), "64KData": sb.String()} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Outbound().Scan(text)
			}
		})
	}
}

// shortTexts are what a gateway scans on every small call: the flattened
// strings of the load tool's 64 B echo result (intercept's learnSecrets),
// a sentence, a UUID, a hex digest, a little JSON, a path, a log line,
// a short word and nothing; none holds a secret.
var shortTexts = []string{
	"content: type: text\ntext: abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01\n",
	"The build finished in 3.2 seconds and all 48 tests passed.",
	"3f2b8c1e-9a4d-4e7b-b6f1-2c5d8e9a0b7c",
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	`{"status":"ok","count":12,"items":["alpha","beta"],"next":null}`,
	"/home/jane/projects/mcpwarden/internal/secrets/secrets.go",
	"2026-11-25T20:14:07Z INFO request id=4711 method=tools/call duration=12ms user=jane path=/v1/files/report.csv status=200 bytes=18432 agent=\"mcp-client/1.4\" trace=0af7651916cd43dd8448eb211c80319c",
	"ok",
	"",
}

// BenchmarkScanShort is the engine's fixed cost: one op scans every
// shortText once.
func BenchmarkScanShort(b *testing.B) { benchShort(b, Default(), shortTexts) }

// BenchmarkOutboundShort is BenchmarkScanShort for the arguments' engine.
func BenchmarkOutboundShort(b *testing.B) { benchShort(b, Outbound(), shortTexts) }

// keywordTexts are short texts with the rules' keywords in them and no
// secret: the per-hit checks' cost on what a call often says.
var keywordTexts = []string{
	"Please rotate the API key and the access token for the staging deployment before Friday.",
	"The password reset link expires after 24 hours; ask an admin for a new token if it does.",
	"config/secrets.yaml holds the key names only, the values come from the vault at start-up.",
	`{"auth":"oauth2","token_type":"bearer","expires_in":3600,"scope":"read write"}`,
}

// BenchmarkScanShortKeywords is BenchmarkScanShort over keywordTexts.
func BenchmarkScanShortKeywords(b *testing.B) { benchShort(b, Default(), keywordTexts) }

// benchShort scans every text of texts once per op, after checking that
// none holds a secret (a finding would measure another path).
func benchShort(b *testing.B, e *Engine, texts []string) {
	b.Helper()
	for _, s := range texts {
		if fs := e.Scan(s); len(fs) != 0 {
			b.Fatalf("finding %+v in %q", fs[0], s)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			e.Scan(s)
		}
	}
}
