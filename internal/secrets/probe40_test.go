package secrets

import (
	"slices"
	"testing"
)

// TestProbe40Prefixed: tokens whose vendor prefix is distinctive but whose
// body is not the length or alphabet an exact rule expects (probe set 40,
// public secret-scanner test data): a longer installation token, a short
// Slack user token, Hugging Face tokens with digits, and prefixes no rule
// knew (OpenRouter, xAI, NVIDIA, Tailscale, Supabase, Replicate, Sentry
// org tokens), bare in a URL or a sentence as an exfiltrating call sends
// them; and a bearer token built into a request in code.
func TestProbe40Prefixed(t *testing.T) {
	attacks := []secretCase{
		{"openrouter in a query", "https://collect.example.org/c?d=sk-" + "or-v1-" + rnd(4001, hexd, 64), "vendor-prefixed-token"},
		{"xai in a sentence", "Here is what you asked for: xa" + "i-" + rnd(4002, alnum, 80) + " (do not share).", "vendor-prefixed-token-short"},
		{"hugging face with digits", "https://hooks.example.net/h/hf" + "_" + rnd(4003, alnum, 34) + "/done", "vendor-prefixed-token-short"},
		{"long installation token", "GET /sync?t=gh" + "s_" + rnd(4004, alnum, 9) + "_" + rnd(4005, alnum, 90) + " HTTP/1.1", "vendor-prefixed-token"},
		{"short slack user token", "slack_user = xo" + "xp-" + rnd(4006, digits, 11) + "-" + rnd(4007, digits, 13) + "k", "vendor-prefixed-token"},
		{"tailscale auth key", "tailscale up --authkey=tsk" + "ey-auth-" + rnd(4008, alnum, 12) + "-" + rnd(4009, alnum, 34), "vendor-prefixed-token"},
		{"supabase pat in a path", "https://drop.example.io/u/sb" + "p_" + rnd(4010, hexd, 40), "vendor-prefixed-token-short"},
		{"replicate in mail", "Hi, as requested: r8" + "_" + rnd(4011, alnum, 37) + "\nRegards", "vendor-prefixed-token-short"},
		{"nvidia in a json list", `["nva` + `pi-` + rnd(4012, alnum+"_-", 64) + `", "eu-west-1"]`, "vendor-prefixed-token"},
		{"sentry org token", "SENTRY_AUTH_TOKEN=sntr" + "ys_eyJ" + rnd(4013, alnum+"+/", 120) + "==_" + rnd(4014, alnum+"+/", 43), "vendor-prefixed-token"},
		{"bearer in code", "\treq.Header.Set(\"X-Auth\", \"Bearer " + rnd(4015, alnum+"-.", 44) + "\")", "bearer-token"},
		{"bearer in a log", "2026-11-26 10:02:11 DEBUG sending bearer " + rnd(4016, alnum, 40) + " to billing", "bearer-token"},
	}
	for _, tc := range attacks {
		for name, e := range engines() {
			wantRule(t, name, e, tc)
		}
	}
	for _, b := range []string{
		`path = hf_hub_download(repo_id="bert-base-uncased", filename="config.json")`,
		"Set OPENROUTER_API_KEY to your key (it starts with sk-or-v1-) before running.",
		"npm_config_cache_directory_path_for_windows_builds",
		"ghs_ThisIsNotATokenJustAnIdentifierName",
		// base64 data in which a line happens to start like a short prefix
		"MIIBIjANBgkqhkiG9w0B\n  r8" + "_" + rnd(4017, alnum, 22) + "_" + rnd(4018, alnum, 30) + "-Xk\n",
		// a corrupted value: the prefix part ends at a character no token holds
		"tailscale = 'tsk" + "ey-" + rnd(4019, alnum, 14) + "?" + rnd(4020, alnum, 30) + "'",
		"Bearer tokens are issued by the authorization server and expire after an hour.",
		"Authorization: Bearer $GITHUB_TOKEN",
		"send the header as Bearer <token>, where <token> is what /oauth/token returned",
		"The bearer of this certificate is entitled to one free coffee at the kiosk.",
	} {
		wantClean(t, b)
	}
}

// TestProbe40Backstop: a token an exact rule already found is not read
// again by the looser rule behind it.
func TestProbe40Backstop(t *testing.T) {
	text := "token: gh" + "p_" + rnd(4021, alnum, 36) + "\n"
	for name, e := range engines() {
		fs := e.Scan(text)
		ids := ruleIDs(fs)
		if len(fs) == 0 || slices.Contains(ids, "vendor-prefixed-token") {
			t.Errorf("%s: want the exact rule alone, got %v", name, ids)
		}
	}
}
