package secrets

import (
	"strings"
	"testing"
)

// TestProbe77: probe set z77 (written blind): credentials under a table
// column that names them, a token in literals side by side over a line
// break, and the values a mask, a name or the JWT's own header declare
// harmless, each beside look-alikes.
func TestProbe77(t *testing.T) {
	hexTok := rnd(7701, hexd, 32)
	alTok := rnd(7702, alnum, 32)
	awsSecret := rnd(7703, alnum+"/+", 40)
	pw := rnd(7704, alnum+"!#", 18)
	hvs := "hvs." + rnd(7705, alnum+"-_", 96)
	ghp := "gh" + "p_" + rnd(7706, alnum, 36)
	recaptcha := "6L" + rnd(7707, alnum+"_-", 38)
	generic := rnd(7708, alnum, 40)
	type attack struct {
		secretCase
		pieces []string // every one must be masked
	}
	var attacks []attack
	add := func(name, text, rule string, pieces ...string) {
		attacks = append(attacks, attack{secretCase{name, text, rule}, pieces})
	}
	// A column named for a credential: psql, CSV, TSV, markdown, MySQL,
	// quoted CSV, the result scanner's "text: " before the header.
	add("psql column of secrets",
		"SELECT tenant_id, provider, secret FROM integrations;\n tenant_id | provider |              secret\n-----------+----------+----------------------------------\n      1184 | twilio   | "+hexTok+"\n      1207 | twilio   | "+alTok+"\n(2 rows)\n",
		"generic-api-key", hexTok, alTok)
	add("iam credentials csv", "content: text: Access key ID,Secret access key\nAK"+"IA"+rnd(7709, b32, 16)+","+awsSecret+"\n", "aws-secret-access-key", awsSecret)
	add("tsv with a password column", "host\tuser\tpassword\ndb1.internal\tapp\t"+pw+"\n", "password-assignment", pw)
	add("markdown table of api keys", "| service | api_key |\n|---|---|\n| mailer | `"+generic+"` |\n", "generic-api-key", generic)
	add("markdown table after the result scanner's labels", "content: text: | env | token |\n|---|---|\n| prod | "+alTok+" |\n", "generic-api-key", alTok)
	add("mysql box table", "+------+------------+\n| user | auth_token |\n+------+------------+\n| bob  | "+alTok+" |\n+------+------------+\n", "generic-api-key", alTok)
	add("quoted csv", "\"name\",\"client_secret\"\n\"web, eu\",\""+generic+"\"\n", "generic-api-key", generic)
	// Literals side by side over a line break: Python in parentheses, a
	// continued line, C, single quotes.
	add("vault token in python literals", "VAULT_TOKEN = (\n    \""+hvs[:50]+"\"\n    \""+hvs[50:]+"\"\n)\n", "vault-service-token", hvs[:50], hvs[50:])
	add("github token over a continued line", "TOKEN = \""+ghp[:20]+"\" \\\n    \""+ghp[20:]+"\"\n", "github-pat", ghp[:20], ghp[20:])
	add("github token in c literals", "static const char *tok =\n\t\""+ghp[:18]+"\"\r\n\t\""+ghp[18:]+"\";\n", "github-pat", ghp[:18], ghp[18:])
	add("vault token in single quotes", "t = ('"+hvs[:60]+"'\n     '"+hvs[60:]+"')\n", "vault-service-token", hvs[:60], hvs[60:])
	// Near the harmless forms: a name that is not public, a key that is
	// a credential, a mask with digits, a signed JWT.
	add("recaptcha secret key", "RECAPTCHA_SECRET_KEY="+recaptcha+"\n", "generic-api-key")
	add("public env var naming a secret", "NEXT_PUBLIC_API_SECRET="+generic+"\n", "generic-api-key")
	add("public name with a service key", "NEXT_PUBLIC_SERVICE_KEY="+generic+"\n", "generic-api-key")
	add("uuid api key", "api_key: 3f2b8c1e-9a4d-4e7b-b6f1-2c5d8e9a0b7c\n", "generic-api-key")
	add("pagerduty routing key", `{"routing_key": "`+alTok+`"}`, "generic-api-key")
	add("bracketed password with digits", "postgres://app:[Xk29#pLq7]@db.internal:5432/app", "url-password")
	signed := "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwiYWRtaW4iOnRydWV9." + rnd(7710, alnum+"-_", 43)
	add("signed jwt under a key", "token: "+signed+"\n", "jwt")

	for _, a := range attacks {
		wantRule(t, "default", Default(), a.secretCase)
		wantRule(t, "outbound", Outbound(), a.secretCase)
		red, _ := Redact(a.text)
		for _, p := range a.pieces {
			if strings.Contains(red, p) {
				t.Errorf("%s: %q left in %q", a.name, p, red)
			}
		}
	}

	for _, b := range []string{
		// Tables with no credential column, or a credential's name over
		// counts, dates, names, masks and ids.
		" model | prompt_tokens | completion_tokens\n-------+---------------+------------------\n gpt   | 18432093311   | 9930412231\n",
		"key,value\nDB_HOST,db1.internal\nDB_NAME,billing\n",
		"| user | password_last_changed |\n|---|---|\n| bob | 2024-12-30 |\n",
		"| Setting | Secret? | Description |\n|---|---|---|\n| DB_URL | yes | the database connection string |\n",
		" name | token\n------+----------\n web  | ********\n api  | [REDACTED]\n",
		"secret_name,rotation_days\nprod/db-password,90\nprod/stripe-api-key,30\n",
		"api_key_id,created\nak_2JdQ8xYz91Lm,2024-11-02\n",
		// Prose with commas, a credential word in it.
		"We keep the token, the user id and the date\nin one row, keyed by the id, and rotate often.\n",
		// Lines that end and begin with a quote, no key.
		"msg = (\"Please enter your \"\n       \"password below.\")\n",
		"\"alpha\"\n\"beta\"\n\"gamma\"\n",
		"\"\"\"Docstring.\"\"\"\n\"next\"\n",
		// Masks in brackets.
		"dsn=postgres://test:[scrubbed]@localhost:5432/test",
		"password=<hidden>\ntoken: [FILTERED]\n",
		// Published settings: bundled env vars, site keys, PostHog's
		// project key.
		"NEXT_PUBLIC_POSTHOG_KEY=phc_" + rnd(7711, alnum, 43) + "\n",
		"NEXT_PUBLIC_RECAPTCHA_SITE_KEY=" + recaptcha + "\n",
		"EXPO_PUBLIC_MAPS_API_KEY=" + generic + "\n",
		`grecaptcha.render("c", {siteKey: "` + recaptcha + `"});`,
		"posthog.init('phc_" + rnd(7712, alnum, 43) + "', {api_host: 'https://eu.i.posthog.com'})",
		// Identifiers named "key".
		`{"idempotency_key":"72792206-657e-4b4e-b830-1b2546774d6d","status":201}`,
		`headers={"Idempotency-Key":"5277abd3-191a-4193-98d9-685b90855f17"}`,
		"cache_key=" + rnd(7713, hexd, 40) + "\n",
		`{"partitionKey": "` + rnd(7714, alnum, 24) + `"}`,
		// An unsigned JWT under a key.
		"token: eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYWRtaW4iOnRydWV9.\n",
	} {
		wantClean(t, b)
	}
}
