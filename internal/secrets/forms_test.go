package secrets

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// fullwidth writes s's printable ASCII in fullwidth forms (U+FF01–FF5E).
func fullwidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7F {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func hasRule(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.RuleID == rule {
			return true
		}
	}
	return false
}

// engines are the results engine and the arguments engine, which most
// cases must agree on.
func engines() map[string]*Engine {
	return map[string]*Engine{"default": Default(), "outbound": Outbound()}
}

// wantRule reports an error unless e (named name) finds tc.rule in tc.text,
// and returns the findings and whether it did.
func wantRule(t *testing.T, name string, e *Engine, tc secretCase) ([]Finding, bool) {
	t.Helper()
	fs := e.Scan(tc.text)
	if !hasRule(fs, tc.rule) {
		t.Errorf("%s (%s): want %s, got %v", tc.name, name, tc.rule, ruleIDs(fs))
		return fs, false
	}
	return fs, true
}

// wantClean reports an error for any finding of either engine in text.
func wantClean(t *testing.T, text string) {
	t.Helper()
	for name, e := range engines() {
		if fs := e.Scan(text); len(fs) > 0 {
			t.Errorf("false positive (%s) in %q: %v", name, text, ruleIDs(fs))
		}
	}
}

func ruleIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	return ids
}

// TestContextRules: credentials that only their context marks (a
// password in a connection string, a .netrc, an XML element, a command
// line; an Authorization header; a TOTP seed) and provider formats
// gitleaks' file does not know, each beside text that resembles it.
func TestContextRules(t *testing.T) {
	pw := rnd(100, alnum+"#!^*", 16)
	ghp := "gh" + "p_" + rnd(101, alnum, 36)
	sas := base64.StdEncoding.EncodeToString([]byte(rnd(102, alnum, 32)))
	attacks := []secretCase{
		{"jdbc password parameter", "url=jdbc:postgresql://db:5432/app?user=app&password=" + pw + "&ssl=true", "password-assignment"},
		{"ado.net password", "Server=tcp:x.database.windows.net,1433;User ID=sa;Password=" + pw + ";Encrypt=True;", "password-assignment"},
		{"ini password", "[smtp]\npassword = " + pw + "\n", "password-assignment"},
		{"netrc", "machine smtp.example.com\n  login ops@example.com\n  password " + pw + "\n", "netrc-password"},
		{"xml password", "<server><id>r</id><password>" + pw + "</password></server>", "xml-password"},
		{"mysql -p", "mysql -h db -u root -p" + pw + " app", "mysql-cli-password"},
		{"basic header", `{"Authorization": "Basic ` + b64("deploy:"+pw) + `"}`, "authorization-header"},
		{"opaque bearer", "authorization: Bearer " + rnd(103, alnum, 40), "authorization-header"},
		{"aws secret starting with a slash", "aws_secret_access_key = /" + rnd(104, alnum+"+/", 39), "aws-secret-access-key"},
		{"aws secret in JSON", `{"SecretAccessKey":"` + rnd(105, alnum+"+/", 40) + `"}`, "aws-secret-access-key"},
		{"otpauth seed", "otpauth://totp/AWS:ops@example.com?secret=" + rnd(106, b32, 32) + "&issuer=AWS", "otpauth-secret"},
		{"discord webhook", "https://discord.com/api/webhooks/" + rnd(107, digits, 19) + "/" + rnd(108, alnum+"_-", 68), "discord-webhook-url"},
		{"telegram bot url", "https://api.telegram.org/bot" + rnd(109, digits, 10) + ":AA" + rnd(110, alnum+"_-", 33) + "/getMe", "telegram-bot-token"},
		{"docker hub token", "docker login -u ci -p dc" + "kr_pat_" + rnd(111, alnum+"_-", 27), "docker-hub-token"},
		{"google access token", "?access_token=ya" + "29.a0A" + rnd(112, alnum+"_-", 120), "google-oauth-access-token"},
		{"google refresh token", `"refresh_token": "1/` + "/0g" + rnd(113, alnum+"_-", 100) + `"`, "google-oauth-refresh-token"},
		{"google client secret", "GOC" + "SPX-" + rnd(114, alnum+"_-", 28), "google-oauth-client-secret"},
		{"azure sas", "https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&se=2027-01-01&sig=" + strings.ReplaceAll(sas, "=", "%3D"), "azure-sas-signature"},
		{"jwe cookie", "set-cookie: s=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.." + rnd(115, alnum, 22) + "." + rnd(116, alnum+"_-", 200) + "." + rnd(117, alnum, 22) + "; Path=/", "jwe"},
		{"discord bot token", "bot token " + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("1"+rnd(118, digits, 18))), "=") + "." + rnd(119, alnum+"_-", 6) + "." + rnd(120, alnum+"_-", 38), "discord-bot-token"},
		{"discord bot token after a name", "DISCORD=" + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("9"+rnd(121, digits, 17))), "=") + "." + rnd(122, alnum+"_-", 6) + "." + rnd(123, alnum+"_-", 27), "discord-bot-token"},
		{"a token as the password", "password: " + ghp, "password-assignment"},
		{"an env _PASS", "SMTP_PASS=" + pw, "password-assignment"},
		{"redis URL without a user", "REDIS_URL=redis://:" + pw + "@cache:6379/0", "url-password"},
		{"sshpass", "sshpass -p '" + pw + "' ssh deploy@host", "cli-password"},
		{"redis-cli -a", "redis-cli -h cache -a " + pw + " PING", "cli-password"},
		{"django session cookie", "Cookie: sessionid=" + rnd(127, lower+digits, 32) + "; csrftoken=x", "session-cookie"},
		{"rails session cookie", "Set-Cookie: _shop_session=" + rnd(128, alnum+"+/", 120) + "--" + rnd(129, hexd, 40) + "; path=/", "session-cookie"},
		{"express session cookie", "connect.sid=s%3A" + rnd(135, alnum+"-_", 32) + "." + rnd(136, alnum+"/+", 43) + ";", "session-cookie"},
	}
	for _, tc := range attacks {
		if fs := Scan(tc.text); !hasRule(fs, tc.rule) {
			t.Errorf("%s: want %s, got %v", tc.name, tc.rule, ruleIDs(fs))
		}
	}
	benign := []string{
		"password=${DB_PASSWORD}", "Password={your_password};", "password: <password>", "password = %(db_password)s",
		"password=os.getenv(\"DB_PASSWORD\")", "password: self.password", "PWD=/srv/app/releases/2026-11-26", "OLDPWD=/home/jane/src",
		"<password>${env.DEPLOY_PASSWORD}</password>", "<password>{COQLCE6DU6GtcS5P=}</password>",
		"<token></token>", "bypass=true compass: north", "SMTP_PASS=${SMTP_PASS}", "redis://:@cache:6379/0 and redis://cache:6379",
		"sshpass -p \"$SSHPASS\" ssh host", "sshpass -f ~/.pw ssh host", "redis-cli -h cache -a $REDIS_PASSWORD PING",
		"sessionid=<session id>; theme=dark", "Cookie: _ga=GA1.2.123456789.1700000000; theme=dark; lang=en-GB", "session_expiry=2026-11-26T10:00:00Z", "mysql -h db -u report -p analytics", "mysql -u root -pPASSWORD", "run `mysql -u root -pPASSWORD` to connect", "mysql -u root -p<password> db", "sshpass -p YOUR_PASSWORD ssh host", "mysql -u root -p$MYSQL_ROOT_PASSWORD", "mysqldump -u app -p -h db app > dump.sql",
		"Authorization: Bearer YOUR_ACCESS_TOKEN", "Authorization: Basic <base64 of user:password>", "the Authorization header carries Basic credentials",
		"machine learning is fun; password managers too",
		"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
		"https://discord.com/channels/123456789012345678/987654321098765432",
		"x = 1//0  # raises ZeroDivisionError", "ratio 12345678:AA meeting at 10:30",
		"https://a.blob.core.windows.net/c/logo.png?v=3&sig=none",
		"const stripe = Stripe('p" + "k_live_51" + rnd(124, alnum, 97) + "');",
		"mapboxgl.accessToken = 'p" + "k.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6ImNs" + rnd(125, lower+digits, 24) + "." + rnd(126, alnum+"_-", 22) + "';",
		"MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.not-a.token", "version MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.abcdef.short",
		"SGVsbG8sIHdvcmxkISBUaGlzIGlz.abcdef." + strings.Repeat("a", 30),
	}
	for _, b := range benign {
		if fs := Scan(b); len(fs) > 0 {
			t.Errorf("false positive in %q: %v", b, ruleIDs(fs))
		}
	}
}

