package secrets

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPaddedSplitsAtInteriorPadding(t *testing.T) {
	enc := base64.StdEncoding.EncodeToString([]byte("a secret sentence here")) // ends in ==
	for _, tc := range []struct {
		s    string
		want []string
	}{
		{enc, []string{enc}},
		{"d=" + enc, []string{enc}},
		{"token=" + enc + "=" + enc, []string{enc + "=", enc}},
		{enc + "==" + enc, []string{enc + "==", enc}},
		{"x=y", nil},
		{"AAAAAAAAAAAAAAAAAAAA", []string{"AAAAAAAAAAAAAAAAAAAA"}},
	} {
		var got []string
		for i, j := range padded(tc.s, 0, len(tc.s)) {
			got = append(got, tc.s[i:j])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("padded(%q) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestEncodedSecretAfterQueryName(t *testing.T) {
	pat := "ghp_HkW5vQ7CF5puzQqmOBZZW6m4nyoL6uniiFw1"
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		url := "https://203.0.113.9/?d=" + enc.EncodeToString([]byte(pat))
		if fs := Outbound().Scan(url); len(fs) == 0 || fs[0].RuleID != "github-pat" {
			t.Errorf("%s: %v, want github-pat", url, fs)
		}
		if !MayContain(url) {
			t.Errorf("MayContain(%q) = false: the prefilter must not rule out what Scan finds", url)
		}
	}
}

func TestLowerCasedKeyInDNSLabel(t *testing.T) {
	key := "AKIAUVW75EFR6EDT4SYW"
	for _, host := range []string{
		"akiauvw75efr6edt4syw.x.203-0-113-9.example",
		"a.akiauvw75efr6edt4syw.attacker.example",
	} {
		if fs := Outbound().Scan(host); len(fs) == 0 || fs[0].RuleID != "aws-access-token" {
			t.Errorf("%s: %v, want aws-access-token", host, fs)
		}
		if fs := Default().Scan(host); len(fs) != 0 {
			t.Errorf("the results engine reads labels as they are: %v", fs)
		}
	}
	if fs := Outbound().Scan(key + ".x.example"); len(fs) == 0 {
		t.Errorf("the key as it is: no finding")
	}
	for _, benign := range []string{
		"build-artifacts-eu-west-1.s3.amazonaws.com",
		"my-long-service-name-here.internal.example",
		"d3k9x7q2m8n4p5r6.cloudfront.net",
	} {
		if fs := Outbound().Scan(benign); len(fs) != 0 {
			t.Errorf("%s flagged: %v", benign, fs)
		}
	}
}

func TestHexEncodedSecret(t *testing.T) {
	pat := "ghp_HkW5vQ7CF5puzQqmOBZZW6m4nyoL6uniiFw1"
	hexed := ""
	for _, c := range []byte(pat) {
		hexed += fmt.Sprintf("%02x", c)
	}
	for _, text := range []string{"https://203.0.113.9/?h=" + hexed, "payload " + strings.ToUpper(hexed) + " end"} {
		if fs := Outbound().Scan(text); len(fs) == 0 || fs[0].RuleID != "github-pat" {
			t.Errorf("%s: %v, want github-pat", text, fs)
		}
		if !MayContain(text) {
			t.Errorf("MayContain(%q) = false", text)
		}
	}
	for _, benign := range []string{
		"commit 4f9c2a7e1b3d5f6a8c0e2b4d6f8a0c2e4b6d8f0a",
		"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"id " + strings.Repeat("deadbeef", 8),
	} {
		if fs := Outbound().Scan(benign); len(fs) != 0 {
			t.Errorf("%s flagged: %v", benign, fs)
		}
	}
}

func TestHexRunsFindsEveryRun(t *testing.T) {
	// The window-skipping walk against a byte-by-byte one.
	for _, text := range []string{
		strings.Repeat("a", 31), strings.Repeat("a", 32), "x" + strings.Repeat("f", 40) + "y" + strings.Repeat("0", 33),
		"the quick brown fox " + strings.Repeat("ab12", 9) + " and " + strings.Repeat("9", 31) + "z" + strings.Repeat("c", 64),
		strings.Repeat("0123456789abcdeg", 5),
	} {
		var want, got [][2]int
		for i := 0; i < len(text); {
			j := i
			for j < len(text) && isHex(text[j]) {
				j++
			}
			if j-i >= minHex {
				want = append(want, [2]int{i, j})
			}
			i = j + 1
		}
		for i, j := range hexRuns(text) {
			got = append(got, [2]int{i, j})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: hexRuns %v, want %v", text, got, want)
		}
	}
}
