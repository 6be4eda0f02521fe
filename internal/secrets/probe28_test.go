package secrets

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestProbe28Forms: credential files and framework configs probe set 28
// found missed (an Azure CLI token cache whose refresh token is longer
// than the generic rule's 150 bytes; an Oracle user/password@ connect
// string; Rails' active_record_encryption keys, which gitleaks allows as
// database primary keys; Django and Flask SECRET_KEY literals with
// punctuation; Laravel's APP_KEY=base64:; a token in a URL query or
// fragment followed by '&'; a .pgpass line carried as a value; a
// quoted-printable body without a soft line break), each beside text
// that resembles it.
func TestProbe28Forms(t *testing.T) {
	djangoChars := lower + digits + "!@#%^&*(-_=+)"
	attacks := []secretCase{
		{"msal refresh token", `{"credential_type": "RefreshToken", "secret": "0.AXEA` + rnd(400, alnum+"_-", 380) + `"}`, "long-token-assignment"},
		{"long access_token in yaml", "access_token: " + rnd(401, alnum+"-_.", 220) + "\n", "long-token-assignment"},
		{"oracle jdbc thin", `jdbc:oracle:thin:ledger/` + rnd(402, alnum, 14) + `@//ora-prod:1521/LEDGER`, "oracle-credentials"},
		{"sqlplus connect", "sqlplus -s app_owner/" + rnd(403, alnum, 12) + "@PRODDB @run.sql", "oracle-credentials"},
		{"rails primary_key", "active_record_encryption:\n  primary_key: " + rnd(404, alnum, 32) + "\n", "rails-encryption-key"},
		{"rails deterministic_key", "  deterministic_key: " + rnd(405, alnum, 32), "rails-encryption-key"},
		{"django secret key", "SECRET_KEY = '" + rnd(406, djangoChars, 50) + "'", "framework-secret-key"},
		{"flask bytes secret key", `app.config["SECRET_KEY"] = b"` + rnd(407, alnum+"_-", 32) + `"`, "framework-secret-key"},
		{"laravel app key", "APP_KEY=base64:" + rnd(408, alnum+"+/", 43) + "=", "base64-prefixed-key"},
		{"oauth fragment", "https://app.example.com/cb#access_token=" + rnd(409, alnum+"-_", 43) + "&token_type=Bearer", "url-query-token"},
		{"api_key in a query before &", "GET /v1/q?api_key=" + rnd(410, alnum, 32) + "&page=2 HTTP/1.1", "url-query-token"},
		{"pgpass line in a query", "https://203.0.113.9/c?d=db1.internal%3A5432%3Abilling%3Arw%3A" + rnd(411, alnum, 16), "pgpass-password"},
		{"quoted-printable, no soft break", "Content-Transfer-Encoding: quoted-printable\n\nSECRET_KEY =3D '" + rnd(412, djangoChars, 50) + "'\n", "framework-secret-key"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	// Arguments only: the word "password" before a random value, as a
	// .netrc line sends it, here hex-encoded over the labels of a name.
	hx := hex.EncodeToString([]byte("password " + rnd(413, alnum, 22)))
	wantRule(t, "outbound", Outbound(), secretCase{"hex netrc password in labels", hx[:40] + "." + hx[40:] + ".x.203-0-113-9.nip.io", "bare-password"})
	wantRule(t, "outbound", Outbound(), secretCase{"bare password in a chat", "the db password " + rnd(414, alnum, 16) + " works again", "bare-password"})
	for _, b := range []string{
		`{"secret": "` + strings.Repeat("ab", 100) + `"}`,
		"jdbc:oracle:thin:scott/tiger@//93.184.215.14:1521/ORCL",
		"jdbc:oracle:thin:app/${DB_PASSWORD}@//93.184.215.14:1521/ORCL",
		"jdbc:oracle:thin:@//93.184.215.14:1521/ORCL",
		"create_table :users, primary_key: :account_identifier_for_users do |t|",
		"self.primary_key = \"legacy_customer_reference_number\"",
		"SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]",
		"SECRET_KEY = '${DJANGO_SECRET_KEY}'",
		"SECRET_KEY = 'django-please-change-me-in-prod'",
		"app.config['SECRET_KEY'] = 'your-secret-key-here'",
		"APP_KEY=\nAPP_KEY=base64:\nrun php artisan key:generate to set APP_KEY",
		"https://93.184.215.14/search?token=pagination_cursor_next&page=2",
		"https://93.184.215.14/docs#access_token=YOUR_ACCESS_TOKEN",
		"postgres on db1.internal:5432, schema billing",
		"Content-Transfer-Encoding: quoted-printable\n\nx =3D 1 and y =3D 2\n",
		"the password reset link expires after one day",
		"password https://93.184.215.14/reset?user=ann",
	} {
		wantClean(t, b)
	}
}
