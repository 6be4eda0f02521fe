package secrets

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// diffCorpus is what the fast path is checked on against the reference
// path of ref_test.go: both benchmark texts, every test case alone and in
// variants (upper case, base64, percent-encoded, zero-width split, cut at
// odd lengths), and the checked-in fuzz seeds.
func diffCorpus(t testing.TB) []string {
	texts := []string{mixedText(), buildText(false), "", "a", "%", "%4", "\u200b", "key=", "ey"}
	var cases []secretCase
	cases = append(cases, secretCases()...)
	cases = append(cases, benignCases()...)
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
