package netguard

import (
	"context"
	"hash/fnv"
	"net/netip"
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
		p, pd := Pin(context.Background(), raw, opts)
		if !pd.Allow || p == nil || Internal(p.Addr.Addr()) != "" {
			t.Fatalf("%q: Check allowed but Pin gave %+v %+v", raw, p, pd)
		}
	})
}