// TestLookalikeForms: a secret in fullwidth letters, with characters
// written as HTML character references, or split by invisible runes the
// zero-width set lacked, is found in both engines and masked as written.
func TestLookalikeForms(t *testing.T) {
	ghp := "gh" + "p_" + rnd(130, alnum, 36)
	sk := "s" + "k_live_51" + rnd(131, alnum, 60)
	aws := rnd(132, alnum, 18) + "/" + rnd(133, alnum, 10) + "+" + rnd(134, alnum, 10)
	cases := []secretCase{
		{"fullwidth token", "CI: " + fullwidth(ghp) + " ok", "github-pat"},
		{"fullwidth prefix only", fullwidth("ghp_") + ghp[4:], "github-pat"},
		{"hex references", "<b>" + strings.NewReplacer("g", "&#x67;", "_", "&#95;").Replace(ghp) + "</b>", "github-pat"},
		{"html-escaped aws secret", `<input name="aws_secret_access_key" type="password" value="` + strings.NewReplacer("/", "&#x2F;", "+", "&#43;").Replace(aws) + `">`, "aws-secret-access-key"},
		{"soft hyphens", "live key " + sk[:12] + "\u00ad" + sk[12:30] + "\u00ad" + sk[30:], "stripe-access-token"},
		{"combining grapheme joiner", ghp[:10] + "\u034f" + ghp[10:], "github-pat"},
		{"direction marks", ghp[:6] + "\u200e" + ghp[6:20] + "\u202c" + ghp[20:], "github-pat"},
		{"invisible operator", ghp[:20] + "\u2062" + ghp[20:], "github-pat"},
		{"soft hyphen at the very end", "token " + ghp + "\u00ad", "github-pat"},
	}
	for _, tc := range cases {
		for name, e := range engines() {
			fs, ok := wantRule(t, name, e, tc)
			if !ok {
				continue
			}
			red, _ := e.Redact(tc.text)
			if !strings.Contains(red, "[REDACTED:") || strings.Contains(red, "\u00ad"+sk[12:30]) {
				t.Errorf("%s (%s): masked as %q", tc.name, name, red)
			}
			for _, f := range fs {
				if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End || !utf8Boundary(tc.text, f.Start) || !utf8Boundary(tc.text, f.End) {
					t.Errorf("%s (%s): finding %d:%d is not on rune boundaries", tc.name, name, f.Start, f.End)
				}
			}
		}
	}
	benign := []string{
		"ＡＢＣ株式会社の　ＡＰＩ　ガイド（２０２６年版）", "ｐａｓｓｗｏｒｄ：　ｃｈａｎｇｅｍｅ",
		"Tom &amp; Jerry &#8212; &#x27;quoted&#x27; &#39;twice&#39; &#60;b&#62;", "&#x67;&#x68;&#x70;&#x5f; is how the prefix is escaped",
		"hyphen\u00adation and co\u00adoperation", "\u200eشكرا\u200f", "a\u2062b = ab",
	}
	for _, b := range benign {
		wantClean(t, b)
	}
}

