package netguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
)

// fakeDNS maps names to addresses; unknown names fail to resolve.
var fakeDNS = map[string][]string{
	"v-10.2.3.example.com":          {"93.184.216.34"},
	"rel-2.10.4.1.docs.example":     {"93.184.216.34"},
	"example.com":                   {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	"localhost.example.com":         {"93.184.215.15"},
	"127.0.0.1.nip.example":         {"93.184.215.16"},
	"93.184.215.16.nip.example":     {"93.184.215.16"},
	"ec2-54-93-1-2.compute.example": {"54.93.1.2"},
	"build-2026-11-26.ci.example":   {"93.184.215.20"},
	"v1-2-3-4.example.com":          {"93.184.215.21"},
	"release.10.0.example.com":      {"93.184.215.22"},
	"10-0-0-5.sslip.example":        {"93.184.215.23"},
	"api.github.com":                {"140.82.112.5"},
	"xn--bcher-kva.example":         {"93.184.215.17"},
	"v6only.example":                {"2a00:1450:4001:82b::200e"},
	"nat64public.example":           {"64:ff9b::808:808"},
	"sixto4public.example":          {"2002:808:808::1"},
	"mapped-public.example":         {"::ffff:8.8.8.8"},
	"internal.example":              {"10.1.2.3"},
	"rebind.example":                {"93.184.215.18", "127.0.0.1"},
	"metadata.example":              {"169.254.169.254"},
	"imds6.example":                 {"fd00:ec2::254"},
	"cgnat.example":                 {"100.100.100.200"},
	"mapped.example":                {"::ffff:127.0.0.1"},
	"nat64.example":                 {"64:ff9b::a9fe:a9fe"},
	"sixto4.example":                {"2002:c0a8:0101::1"},
	"ula.example":                   {"fc00::1"},
	"linklocal6.example":            {"fe80::1"},
	"multicast.example":             {"239.255.255.250"},
	"multicast6.example":            {"ff02::1"},
	"doc.example":                   {"192.0.2.10"},
	"doc6.example":                  {"2001:db8::1"},
	"teredo.example":                {"2001:0:4136:e378:8000:63bf:3fff:fdd2"},
	"oracle.example":                {"192.0.0.192"},
	"azure.example":                 {"168.63.129.16"},
	"broadcast.example":             {"255.255.255.255"},
	"zero.example":                  {"0.0.0.0"},
	"compat.example":                {"::7f00:1"},
	"loop6.example":                 {"::1"},
	"empty.example":                 {},
	"public-dot.example":            {"93.184.215.19"},
	"intranet.corp.example":         {"10.20.30.40"},
}

func fakeResolve(_ context.Context, host string) ([]netip.Addr, error) {
	as, ok := fakeDNS[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	out := make([]netip.Addr, len(as))
	for i, s := range as {
		out[i] = netip.MustParseAddr(s)
	}
	return out, nil
}

var testOpts = Options{Resolve: fakeResolve}

var attacks = []struct{ in, rule string }{
	{"http://127.0.0.1/", RuleAddress},
	{"http://127.1/", RuleAddress},
	{"http://2130706433/", RuleAddress},
	{"http://0x7f000001/", RuleAddress},
	{"http://0x7f.1/", RuleAddress},
	{"http://0177.0.0.1/", RuleAddress},
	{"http://0177.1/", RuleAddress},
	{"http://017700000001/", RuleAddress},
	{"http://0/", RuleAddress},
	{"http://0.0.0.0:8080/", RuleAddress},
	{"http://10.0.0.1/", RuleAddress},
	{"http://0xa.0.0.1/", RuleAddress},
	{"http://172.16.5.4/", RuleAddress},
	{"http://192.168.1.1/", RuleAddress},
	{"http://3232235777/", RuleAddress},
	{"http://100.64.0.1/", RuleAddress},
	{"http://169.254.169.254/latest/meta-data/", RuleAddress},
	{"http://0xa9fea9fe/", RuleAddress},
	{"http://0251.0376.0251.0376/", RuleAddress},
	{"http://[::1]/", RuleAddress},
	{"http://[::]/", RuleAddress},
	{"http://[::ffff:127.0.0.1]/", RuleAddress},
	{"http://[::ffff:7f00:1]/", RuleAddress},
	{"http://[::127.0.0.1]/", RuleAddress},
	{"http://[fd00:ec2::254]/latest/meta-data/", RuleAddress},
	{"http://[64:ff9b::a9fe:a9fe]/", RuleAddress},
	{"http://[2002:7f00:1::]/", RuleAddress},
	{"http://[fe80::1]/", RuleAddress},
	{"http://[ff02::1]/", RuleAddress},
	{"http://224.0.0.1/", RuleAddress},
	{"http://255.255.255.255/", RuleAddress},
	{"http://192.0.2.1/", RuleAddress},
	{"http://198.18.0.1/", RuleAddress},
	{"http://[2001:db8::1]/", RuleAddress},
	{"http://localhost/", RuleLocalName},
	{"http://LOCALHOST./", RuleLocalName},
	{"http://api.localhost/", RuleLocalName},
	{"http://metadata.google.internal/computeMetadata/v1/", RuleLocalName},
	{"http://internal.example/", RuleAddress},
	{"http://rebind.example/", RuleAddress},
	{"http://metadata.example/", RuleAddress},
	{"http://imds6.example/", RuleAddress},
	{"http://cgnat.example/", RuleAddress},
	{"http://mapped.example/", RuleAddress},
	{"http://nat64.example/", RuleAddress},
	{"http://sixto4.example/", RuleAddress},
	{"http://ula.example/", RuleAddress},
	{"http://linklocal6.example/", RuleAddress},
	{"http://multicast.example/", RuleAddress},
	{"http://multicast6.example/", RuleAddress},
	{"http://doc.example/", RuleAddress},
	{"http://doc6.example/", RuleAddress},
	{"http://teredo.example/", RuleAddress},
	{"http://oracle.example/", RuleAddress},
	{"http://azure.example/", RuleAddress},
	{"http://broadcast.example/", RuleAddress},
	{"http://zero.example/", RuleAddress},
	{"http://compat.example/", RuleAddress},
	{"http://loop6.example/", RuleAddress},
	{"http://empty.example/", RuleResolve},
	{"http://nosuch.example/", RuleResolve},
	{"http://example.com@127.0.0.1/", RuleUserinfo},
	// userinfo another parser could read as the host (probe set 17)
	{"http://127.0.0.1:80@example.com/", RuleUserinfo},
	{"http://localhost@example.com/", RuleUserinfo},
	{"http://LOCALHOST:x@example.com/", RuleUserinfo},
	{"http://intranet:8080@example.com/", RuleUserinfo},
	{"http://2130706433@example.com/", RuleUserinfo},
	{"http://0x7f000001:x@example.com/", RuleUserinfo},
	{"http://a@b@example.com/", RuleUserinfo},
	{"http://user:pa:ss@example.com/", RuleUserinfo},
	{"http://:pass@example.com/", RuleUserinfo},
	{"http://user:@example.com/", RuleUserinfo},
	{"http://[::1]@example.com/", RuleUserinfo},
	{"http://a@b/", RuleResolve},
	{"http://user:pass@127.0.0.1/", RuleAddress},
	// percent-escapes in userinfo read as a parser that decodes before
	// splitting reads them (probe set 66): a decoded / ? # \ or
	// whitespace ends its authority, the text after a decoded @ could be
	// cut out as the host, a second decoding could make an @
	{"http://127.0.0.1%2F@example.com/", RuleUserinfo},
	{"http://intranet%2F@example.com/", RuleUserinfo},
	{"http://u:p%2Fx@example.com/", RuleUserinfo},
	{"http://intranet%5C@example.com/", RuleUserinfo},
	{"http://intranet%23@example.com/", RuleUserinfo},
	{"http://intranet%3F@example.com/", RuleUserinfo},
	{"http://intranet%20x@example.com/", RuleUserinfo},
	{"http://u:p%0D%0AHost:x@example.com/", RuleUserinfo},
	{"http://u:p%00@example.com/", RuleUserinfo},
	{"http://a%40127.0.0.1@example.com/", RuleUserinfo},
	{"http://u:p%40127.0.0.1@example.com/", RuleUserinfo},
	{"http://u:p%40localhost@example.com/", RuleUserinfo},
	{"http://u:p%40intranet%3A8080@example.com/", RuleUserinfo},
	{"http://u:p%400x7f000001@example.com/", RuleUserinfo},
	{"http://a%40b%40169.254.169.254@example.com/", RuleUserinfo},
	{"http://u:p%40@example.com/", RuleUserinfo},
	{"http://u:p%2540127.0.0.1@example.com/", RuleUserinfo},
	{"http://u:p%252F@example.com/", RuleUserinfo},
	{"http://%6c%6f%63%61%6c%68%6f%73%74@example.com/", RuleUserinfo},
	{"http://u%2Eexample%2Ecom@example.com/", RuleUserinfo},
	{"http://u:%31%32%33@example.com/", RuleUserinfo},
	{"http://u:p%3Aq@example.com/", RuleUserinfo},
	{"http://u:p%5B::1%5D@example.com/", RuleUserinfo},
	{"http://u:p%EF%BC%A0127.0.0.1@example.com/", RuleUserinfo}, // fullwidth @
	{"http://u:p%C3%A4@example.com/", RuleUserinfo},
	{"http://u:p%4@example.com/", RuleUserinfo},
	{"http://u:p%zz@example.com/", RuleUserinfo},
	{"http://u:p%40x@127.0.0.1/", RuleAddress},
	{"http://u:p%40x@example.com%2F/", RuleHost},
	{"http://example.com%40127.0.0.1/", RuleHost},
	{"http:\\\\127.0.0.1\\", RuleSyntax},
	{"http://example.com\\@127.0.0.1/", RuleSyntax},
	{"http://%6c%6f%63%61%6c%68%6f%73%74/", RuleHost},
	{"http://127.0.0.%31/", RuleHost},
	{"http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", RuleIDNA},
	{"http://①②⑦.⓪.⓪.①/", RuleIDNA},
	{"http://１２７.０.０.１/", RuleIDNA},
	{"http://exаmple.com/", RuleIDNA}, // Cyrillic а
	{"http://127.0.0.1.5/", RuleIPForm},
	{"http://256.0.0.1/", RuleIPForm},
	{"http://1.2.3.08/", RuleIPForm},
	{"http://foo.0x7f/", RuleIPForm},
	{"http://4294967296/", RuleIPForm},
	{"ftp://example.com/", RuleScheme},
	{"file:///etc/passwd", RuleScheme},
	{"gopher://127.0.0.1:25/", RuleScheme},
	{"//example.com/", RuleScheme},
	{"javascript:alert(1)", RuleScheme},
	{"http:/example.com/", RuleScheme},
	{"http:///example.com/", RuleSyntax},
	{"http://example.com:0/", RulePort},
	{"http://example.com:99999/", RulePort},
	{"http://example.com:080/", RulePort},
	{"http://example.com:/", RulePort},
	{"http://exa mple.com/", RuleSyntax},
	{"http://example.com\t/", RuleSyntax},
	{"http://[fe80::1%25eth0]/", RuleHost},
	{"http://exam!ple.com/", RuleHost},
	// names that state an internal address for a wildcard DNS service,
	// judged by that address whatever the resolver answers today (probe
	// set 33); loopback zones and metadata names
	{"http://127.0.0.1.nip.example/", RuleAddress},
	{"http://app.10.0.0.5.nip.io/", RuleAddress},
	{"http://10-0-0-5.sslip.example/", RuleAddress},
	{"http://www-169-254-169-254.sslip.io/latest/meta-data/", RuleAddress},
	{"http://100.100.100.200.nip.io/latest/meta-data/", RuleAddress},
	// a word and a dash before the first number (probe set 43)
	{"http://probe-169.254.169.254.rebind.example/", RuleAddress},
	{"http://x-y-127.0.0.1.dyn.example:8080/", RuleAddress},
	{"http://localtest.me/", RuleLocalName},
	{"http://admin.lvh.me:3000/", RuleLocalName},
	{"http://metadata.tencentyun.com/latest/meta-data/", RuleLocalName},
	{"http://ip6-localhost:8080/admin", RuleLocalName},
	{"http://IP6-LOOPBACK/", RuleLocalName},
	{"http://rancher-metadata/latest/self/container", RuleLocalName},
	{"http://127.0.0.1#\\@example.com/", RuleAddress},
	{"http://example.com/a\\b?q=1", RuleSyntax},
}

var benign = []struct{ in, host string }{
	{"https://example.com/", "example.com"},
	{"https://example.com/127.0.0.1", "example.com"},
	{"https://example.com/?u=http://127.0.0.1/", "example.com"},
	{"https://example.com/#@127.0.0.1", "example.com"},
	{"https://v-10.2.3.example.com/", "v-10.2.3.example.com"},
	{"https://example.com/?next=probe-10.0.0.5.rebind.example", "example.com"},
	{"https://rel-2.10.4.1.docs.example/", "rel-2.10.4.1.docs.example"},
	{"http://localhost.example.com/", "localhost.example.com"},
	{"http://93.184.215.16.nip.example/", "93.184.215.16.nip.example"},
	{"http://ec2-54-93-1-2.compute.example/", "ec2-54-93-1-2.compute.example"},
	{"http://build-2026-11-26.ci.example/", "build-2026-11-26.ci.example"},
	{"http://v1-2-3-4.example.com/", "v1-2-3-4.example.com"},
	{"http://release.10.0.example.com/", "release.10.0.example.com"},
	{"https://example.com/search?q=C:\\Users\\Public", "example.com"},
	{"https://example.com/docs#C:\\..\\x", "example.com"},
	{"https://example.com/?next=localtest.me", "example.com"},
	{"https://example.com/hosts?name=ip6-localhost", "example.com"},
	{"https://example.com/rancher-metadata/", "example.com"},
	{"https://api.github.com/repos/x/y", "api.github.com"},
	{"HTTPS://EXAMPLE.COM/Path", "example.com"},
	{"https://example.com./", "example.com"},
	{"https://example.com:8443/a", "example.com"},
	{"http://xn--bcher-kva.example/", "xn--bcher-kva.example"},
	{"http://v6only.example/", "v6only.example"},
	{"http://nat64public.example/", "nat64public.example"},
	{"http://sixto4public.example/", "sixto4public.example"},
	{"http://mapped-public.example/", "mapped-public.example"},
	{"http://8.8.8.8/", "8.8.8.8"},
	{"http://134744072/", "8.8.8.8"},
	{"http://[2606:4700:4700::1111]/", "2606:4700:4700::1111"},
	{"http://[::ffff:8.8.8.8]/", "::ffff:8.8.8.8"},
	{"https://example.com/report%20final.pdf", "example.com"},
	{"https://example.com/a%40b", "example.com"},
	{"http://1.1.1.1:8080/dns-query", "1.1.1.1"},
	{"https://ci-bot:hunter2@example.com/hooks/build", "example.com"},
	{"https://deploy@example.com/", "example.com"},
	{"https://user:p4ss!w0rd@example.com:8443/x", "example.com"},
	{"https://svc_account:abc-123~x@[2606:4700:4700::1111]/", "2606:4700:4700::1111"},
	// escapes in userinfo that no parser reads as structure (probe set 66)
	{"https://deploy:s3cr3t%40x@example.com/artifacts/build.tar.gz", "example.com"},
	{"http://u%40x@example.com/", "example.com"},
	{"http://j%40ne:password@example.com/p@th?q=@go", "example.com"},
	{"https://jane:p%40ssw0rd%21@example.com/", "example.com"},
	{"https://ci:dG9rZW4%2BYWJj%3D%3D@example.com/", "example.com"},
	{"https://svc:p%5Ex%7By%7D%22%3C%3E%60%7C@example.com/", "example.com"},
	{"https://A%3AB@example.com:123/one/space", "example.com"},
	{"https://us%25er:50%25off@example.com/", "example.com"},
	{"https://deploy%5Fbot:t%2Eok@[2606:4700:4700::1111]/", "2606:4700:4700::1111"},
}

func TestCheckURL(t *testing.T) {
	for _, tc := range attacks {
		d := CheckURL(tc.in, testOpts)
		if d.Allow || d.Rule != tc.rule {
			t.Errorf("attack %q: allow=%v rule=%s (%s), want deny %s", tc.in, d.Allow, d.Rule, d.Reason, tc.rule)
		}
	}
	for _, tc := range benign {
		d := CheckURL(tc.in, testOpts)
		if !d.Allow || d.Host != tc.host {
			t.Errorf("benign %q: allow=%v rule=%s (%s) host=%q, want allow %q", tc.in, d.Allow, d.Rule, d.Reason, d.Host, tc.host)
		}
		for _, a := range d.Addrs {
			if why := Internal(a); why != "" {
				t.Errorf("benign %q allowed with internal %s", tc.in, a)
			}
		}
	}
	t.Logf("%d attack cases, %d benign cases", len(attacks), len(benign))
}

func TestAllowLists(t *testing.T) {
	o := testOpts
	o.AllowHosts = []string{"api.github.com", "*.corp.example"}
	if d := CheckURL("https://api.github.com/x", o); !d.Allow {
		t.Errorf("listed host: %+v", d)
	}
	if d := CheckURL("https://example.com/", o); d.Allow || d.Rule != RuleNotListed {
		t.Errorf("unlisted host: %+v", d)
	}
	if d := CheckURL("https://intranet.corp.example/", o); d.Allow || d.Rule != RuleAddress {
		t.Errorf("listed host with private address must still be checked: %+v", d)
	}
	o.AllowPrefixes = []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}
	if d := CheckURL("https://intranet.corp.example/", o); !d.Allow {
		t.Errorf("allowed prefix: %+v", d)
	}
}

func TestInternalTable(t *testing.T) {
	public := []string{"8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1", "64:ff9b::808:808", "2002:808:808::", "::ffff:1.1.1.1"}
	for _, s := range public {
		if why := Internal(netip.MustParseAddr(s)); why != "" {
			t.Errorf("%s: %s", s, why)
		}
	}
	private := []string{"100::1", "5f00::1", "64:ff9b:1::1", "fec0::1", "::ffff:10.0.0.1", "192.88.99.1", "fe80::1%eth0"}
	for _, s := range private {
		if Internal(netip.MustParseAddr(s)) == "" {
			t.Errorf("%s reported public", s)
		}
	}
}

func TestPinDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("pinned"))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	// The server is on loopback; the operator allows it for this test and
	// the fake name resolves first to it, then (rebinding) elsewhere.
	calls := 0
	o := Options{
		AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Resolve: func(context.Context, string) ([]netip.Addr, error) {
			calls++
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		},
	}
	p, d := Pin(context.Background(), "http://svc.example:"+port+"/", o)
	if !d.Allow {
		t.Fatalf("pin: %+v", d)
	}
	client := &http.Client{Transport: &http.Transport{DialContext: p.DialContext}}
	resp, err := client.Get("http://svc.example:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if calls != 1 {
		t.Errorf("resolver called %d times; the dial must not resolve again", calls)
	}
	for _, addr := range []string{"other.example:" + port, "svc.example:1", "127.0.0.2:" + port, "[::1]:" + port} {
		if c, err := p.DialContext(context.Background(), "tcp", addr); !errors.Is(err, ErrNotPinned) {
			if c != nil {
				c.Close()
			}
			t.Errorf("dial %s: err=%v, want ErrNotPinned", addr, err)
		}
	}
	if _, err := p.DialContext(context.Background(), "udp", "svc.example:"+port); !errors.Is(err, ErrNotPinned) {
		t.Errorf("udp: %v", err)
	}
	// A literal in a short form is dialled in that form and still matches.
	p2, d := Pin(context.Background(), "http://2130706433:"+port+"/", o)
	if !d.Allow {
		t.Fatalf("pin short form: %+v", d)
	}
	c, err := p2.DialContext(context.Background(), "tcp", "2130706433:"+port)
	if err != nil {
		t.Fatalf("dial short form: %v", err)
	}
	c.Close()
	if _, d := Pin(context.Background(), "http://127.0.0.1/", testOpts); d.Allow {
		t.Errorf("pin of loopback without allow-prefix: %+v", d)
	}
}

func BenchmarkCheckURL(b *testing.B) {
	cases := []string{"https://example.com/a/b?c=d", "http://2130706433/", "http://rebind.example/", "http://[::ffff:127.0.0.1]/", "https://api.github.com/repos/x/y"}
	for i := 0; b.Loop(); i++ {
		CheckURL(cases[i%len(cases)], testOpts)
	}
}
