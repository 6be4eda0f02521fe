package secrets

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// diffCorpus is what the fast path is checked on against the reference
// path of ref_test.go: both benchmark texts, every test case alone and in
// variants (upper case, base64, percent-encoded, zero-width split, cut at
// odd lengths), and the checked-in fuzz seeds.
func diffCorpus(t testing.TB) []string {
	texts := []string{mixedText(), buildText(false), "", "a", "%", "%4", "\u200b", "key=", "ey", "sk", "xey",
		// Lead bytes of zero-width runes among other E2/EF runes.
		"\u201cquoted\u201d \u2014 api_key = \u201c" + rnd(80, alnum, 32) + "\u201d\u200b\uff01 \xe2\x80",
		"\xef\xbb\xbf" + "token: gh" + "p_" + rnd(81, alnum, 18) + "\u2060" + rnd(82, alnum, 18) + "\xef\xbb",
		// Non-ASCII where (?i) classes also match the Kelvin sign and the long s.
		"api_\u212aey = " + rnd(83, alnum, 30) + "\n\u017fecret: " + rnd(84, alnum, 30) + " ok",
		// Keyword hits at the very start and end, mixed case.
		"EY", "Sk", "S.", "KEY", "PassWord=" + rnd(85, alnum, 20), "xx_TOKEN",
	}
	var cases []secretCase
	cases = append(cases, secretCases()...)
	cases = append(cases, benignCases()...)
	// Texts of many lines: encodings wrapped over them, keys cut one
	// piece a line, dumps of hex bytes, and their look-alikes.
	cases = slices.Concat(cases, wrappedCases(), rowCases(), dumpCases())
	texts = append(texts, slices.Concat(wrappedLookalikes(), rowLookalikes(), dumpLookalikes())...)
	for _, tc := range cases {
		s := tc.text
		texts = append(texts, s, strings.ToUpper(s), strings.ToLower(s), b64(s), url.QueryEscape(s),
			"x "+s+" y", "\n"+s+"\n", s+s, s[:len(s)/2], s[len(s)/3:],
			base64.RawURLEncoding.EncodeToString([]byte(s)))
		if len(s) > 6 {
			texts = append(texts, s[:len(s)/2]+"\u200b"+s[len(s)/2:], s[:3]+"\ufeff"+s[3:len(s)-2]+"\u2060"+s[len(s)-2:])
		}
	}
	texts = append(texts, fuzzSeeds(t, "FuzzScan")...)
	texts = append(texts, fuzzSeeds(t, "FuzzFastPathMatchesReference")...)
	return texts
}

// fuzzSeeds reads the string seeds checked in under testdata/fuzz/name.
func fuzzSeeds(t testing.TB, name string) []string {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if q, ok := strings.CutPrefix(line, "string("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out = append(out, s)
			}
		}
	}
	if len(files) == 0 && name == "FuzzScan" {
		t.Fatal("no fuzz seeds found")
	}
	return out
}

func TestFastPathMatchesReference(t *testing.T) {
	engines := map[string]*Engine{"default": Default(), "outbound": Outbound()}
	texts := diffCorpus(t)
	for name, e := range engines {
		n := 0
		for _, s := range texts {
			got, want := e.Scan(s), e.refScan(s)
			n += len(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s engine, text %.80q: fast path %v, reference %v", name, s, got, want)
			}
		}
		if n < 200 {
			t.Errorf("%s engine: only %d reference findings over the corpus", name, n)
		}
	}
}

func FuzzFastPathMatchesReference(f *testing.F) {
	for _, s := range diffCorpus(f)[2:] {
		if len(s) < 4096 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range []*Engine{Default(), Outbound()} {
			if got, want := e.Scan(s), e.refScan(s); !reflect.DeepEqual(got, want) {
				t.Fatalf("fast path %v, reference %v", got, want)
			}
		}
	})
}

