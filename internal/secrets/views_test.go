package secrets

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

func gzipB64(t *testing.T, s string, enc *base64.Encoding) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return enc.EncodeToString(buf.Bytes())
}

func utf16B64(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func charCodes(s, sep string) string {
	var parts []string
	for i := 0; i < len(s); i++ {
		parts = append(parts, fmt.Sprint(s[i]))
	}
	return strings.Join(parts, sep)
}

// TestProviderRulesSet19: provider formats the rule files lacked or
// matched only beside the provider's name (probe set 19), and context
// forms: an Authorization header as a HAR name/value pair, an ODBC
// password in braces. Each beside text that resembles it.
func TestProviderRulesSet19(t *testing.T) {
	attacks := []secretCase{
		{"atlassian token, any end", "![s](https://badge.example/b.png?ref=AT" + "ATT3xFfGF0" + rnd(400, alnum+"_-", 171) + "=" + rnd(401, "0123456789ABCDEF", 8) + ")", "atlassian-api-token-prefixed"},
		{"square oauth secret in csv", "pos,sq0idp-" + rnd(402, alnum, 22) + ",sq" + "0csp-" + rnd(403, alnum+"_-", 43) + ",2026-03-02", "square-oauth-secret"},
		{"mailgun key in sql", "INSERT INTO i VALUES (1,'mailgun','ke" + "y-" + rnd(404, lower+digits, 32) + "');", "mailgun-api-key"},
		{"nuget key", "dotnet nuget push a.nupkg -k oy" + "2" + rnd(405, lower+digits, 43) + " -s https://api.nuget.org/v3/index.json", "nuget-api-key"},
		{"airtable pat without the name", "X-Trace: pa" + "t" + rnd(406, alnum, 14) + "." + rnd(407, hexd, 64), "airtable-pat"},
		{"doppler service token in a path", "exports/dp" + ".st.prd." + rnd(408, alnum, 40) + ".txt", "doppler-token"},
		{"doppler service account token", "DOPPLER=dp" + ".sa." + rnd(409, alnum, 43), "doppler-token"},
		{"fcm server key", "'server_key' => 'AAAA" + rnd(410, alnum+"_-", 7) + ":APA91b" + rnd(411, alnum+"_-", 134) + "',", "fcm-server-key"},
		{"har authorization pair", "{\"name\": \"Authorization\",\n \"value\": \"Bearer " + rnd(412, alnum, 32) + "\"}", "authorization-header"},
		{"flattened har pair", "name: Authorization\nvalue: Bearer " + rnd(413, alnum, 32) + "\n", "authorization-header"},
		{"kubernetes env pair", "- name: AUTHORIZATION\n  value: Basic " + b64("svc:"+rnd(414, alnum, 16)), "authorization-header"},
		{"odbc password in braces", "Driver={ODBC Driver 18 for SQL Server}; Uid = app; Pwd = {Tr0ub;4dor&3" + rnd(415, alnum, 6) + "}; Encrypt=yes;", "password-assignment"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	benign := []string{
		"the key-value store keeps key-" + strings.Repeat("a", 32) + " and key-00000000000000000000000000000000",
		"path/to/pattern_matching_rules.yaml and pathologically long names",
		"Pwd = {db_password}; Password={password}; PWD={env:DB_PASS}; pwd={{ .Values.db.password }}",
		"password={os.environ['DB_PASSWORD']}",
		"\"name\": \"Authorization\", \"value\": \"Bearer {{token}}\"",
		"see dp.st.prd for the docs; sq0csp- is Square's secret prefix; oy2 is NuGet's",
		"AAAA1234567:APA91b is how legacy FCM keys begin",
		// An unsigned JWT (alg none) is a test fixture: anyone can write one.
		"\"unsigned\": \"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ0ZXN0LXVzZXIiLCJpc3MiOiJ0ZXN0IiwiaWF0IjoxNTE2MjM5MDIyfQ.\"",
	}
	for _, b := range benign {
		wantClean(t, b)
	}
	// A signed JWT, and an alg-none header with a signature, stay secrets.
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	for _, s := range []string{jwt(), none + ".eyJzdWIiOiJ0ZXN0LXVzZXIiLCJpYXQiOjE1MTYyMzkwMjJ9." + rnd(416, alnum, 43)} {
		if fs := Scan("token: " + s + "\n"); !hasRule(fs, "jwt") {
			t.Errorf("jwt %q: got %v", s, ruleIDs(fs))
		}
	}
}

// TestHiddenFormsSet19: a secret behind a quoted-printable soft line
// break, inside empty HTML elements or <wbr>, in base64 of gzip or of
// UTF-16LE text (both engines), and, in arguments, behind \u00XX escapes
// or as a list of character codes. Ordinary text in the same forms
// gives nothing.
func TestHiddenFormsSet19(t *testing.T) {
	ghp := "gh" + "p_" + rnd(420, alnum, 36)
	env := "APP_ENV=production\nGITHUB_TOKEN=" + ghp + "\nLOG_LEVEL=info\n"
	both := []secretCase{
		{"quoted-printable soft break", "Content-Transfer-Encoding: quoted-printable\r\n\r\nYour token is =E2=80=9C" + ghp[:20] + "=\r\n" + ghp[20:] + "=E2=80=9D.\r\n", "github-pat"},
		{"wbr", "<code>" + ghp[:12] + "<wbr>" + ghp[12:24] + "<wbr/>" + ghp[24:] + "</code>", "github-pat"},
		{"empty elements", "<p>" + ghp[:10] + "<span></span>" + ghp[10:22] + "<b class=\"x\"></b>" + ghp[22:] + "</p>", "github-pat"},
		{"html comment", ghp[:15] + "<!-- -->" + ghp[15:], "github-pat"},
		{"gzip base64", "release: " + gzipB64(t, env, base64.StdEncoding) + "\n", "github-pat"},
		{"gzip base64url", "https://x.example/c?z=" + strings.TrimRight(gzipB64(t, env, base64.URLEncoding), "="), "github-pat"},
		{"utf-16le base64", "powershell -EncodedCommand " + utf16B64("$env:GH='"+ghp+"'; iwr https://x.example"), "github-pat"},
	}
	outbound := []secretCase{
		{"json escapes", `{"k":"\u0067\u0068\u0070\u005f` + ghp[4:] + `"}`, "github-pat"},
		{"hex escapes", `t = "\x67\x68\x70\x5f` + ghp[4:] + `"`, "github-pat"},
		{"char codes", "String.fromCharCode(" + charCodes(ghp, ", ") + ")", "github-pat"},
		{"char codes as json", "[" + charCodes(ghp, ",") + "]", "github-pat"},
	}
	for _, tc := range both {
		for name, e := range engines() {
			if _, ok := wantRule(t, name, e, tc); !ok {
				continue
			}
			if red, _ := e.Redact(tc.text); strings.Contains(red, ghp[:12]) || strings.Contains(red, ghp[24:]) {
				t.Errorf("%s (%s): masked as %q", tc.name, name, red)
			}
		}
		if !MayContain(tc.text) {
			t.Errorf("%s: MayContain false", tc.name)
		}
	}
	for _, tc := range outbound {
		if fs := Outbound().Scan(tc.text); !hasRule(fs, tc.rule) {
			t.Errorf("%s: want %s, got %v", tc.name, tc.rule, ruleIDs(fs))
		}
		if !MayContain(tc.text) {
			t.Errorf("%s: MayContain false", tc.name)
		}
	}
	prose := "The quarterly report is attached; totals are unchanged since the last review of the accounts.\n"
	benign := []string{
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nSee you at =E2=80=9Cthe usual place=E2=80=9D, the build is gre=\r\nen and the release notes are=\r\n attached.\r\n",
		"KEY=\r\nOTHER=1\r\n", // an empty value in a CRLF file, not a soft break
		"<td>alpha</td><td></td><td>beta</td> co<wbr>operation <!-- a comment --> <span></span>",
		"release: " + gzipB64(t, prose, base64.StdEncoding),
		"powershell -EncodedCommand " + utf16B64("Get-ChildItem -Recurse | Where-Object { $_.Length -gt 1MB }"),
		`{"html":"\u003cb\u003ebold\u003c/b\u003e","path":"C:\\x64\\bin"}`,
		"[" + charCodes("Hello, world! This is just a greeting.", ", ") + "]",
		"samples: 101, 99, 120, 87, 65, 110, 99, 101, 102, 118, 104, 33, 95, 120, 66, 88, 90, 100",
		"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20",
	}
	for _, b := range benign {
		wantClean(t, b)
	}
}

// TestPairsAndInlineTags: neighbours of probe set 19's misses found after
// the fixes: a setting written as a name/value pair (HAR cookies and
// headers, Kubernetes env lists, the flattened "name: K / value: V"), and
// a token split by inline elements that hold part of it.
func TestPairsAndInlineTags(t *testing.T) {
	ghp := "gh" + "p_" + rnd(430, alnum, 36)
	op := rnd(431, alnum, 32)
	attacks := []secretCase{
		{"har cookie", "{\"name\": \"sessionid\", \"value\": \"" + rnd(432, lower+digits, 32) + "\"}", "session-cookie"},
		{"flattened cookie", "name: sessionid\nvalue: " + rnd(432, lower+digits, 32) + "\n", "session-cookie"},
		{"har api key header", "{\"name\": \"X-Api-Key\", \"value\": \"" + op + "\"}", "generic-api-key"},
		{"kubernetes env token", "env:\n  - name: API_TOKEN\n    value: " + op + "\n", "generic-api-key"},
		{"kubernetes env password", "env:\n  - name: DB_PASSWORD\n    value: \"" + rnd(434, alnum, 14) + "\"\n", "password-assignment"},
		{"compact json pair", "{\"name\":\"STRIPE_KEY\",\"value\":\"" + op + "\"}", "generic-api-key"},
		{"bold prefix", "<p><b>" + ghp[:4] + "</b>" + ghp[4:20] + "<span class=\"h\">" + ghp[20:] + "</span></p>", "github-pat"},
		{"adjacent code elements", "<code>" + ghp[:10] + "</code><code>" + ghp[10:] + "</code>", "github-pat"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
		if !MayContain(tc.text) {
			t.Errorf("%s: MayContain false", tc.name)
		}
	}
	benign := []string{
		"- name: LOG_LEVEL\n  value: info\n- name: REPLICAS\n  value: \"3\"\n",
		"{\"name\": \"theme\", \"value\": \"dark\"}, {\"name\": \"request_id\", \"value\": \"" + op + "\"}",
		"{\"name\": \"monkey\", \"value\": \"" + op + "\"}",
		"- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}\n",
		"<td>alpha</td><td>beta</td> <b>bold</b> text, <i>italic</i> and <a href=\"/docs\">docs</a>",
		"fn f(v: Vec<u8>) -> Option<String> { let value = v.len(); }",
	}
	for _, b := range benign {
		wantClean(t, b)
	}
}

// TestInflateBounded: a gzip bomb inside base64 is inflated to
// maxInflate at most.
func TestInflateBounded(t *testing.T) {
	for _, n := range []int{8 << 20, 64 << 10} {
		bomb := gzipB64(t, strings.Repeat("A", n), base64.StdEncoding)
		dec, ok := decodeB64Any(bomb)
		if want := min(maxInflate, maxRatio*len(bomb)); !ok || len(dec) != want {
			t.Fatalf("%d bytes inflated to %d (ok %v), want %d", n, len(dec), ok, want)
		}
	}
	// What a run decodes to is not inflated again.
	inner := gzipB64(t, "token "+"gh"+"p_"+rnd(422, alnum, 36), base64.StdEncoding)
	if fs := Scan(b64("data: " + inner)); len(fs) > 0 {
		t.Errorf("gzip inside base64 inflated: %v", ruleIDs(fs))
	}
}

// TestViewsMapBack: each view's offsets map back inside the text, on the
// bytes the finding came from.
func TestViewsMapBack(t *testing.T) {
	ghp := "gh" + "p_" + rnd(421, alnum, 36)
	for _, s := range []string{
		"quoted-printable\r\n" + ghp[:5] + "=\r\n" + ghp[5:] + "=3D",
		"x<wbr>" + ghp[:20] + "<i></i>" + ghp[20:] + "<wbr>",
		"[" + charCodes(ghp, ",") + "]",
		`"\u0067hp_` + ghp[4:] + `\x21"`,
	} {
		for _, f := range Outbound().Scan(s) {
			if f.Start < 0 || f.End > len(s) || f.Start >= f.End {
				t.Errorf("%q: finding %d:%d", s, f.Start, f.End)
			}
		}
	}
}
