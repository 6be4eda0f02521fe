package netguard

import (
	"context"
	"net/netip"
	"testing"
)

// Probe set z57: rebinding names that state a public address before an
// internal one, written anew, with look-alikes. Every name resolves to a
// public address here, as the first answer of a rebinding service does.
func TestProbe57Rebinding(t *testing.T) {
	public := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}
	opts := Options{Resolve: public}
	attacks := []string{
		"http://b.8.8.8.8.2times.10.0.0.7.forever.rebind.example/",
		"http://x.1.1.1.1.once.169.254.169.254.then.rebind.example/latest/",
		"http://make-9.9.9.9-rebind-127.0.0.1-rr.rebind.example:8080/",
		"https://make-1.0.0.1-rebind-192.168.0.10-rr.rebind.example/admin",
		"http://01010101.7f000001.rbndr.example/",
		"http://0a000005.08080808.rbndr.example/health",
		"http://A9FEA9FE.01010101.rbndr.example/latest/meta-data/",
	}
	for _, u := range attacks {
		if d := CheckURL(u, opts); d.Allow || d.Rule != RuleAddress {
			t.Errorf("%s: got %v %s (%s), want %s", u, d.Allow, d.Rule, d.Reason, RuleAddress)
		}
	}
	benign := []string{
		"https://b.8.8.8.8.2times.9.9.9.9.forever.rebind.example/",
		"https://7f3a9c01.preview.pages.example/",
		"https://0a1b2c3d.cdn.example.net/app.js",
		"https://deadbeef.cafebabe.example.org/",
		"https://v1.2.3.4.docs.example.com/",
		"https://release-10.0.0.build.example.com/notes",
		"https://api.example.com/10.0.0.5/127.0.0.1",
	}
	for _, u := range benign {
		if d := CheckURL(u, opts); !d.Allow {
			t.Errorf("%s: refused (%s: %s), want allowed", u, d.Rule, d.Reason)
		}
	}
}
