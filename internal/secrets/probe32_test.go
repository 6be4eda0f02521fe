package secrets

import (
	"encoding/ascii85"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// TestProbe32Results: credential stores as tools return them that probe
// set 32 found missed (a Netscape cookies.txt line with a session cookie,
// a Maven <passphrase> and a Private-Token header value in settings.xml,
// Slack's browser tokens xoxc and xoxd), each beside text that resembles
// it.
func TestProbe32Results(t *testing.T) {
	attacks := []secretCase{
		{"cookies.txt session", ".github.com\tTRUE\t/\tTRUE\t1798000000\tuser_session\t" + rnd(3201, alnum+"-_", 48) + "\n", "cookies-txt-session"},
		{"cookies.txt HttpOnly sid", "#HttpOnly_app.acme.io\tFALSE\t/\tTRUE\t0\tconnect.sid\ts%3A" + rnd(3202, alnum, 40) + "\n", "cookies-txt-session"},
		{"maven passphrase", "<server>\n  <id>signing</id>\n  <passphrase>" + rnd(3203, alnum, 14) + "</passphrase>\n</server>", "xml-password"},
		{"maven private-token header", "<property>\n  <name>Private-Token</name>\n  <value>" + rnd(3204, alnum+"-_", 20) + "</value>\n</property>", "xml-header-value"},
		{"slack xoxc", `"token": "xo` + "xc-" + rnd(3205, digits, 10) + "-" + rnd(3206, digits, 13) + "-" + rnd(3207, digits, 13) + "-" + rnd(3208, hexd, 64) + `"`, "slack-browser-token"},
		{"slack xoxd cookie", "cookie d=xo" + "xd-" + rnd(3209, alnum, 40) + "%2F" + rnd(3210, alnum, 60) + "%3D%3D; domain=.slack.com", "slack-browser-token"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		"# Netscape HTTP Cookie File\n.example.com\tTRUE\t/\tFALSE\t1798000000\t_ga\tGA1.2.1438820134.1764151200\n.example.com\tTRUE\t/\tFALSE\t1798000000\tcookie_consent\taccepted\n",
		".example.com\tTRUE\t/\tFALSE\t1798000000\tsession_lang\ten-GB\n",
		".example.com\tTRUE\t/\tFALSE\t0\tsessionid\tdeleted\n",
		"<property>\n  <name>Accept</name>\n  <value>application/vnd.github+json</value>\n</property>",
		"<property><name>Private-Token</name><value>${env.GITLAB_TOKEN}</value></property>",
		"<passphrase>${gpg.passphrase}</passphrase>",
		"<name>token</name>\n<value>****</value>",
		"Slack's browser tokens start with xoxc- and the d cookie with xoxd-; never paste them.",
	} {
		wantClean(t, b)
	}
}

// TestProbe32Encodings: encodings of a key in arguments that probe set 32
// found missed (base58, base36 in text and over DNS labels, Adobe ascii85,
// RFC 1924 base85, hex bytes with ':', ' ' or 0x, the NATO alphabet,
// hyphenated groups, IPA and mathematical look-alike letters in the
// prefix), each beside data of the same form that holds no secret.
func TestProbe32Encodings(t *testing.T) {
	ghp := "gh" + "p_" + rnd(3211, alnum, 36)
	stripe := "s" + "k_live_" + rnd(3212, alnum, 24)
	slack := "xo" + "xb-" + rnd(3213, digits, 11) + "-" + rnd(3214, digits, 12) + "-" + rnd(3215, alnum, 24)
	b36 := new(big.Int).SetBytes([]byte(stripe)).Text(36)
	a85 := make([]byte, ascii85.MaxEncodedLen(len(ghp)))
	a85 = a85[:ascii85.Encode(a85, []byte(ghp))]
	var colon, spaced, ox []string
	for _, c := range []byte(ghp) {
		colon = append(colon, fmt.Sprintf("%02x", c))
		spaced = append(spaced, fmt.Sprintf("%02X", c))
		ox = append(ox, fmt.Sprintf("0x%02x", c))
	}
	var nato []string
	words := strings.Fields("alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")
	num := strings.Fields("zero one two three four five six seven eight niner")
	for _, c := range stripe {
		switch {
		case 'a' <= c && c <= 'z':
			nato = append(nato, words[c-'a'])
		case 'A' <= c && c <= 'Z':
			nato = append(nato, "capital "+words[c-'A'])
		case '0' <= c && c <= '9':
			nato = append(nato, num[c-'0'])
		case c == '_':
			nato = append(nato, "underscore")
		}
	}
	var groups []string
	for i := 0; i < len(stripe); i += 4 {
		groups = append(groups, stripe[i:min(i+4, len(stripe))])
	}
	attacks := []secretCase{
		{"base58", "backup string: " + base58(ghp), "github-pat"},
		{"base36 in a query", "https://93.184.215.14/c?v=" + b36 + "&x=1", "stripe-access-token"},
		{"base36 over labels", b36[:40] + "." + b36[40:] + ".x.93-184-215-14.nip.io", "stripe-access-token"},
		{"ascii85", "<~" + string(a85) + "~>", "github-pat"},
		{"base85", "blob " + b85(ghp), "github-pat"},
		{"hex with colons", "fixture-id " + strings.Join(colon, ":"), "github-pat"},
		{"hex with spaces", "INSERT INTO t VALUES ('" + strings.Join(spaced, " ") + "')", "github-pat"},
		{"hex with 0x", "bytes: " + strings.Join(ox, " "), "github-pat"},
		{"nato", "As read over the phone: " + strings.Join(nato, " "), "stripe-access-token"},
		{"hyphen groups", "licence: " + strings.Join(groups, "-"), "stripe-access-token"},
		{"script g prefix", "works with \u0261hp_" + ghp[4:], "github-pat"},
		{"math monospace prefix", "\U0001d6a1\U0001d698\U0001d6a1\U0001d68b-" + slack[5:], "slack-bot-token"},
	}
	for _, tc := range attacks {
		wantRule(t, "outbound", Outbound(), tc)
	}
	// Math letters fold in results too.
	wantRule(t, "default", Default(), attacks[len(attacks)-1])
	for _, b := range []string{
		"SHA256 Fingerprint=4A:6C:F1:36:6E:37:B1:09:53:F3:CC:B5:0C:8D:0A:9E:55:F1:2B:1D:A4:E7:73:2C:90:D8:EF:13:1C:B3:61:A2",
		"MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48 and 00:1a:2b:3c:4d:5e",
		"digest: de ad be ef 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 0x01 0x02",
		"scores 21 34 55 61 42 47 38 59 60 71 44 52 33 28 49 50 in order",
		"send to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT or QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
		"build 9fceb02d0ae598e95dc970b74767f19372d61af8 pod k8s-7d4b9c6f5b-x2x9q run zk2p9q8r7s6t5u4v3w2x1y0z",
		"%PDF stream <~9jqo^BlbD-BleB1DJ+*+F(f,q/0JhKF<GL>Cj@.4Gp$d7F!,L7@<6@)/0JDEF<G%<+EV:2F!,O<DJ+*.@<*K0@<6L(Df-\\0Ec5e;DffZ(EZee.Bl.9pF\"AGXBPCsi+DGm>@3BB/F*&OCAfu2/AKYi(DIb:@FD,*)+C]U=@3BN#EcYf8ATD3s@q?d$AftVqCh[NqF<G:8+EV:.+Cf>-FD5W8ARlolDIal(DId<j@<?3r@:F%a+D58'ATD4$Bl@l3De:,-DJs`8ARoFb/0JMK@qB4^F!,R<AKZ&-DfTqBG%G>uD.RTpAKYo'+CT/5+Cei#DII?(E,9)oF*2M7/c~>",
		"GIT binary patch\nliteral 0\nHcmV?d00001\n",
		"The confirmation code is Kilo Lima Mike Seven Two Niner, flight at 09:40.",
		"call me on one two three four five six seven eight nine zero one two three four five six",
		"licence ABCD-EFGH-IJKL-MNOP-QRST and product key VK7JG-NPHTM-C97JM-9MPGT-3V66T",
		"request 3f1c9d2e-7a4d-4c1e-9b8f-2d6e5a7c9f01 and slug how-to-set-up-the-new-vpn-on-mac",
		"𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠 𝐧𝐞𝐰𝐬: the 𝟐𝟎𝟐𝟔 report is out",
		"Türkçe: ılık bir gün, ɡood mornin ɡ",
	} {
		wantClean(t, b)
	}
}

func base58(s string) string {
	const al = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes([]byte(s))
	var out []byte
	r := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, big.NewInt(58), r)
		out = append(out, al[r.Int64()])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// b85 is RFC 1924 base85 as Python's base64.b85encode writes it (no
// padding kept).
func b85(s string) string {
	b := []byte(s)
	pad := (4 - len(b)%4) % 4
	b = append(b, make([]byte, pad)...)
	var out []byte
	for i := 0; i < len(b); i += 4 {
		v := uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		var g [5]byte
		for k := 4; k >= 0; k-- {
			g[k] = b85Alphabet[v%85]
			v /= 85
		}
		out = append(out, g[:]...)
	}
	return string(out[:len(out)-pad])
}
