package secrets

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower  = "abcdefghijklmnopqrstuvwxyz"
	digits = "0123456789"
	alnum  = upper + lower + digits
	hexd   = digits + "abcdef"
	word   = alnum + "_"
	b32    = upper + "234567"
)

// rnd builds deterministic random test secrets, so the repository holds no
// literal that a scanner would flag.
func rnd(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func pemBody(seed uint64) string {
	var lines []string
	for i := range 8 {
		lines = append(lines, rnd(seed+uint64(i), alnum+"+/", 64))
	}
	return strings.Join(lines, "\n")
}

func jwt() string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc([]byte(`{"sub":"1234567890","name":"Jane Roe","iat":1516239022}`)) + "." + rnd(7, alnum+"_-", 43)
}

type secretCase struct {
	name, text, rule string
}

func secretCases() []secretCase {
	ghp := "gh" + "p_" + rnd(3, alnum, 36)
	akia := "AK" + "IA" + rnd(1, b32, 16)
	return []secretCase{
		{"aws access key", "aws_access_key_id = " + akia, "aws-access-token"},
		{"aws session key", "key: AS" + "IA" + rnd(2, b32, 16), "aws-access-token"},
		{"github pat", "GITHUB_TOKEN=" + ghp, "github-pat"},
		{"github oauth", "token gh" + "o_" + rnd(4, alnum, 36), "github-oauth"},
		{"github server token", "gh" + "s_" + rnd(5, alnum, 36), "github-app-token"},
		{"github user token", "gh" + "u_" + rnd(6, alnum, 36), "github-app-token"},
		{"github refresh", "gh" + "r_" + rnd(8, alnum, 36), "github-refresh-token"},
		{"github fine-grained", "github" + "_pat_" + rnd(9, word, 82), "github-fine-grained-pat"},
		{"gitlab pat", "gl" + "pat-" + rnd(10, alnum, 20), "gitlab-pat"},
		{"gitlab trigger", "gl" + "ptt-" + rnd(11, hexd, 40), "gitlab-ptt"},
		{"gitlab runner reg", "GR13" + "48941" + rnd(12, alnum, 20), "gitlab-rrt"},
		{"slack bot", "xo" + "xb-" + rnd(13, digits, 11) + "-" + rnd(14, digits, 12) + "-" + rnd(15, alnum, 24), "slack-bot-token"},
		{"slack user", "xo" + "xp-" + rnd(16, digits, 11) + "-" + rnd(17, digits, 11) + "-" + rnd(18, digits, 12) + "-" + rnd(19, alnum, 32), "slack-user-token"},
		{"slack webhook", "https://hooks." + "slack.com/services/" + rnd(20, alnum, 44), "slack-webhook-url"},
		{"stripe live", "STRIPE=s" + "k_live_" + rnd(21, alnum, 24), "stripe-access-token"},
		{"stripe restricted", "r" + "k_test_" + rnd(22, alnum, 24) + "\n", "stripe-access-token"},
		{"openai legacy", "s" + "k-" + rnd(23, alnum, 20) + "T3Blbk" + "FJ" + rnd(24, alnum, 20), "openai-api-key"},
		{"openai project", "s" + "k-proj-" + rnd(25, alnum+"_-", 74) + "T3Blbk" + "FJ" + rnd(26, alnum+"_-", 74), "openai-api-key"},
		{"anthropic", "s" + "k-ant-api03-" + rnd(27, alnum+"_-", 93) + "AA", "anthropic-api-key"},
		{"google api key", `"apiKey": "AI` + "za" + rnd(28, alnum+"_-", 35) + `"`, "gcp-api-key"},
		{"rsa private key", "-----BEGIN RSA " + "PRIVATE KEY-----\n" + pemBody(29) + "\n-----END RSA PRIVATE KEY-----\n", "private-key"},
		{"openssh private key", "x\n-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + pemBody(30) + "\n-----END OPENSSH PRIVATE KEY-----", "private-key"},
		{"jwt", "Authorization: Bearer " + jwt(), "jwt"},
		{"npm", "//registry.npmjs.org/:_authToken=np" + "m_" + rnd(31, alnum, 36), "npm-access-token"},
		{"sendgrid", "S" + "G." + rnd(32, alnum, 22) + "." + rnd(33, alnum, 43), "sendgrid-api-token"},
		{"twilio", "S" + "K" + rnd(34, hexd, 32), "twilio-api-key"},
		{"heroku", "HEROKU_API_KEY=" + rnd(35, hexd, 8) + "-" + rnd(36, hexd, 4) + "-" + rnd(37, hexd, 4) + "-" + rnd(38, hexd, 4) + "-" + rnd(39, hexd, 12), "heroku-api-key"},
		{"digitalocean", "do" + "p_v1_" + rnd(40, hexd, 64), "digitalocean-pat"},
		{"shopify", "sh" + "pat_" + rnd(41, hexd, 32), "shopify-access-token"},
		{"pypi", "password = py" + "pi-AgEIcHlwaS5vcmc" + rnd(42, alnum, 60), "pypi-upload-token"},
		{"huggingface", "h" + "f_" + rnd(43, upper+lower, 34), "huggingface-access-token"},
		{"mailgun", "mailgun_api_key = ke" + "y-" + rnd(44, hexd, 32), "mailgun-private-api-token"},
		{"discord", "discord_bot_token = " + rnd(45, hexd, 64), "discord-api-token"},
		{"telegram", "telegram_bot_token: " + rnd(46, digits, 9) + ":A" + rnd(47, lower+digits+"_-", 34), "telegram-bot-api-token"},
		{"doppler", "d" + "p.pt." + rnd(48, alnum, 43), "doppler-api-token"},
		{"linear", "li" + "n_api_" + rnd(49, alnum, 40), "linear-api-key"},
		{"postman", "PM" + "AK-" + rnd(50, hexd, 24) + "-" + rnd(51, hexd, 34), "postman-api-token"},
		{"grafana sa", "gl" + "sa_" + rnd(52, alnum, 32) + "_" + rnd(53, hexd, 8), "grafana-service-account-token"},
		{"age", "AGE-SECRET-" + "KEY-1" + rnd(54, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58), "age-secret-key"},
		{"databricks", "da" + "pi" + rnd(55, hexd, 32), "databricks-api-token"},
		{"pulumi", "pu" + "l-" + rnd(56, hexd, 40), "pulumi-api-token"},
		{"sentry user", "sn" + "tryu_" + rnd(57, hexd, 64), "sentry-user-token"},
		{"mailchimp", "mailchimp_api_key = " + rnd(58, hexd, 32) + "-us12", "mailchimp-api-key"},
		{"generic password", `db_password = "` + rnd(59, alnum+"!#%", 24) + `"`, "generic-api-key"},
		{"generic json secret", `{"client_secret": "` + rnd(60, alnum, 32) + `"}`, "generic-api-key"},
		{"generic env token", "export SERVICE_TOKEN=" + rnd(61, alnum, 40) + "\n", "generic-api-key"},
		{"aws secret assignment", "aws_secret_access_key = " + rnd(62, alnum+"+/", 40), "generic-api-key"},
		{"postgres url password", "url: postgres://app_admin:" + rnd(70, alnum, 20) + "@db.internal:5432/billing", "url-password"},
		{"amqp url password", `"broker": "amqps://svc:` + rnd(71, alnum+"-_", 24) + `@mq.example.com/vhost"`, "url-password"},
		{"base64 wrapped", "config: " + b64("token: "+ghp+"\n") + " end", "github-pat"},
		{"percent encoded", "https://x.test/cb?t=gh" + "p%5F" + rnd(3, alnum, 36) + "&x=1", "github-pat"},
		{"zero-width split", "id " + akia[:8] + "\u200b" + akia[8:] + " ok", "aws-access-token"},
		{"zero-width many", "gh\u2060p_" + rnd(63, alnum, 18) + "\ufeff" + rnd(64, alnum, 18), "github-pat"},
		{"colour codes inside", "\x1b[33mauth\x1b[0m gh" + "p_" + rnd(65, alnum, 10) + "\x1b[1;31m" + rnd(66, alnum, 26) + "\x1b[0m", "github-pat"},
		{"base64 of base64", "blob " + b64(b64("token: "+ghp+"\n")) + " end", "github-pat"},
		{"base64 with its padding percent-encoded", "https://x.test/cb?d=" + strings.ReplaceAll(b64("auth "+ghp+"!"), "=", "%3D") + "&x=1", "github-pat"},
		{"colour code in the prefix", "gh\x1b[0mp_" + rnd(67, alnum, 36), "github-pat"},
	}
}

func benignCases() []secretCase {
	sha := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	sri := sha512.Sum512([]byte("left-pad"))
	img := make([]byte, 300)
	for i := range img {
		img[i] = byte(i * 7)
	}
	return []secretCase{
		{"aws doc key id", "aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE", ""},
		{"aws doc secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY", ""},
		{"your-api-key-here", "api_key = your-api-key-here", ""},
		{"x placeholder", "token: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ""},
		{"stripe placeholder", "s" + "k_live_xxxxxxxxxxxxxxxxxxxxxxxx", ""},
		{"uuid", "request id 123e4567-e89b-12d3-a456-426614174000 done", ""},
		{"npm lockfile", `"integrity": "sha512-` + base64.StdEncoding.EncodeToString(sri[:]) + `"`, ""},
		{"go.sum", "golang.org/x/text v0.42.0 h1:" + base64.StdEncoding.EncodeToString([]byte(sha("x")[:32])) + "=", ""},
		{"commit hash", "commit " + sha("c")[:40] + "\nAuthor: Jane", ""},
		{"a commit id called a key", "the key is 3f786850e387550fdab836ed7e6dc881de23001b", ""},
		{"a uuid called a token", "the token is 123e4567-e89b-12d3-a456-426614174000", ""},
		{"a passphrase of words", "the password is correcthorsebatterystaple", ""},
		{"a secret that is news", "The secret is out: the launch moved to Friday.", ""},
		{"coloured log", "\x1b[32mINFO\x1b[0m request served in 12ms for \x1b[1mjane\x1b[0m", ""},
		{"base64 of base64 of plain text", "blob " + b64(b64("the weekly report is attached, nothing secret here\n")) + " end", ""},
		{"escape that is no sequence", "a\x1b[ b \x1b] c \x1b", ""},
		{"sha256 digest", "sha256: " + sha("d"), ""},
		{"base64 image", `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(img) + `">`, ""},
		{"low entropy", "password = aaaaaaaaaaaaaaaa", ""},
		{"prose password", "Please enter your password to continue. The password must have 12 characters.", ""},
		{"env reference", "password: ${DB_PASSWORD}", ""},
		{"template", "token = {{ .Values.token }}", ""},
		{"secret name", "secret_name = my-app-secret", ""},
		{"api version", "api_version = 2023-10-01", ""},
		{"keyboard", "The keyboard key press event fires before keyup.", ""},
		{"prefix prose", "GitHub tokens start with gh" + "p_ followed by 36 characters.", ""},
		{"bearer placeholder", "Authorization: Bearer <token>", ""},
		{"public key", "-----BEGIN PUBLIC KEY-----\n" + pemBody(90) + "\n-----END PUBLIC KEY-----", ""},
		{"changeme", "password = changeme", ""},
		{"code", "func getKey(id string) string { return cache[id] }", ""},
		{"env lookup", "my_secret = process.env.MY_SECRET", ""},
		{"redacted", "api_key: ********************", ""},
		{"url placeholder password", "DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev", ""},
		{"url user only", "git clone https://jane@github.com/org/repo.git and ssh://git@host:22/x", ""},
		{"url port", "listen on http://localhost:8080/path and https://example.com:8443@x", ""},
		{"own mask", "api_key = [REDACTED:generic-api-key] and [REDACTED:aws-access-token]", ""},
		{"image digest", "image: ghcr.io/org/app@sha256:" + sha("img"), ""},
		{"ssh public key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(91, alnum+"+/", 43) + " jane@laptop", ""},
		{"secret reference", "valueFrom:\n  secretKeyRef: {name: db, key: password}", ""},
		{"aws arn", "role_arn = arn:aws:iam::123456789012:role/deploy", ""},
		{"oauth metadata", `{"token_type": "Bearer", "expires_in": 3600, "scope": "read"}`, ""},
		{"pagination url", "https://api.example.com/v1/items?page=2&per_page=100&sort=created", ""},
		{"semver", "version = v1.22.3-rc.1+build.5", ""},
		{"email", "contact: jane.roe@example.com, key contact: ops@example.org", ""},
		{"short password prompt", "password: ", ""},
	}
}

func TestScanSecrets(t *testing.T) {
	cases := secretCases()
	if len(cases) < 50 {
		t.Fatalf("only %d secret cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Scan(tc.text)
			found := false
			for _, f := range fs {
				if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
					t.Fatalf("finding %+v out of bounds for %d bytes", f, len(tc.text))
				}
				if f.RuleID == tc.rule {
					found = true
				}
			}
			if !found {
				ids := []string{}
				for _, f := range fs {
					ids = append(ids, f.RuleID)
				}
				t.Errorf("want rule %s, got %v", tc.rule, ids)
			}
		})
	}
}

func TestScanBenign(t *testing.T) {
	cases := benignCases()
	if len(cases) < 30 {
		t.Fatalf("only %d benign cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range Scan(tc.text) {
				t.Errorf("false positive %s at %d:%d", f.RuleID, f.Start, f.End)
			}
		})
	}
}

