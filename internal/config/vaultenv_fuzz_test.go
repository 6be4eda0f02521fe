package config

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzVaultEnvTemplate: the credentials.vault env templates never panic,
// and an accepted template's fields come out URL-escaped, so a password
// cannot add to or break the DSN around it.
func FuzzVaultEnvTemplate(f *testing.F) {
	for _, s := range []string{"username", "password", "postgres://{{username}}:{{password}}@db:5432/app",
		"{{ password }}", "{{lease_id}}", "{{{{password}}}}", "host=db password=x", "{{username", ""} {
		f.Add(s, "p@ss:/w rd?&#%")
	}
	f.Fuzz(func(t *testing.T, tmpl, pw string) {
		why := VaultEnvTemplateError(tmpl)
		got := VaultEnvValue(tmpl, map[string]string{"username": "u", "password": pw})
		if why != "" || tmpl == "username" || tmpl == "password" {
			return
		}
		esc := strings.ReplaceAll(url.QueryEscape(pw), "+", "%20")
		if strings.Contains(tmpl, "{{password}}") && !strings.Contains(got, esc) {
			t.Fatalf("%q: escaped password missing from %q", tmpl, got)
		}
		if un, err := url.QueryUnescape(esc); err != nil || un != pw {
			t.Fatalf("escape of %q does not round-trip: %q, %v", pw, un, err)
		}
		if pw != "" && strings.ContainsAny(esc, "@:/?#&= ") {
			t.Fatalf("password not escaped: %q", esc)
		}
	})
}