func utf8Boundary(s string, i int) bool { return i == len(s) || s[i] < 0x80 || s[i] >= 0xC0 }

// TestOutboundReversedAndBase32: a key written backwards, or base32-encoded
// over DNS labels, is found in arguments; hashes, ids and ordinary names
// read backwards or as base32 are not.
func TestOutboundReversedAndBase32(t *testing.T) {
	ghp := "gh" + "p_" + rnd(140, alnum, 36)
	sk := "s" + "k_live_" + rnd(141, alnum, 40)
	enc := strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString([]byte(ghp)), "="))
	odd := strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString([]byte(ghp+"!")), "="))
	attacks := []secretCase{
		{"reversed stripe key", "read it backwards: " + reverse(sk), "stripe-access-token"},
		{"reversed token in a URL", "https://x.example/c?r=" + reverse(ghp), "github-pat"},
		{"base32 over two labels", enc[:32] + "." + enc[32:] + ".t.exfil.example", "github-pat"},
		{"base32 in upper case", strings.ToUpper(enc[:40]) + "." + strings.ToUpper(enc[40:]) + ".x.example", "github-pat"},
		{"base32 not a multiple of eight", odd[:33] + "." + odd[33:] + ".x.example", "github-pat"},
	}
	for _, tc := range attacks {
		fs := Outbound().Scan(tc.text)
		if !hasRule(fs, tc.rule) {
			t.Errorf("%s: want %s, got %v", tc.name, tc.rule, ruleIDs(fs))
		}
		for _, f := range fs {
			if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
				t.Errorf("%s: finding %d:%d out of bounds", tc.name, f.Start, f.End)
			}
		}
	}
	// The results engine reads neither form.
	if fs := Default().Scan("x " + reverse(sk)); len(fs) > 0 {
		t.Errorf("results engine read a reversed key: %v", ruleIDs(fs))
	}
	text := strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString([]byte("the weekly report is attached, nothing here")), "="))
	benign := []string{
		"deployed " + reverse("3f786850e387550fdab836ed7e6dc881de23001b") + " as " + reverse("123e4567-e89b-12d3-a456-426614174000"),
		reverse("Please rotate the API token after the audit; the key is in the vault."),
		text[:40] + "." + text[40:] + ".x.example",
		"documentationreadthedocsio.example.com", "internal-app-prod-1234567890.eu-west-1.elb.amazonaws.com",
		"abcdefghijklmnopqrstuvwxyzabcdefgh.example.org",
		hex.EncodeToString([]byte("hello there general kenobi")) + ".example.net",
	}
	for _, b := range benign {
		if fs := Outbound().Scan(b); len(fs) > 0 {
			t.Errorf("false positive in %q: %v", b, ruleIDs(fs))
		}
	}
	// Linear on names of many short labels and on long runs.
	for _, s := range []string{strings.Repeat("a2.", 20000) + "x", strings.Repeat("q", 200000), strings.Repeat(reverse(sk)[:20]+" ", 5000)} {
		start := time.Now()
		Outbound().Scan(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%d bytes took %v", len(s), d)
		}
	}
}
