package secrets

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// wrap cuts s into lines of n bytes, each after indent and ending in eol.
func wrap(s string, n int, indent, eol string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(indent + s[:n] + eol)
		s = s[n:]
	}
	b.WriteString(indent + s + eol)
	return b.String()
}

// wrappedCases: a key in an encoding its tool wrapped over lines (xxd -p
// at 60 hex digits, base64(1) at 76, openssl at 64, in YAML, with CRLF,
// a tail shorter than a run); each line alone decodes to a piece no rule
// knows.
func wrappedCases() []secretCase {
	dapi := "da" + "pi" + rnd(6701, hexd, 32)
	ghp := "gh" + "p_" + rnd(6702, alnum, 36)
	env := "# deploy\nNODE_ENV=production\nGITHUB_TOKEN=" + ghp + "\n"
	tail := b64("GITHUB_TOKEN=" + ghp)
	return []secretCase{
		{"xxd -p of an env line in a crash report",
			"Crash dump of the config blob (xxd -p):\n\n```\n" + wrap(hex.EncodeToString([]byte("DATABRICKS_TOKEN="+dapi+"\n")), 60, "", "\n") + "```\n",
			"databricks-api-token"},
		{"xxd -p -c 16 of a bare token", wrap(hex.EncodeToString([]byte(dapi)), 32, "", "\n"), "databricks-api-token"},
		{"base64(1) of an env file, 76 a line", "$ base64 .env\n" + wrap(b64(env), 76, "", "\n"), "github-pat"},
		{"openssl base64 with CRLF, 64 a line", wrap(b64("[databricks]\r\ntoken = "+dapi+"\r\nhost = adb-1.azuredatabricks.net\r\n"), 64, "", "\r\n"), "databricks-api-token"},
		{"wrapped base64 in a YAML block", "data:\n  blob: |\n" + wrap(b64("token: "+ghp+"\n"), 40, "    ", "\n") + "kind: Secret\n", "github-pat"},
		{"URL-safe base64 wrapped at 70 (not a multiple of 4)", wrap(base64.RawURLEncoding.EncodeToString([]byte("export GH_TOKEN="+ghp+" # ci")), 70, "", "\n"), "github-pat"},
		// The key's tail alone on a last line shorter than any run.
		{"a tail line of 8 bytes", tail[:len(tail)-8] + "\n" + tail[len(tail)-8:] + "\n", "github-pat"},
	}
}

// TestWrappedEncodings: wrappedCases, found by both engines once the
// lines are joined.
func TestWrappedEncodings(t *testing.T) {
	cases := wrappedCases()
	for _, tc := range cases {
		wantRule(t, "default", Default(), tc)
		wantRule(t, "outbound", Outbound(), tc)
		if !MayContain(tc.text) {
			t.Errorf("%s: MayContain says no", tc.name)
		}
		// Each line alone holds nothing a rule knows.
		for _, line := range strings.Split(tc.text, "\n") {
			if fs := Default().Scan(line); hasRule(fs, tc.rule) {
				t.Errorf("%s: line %q alone finds %s: the case tests nothing", tc.name, line, tc.rule)
			}
		}
	}

	// A key whole in one line's run is that run's finding, as before:
	// the join adds no second one covering the block.
	akia := "AK" + "IA" + rnd(6706, b32, 16)
	whole := "aws_access_key_id = " + akia + "\naws_region = eu-west-1\n" + strings.Repeat("# padding line\n", 3)
	text := wrap(b64(whole), 76, "", "\n")
	fs := Default().Scan(text)
	if n := countRule(fs, "aws-access-token"); n != 1 || fs[0].End > strings.IndexByte(text, '\n') {
		t.Errorf("key whole in the first line: want one finding on that line, got %v", fs)
	}
}