func TestFindingSpansAndHash(t *testing.T) {
	akia := "AK" + "IA" + rnd(1, b32, 16)
	text := "a " + akia + " b"
	fs := Scan(text)
	if len(fs) == 0 {
		t.Fatal("no finding")
	}
	f := fs[0]
	if got := text[f.Start:f.End]; got != akia {
		t.Errorf("span = %q", got)
	}
	h := sha256.Sum256([]byte(akia))
	if f.Hash != hex.EncodeToString(h[:]) {
		t.Errorf("hash mismatch")
	}
	// The zero-width split covers the original bytes and hashes the joined secret.
	zw := "a " + akia[:5] + "\u200d" + akia[5:] + " b"
	fs = Scan(zw)
	if len(fs) == 0 || zw[fs[0].Start:fs[0].End] != akia[:5]+"\u200d"+akia[5:] || fs[0].Hash != f.Hash {
		t.Errorf("zero-width finding = %+v", fs)
	}
	// So does a split by colour codes.
	ansi := "a \x1b[31m" + akia[:5] + "\x1b[0m" + akia[5:] + " b"
	fs = Scan(ansi)
	if len(fs) == 0 || ansi[fs[0].Start:fs[0].End] != akia[:5]+"\x1b[0m"+akia[5:] || fs[0].Hash != f.Hash {
		t.Errorf("colour-code finding = %+v", fs)
	}
}

