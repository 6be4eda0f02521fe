package config

import (
	"net"
	"net/url"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// Consent modes.
const (
	ConsentOff      = "off"
	ConsentFirstUse = "first_use"
)

// Consent configures the Grant Access window (docs/consent.md): with
// first_use, a principal's first call to a tool waits for a person's
// approval on a page the gateway serves.
type Consent struct {
	Mode     string        // off ("" too) | first_use
	Risks    []string      // only tools of these risk classes ask; empty: all
	GrantTTL time.Duration // how long a grant lasts; 0: until revoked
	// URL is the address people open the page at (the gateway as they
	// reach it); "" = http://LISTEN.
	URL string
	// File keeps the grants; "" = grants.json in the state directory.
	File string
}

var consentKeys = []string{"mode", "risks", "grant_ttl", "url", "file"}

// riskClasses are the manifest's risk classes (manifest.Risks).
var riskClasses = []string{"read", "write", "destructive", "external"}

func (d *decoder) consent(path string, raw *yaml.Node, c *Consent) {
	es, ok := d.mapping(path, raw)
	if !ok {
		return
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(consentKeys, e.name) {
			d.unknown(p, e, consentKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "mode":
			c.Mode, _ = d.str(p, v)
		case "risks":
			c.Risks, _ = d.strList(p, v)
		case "grant_ttl":
			c.GrantTTL, _ = d.duration(p, v)
		case "url":
			c.URL, _ = d.str(p, v)
		case "file":
			if s, ok := d.str(p, v); ok {
				c.File = d.relative(s)
			}
		}
	}
}

func (c *Config) validateConsent(v *validator) {
	k := &c.Consent
	if k.Mode != "" {
		checkEnum(v, "consent.mode", k.Mode, ConsentOff, ConsentFirstUse)
	}
	for i, r := range k.Risks {
		if !slices.Contains(riskClasses, r) {
			v.addf(joinIndex("consent.risks", i), "unknown risk class %q (known: read, write, destructive, external)", r)
		}
	}
	if k.GrantTTL < 0 {
		v.addf("consent.grant_ttl", "must not be negative")
	}
	// The page's address goes to people: "http://0.0.0.0:8080" is none.
	if k.Mode == ConsentFirstUse && k.URL == "" {
		if host, _, err := net.SplitHostPort(c.Listen); err == nil && !loopbackListen(host) {
			v.addf("consent.url", "is required when listen (%s) is not a loopback address: the address people open the consent page at, e.g. https://gateway.example.com", c.Listen)
		}
	}
	if k.URL != "" {
		u, err := url.Parse(k.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			v.addf("consent.url", "must be an http(s) URL such as https://gateway.example.com, got %q", k.URL)
		}
	}
}
