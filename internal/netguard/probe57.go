package netguard

import (
	"net/netip"
	"strings"
)

// Probe set z57 (fuzzdb's attack/ip/localhost.txt): DNS-rebinding names
// state two addresses, a public one answered first and an internal one
// answered later (A.34.192.228.43.1time.127.0.0.1.forever.rebind.network,
// make-1.2.3.4-rebind-127.0.0.1-rr.1u.ms, 7f000001.c0a80101.rbndr.us).
// embeddedIPv4 stops at the first address a name states, so a public one
// before the internal one hid it. statedInternal looks at every address a
// name states: four decimal labels in a row followed by at least two more,
// with a word and a dash allowed before the first number and after the
// last; and two labels of eight hex digits in a row (the rbndr form; one
// such label alone is a hash, as in preview hosts, and is left alone). It
// returns the first address that is internal.
func statedInternal(h string) (netip.Addr, bool) {
	if !strings.ContainsAny(h, "0123456789") {
		return netip.Addr{}, false
	}
	labels := strings.Split(h, ".")
	for i := 0; i+6 <= len(labels); i++ {
		first, last := labels[i], labels[i+3]
		if j := strings.LastIndexByte(first, '-'); j >= 0 {
			first = first[j+1:]
		}
		if j := strings.IndexByte(last, '-'); j >= 0 {
			last = last[:j]
		}
		a, err := netip.ParseAddr(first + "." + labels[i+1] + "." + labels[i+2] + "." + last)
		if err == nil && Internal(a) != "" {
			return a, true
		}
	}
	for i := 0; i+4 <= len(labels); i++ {
		x, ok1 := hex8(labels[i])
		y, ok2 := hex8(labels[i+1])
		if !ok1 || !ok2 {
			continue
		}
		for _, a := range []netip.Addr{x, y} {
			if Internal(a) != "" {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// hex8 reads a label of exactly eight hex digits as an IPv4 address.
func hex8(l string) (netip.Addr, bool) {
	if len(l) != 8 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i := 0; i < 8; i++ {
		if !isHex(l[i]) {
			return netip.Addr{}, false
		}
		b[i/2] = b[i/2]<<4 | unhex(l[i])
	}
	return netip.AddrFrom4(b), true
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	default:
		return c | 0x20 - 'a' + 10
	}
}
