package secrets

import (
	"fmt"
	"strings"
	"testing"
)

// escHex writes s as \xHH escapes, with pre (a backslash or two) before each.
func escHex(s, pre, form string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString(pre + fmt.Sprintf(form, s[i]))
	}
	return b.String()
}

// TestProbe64: probe set z64 (written blind): a key cut by line
// continuations, built from concatenated string literals, or written as a
// run of \x escapes, beside the look-alikes each view must leave; and the
// jwt.io example tokens as documentation placeholders.
func TestProbe64(t *testing.T) {
	openai := "sk-proj-" + rnd(6401, alnum+"-_", 74) + "T3Blbk" + "FJ" + rnd(6402, alnum+"-_", 74)
	ghp := "gh" + "p_" + rnd(6403, alnum, 36)
	stripe := "sk_" + "live_" + rnd(6404, alnum, 99)
	slack := "xo" + "xb-" + rnd(6405, digits, 12) + "-" + rnd(6406, digits, 13) + "-" + rnd(6407, alnum, 24)
	cut := func(s string, n int, sep string) (string, []string) {
		var ps []string
		for len(s) > n {
			ps = append(ps, s[:n])
			s = s[n:]
		}
		ps = append(ps, s)
		return strings.Join(ps, sep), ps
	}
	type attack struct {
		secretCase
		pieces []string // every one must be masked
	}
	var attacks []attack
	add := func(name, text, rule string, pieces []string) {
		attacks = append(attacks, attack{secretCase{name, text, rule}, pieces})
	}
	// Line continuations: shell, CRLF, a C macro.
	j, ps := cut(openai, 40, "\\\n")
	add("openai key over shell continuations", "export OPENAI_API_KEY=\""+j+"\"\n", "openai-api-key", ps)
	j, ps = cut(ghp, 12, "\\\r\n")
	add("github token over CRLF continuations", "set GH_TOKEN="+j+"\r\n", "github-pat", ps)
	j, ps = cut(slack, 20, "\\\n")
	add("slack token in a continued C macro", "#define SLACK \""+j+"\"\n", "slack-bot-token", ps)
	// Concatenated literals: JS +, a + at a line's end, single quotes,
	// SQL '||', Basic '&', a + after a continued line.
	j, ps = cut(stripe[8:], 32, `" + "`)
	add("stripe key concatenated in js", `const k = "sk_live_" + "`+j+`";`, "stripe-access-token", ps)
	j, ps = cut(ghp, 14, "\" \\\n    + \"")
	add("github token over a continued python line", "TOKEN = \""+j+"\"\n", "github-pat", ps)
	j, ps = cut(stripe, 25, `" & "`)
	add("stripe key concatenated in basic", `Const K = "`+j+`"`, "stripe-access-token", ps)
	j, ps = cut(ghp, 16, "\" +\n    \"")
	add("github token with + at line ends", "token := \""+j+"\"\n", "github-pat", ps)
	j, ps = cut(stripe, 30, `' + '`)
	add("stripe key in single-quoted literals", `key = '`+j+`';`, "stripe-access-token", ps)
	j, ps = cut(slack, 18, `' || '`)
	add("slack token concatenated in sql", `INSERT INTO cfg VALUES ('slack', '`+j+`');`, "slack-bot-token", ps)
	// Escape runs: a byte string, \u00HH, one level of JSON down, an
	// escaped prefix before the plain rest.
	e := escHex(ghp, `\`, "x%02x")
	add("github token as a python byte string", `buf = b"`+e+`"`, "github-pat", []string{e})
	e = escHex(ghp, `\`, "u%04x")
	add("github token as \\u00HH escapes", `var t = "`+e+`";`, "github-pat", []string{e})
	e = escHex(ghp, `\\`, "x%02x")
	add("github token as escapes in json text", `{\"t\": \"`+e+`\"}`, "github-pat", []string{e})
	e = escHex(ghp[:4], `\`, "x%02X") + ghp[4:]
	add("github token with an escaped prefix", `tok = "`+e+`"`, "github-pat", []string{e})

	for _, a := range attacks {
		wantRule(t, "default", Default(), a.secretCase)
		wantRule(t, "outbound", Outbound(), a.secretCase)
		red, _ := Redact(a.text)
		for _, p := range a.pieces {
			if len(p) >= 4 && strings.Contains(red, p) {
				t.Errorf("%s: piece %q left in %q", a.name, p, red)
			}
		}
	}

	jwtIO := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	jwtIO2 := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30"
	for _, b := range []string{
		// Continued command lines and lines of literals, no key.
		"docker run --rm \\\n  -e OPENAI_API_KEY=$OPENAI_API_KEY \\\n  -v $PWD:/src \\\n  acme/tool:1.4\n",
		"#define ASSERT(x) \\\n  do { if (!(x)) abort(); } while (0)\n",
		"import (\n\t\"crypto/sha256\"\n\t\"encoding/base64\"\n\t\"strings\"\n)\n",
		"tr '/+' '_-' | tr -d '=' | cut -c1-43",
		// Literals side by side or joined by '.' are not read (see
		// probe64.go); a dot after a quoted word is prose.
		`parts = ("alpha" "beta")`,
		`He said "stop". "Why?" she asked.`,
		// Concatenated words and variables, and a key name joined to a
		// value: context is not read in a join.
		`msg = "Please enter your " + "password: "`,
		`url := "https://api.acme.io/v1/" + "tokens?limit=" + strconv.Itoa(n)`,
		`token = "ab12cd34" + "ef56gh78ij90kl"`,
		`header = "Authorization: " + "Bearer " + token`,
		// Escapes that are code's own: binary magic, colour codes, words.
		`PNG = b"\x89PNG\r\n\x1a\n"`,
		`print("\x1b[31merror\x1b[0m")`,
		`greeting = "\x48\x65\x6c\x6c\x6f, \x77\x6f\x72\x6c\x64"`,
		// The jwt.io example tokens in documentation.
		"Example (from jwt.io):\n\n    " + jwtIO + "\n\nsigned with `your-256-bit-secret`.",
		"curl -H 'Authorization: Bearer " + jwtIO2 + "' https://api.example.test/",
	} {
		wantClean(t, b)
	}
	// A token like the example but signed otherwise is still a secret.
	forged := jwtIO[:len(jwtIO)-6] + "AbCdEf"
	wantRule(t, "default", Default(), secretCase{"jwt.io token re-signed", "token: " + forged + "\n", "jwt"})
}
