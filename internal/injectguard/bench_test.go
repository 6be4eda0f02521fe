package injectguard

import (
	"strings"
	"testing"
)

// mixedResult is about 1 MiB of what results look like: logs with
// colours, prose, markdown with images and comments, JSON, code, emoji
// and right-to-left text, with a planted attack now and then.
func mixedResult() string {
	var b strings.Builder
	attacks := attackCases()
	benign := benignCases()
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString("2026-11-25T20:00:00Z \x1b[32mINFO\x1b[0m request served in 12ms for user jane\n")
		b.WriteString("The quick brown fox reads the configuration file and passes the result on. 👍\n")
		b.WriteString(`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"row 7 of the report"}]}}` + "\n")
		b.WriteString("## Usage\n\n![logo](https://example.com/logo.png)\n\nRun `make test` before you push.\n")
		b.WriteString(benign[i%len(benign)].text + "\n")
		if i%50 == 0 {
			b.WriteString(attacks[i/50%len(attacks)].text + "\n")
		}
	}
	return b.String()
}

func BenchmarkScan(b *testing.B) {
	text := mixedResult()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Scan(text)
	}
}

// BenchmarkScan1K is one typical small result with nothing to find.
func BenchmarkScan1K(b *testing.B) {
	text := strings.Repeat("The quick brown fox reads the configuration file and passes the result on.\n", 14)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if len(Scan(text)) != 0 {
			b.Fatal("finding in clean text")
		}
	}
}

// BenchmarkScan64KData is one large result that is all base64-alphabet
// data (an id and filler, as the load tool's echo sends): it must cost
// about as much as prose, not a decode and rescan.
func BenchmarkScan64KData(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		sb.WriteString("abcdefghijklmnopqrstuvwxyz0123456789"[i%36 : i%36+1])
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if len(Scan(text)) != 0 {
			b.Fatal("finding in filler")
		}
	}
}

// shortTexts are small results of the kinds a gateway reads on every
// call: the load tool's echo (its "text" and its 64 B filler), a
// sentence, an id, a JSON fragment, a path. None holds a finding.
var shortTexts = []string{
	"text",
	"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012",
	"The build finished in 12 seconds and all 48 tests passed.",
	"3f2b8c1e-9d4a-4e7b-a6c5-0f1e2d3c4b5a",
	`{"id":42,"status":"ok","items":["alpha","beta"],"next":null}`,
	"/home/jane/projects/report-2026/summary.md",
}

// BenchmarkScanShort is the fixed cost of a call on a short text: one op
// scans each of shortTexts once.
func BenchmarkScanShort(b *testing.B) {
	for _, s := range shortTexts {
		if fs := Scan(s); len(fs) != 0 {
			b.Fatalf("finding in %q: %+v", s, fs)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range shortTexts {
			Scan(s)
		}
	}
}
