package netguard

import (
	"context"
	"hash/fnv"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// fuzzResolve answers every name: known names from the fake table, any
// other with an address derived from the name, so some random names
// land on internal addresses and must be refused.
func fuzzResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if as, err := fakeResolve(ctx, host); err == nil {
		return as, nil
	}
	h := fnv.New64a()
	h.Write([]byte(host))
	v := h.Sum64()
	a4 := netip.AddrFrom4([4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
	var b16 [16]byte
	for i := range b16 {
		b16[i] = byte(v >> (8 * (i % 8)))
	}
	if v&1 == 0 {
		return []netip.Addr{a4}, nil
	}
	return []netip.Addr{a4, netip.AddrFrom16(b16)}, nil
}

func FuzzCheckURL(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.in)
	}
	for _, tc := range benign {
		f.Add(tc.in)
	}
	opts := Options{Resolve: fuzzResolve}
	f.Fuzz(func(t *testing.T, raw string) {
		d := CheckURL(raw, opts)
		if d.Rule == "" {
			t.Fatalf("%q: decision without a rule", raw)
		}
		if !d.Allow {
			return
		}
		if len(d.Addrs) == 0 {
			t.Fatalf("%q: allowed with no addresses", raw)
		}
		for _, a := range d.Addrs {
			if why := Internal(a); why != "" {
				t.Fatalf("%q: allowed but %s is %s", raw, a, why)
			}
		}
		for i := 0; i < len(d.Host); i++ {
			if d.Host[i] >= 0x80 || d.Host[i] <= 0x20 {
				t.Fatalf("%q: allowed host %q is not plain ASCII", raw, d.Host)
			}
		}
		if !decodeFirstSameHost(raw) {
			t.Fatalf("%q: allowed, but a parser that decodes before splitting reads another host", raw)
		}
		p, pd := Pin(context.Background(), raw, opts)
		if !pd.Allow || p == nil || Internal(p.Addr.Addr()) != "" {
			t.Fatalf("%q: Check allowed but Pin gave %+v %+v", raw, p, pd)
		}
	})
}

// decodeFirstSameHost reports whether a parser that percent-decodes the
// authority before splitting it (ending it at / ? # \ or whitespace, the
// userinfo at the last @) reads the same host and port as one that
// splits first.
func decodeFirstSameHost(raw string) bool {
	rest := raw[strings.Index(raw, "//")+2:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return true
	}
	d, err := url.PathUnescape(rest)
	if err != nil {
		return false
	}
	if i := strings.IndexAny(d, "/?#\\ \t\r\n"); i >= 0 {
		d = d[:i]
	}
	j := strings.LastIndexByte(d, '@')
	return j >= 0 && d[j+1:] == rest[at+1:]
}
