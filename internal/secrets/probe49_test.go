package secrets

import "testing"

// TestProbe49Formats: probe set 49 (held-out run of mongodb/kingfisher's
// rule examples): vendor formats no rule knew (CircleCI PATs, Buildkite
// user tokens, Ionic tokens, MongoDB Atlas service-account secrets,
// Sourcegraph Cody keys, Notion's older secret_ keys, Teamwork tokens,
// PostHog personal keys with underscores, Telnyx keys beside their name),
// a short password in a database or message-queue URL, a secret given as
// the default of an environment lookup, and a key written after its
// keyword with only spaces between (no = or :).
func TestProbe49Formats(t *testing.T) {
	lowAlnum := lower + digits
	attacks := []secretCase{
		{"circleci pat", "export CIRCLE_TOKEN=CCIP" + "AT_" + rnd(4901, alnum, 22) + "_" + rnd(4902, hexd, 40), "circleci-pat"},
		{"buildkite user token", "agent token for the api: bk" + "ua_" + rnd(4903, lowAlnum, 40), "buildkite-user-token"},
		{"ionic token", "IONIC_TOKEN=io" + "n_" + rnd(4904, alnum, 42), "ionic-token"},
		{"atlas service account secret", "client_secret: mdb_" + "sa_sk_" + rnd(4905, alnum, 6) + rnd(4906, alnum, 34), "mongodb-atlas-service-account-secret"},
		{"sourcegraph cody key", "cody --key sl" + "k_" + rnd(4907, hexd, 64), "sourcegraph-cody-key"},
		{"notion older key", "const notion = new Client({ auth: \"secr" + "et_" + rnd(4908, alnum, 43) + "\" })", "notion-legacy-secret"},
		{"teamwork token", "Authorization header for projects: tkn" + ".v1_" + rnd(4909, alnum, 71) + "=", "teamwork-token"},
		{"posthog personal key with underscores", "POSTHOG_PERSONAL=ph" + "x_" + rnd(4910, alnum, 20) + "_" + rnd(4911, alnum, 22), "posthog-personal-key"},
		{"telnyx key beside its name", "telnyx.api_key = KE" + "Y" + rnd(4912, alnum, 30) + "_" + rnd(4913, alnum, 24), "telnyx-api-key"},
		{"short password in a postgres url", "DATABASE_URL=postgresql://billing:Vq7" + rnd(4914, lowAlnum, 3) + "@db.internal.example:5432/billing", "service-url-password"},
		{"short password in an amqp url", "broker: amqps://worker:K3hGf7@mq.internal.example:5671/jobs", "service-url-password"},
		{"short password in a mongodb+srv url", `mongo.connect("mongodb+srv://etl:r0ck` + rnd(4916, alnum, 2) + `@cluster7.example.net/db")`, "service-url-password"},
		{"secret as a getenv default", "SECRET_KEY = os.environ.get('APP_SECRET_KEY', 'n3p@" + rnd(4917, alnum, 24) + "')", "env-default-secret"},
		{"token as a getenv default in go", `tok := getenv("SLACK_TOKEN", "` + rnd(4918, alnum, 32) + `")`, "env-default-secret"},
		{"key after its keyword and spaces", "weather service apikey   " + rnd(4919, alnum, 32), "spaced-keyword-secret"},
		{"key after an upper-case KEY", "weatherapi KEY " + rnd(4921, alnum, 32), "spaced-keyword-secret"},
		{"terraform variable default", "variable \"corp_api_token\" {\n  type    = string\n  default = \"" + rnd(4922, alnum, 40) + "\"\n}", "hcl-variable-default-secret"},
		{"token after its keyword in a note", "staging access token " + rnd(4920, alnum, 40) + " (rotate monthly)", "spaced-keyword-secret"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		// one character or alphabet off an exact form
		"CCIP" + "AT_" + rnd(4930, alnum, 21) + "_" + rnd(4931, hexd, 40),
		"bk" + "ua_" + rnd(4932, lowAlnum, 39),
		"io" + "n_channel_conductance_model_parameters_v2",
		"mdb_" + "sa_sk_short",
		"sl" + "k_" + rnd(4933, hexd, 63) + "z",
		"secr" + "et_key_base_is_read_from_the_environment_variable_now",
		"tkn" + ".v1_placeholder",
		"ph" + "x_" + rnd(4934, alnum, 12) + "_short",
		"KEY_ROTATION_INTERVAL_SECONDS_FOR_TELNYX_PROVIDER",
		// URLs, lookups and keywords used harmlessly
		"postgresql://app:app@localhost:5432/app",
		"amqp://guest:guest@localhost:5672/",
		"mongodb://user:pass@localhost/test",
		"ftp://anon:secret@ftp.example.org/pub",
		"https://docs.example.org/guide:intro@v2",
		"token = os.environ.get('API_TOKEN', '')",
		"secret = os.getenv(\"APP_SECRET\", \"change-me\")",
		`region := getenv("AWS_REGION", "eu-central-1-default-zone")`,
		"The access token expires after one hour; request a new one with the refresh token.",
		"Rotate the secret key regularly and never commit it.",
		"private key fingerprint SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
		"access token 12345678901234567890123",
		"secret value 0b5d6a1c-8f1e-4c2b-9d3a-7e6f5a4b3c2d",
		"Use api key authentication_with_header_only for internal calls.",
		"ALTER TABLE orders ADD PRIMARY KEY order_id_2024_partitioned_idx;",
		"CREATE TABLE t (id int, PRIMARY KEY Xk9Qw2Lm7Np4Rs1Tv8Yz3Bc6)",
		"Press the KEY combination Ctrl+Shift+P to open the palette.",
	} {
		wantClean(t, b)
	}
}

// TestProbe49Placeholders: a documentation token after its keyword (a
// counting run of digits or letters) is no secret.
func TestProbe49Placeholders(t *testing.T) {
	for _, b := range []string{
		"// e.g. token 1234567890abcdef1234567890abcdef12345678",
		"clockify SECRET abcdefgh12345678ijklmnop",
		"variable \"db_password\" {\n  default = \"\"\n}",
		"variable \"api_token\" {\n  type = string\n  sensitive = true\n}",
	} {
		wantClean(t, b)
	}
}
