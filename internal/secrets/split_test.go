package secrets

import (
	"strings"
	"testing"
	"time"
)

// TestProbe22Formats: credential formats and carriers probe set 22 found
// missed (a token after a command-line flag, PuTTY keys, Braintree, Adyen,
// Stripe webhook secrets, Teams webhooks, .pgpass lines, hex keys under
// gitleaks' entropy floor), each beside text that resembles it.
func TestProbe22Formats(t *testing.T) {
	ppk := "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops@jumphost\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI" +
		rnd(220, alnum+"+/", 43) + "\n" + rnd(221, alnum, 20) + "\nPrivate-Lines: 1\nAAAAI" + rnd(222, alnum+"+/", 44) + "\nPrivate-MAC: " + rnd(223, hexd, 64) + "\n"
	teams := "https://acme-corp.webhook.office.com/webhookb2/" + uuid(224) + "@" + uuid(225) + "/IncomingWebhook/" + rnd(226, hexd, 32) + "/" + uuid(227)
	// A 32-digit hex key whose entropy (3.47 bits) is under gitleaks' 3.5.
	lowHex := "1ef3c7edb113349bc910734f4a3ac70c"
	attacks := []secretCase{
		{"cli --token", "linode-cli --token " + rnd(230, hexd, 64) + " linodes list", "cli-flag-secret"},
		{"cli --api-key=", "tool sync --api-key=" + rnd(231, alnum, 32) + " --verbose", "cli-flag-secret"},
		{"cli quoted --password", "app migrate --db-password '" + rnd(232, alnum+"!#", 20) + "'", "cli-flag-secret"},
		{"putty key", ppk, "putty-private-key"},
		{"putty key in JSON", strings.ReplaceAll(ppk, "\n", `\n`), "putty-private-key"},
		{"braintree token", "braintree.access-token=access_token$production$" + rnd(233, lower+digits, 16) + "$" + rnd(234, hexd, 32), "braintree-access-token"},
		{"adyen key", "adyen.api-key=AQE" + rnd(235, alnum, 20) + "/" + rnd(236, alnum, 40) + "==-" + rnd(237, alnum+"+/", 43) + "=-" + rnd(238, alnum+"%;{}", 16), "adyen-api-key"},
		{"stripe webhook secret", "verification failed (secret=whsec_" + rnd(239, alnum, 32) + ", tolerance=300)", "stripe-webhook-secret"},
		{"teams webhook v2", "webhook_url: " + teams + "/V2" + rnd(240, alnum+"_-", 43), "microsoft-teams-webhook-url"},
		{"pgpass", "db-prod.internal:5432:*:postgres:" + rnd(241, alnum, 20) + "\nlocalhost:5432:devdb:dev:dev\n", "pgpass-password"},
		{"pgpass any port", "  10.0.0.5:*:billing:billing_rw:" + rnd(242, alnum+"!$", 18), "pgpass-password"},
		// A Groq key on its own, with no name beside it (a value inside
		// an object argument is read apart from its key).
		{"groq key bare", "gsk_" + rnd(261, alnum, 52), "groq-api-key"},
		{"hex key under 3.5 bits", `{"name": "DD-API-KEY", "value": "` + lowHex + `"}`, "generic-api-key"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	// The whole Teams URL is the secret: gitleaks' rule, whose first
	// group is a repeated piece of a UUID, masked "xxxx-" of it.
	for _, f := range Scan("x " + teams + " y") {
		if f.RuleID == "microsoft-teams-webhook" && f.End-f.Start != len(teams) {
			t.Errorf("microsoft-teams-webhook found %d bytes of a %d-byte URL", f.End-f.Start, len(teams))
		}
	}
	if out, _ := Redact("url: " + teams + "/V2" + rnd(240, alnum+"_-", 43)); strings.Contains(out, "/V2") || strings.Contains(out, "IncomingWebhook") {
		t.Errorf("teams webhook half masked: %q", out)
	}
	for _, b := range []string{
		"echo $TOKEN | docker login --password-stdin -u ci",
		"gh secret set --token-file /run/secrets/gh_token",
		"deploy --token $GITHUB_TOKEN --api-key ${API_KEY}",
		"aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
		"helm install --set-string --secret my-release-database-credentials",
		"vault token create --token-ttl 768h --token-type service",
		"kubectl create token builder --duration=3600s",
		"---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"ops@jumphost\"\nAAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(243, alnum+"+/", 43) + "\n---- END SSH2 PUBLIC KEY ----",
		"Save it as PuTTY-User-Key-File-3 (a .ppk) with puttygen.",
		"access_token$production$xxxxxxxxxxxxxxxx$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"Stripe signs each event; set STRIPE_WEBHOOK_SECRET=whsec_... from the dashboard.",
		"Post to https://acme.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<id>/<owner>",
		"# hostname:port:database:username:password\nlocalhost:5432:app:app:password\n*:*:*:replicator:*",
		"arn:aws:logs:*:*:log-group:/aws/lambda/*:*",
		`{"nextPageToken": "CiAKGjBp` + rnd(244, alnum, 36) + `EgEw", "pageSize": 50}`,
		"GET /v1/events?pageSize=50&page_token=" + rnd(245, alnum, 40),
		"SSH host key SHA256:" + rnd(246, alnum+"+/", 43) + " (ED25519)",
		"signing key: MD5:" + rnd(247, hexd, 32),
		"  - Release GPG key: " + strings.ToUpper(rnd(248, hexd, 40)),
		"gpg_key_id = 0x" + strings.ToUpper(rnd(249, hexd, 16)) + "\nPGP public key: " + rnd(259, hexd, 40),
		"the key is 3f786850e387550fdab836ed7e6dc881de23001b",
		"GROQ_API_KEY=gsk_... (create one at console.groq.com/keys)",
		"gsk_" + rnd(262, alnum, 40) + " is too short to be a Groq key",
	} {
		wantClean(t, b)
	}
}

func uuid(seed uint64) string {
	h := rnd(seed, hexd, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// TestOutboundRot13SplitEscaped: in arguments, a key in ROT13, cut into
// pieces with a separator, or in JSON held as a string in JSON, is found;
// ordinary text in the same shapes is not, and the results engine reads
// none of these forms but the escapes it always read.
func TestOutboundRot13SplitEscaped(t *testing.T) {
	ghp := "gh" + "p_" + rnd(250, alnum, 36)
	akia := "AK" + "IA" + rnd(251, b32, 16)
	sk := "s" + "k_live_" + rnd(252, alnum, 40)
	sg := "S" + "G." + rnd(253, alnum+"_-", 22) + "." + rnd(254, alnum+"_-", 43)
	rot := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			b[i] = rot13(c)
		}
		return string(b)
	}
	chunks := func(s string, n int, sep string) string {
		var parts []string
		for i := 0; i < len(s); i += n {
			parts = append(parts, s[i:min(len(s), i+n)])
		}
		return strings.Join(parts, sep)
	}
	attacks := []secretCase{
		{"rot13 token", "rot13: " + rot(ghp), "github-pat"},
		{"rot13 stripe key in a URL", "https://x.example/c?d=" + rot(sk) + "&v=1", "stripe-access-token"},
		{"letter-spaced token", "t o k e n : " + strings.Join(strings.Split(ghp, ""), " "), "github-pat"},
		{"letter-spaced with dots", strings.Join(strings.Split(ghp, ""), "."), "github-pat"},
		{"key id in two halves", "join the parts: " + akia[:10] + " | " + akia[10:], "aws-access-token"},
		{"stripe key in chunks of eight", "parts: " + chunks(sk, 8, " "), "stripe-access-token"},
		{"token in chunks with commas", chunks(ghp, 10, ", "), "github-pat"},
		{"JSON in a JSON string", `{"config": "{\"sendgrid\": {\"apiKey\": \"` + sg + `\"}}"}`, "sendgrid-api-token"},
		{"two levels down", `{"a": "{\"b\": \"{\\\"key\\\": \\\"` + sg + `\\\"}\"}"}`, "sendgrid-api-token"},
	}
	for _, tc := range attacks {
		fs, _ := wantRule(t, "outbound", Outbound(), tc)
		for _, f := range fs {
			if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
				t.Errorf("%s: finding %d:%d out of bounds", tc.name, f.Start, f.End)
			}
		}
	}
	for _, tc := range attacks[:7] {
		if fs := Default().Scan(tc.text); len(fs) > 0 {
			t.Errorf("results engine read %s: %v", tc.name, ruleIDs(fs))
		}
	}
	benign := []string{
		rot("Please rotate the API token after the audit; the key is in the vault."),
		rot("3f786850e387550fdab836ed7e6dc881de23001b 123e4567-e89b-12d3-a456-426614174000"),
		"uryyb jbeyq, gur xrl vf va gur inhyg",
		"a b c d e f g h i j k l m n o p q r s t u v w x y z",
		"We shipped 2024 builds and 5521 patches in Q3 2024, with 1200 fixes.",
		"3f786850 e387550f dab836ed 7e6dc881 de23001b",
		"2001:0db8:85a3:0000:0000:8a2e:0370:7334",
		"aa:bb:cc:dd:ee:ff, 00:1a:2b:3c:4d:5e",
		"order 1001 | item 2002 | qty 0003 | total 4004",
		`C:\\Users\\dev\\keys\\readme.txt and {"path": "C:\\tmp\\x"}`,
		`{"doc": "{\"sha256\": \"` + rnd(255, hexd, 64) + `\", \"id\": \"` + uuid(256) + `\"}"}`,
	}
	for _, b := range benign {
		if fs := Outbound().Scan(b); len(fs) > 0 {
			t.Errorf("false positive in %q: %v", b, ruleIDs(fs))
		}
	}
	// Linear on long runs of pieces, letters and escapes.
	for _, s := range []string{strings.Repeat("abcd1 ", 40000), strings.Repeat("a ", 100000), strings.Repeat("word ", 40000),
		strings.Repeat(`\\\"`, 50000), strings.Repeat("fx-", 50000)} {
		start := time.Now()
		Outbound().Scan(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%d bytes took %v", len(s), d)
		}
	}
}
