package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConsentConfig(t *testing.T) {
	cfg, err := Parse("/etc/mw/c.yaml", []byte(`consent:
  mode: first_use
  risks: [write, destructive]
  grant_ttl: 720h
  url: https://gw.example.com
  file: grants.json
servers:
  s: {command: [x]}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Consent
	if c.Mode != ConsentFirstUse || !slices.Equal(c.Risks, []string{"write", "destructive"}) || c.GrantTTL != 720*time.Hour ||
		c.URL != "https://gw.example.com" || c.File != "/etc/mw/grants.json" {
		t.Fatalf("consent = %+v", c)
	}
	_, err = Parse("c.yaml", []byte(`consent:
  mode: always
  risks: [dangerous]
  grant_ttl: -1h
  url: ftp://x
  colour: red
servers:
  s: {command: [x]}
`))
	if err == nil {
		t.Fatal("bad consent accepted")
	}
	for _, want := range []string{"consent.mode", "consent.risks[0]", "consent.grant_ttl", "consent.url", "consent.colour"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem reported at %s:\n%v", want, err)
		}
	}
}

func TestConsentURLNeededOffLoopback(t *testing.T) {
	base := "auth: {mode: none}\nconsent: {mode: first_use}\nservers:\n  s: {command: [x]}\n"
	if _, err := Parse("c.yaml", []byte("listen: 0.0.0.0:8080\n"+base)); err == nil || !strings.Contains(err.Error(), "consent.url: is required") {
		t.Errorf("non-loopback listen without consent.url: %v", err)
	}
	if _, err := Parse("c.yaml", []byte("listen: 127.0.0.1:8080\n"+base)); err != nil {
		t.Errorf("loopback listen: %v", err)
	}
	if _, err := Parse("c.yaml", []byte("listen: 0.0.0.0:8080\n"+strings.Replace(base, "first_use}", "first_use, url: https://gw.example.com}", 1))); err != nil {
		t.Errorf("non-loopback listen with consent.url: %v", err)
	}
}
