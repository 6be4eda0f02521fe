package secrets

import (
	"strings"
	"testing"
)

// TestProbe55: probe set z55 (held-out run of Semgrep's secret-rule tests,
// generic/secrets and the hard-coded-secret rules of its language
// directories): the classes of misses, in our own wording, beside the
// look-alikes each rule must leave.
func TestProbe55(t *testing.T) {
	pemLine := rnd(5501, alnum+"+/", 64)
	attacks := []secretCase{
		// A vendor-prefixed token followed by code or URL punctuation
		// (results engine; gitleaks ends such tokens at quotes, spaces, ';').
		{"gcp key before the next query parameter", "GET https://maps.example.com/api?key=AI" + "za" + rnd(5502, alnum+"_-", 35) + "&zoom=3", "gcp-api-key"},
		{"hf org token in parentheses", "token (api_" + "org_" + rnd(5503, upper+lower, 34) + ") rotated", "huggingface-organization-api-token"},
		{"hf org token in an xml element", "<hfToken>api_" + "org_" + rnd(5504, upper+lower, 34) + "</hfToken>", "huggingface-organization-api-token"},
		{"hf org token before a comma", "tokens = [api_" + "org_" + rnd(5505, upper+lower, 34) + ", other]", "huggingface-organization-api-token"},
		{"hf org token in an escaped json string", `{\"hf\": \"api_` + "org_" + rnd(5506, upper+lower, 34) + `\"}`, "huggingface-organization-api-token"},
		// A private key cut after its first lines (head, a truncated log).
		{"pem key without its end line", "$ head -2 deploy.key\n-----BEGIN RSA PRIVATE KEY-----\n" + pemLine + "\n", "private-key-truncated"},
		{"encrypted pem key with headers, cut", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n" + pemLine, "private-key-truncated"},
		// A password in a URL that contains a word a placeholder is made of.
		{"url password holding a stopword", "DATABASE_URL=postgresql://billing:Test" + rnd(5507, alnum, 6) + "*x@db.internal/billing", "url-password"},
		{"url password with a percent", "amqp://svc:" + rnd(5508, alnum, 5) + "%secret9@mq.internal:5672/", "url-password"},
		// .npmrc credentials other than _authToken.
		{"npmrc scoped _auth", "//npm.corp.example/:_auth=" + b64("ci:"+rnd(5509, alnum, 14)) + "\n", "npmrc-auth"},
		{"npmrc _password", "registry=https://npm.corp.example/\n//npm.corp.example/:_password=" + rnd(5510, alnum, 20) + "\n", "npmrc-auth"},
		{"npmrc top-level _auth", "always-auth=true\n_auth = " + b64("deploy:"+rnd(5511, alnum, 12)) + "\n", "npmrc-auth"},
		// An Android string resource named for a key.
		{"android string key", `<string name="crash_reporter_key">` + rnd(5512, hexd, 32) + `</string>`, "android-string-secret"},
		// Mailchimp's key format without its name beside it.
		{"mailchimp key bare", "export MC=" + rnd(5513, hexd, 32) + "-us14", "mailchimp-api-key-bare"},
		// AWS session tokens by their variable.
		{"aws session token", "aws_session_token = " + rnd(5514, alnum+"/+", 180) + "\n", "aws-session-token"},
		// A literal HMAC key in code.
		{"node createHmac literal", "const sig = crypto.createHmac('sha256', '" + rnd(5515, alnum, 24) + "').update(body)", "hmac-key-literal"},
		{"python hmac.new literal", "mac = hmac.new(b'" + rnd(5516, alnum, 20) + "', msg, hashlib.sha256)", "hmac-key-literal"},
		// A Kolide API key by its prefix.
		{"kolide key", "KOLIDE=k2sk" + "_v1_" + rnd(5517, alnum, 24), "vendor-prefixed-token"},
	}
	for _, tc := range attacks {
		e := Default()
		wantRule(t, "default", e, tc)
	}
	for _, b := range []string{
		// The PEM look-alikes: a public key, a cut key whose line is filler.
		"-----BEGIN PUBLIC KEY-----\n" + pemLine + "\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + strings.Repeat("ab", 16) + "\n",
		// URL passwords made of placeholder words, and template slots.
		"postgres://app:password123@localhost:5432/app",
		"redis://default:changeme2024@cache:6379",
		`url = f"https://{user}:{_github_pat(secret_name)}@github.com/org/repo"`,
		"https://deploy:${DEPLOY_TOKEN}@git.example.com/repo.git",
		// .npmrc lines that carry no credential, and names ending in _password.
		"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n",
		`db_password = "` + rnd(5518, "ab", 3) + `"`,
		// Android strings that are labels, not keys.
		`<string name="api_key_hint">Paste your API key here</string>`,
		`<string name="token_title">Access token</string>`,
		// Hex with a region-like suffix is only Mailchimp's at 32 digits.
		"build " + rnd(5519, hexd, 12) + "-us1 done",
		// The AWS documentation key with its marker word swapped.
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYQRDUMMYKEY",
		"aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYE" + "TESTKEY",
		// A go.sum line and a public browser client token.
		"github.com/some/module v1.2.3 h1:" + rnd(5520, alnum+"+/", 43) + "=",
		`clientToken: "pub` + rnd(5521, hexd, 32) + `",`,
		// HMAC keys read from configuration, or too short to be one.
		"crypto.createHmac('sha256', process.env.HMAC_KEY)",
		"crypto.createHmac('sha256', 'secret')",
	} {
		wantClean(t, b)
	}
}