// wrappedLookalikes: blocks of wrapped lines that hold no secret: PEM
// bodies, hex dumps of binary, columns of digests and ids, base64 of
// ordinary text, documented placeholders; and lines that are not a block.
func wrappedLookalikes() []string {
	bin := make([]byte, 180)
	for i := range bin {
		bin[i] = byte(i*37 + 11)
	}
	var digests, uuids []string
	for i := range 6 {
		digests = append(digests, rnd(uint64(6710+i), hexd, 64))
		u := rnd(uint64(6720+i), hexd, 32)
		uuids = append(uuids, u[:8]+"-"+u[8:12]+"-"+u[12:16]+"-"+u[16:20]+"-"+u[20:])
	}
	csv := "date,region,orders,revenue\n2025-10-01,EU,1842,53120.40\n2025-10-01,US,2210,71833.15\n2025-10-02,EU,1790,50211.90\n"
	return []string{
		"-----BEGIN PUBLIC KEY-----\n" + pemBody(6730) + "\n-----END PUBLIC KEY-----\n",
		"-----BEGIN CERTIFICATE-----\n" + wrap(base64.StdEncoding.EncodeToString(bin), 64, "", "\n") + "-----END CERTIFICATE-----\n",
		"$ xxd -p logo.png\n" + wrap(hex.EncodeToString(bin), 60, "", "\n"),
		"sha256sums:\n" + strings.Join(digests, "\n") + "\n",
		"request ids:\n" + strings.Join(uuids, "\n") + "\n",
		"attachment (base64):\n" + wrap(b64(csv), 76, "", "\n"),
		"```\n" + wrap(b64("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 76, "", "\n") + "```\n",
		"GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in base64, wrapped:\n" + wrap(b64("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"), 20, "", "\n"),
		// Lines of base64 bytes that are words and names, one a line.
		"CONTRIBUTORS\nJaneDoeAndFriends1\nRichardRoeTheThird\nMaxMustermann2024\n",
	}
}

func TestWrappedLookalikes(t *testing.T) {
	for _, b := range wrappedLookalikes() {
		wantClean(t, b)
	}
}

// dumpCases: hex bytes with a separator wrapped over lines, as od -An
// -tx1 (16 a line, a space before each) and openssl (":" after each, the
// separator ending the line) print them.
func dumpCases() []secretCase {
	dapi := "da" + "pi" + rnd(6740, hexd, 32)
	msg := "DATABRICKS_TOKEN=" + dapi + "\n"
	var od, ossl strings.Builder
	for i := 0; i < len(msg); i++ {
		if i > 0 && i%16 == 0 {
			od.WriteString("\n")
		}
		if i > 0 && i%15 == 0 {
			ossl.WriteString("\n    ")
		}
		fmt.Fprintf(&od, " %02x", msg[i])
		fmt.Fprintf(&ossl, "%02x:", msg[i])
	}
	return []secretCase{
		{"od -An -tx1", "$ od -An -tx1 config.bin\n" + od.String() + "\n", "databricks-api-token"},
		{"openssl-style colon bytes", "    " + ossl.String() + "\n", "databricks-api-token"},
	}
}

// dumpLookalikes: a modulus printed the same way is binary; a MAC
// address table and a byte list that stops at a word stay what they are.
func dumpLookalikes() []string {
	var mod strings.Builder
	for i := range 64 {
		if i > 0 && i%15 == 0 {
			mod.WriteString("\n    ")
		}
		fmt.Fprintf(&mod, "%02x:", byte(i*53+200))
	}
	return []string{
		"Modulus:\n    00:" + mod.String() + "\nExponent: 65537 (0x10001)\n",
		"eth0 3c:22:fb:a1:07:9e\neth1 3c:22:fb:a1:07:9f\n",
		"de ad be ef 00 11 22 33 44 55 66 77 88 99 aa bb\nbeef is what the test writes\n",
	}
}

// TestDumpedHexBytes: the outbound engine reads dumpCases' bytes on
// across the line breaks.
func TestDumpedHexBytes(t *testing.T) {
	for _, tc := range dumpCases() {
		wantRule(t, "outbound", Outbound(), tc)
	}
	for _, b := range dumpLookalikes() {
		wantClean(t, b)
	}
}

func countRule(fs []Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.RuleID == rule {
			n++
		}
	}
	return n
}

// TestWrapFinder checks wrapFinder, fed the runs of b64Runs, against
// refWrapped's reading line by line, on texts of lines of random widths
// and indentation, most of them as wide as the one before.
func TestWrapFinder(t *testing.T) {
	blocks := 0
	for seed := range uint64(400) {
		r := rnd(seed, "abcdefghij", 64)
		var b strings.Builder
		width := 16 + int(r[0]-'a')*4
		for k := 0; k < 12; k++ {
			c := r[k+1] - 'a'
			switch {
			case c == 0:
				width = 1 + int(r[k+20]-'a')*5 // another width, sometimes under a run's
			case c == 1:
				b.WriteString("  ")
			case c == 2:
				b.WriteString("\t")
			}
			line := rnd(seed*100+uint64(k), alnum+"+/=-_", width)
			if c == 3 {
				line = line[:width/2] + " " + line[width/2:] // two runs, not a line's
			}
			b.WriteString(line)
			switch {
			case c == 4:
				b.WriteString("\r\n")
			case c == 5:
				b.WriteString("\r\r\n")
			case k < 11 || c == 6:
				b.WriteString("\n")
			}
		}
		s := b.String()
		var w wrapFinder
		for i, j := range b64Runs(s) {
			w.add(s, i, j)
		}
		got, want := w.done(s), refWrapped(s)
		type blk struct{ start, end, lines int }
		var g, x []blk
		for _, b := range got {
			g = append(g, blk{b.start, b.end, b.lines})
		}
		for _, b := range want {
			x = append(x, blk{b.start, b.end, b.lines})
		}
		blocks += len(g)
		if !slices.Equal(g, x) {
			t.Fatalf("seed %d, text %q:\nwrapFinder %v\nreference  %v", seed, s, g, x)
		}
	}
	if blocks < 400 {
		t.Errorf("only %d blocks over the texts", blocks)
	}
}
