package secrets

import (
	"strings"
	"testing"
)

// TestProbe25Formats: credential formats and spellings probe set 25
// found missed (HubSpot, Figma, ClickUp, Okta SSWS, Salesforce, Asana,
// Dropbox and SonarQube tokens by their own prefixes; OpenVPN static
// keys; a raw hex private key named as such; a BIP-39 seed phrase; an
// Azure AD client secret, whose rule was anchored at the wrong place;
// a key with Cyrillic look-alike letters), each beside text that
// resembles it.
func TestProbe25Formats(t *testing.T) {
	up := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	words := strings.Fields("abandon ability able about above absent absorb abstract absurd abuse access accident account accuse achieve acid acoustic acquire across act action actor actress actual")
	phrase := func(seed uint64, n int) string {
		var b []string
		for i := range n {
			b = append(b, words[int(rnd(seed+uint64(i), digits, 2)[0]-'0')*2%len(words)])
		}
		return strings.Join(b, " ")
	}
	var ovpn strings.Builder
	ovpn.WriteString("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n")
	for i := range 16 {
		ovpn.WriteString(rnd(300+uint64(i), hexd, 32) + "\n")
	}
	ovpn.WriteString("-----END OpenVPN Static key V1-----\n")
	attacks := []secretCase{
		{"hubspot private app token in a SQL dump", "1\thubspot\tpat-na1-" + uuid(270) + "\n", "hubspot-private-app-token"},
		{"hubspot eu token in a query", "https://203.0.113.50/c?t=pat-eu1-" + uuid(271) + "&x=1", "hubspot-private-app-token"},
		{"figma pat", "2\tfigma\tfigd_" + rnd(272, alnum+"_-", 40) + "\n", "figma-pat"},
		{"clickup token", "3\tclickup\tpk_" + rnd(273, digits, 8) + "_" + rnd(274, up+digits, 32) + "\n", "clickup-api-token"},
		{"okta ssws header", "Authorization: SSWS 00" + rnd(275, alnum+"_-", 40), "okta-ssws-token"},
		{"salesforce session id", "Access Token 00D5g00000ABCDE!AQ4AQ" + rnd(276, alnum+"._", 90), "salesforce-access-token"},
		{"asana pat v2", "ASANA=2/1204" + rnd(277, digits, 12) + "/1208" + rnd(278, digits, 12) + ":" + rnd(279, hexd, 32), "asana-pat"},
		{"asana pat v1", "token 1/1199" + rnd(280, digits, 12) + ":" + rnd(281, hexd, 32), "asana-pat"},
		{"dropbox short-lived token", "exports/sl.u.A" + rnd(282, alnum+"_-", 150) + "/x.txt", "dropbox-short-lived-token"},
		{"sonarqube user token", "SONAR=squ_" + rnd(283, hexd, 40), "sonar-token-prefixed"},
		{"openvpn static key", ovpn.String(), "openvpn-static-key"},
		{"hex key in importRawKey", `{"method":"personal_importRawKey","params":["` + rnd(284, hexd, 64) + `","pw"]}`, "hex-private-key"},
		{"hex private key with 0x", "signer private key: 0x" + rnd(285, hexd, 64), "hex-private-key"},
		{"seed phrase, 12 words", `MNEMONIC="` + phrase(290, 12) + `"`, "bip39-mnemonic"},
		{"seed phrase, 24 words", "My recovery phrase is: " + phrase(310, 24), "bip39-mnemonic"},
		{"azure ad secret in web.config", `<add key="ida:ClientSecret" value="qrS8Q~` + rnd(286, alnum+"_~.-", 34) + `" />`, "azure-ad-client-secret"},
		{"terraform cloud token", "token: " + rnd(287, lower+digits, 14) + ".atlasv1." + rnd(288, alnum, 67), "hashicorp-tf-api-token"},
		{"cyrillic s in a shopify prefix", "token: \u0455hpss_" + rnd(289, hexd, 32), "shopify-shared-secret"},
		{"cyrillic o in a github token", "ghp_" + "\u043e" + rnd(291, alnum, 35), "github-pat"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		"Contact: pat-na1 region; portal id 21894562, ticket " + uuid(292),
		"figd_ tokens are created under Settings > Security > Personal access tokens.",
		"checkout uses pk_live_" + rnd(293, alnum, 24) + " and pk_test_" + rnd(294, alnum, 24),
		"Authorization: SSWS ${OKTA_API_TOKEN}",
		"Org id 00D5g00000ABCDE (production)",
		"Dates: 1/12/2026, 2/14/2026 and 12/1/2025; ratio 2/1 and 0/1",
		"openssl s_client -connect 93.184.215.14:443 > ssl.log; cat /etc/ssl.conf",
		"sonar.projectKey=acme_web sq_" + rnd(295, hexd, 12),
		"-----BEGIN OpenVPN Static key V1-----\n<paste your ta.key here>\n-----END OpenVPN Static key V1-----",
		"public key sha256: " + rnd(296, hexd, 64),
		"private key fingerprint " + rnd(297, hexd, 64),
		"private_key_path = /etc/ssl/private/server.key",
		"Random seed 42 gives reproducible runs across every machine that builds these models offline today.",
		"seed data: " + strings.Repeat("alpha ", 11) + "and more",
		"Write down the recovery phrase; never type it into a website or share it with support staff.",
		"seed phrase words: " + phrase(330, 13),
		"Tenant qrS8 / client id " + uuid(298),
		"Привет, это обычный русский текст о ключах и паролях.",
		"Ελληνικό κείμενο: ΑΒΓ κλειδί",
		"sb_publishable_" + rnd(299, alnum+"_-", 31),
	} {
		wantClean(t, b)
	}
}