// TestB64Runs checks the skipping run finder against the plain loop.
func TestB64Runs(t *testing.T) {
	alpha := alnum + "+/=-_ .\n:"
	for seed := range uint64(300) {
		s := rnd(seed, alpha[:min(len(alpha), 60+int(seed%13))], int(seed%97)*3)
		var want [][2]int
		for i := 0; i < len(s); {
			if !isB64(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isB64(s[j]) {
				j++
			}
			if j-i >= minEncoded {
				want = append(want, [2]int{i, j})
			}
			i = j
		}
		var got [][2]int
		for i, j := range b64Runs(s) {
			got = append(got, [2]int{i, j})
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: runs %v, want %v", s, got, want)
		}
	}
}

// TestAllowlistNeeds: a regex whose prefilter says no never matches, over
// every allowlist regex and the lines of the benchmark texts and cases.
func TestAllowlistNeeds(t *testing.T) {
	seen := map[string]bool{}
	var targets []string
	texts := diffCorpus(t)
	texts[0] = texts[0][:64<<10] // the benchmark texts repeat their lines
	texts[1] = texts[1][:16<<10]
	for _, s := range texts {
		for _, l := range strings.Split(s, "\n") {
			for _, x := range append(strings.Fields(l), l) {
				if !seen[x] && len(x) <= 512 {
					seen[x] = true
					targets = append(targets, x)
				}
			}
		}
	}
	targets = append(targets, "true", "FALSE", "${{ secrets.X }}", "/Users/jane/x", "accessor", "DONKEY", "key_press", "a=\nb=\n")
	e := Default()
	allows := []allow{e.global}
	for _, r := range e.rules {
		allows = append(allows, r.allows...)
	}
	checked, skipped := 0, 0
	for _, a := range allows {
		for i, re := range a.regexes {
			for _, s := range targets {
				if !isASCII(s) || a.needs[i].met(asciiLower(s)) {
					continue
				}
				skipped++
				if re.Get().MatchString(s) {
					t.Fatalf("prefilter of %s rejects %q, which it matches", re, s)
				}
			}
			checked++
		}
	}
	if checked < 20 || skipped == 0 {
		t.Fatalf("%d regexes, %d skipped matches", checked, skipped)
	}
}

// TestStripZeroWidthMatchesReference: the IndexByte search finds the same
// runes as the byte loop.
func TestStripZeroWidthMatchesReference(t *testing.T) {
	for _, s := range diffCorpus(t) {
		got, gm := stripZeroWidth(s)
		want, wm := refStripZeroWidth(s)
		if got != want || !reflect.DeepEqual(gm, wm) {
			t.Fatalf("%.60q: stripped differently", s)
		}
	}
}

// TestDecodeB64MatchesReference: the early exit on binary runs gives the
// old answers, on mostly printable text (some of it with a few binary
// bytes, around the 90 % line), random runs and both alphabets.
func TestDecodeB64MatchesReference(t *testing.T) {
	var runs []string
	for seed := range uint64(400) {
		n := 8 + int(seed%60)
		plain := []byte(rnd(seed, alnum+" :=\n", n))
		for k := 0; k < int(seed%7); k++ {
			plain[(k*13+int(seed))%n] = byte(0x80 + k)
		}
		runs = append(runs, base64.StdEncoding.EncodeToString(plain), base64.RawURLEncoding.EncodeToString(plain),
			rnd(seed, alnum+"+/", n), rnd(seed, alnum+"-_", n), rnd(seed, alnum+"+/-_=", n))
	}
	// Long runs, read a piece at a time: text with unprintable bytes just
	// under and just over a tenth of the whole, packed at the start, at
	// the end or spread; and long random runs (ids, filler).
	for seed := range uint64(60) {
		n := 900 + int(seed)*97 // 900 to 6600 bytes of text: one to nine pieces
		for _, where := range []string{"start", "end", "spread"} {
			for _, bad := range []int{n/10 - 1, n / 10, n/10 + 1, n / 5} {
				plain := []byte(rnd(seed, alnum+" :=\n", n))
				for k := range bad {
					switch where {
					case "start":
						plain[k] = 0x01
					case "end":
						plain[n-1-k] = 0x01
					default:
						plain[k*n/bad] = 0x01
					}
				}
				runs = append(runs, base64.RawStdEncoding.EncodeToString(plain), base64.URLEncoding.EncodeToString(plain))
			}
		}
		runs = append(runs, rnd(seed, alnum, n), rnd(seed, "x", n))
	}
	for _, r := range runs {
		got, gok := decodeB64(r)
		want, wok := refDecodeB64(r)
		if got != want || gok != wok {
			t.Fatalf("decodeB64(%q) = %q, %v; reference %q, %v", r, got, gok, want, wok)
		}
	}
}