func TestRedact(t *testing.T) {
	ghp := "gh" + "p_" + rnd(3, alnum, 36)
	text := "first " + ghp + " and again " + ghp + ".\nencoded " + b64("token: "+ghp+"\n") + "\n"
	out, fs := Redact(text)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	if strings.Contains(out, ghp) || strings.Contains(out, "Z2hw") {
		t.Errorf("secret left in %q", out)
	}
	if want := "first [REDACTED:github-pat] and again [REDACTED:github-pat].\nencoded [REDACTED:github-pat]\n"; out != want {
		t.Errorf("Redact = %q, want %q", out, want)
	}
	if out, fs := Redact("nothing here"); out != "nothing here" || fs != nil {
		t.Errorf("Redact(clean) = %q, %v", out, fs)
	}
}

func TestRulesLoaded(t *testing.T) {
	if n := Default().RuleCount(); n < 200 {
		t.Errorf("%d rules", n)
	}
}

// TestLoadBadRegex: rules compile on first use, yet a rule file with a
// bad expression, in a rule or an allowlist, fails at load, naming it.
func TestLoadBadRegex(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"rule", `{"rules":[{"id":"broken","regex":"key=([a-z","keywords":["key"]}]}`, "rule broken"},
		{"allowlist", `{"rules":[{"id":"ok","regex":"key=[a-z]+","keywords":["key"],"allowlists":[{"regexes":["(?P<x"]}]}]}`, "rule ok"},
		{"global", `{"global":{"regexes":["a**"]},"rules":[]}`, "allowlist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load([]byte(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

// TestLazyRulesConcurrent: rules first used by many scans at once compile
// once and find the same secrets (run with -race).
func TestLazyRulesConcurrent(t *testing.T) {
	e, err := Load(rulesJSON, extraJSON)
	if err != nil {
		t.Fatal(err)
	}
	cases := secretCases()
	done := make(chan int, 8)
	for g := range 8 {
		go func() {
			n := 0
			for i := range cases {
				if len(e.Scan(cases[(i+g)%len(cases)].text)) > 0 {
					n++
				}
			}
			done <- n
		}()
	}
	first := <-done
	for range 7 {
		if n := <-done; n != first || n == 0 {
			t.Fatalf("scans found %d and %d of %d", first, n, len(cases))
		}
	}
}

// TestMaskerAcrossTexts: a secret found by its context in one text is
// masked where it stands alone in another, with the same mask.
func TestMaskerAcrossTexts(t *testing.T) {
	pw := rnd(59, alnum+"!#%", 24)
	ghp := "gh" + "p_" + rnd(3, alnum, 36)
	m := Default().Masker()
	a := `db_password = "` + pw + `"`
	b := "the value was " + pw + " and " + ghp
	if len(m.Learn(a)) == 0 {
		t.Fatal("no finding in the key = value text")
	}
	m.Learn(b)
	ma, _ := m.Mask(a)
	mb, changed := m.Mask(b)
	if !changed || strings.Contains(mb, pw) || strings.Contains(mb, ghp) || strings.Contains(ma, pw) {
		t.Fatalf("secrets left: %q / %q", ma, mb)
	}
	if want := "the value was [REDACTED:password-assignment] and [REDACTED:github-pat]"; mb != want {
		t.Errorf("Mask = %q, want %q", mb, want)
	}
	if out, changed := m.Mask("nothing"); changed || out != "nothing" {
		t.Errorf("Mask(clean) = %q, %v", out, changed)
	}
	m.Add("ab", "x") // too short to mask everywhere
	if out, _ := m.Mask("abc"); out != "abc" {
		t.Errorf("short text masked: %q", out)
	}
}
