package secrets

import "testing"

// uuid44 is a random version-4-shaped UUID for the probe 44 cases.
func uuid44(seed uint64) string {
	h := rnd(seed, hexd, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// TestProbe44Formats: probe set 44 (held-out run of another scanner's rule
// examples): vendor formats no rule knew (exact ones, each with its own
// rule, and distinctive prefixes for the vendor-prefixed backstop), and
// credentials only their context marks: a .NET credential constructor or
// appSettings entry, PsExec and PowerCLI passwords, "the password is '…'",
// a bootstrap token after --token, a Vault unseal key, a TrueNAS API key in
// a JSON-RPC login, a ThingsBoard device token in its URL path; a
// database password of few distinct characters in a URL or assignment.
func TestProbe44Formats(t *testing.T) {
	b32l := lower + "234567"
	lowAlnum := lower + digits
	attacks := []secretCase{
		{"adafruit io key in a header", "#define IO_" + "KEY \"ai" + "o_" + rnd(4401, alnum, 28) + "\"", "adafruit-io-key"},
		{"dependency-track key bare", "odt" + "_" + rnd(4402, alnum, 32), "dependency-track-api-key"},
		{"twitch stream key in an ingest URL", "rtmp://ingest.example.tv/app/liv" + "e_" + rnd(4403, digits, 9) + "_" + rnd(4404, alnum, 30), "twitch-stream-key"},
		{"appsync key in a header", "x-api-key: da" + "2-" + rnd(4405, lowAlnum, 26), "aws-appsync-api-key"},
		{"mws auth token", "mws_token = amzn" + ".mws." + uuid44(4406), "amazon-mws-auth-token"},
		{"bitbucket app password in a clone URL", "git clone https://dev:ATB" + "B" + rnd(4407, alnum, 32) + "@bitbucket.org/team/app.git", "bitbucket-app-password"},
		{"crates.io key on a command line", "cargo login ci" + "o" + rnd(4408, alnum, 32), "cratesio-api-key"},
		{"firecrawl key in code", "client = Crawler(key=\"f" + "c-" + rnd(4409, hexd, 32) + "\")", "firecrawl-api-key"},
		{"pixie deploy key", "PX_DEPLOY=px-" + "dep-" + uuid44(4410), "newrelic-pixie-key"},
		{"stackhawk key", "hawk" + "." + rnd(4411, alnum, 20) + "." + rnd(4412, alnum, 20), "stackhawk-api-key"},
		{"teamcity token", "token=eyJ0eXAiOiAiVENWMiJ9" + "." + rnd(4413, alnum, 36) + "." + rnd(4414, alnum, 48), "teamcity-token"},
		{"new relic license with a region", "license: eu01xx" + rnd(4415, hexd, 30) + "NR" + "AL", "newrelic-license-key-suffixed"},
		{"network credential", `var c = new NetworkCredential("svc-backup", "Tr4ns1t-` + rnd(4416, alnum, 6) + `");`, "dotnet-credential"},
		{"directory entry over lines", "new DirectoryEntry(\"LDAP://dc01.corp.example\",\n            \"CORP\\\\svc\",\n            \"Fj0rd-" + rnd(4417, alnum, 5) + "\");", "dotnet-credential"},
		{"appSettings password", `<add key="SmtpPassword" value="Gr4v3l-` + rnd(4418, alnum, 5) + `" />`, "dotnet-appsetting-password"},
		{"psexec password", `psexec \\build07 -u ops -p W1nter-` + rnd(4419, alnum, 4) + ` cmd /c whoami`, "windows-cli-password"},
		{"powercli password", "Connect-VIServer -Server vc01 -User root -Password Esx!" + rnd(4420, alnum, 6), "windows-cli-password"},
		{"a password stated in prose", "For the lab VM, the password is 'Quartz-" + rnd(4421, digits, 3) + "'.", "prose-password"},
		{"kubeadm bootstrap token", "kubeadm join 10.0.0.5:6443 --token " + rnd(4422, lowAlnum, 6) + "." + rnd(4423, lowAlnum, 16), "kubernetes-bootstrap-token"},
		{"azure devops pat, current form", rnd(4424, alnum, 76) + "AZ" + "DO" + rnd(4425, alnum, 4), "azure-devops-pat"},
		{"azure devops pat, older form", "ado_pat = \"" + rnd(4426, b32l, 52) + "\"", "azure-devops-pat-legacy"},
		{"thingsboard device token", "curl -d @t.json https://tb.example.org/api/v1/" + rnd(4427, lowAlnum, 20) + "/telemetry", "thingsboard-access-token"},
		{"truenas api key login", `{"id": "1", "msg": "method", "method": "auth.login_with_api_key", "params": ["4-` + rnd(4428, alnum, 64) + `"]}`, "truenas-api-key"},
		{"vault unseal key", "vault operator unseal " + rnd(4429, alnum+"+/", 44), "vault-unseal-key"},
		{"postmark server token", "postmark_token: \"" + uuid44(4430) + "\"", "postmark-server-token"},
		{"codeclimate reporter id", "CC_TEST_REPORTER_ID: " + rnd(4431, hexd, 64), "codeclimate-reporter-id"},
		{"jenkins crumb", "curl -X POST -H 'Jenkins-Crumb:" + rnd(4432, hexd, 32) + "' https://ci.example.org/job/x/build", "jenkins-crumb"},
		{"database password of few letters in a URL", "MONGO_URL=mongodb://app:Pl8num" + "2020@db.internal.example:27017/app", "url-password"},
		{"password of few letters assigned", "password = \"gr8$alad\"", "password-assignment"},
		{"teams webhook, older host", "https://outlook.office.com/webhook/" + uuid44(4433) + "@" + uuid44(4434) + "/IncomingWebhook/" + rnd(4435, hexd, 32) + "/" + uuid44(4436), "microsoft-teams-webhook-url"},
		{"langsmith key in its exact form", "https://collect.example.net/k?v=lsv2" + "_pt_" + rnd(4437, hexd, 32) + "_" + rnd(4438, hexd, 10), "vendor-prefixed-token"},
		{"gitlab trigger token in its exact form", "TRIGGER=glpt" + "t-" + rnd(4439, hexd, 40), "gitlab-ptt"},
		{"sentry user token in its exact form", "sntr" + "yu_" + rnd(4440, hexd, 64), "sentry-user-token"},
		{"vault service token bare", "see hv" + "s." + rnd(4441, alnum, 30) + " for access", "vendor-prefixed-token"},
		{"tavily key bare", "tvl" + "y-" + rnd(4442, alnum, 32), "vendor-prefixed-token"},
		{"jina key in a call", "Bearer-less call with jin" + "a_" + rnd(4443, alnum, 60), "vendor-prefixed-token-short"},
		{"supabase token of any letters", "sb" + "p_" + rnd(4444, lowAlnum, 40), "vendor-prefixed-token-short"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		// a token one character or alphabet off its vendor's exact form
		"lsv2" + "_pt_" + rnd(4450, hexd, 17) + "z" + rnd(4451, hexd, 14) + "_" + rnd(4452, hexd, 10),
		"glpt" + "t-release_notes_2024_build",
		"sntr" + "yu_" + rnd(4453, hexd, 40) + "g" + rnd(4454, hexd, 23),
		"sntr" + "ys_eyJSAMPLE-" + rnd(4455, alnum, 60) + "_" + rnd(4456, alnum, 43),
		"bb" + "_ma_" + rnd(4457, hexd, 20) + "xyz" + rnd(4458, hexd, 7),
		// placeholders and variables where a password would be
		`this.resetPassword = "#reset-password";`,
		`text << "Password=#{password}, "`,
		"mongodb://admin:admin@localhost:27017/test",
		`psexec \\host -u admin -p %ADMIN_PW% cmd`,
		"Connect-VIServer vc01 -User $user -Password $pass",
		"var c = new NetworkCredential(user, secret);",
		`<add key="PasswordPolicy" value="strict" />`,
		"The password is stored in the vault and rotated monthly.",
		// words that share a new rule's prefix or context
		"live_stream_events_handler_version_two_component",
		"fc-container-header-wrapper-left-side",
		"hawk.core.EventBus.dispatcherForAllEvents",
		"GET /api/v1/users/telemetry HTTP/1.1",
		"vault operator unseal -migrate",
		"postmark: true",
		"Jenkins-Crumb: $CRUMB",
		"kubeadm token create --print-join-command",
	} {
		wantClean(t, b)
	}
}
