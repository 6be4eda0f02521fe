// Package netguard decides whether a URL may be fetched without reaching
// an internal address (SSRF), and pins the address it checked so the
// fetch cannot be switched to another one by a second DNS answer.
//
// It is a pure engine apart from name resolution, which goes through
// Options.Resolve so tests and callers can supply their own.
//
// A fetcher wires it as: Pin the URL, build an http.Transport with
// DialContext set to the Pinned value's method and Proxy left nil (a
// proxy would do its own resolution), and make CheckRedirect refuse or
// re-Pin every redirect: the pinned dialer already refuses a redirect to
// any other host or port.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options tune CheckURL.
type Options struct {
	// Resolve returns every address of host. Nil means net.DefaultResolver.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// AllowHosts, when not empty, is the only set of hosts that may be
	// fetched: exact names, or "*.example.com" for any subdomain. Their
	// addresses are still checked.
	AllowHosts []string
	// AllowPrefixes are internal ranges the operator has chosen to permit
	// (an intranet service). Nothing is permitted by default.
	AllowPrefixes []netip.Prefix
	// Timeout bounds resolution; zero means 5 s.
	Timeout time.Duration
}

// Decision is the verdict on one URL. Addrs are the checked addresses
// when Allow is true.
type Decision struct {
	Allow  bool
	Rule   string
	Reason string
	Host   string // normalised host name or canonical IP
	Port   string
	Addrs  []netip.Addr
}

// Rule ids.
const (
	RuleAllowed   = "url.allowed"
	RuleSyntax    = "url.syntax"
	RuleScheme    = "url.scheme"
	RuleUserinfo  = "url.userinfo"
	RuleHost      = "url.host"
	RuleIDNA      = "url.idna"
	RuleIPForm    = "url.ip_form"
	RulePort      = "url.port"
	RuleNotListed = "url.not_allow_listed"
	RuleLocalName = "url.local_name"
	RuleResolve   = "url.resolve"
	RuleAddress   = "url.internal_address"
)

func deny(rule, format string, a ...any) Decision {
	return Decision{Rule: rule, Reason: fmt.Sprintf(format, a...)}
}

// CheckURL checks raw with a background context.
func CheckURL(raw string, opts Options) Decision {
	return CheckURLContext(context.Background(), raw, opts)
}

// CheckURLContext parses raw strictly, resolves its host and checks
// every address it resolves to.
func CheckURLContext(ctx context.Context, raw string, opts Options) Decision {
	query := false // past the first ? or #
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= 0x20 || c == 0x7f {
			return deny(RuleSyntax, "control character or space in URL")
		}
		if c == '?' || c == '#' {
			query = true
		}
		if c == '\\' && !query {
			// Browsers read http:\\host and http://a\@b differently from
			// Go. In the query and the fragment every parser keeps a
			// backslash as data (?q=C:\Users), and no parser reads a host
			// past the first ? or #.
			return deny(RuleSyntax, "backslash in URL")
		}
	}
	if !utf8.ValidString(raw) {
		return deny(RuleSyntax, "invalid UTF-8 in URL")
	}
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return deny(RuleScheme, "only http and https URLs may be fetched")
	}
	// The authority is everything between // and the next / ? #; an @ in
	// it means userinfo, which is how http://trusted@evil hides the host.
	rest := raw[strings.Index(raw, "//")+2:]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		if !plainUserinfo(rest[:i]) {
			return deny(RuleUserinfo, "userinfo in URL that a parser could read as the host")
		}
		rest = rest[i+1:]
	}
	if strings.Contains(rest, "%") {
		return deny(RuleHost, "percent-encoded host")
	}

	u, err := url.Parse(raw)
	if err != nil {
		return deny(RuleSyntax, "parse: %v", err)
	}
	if u.Opaque != "" || u.Host == "" {
		return deny(RuleSyntax, "URL has no authority")
	}
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return deny(RulePort, "empty port")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || (len(port) > 1 && port[0] == '0') {
			return deny(RulePort, "invalid port %q", port)
		}
	} else if u.Scheme == "https" {
		port = "443"
	} else {
		port = "80"
	}

	var addrs []netip.Addr
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		if err != nil || a.Zone() != "" {
			return deny(RuleIPForm, "invalid IPv6 literal %q", host)
		}
		addrs = []netip.Addr{a}
		host = a.String()
	} else {
		h, d, ok := normaliseHost(host)
		if !ok {
			return d
		}
		host = h
		if a, isIP, ok := parseInetAton(host); !ok {
			return deny(RuleIPForm, "host %q looks like a malformed IPv4 address", host)
		} else if isIP {
			addrs = []netip.Addr{a}
			host = a.String()
		}
	}

	if len(opts.AllowHosts) > 0 && !hostListed(host, opts.AllowHosts) {
		return deny(RuleNotListed, "host %s is not on the allow-list", host)
	}
	if addrs == nil {
		if localName(host) {
			return deny(RuleLocalName, "host %s names this machine or a metadata service", host)
		}
		if a, ok := embeddedIPv4(host); ok {
			if why := Internal(a); why != "" && !allowedPrefix(a, opts.AllowPrefixes) {
				return Decision{Rule: RuleAddress, Reason: fmt.Sprintf("host %s carries the address %s (%s) for a wildcard DNS service to answer", host, a, why), Host: host, Port: port}
			}
		}
		if a, ok := statedInternal(host); ok && !allowedPrefix(a, opts.AllowPrefixes) {
			return Decision{Rule: RuleAddress, Reason: fmt.Sprintf("host %s states the address %s (%s) for a rebinding service to answer", host, a, Internal(a)), Host: host, Port: port}
		}
		resolve := opts.Resolve
		if resolve == nil {
			resolve = defaultResolve
		}
		timeout := opts.Timeout
		if timeout == 0 {
			timeout = 5 * time.Second
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		addrs, err = resolve(rctx, host)
		if err != nil {
			return deny(RuleResolve, "resolving %s: %v", host, err)
		}
		if len(addrs) == 0 {
			return deny(RuleResolve, "%s has no addresses", host)
		}
	}
	for _, a := range addrs {
		if why := Internal(a); why != "" && !allowedPrefix(a, opts.AllowPrefixes) {
			return Decision{Rule: RuleAddress, Reason: fmt.Sprintf("%s resolves to %s (%s)", host, a, why), Host: host, Port: port}
		}
	}
	return Decision{Allow: true, Rule: RuleAllowed, Reason: "every address is public", Host: host, Port: port, Addrs: addrs}
}

// plainUserinfo reports whether the userinfo of an authority is a
// basic-auth user and password that every URL parser reads the same way
// and none could take for a host: RFC 3986 characters only, one @ (the
// one before the host), at most one colon, a user that is no host name,
// address or local name (no dot, not a number, not localhost), and a
// password that is no port (not all digits). Anything else is refused:
// http://trusted@evil, http://127.0.0.1:80@public and their kin.
//
// Percent-escapes are read as a parser that decodes the URL before
// splitting it would read them (probe set 66: a password with %40 in
// it). Such a parser ends the authority at a decoded / ? # \ or
// whitespace, so these are refused: http://intranet%2F@public/ is
// http://intranet/@public/ to it. A decoded @ is not: it leaves the host
// where it was for a parser that splits at the last @, and gives one
// that splits at the first a host with an @ in it, which no resolver
// takes; in case one cuts that host at its @, the text after every
// decoded @ must pass the user's tests too (a%40127.0.0.1 is refused).
// Escapes must decode to printable ASCII (no IDNA mapping of ＠ or ／),
// not to brackets (an IPv6 literal) and not to another escape (%2540,
// which a second decoding reads as @).
func plainUserinfo(ui string) bool {
	for i := 0; i < len(ui); i++ {
		c := ui[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-_~!$&'()*+,;=:%", c) >= 0) {
			return false
		}
	}
	if strings.IndexByte(ui, '%') < 0 {
		return plainCredentials(ui)
	}
	d, ok := decodeUserinfo(ui)
	if !ok {
		return false
	}
	for {
		g, more, found := strings.Cut(d, "@")
		if !plainCredentials(g) {
			return false
		}
		if !found {
			return true
		}
		d = more
	}
}

// plainCredentials applies plainUserinfo's tests to one user[:password].
func plainCredentials(ui string) bool {
	user, pass, hasPass := strings.Cut(ui, ":")
	return user != "" && !strings.Contains(pass, ":") && !strings.Contains(user, ".") && !numericLabel(user) &&
		!localName(strings.ToLower(user)) && !(hasPass && (pass == "" || isDigits(pass)))
}

// decodeUserinfo decodes the percent-escapes of a userinfo made of RFC
// 3986 characters. ok is false for a malformed escape or one that a
// parser decoding first could read as structure: see plainUserinfo.
func decodeUserinfo(ui string) (string, bool) {
	var b strings.Builder
	b.Grow(len(ui))
	for i := 0; i < len(ui); i++ {
		c := ui[i]
		if c == '%' {
			if i+2 >= len(ui) || !isHex(ui[i+1]) || !isHex(ui[i+2]) {
				return "", false
			}
			c = unhex(ui[i+1])<<4 | unhex(ui[i+2])
			i += 2
			if c <= 0x20 || c >= 0x7f || strings.IndexByte("/?#\\[]", c) >= 0 {
				return "", false
			}
		}
		b.WriteByte(c)
	}
	d := b.String()
	// A second decoding must change nothing.
	for i := 0; i+2 < len(d); i++ {
		if d[i] == '%' && isHex(d[i+1]) && isHex(d[i+2]) {
			return "", false
		}
	}
	return d, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func defaultResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// normaliseHost folds compatibility forms (fullwidth, enclosed
// alphanumerics such as ⓛⓞⓒⓐⓛⓗⓞⓢⓣ) to see what they mean, then refuses
// any host that is not plain ASCII: a fetcher's IDNA mapping could
// otherwise turn it into a different name than the one checked.
func normaliseHost(h string) (string, Decision, bool) {
	h = strings.ToLower(h)
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			folded := strings.ToLower(norm.NFKC.String(h))
			return "", deny(RuleIDNA, "non-ASCII host (folds to %q); use its xn-- form", folded), false
		}
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return "", deny(RuleHost, "empty or overlong host"), false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return "", deny(RuleHost, "empty or overlong label in host %q", h), false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", deny(RuleHost, "character %q not allowed in host", c), false
			}
		}
	}
	return h, Decision{}, true
}

// parseInetAton reads the IPv4 forms inet_aton and WHATWG accept:
// 1 to 4 parts, each decimal, 0x hex or 0 octal, the last filling the
// remaining bytes (127.1, 0x7f.1, 2130706433, 0177.0.0.1). isIP is
// false for an ordinary name; ok is false when the last label is
// numeric but the whole is not a valid address (a name a resolver or
// browser may still read as an address).
func parseInetAton(h string) (a netip.Addr, isIP, ok bool) {
	parts := strings.Split(h, ".")
	if !numericLabel(parts[len(parts)-1]) {
		return netip.Addr{}, false, true
	}
	if len(parts) > 4 {
		return netip.Addr{}, false, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, good := parseNum(p)
		if !good {
			return netip.Addr{}, false, false
		}
		vals[i] = v
	}
	var ip uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false, false
		}
		ip |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false, false
	}
	ip |= last
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true, true
}

// numericLabel reports whether a label is a number in any base, the
// WHATWG "ends in a number" test.
func numericLabel(s string) bool {
	if s == "" {
		return false
	}
	if len(s) >= 2 && s[0] == '0' && s[1]|0x20 == 'x' {
		for i := 2; i < len(s); i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseNum(s string) (uint64, bool) {
	base := 10
	switch {
	case len(s) >= 2 && s[0] == '0' && s[1]|0x20 == 'x':
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if len(s) > 12 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

func hostListed(h string, list []string) bool {
	for _, e := range list {
		e = strings.ToLower(strings.TrimSuffix(e, "."))
		if suffix, ok := strings.CutPrefix(e, "*."); ok {
			if strings.HasSuffix(h, "."+suffix) {
				return true
			}
		} else if h == e {
			return true
		}
	}
	return false
}

// localName catches names that mean this machine or a metadata service
// whatever DNS says.
func localName(h string) bool {
	switch h {
	case "localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
		"metadata.tencentyun.com", "rancher-metadata",
		// The names a stock hosts file (Debian's, Ubuntu's, Alpine's) gives
		// to ::1 and IPv6 local addresses: they resolve without DNS.
		"ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-allnodes", "ip6-allrouters", "ip6-mcastprefix":
		return true
	}
	if strings.HasSuffix(h, ".localhost") {
		return true
	}
	// Public zones whose every name answers 127.0.0.1: made for local
	// development, they give a fetcher loopback under a name that no
	// address check on the text can see.
	for _, z := range loopbackZones {
		if strings.HasSuffix(h, z) || h == z[1:] {
			return true
		}
	}
	return false
}

// loopbackZones, each with its leading dot.
var loopbackZones = []string{".localtest.me", ".lvh.me", ".vcap.me", ".localho.st", ".lacolhost.com"}

// embeddedIPv4 finds an IPv4 address written into a host name the way
// wildcard DNS services (nip.io, sslip.io, xip.io and their clones)
// read one back: four decimal labels in a row followed by at least two
// more (10.0.0.5.nip.io, app.10.0.0.5.nip.io, app-10.0.0.5.nip.io), or a label that ends in
// four decimal numbers joined by dashes followed by at least two more
// (10-0-0-5.sslip.io, app-10-0-0-5.sslip.io). The name is judged by the
// address it states, not by today's answer: the server resolves it
// again, and the zone's owner chooses that answer.
func embeddedIPv4(h string) (netip.Addr, bool) {
	if !strings.ContainsAny(h, "0123456789") {
		return netip.Addr{}, false
	}
	labels := strings.Split(h, ".")
	for i := 0; i+6 <= len(labels); i++ {
		s := strings.Join(labels[i:i+4], ".")
		// A word and a dash may lead the first number, as services of
		// this kind (ssrf-169.254.169.254.example.pw) also read it.
		if j := strings.LastIndexByte(labels[i], '-'); j >= 0 {
			s = s[j+1:]
		}
		if a, err := netip.ParseAddr(s); err == nil {
			return a, true
		}
	}
	for i := 0; i+3 <= len(labels); i++ {
		l := labels[i]
		if strings.Count(l, "-") < 3 {
			continue
		}
		parts := strings.Split(l, "-")
		if a, err := netip.ParseAddr(strings.Join(parts[len(parts)-4:], ".")); err == nil {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func allowedPrefix(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) || p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

var v4Internal = []struct {
	p   netip.Prefix
	why string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "RFC 1918 private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT shared space (incl. Alibaba metadata 100.100.100.200)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (incl. cloud metadata 169.254.169.254)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "RFC 1918 private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (incl. Oracle metadata 192.0.0.192)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "RFC 1918 private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (incl. broadcast)"},
	{netip.MustParsePrefix("168.63.129.16/32"), "Azure wire server"},
}

var v6Internal = []struct {
	p   netip.Prefix
	why string
}{
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments (incl. Teredo)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
}

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixto4  = netip.MustParsePrefix("2002::/16")
	global6 = netip.MustParsePrefix("2000::/3")
)

// Internal returns why a is not a public unicast address, or "" if it is.
// Addresses that embed an IPv4 address (mapped, compatible, NAT64,
// 6to4) are judged by the address they embed.
func Internal(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid address"
	}
	if a.Zone() != "" {
		return "scoped address"
	}
	if a.Is4In6() {
		if why := Internal(a.Unmap()); why != "" {
			return "IPv4-mapped " + why
		}
		return ""
	}
	if a.Is4() {
		for _, r := range v4Internal {
			if r.p.Contains(a) {
				return r.why
			}
		}
		return ""
	}
	b := a.As16()
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case isZero(b[:12]):
		return "IPv4-compatible (deprecated)"
	case nat64.Contains(a):
		if why := Internal(netip.AddrFrom4([4]byte(b[12:16]))); why != "" {
			return "NAT64 of " + why
		}
		return ""
	case sixto4.Contains(a):
		if why := Internal(netip.AddrFrom4([4]byte(b[2:6]))); why != "" {
			return "6to4 of " + why
		}
		return ""
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast():
		return "multicast"
	case a.IsPrivate():
		return "unique local (incl. AWS metadata fd00:ec2::254)"
	case !global6.Contains(a):
		return "not global unicast (reserved)"
	}
	for _, r := range v6Internal {
		if r.p.Contains(a) {
			return r.why
		}
	}
	return ""
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Pinned is a checked URL bound to one address. Use DialContext as an
// http.Transport's dialer so the fetch connects to exactly that address.
type Pinned struct {
	Host string         // host as it appears in the URL authority (Hostname form)
	Addr netip.AddrPort // the checked address the fetch must reach
	// Dialer performs the connection; zero value is fine.
	Dialer net.Dialer
}

// ErrNotPinned is returned by DialContext for any other destination.
var ErrNotPinned = errors.New("netguard: destination is not the pinned address")

// Pin checks raw and returns the first checked address to dial.
func Pin(ctx context.Context, raw string, opts Options) (*Pinned, Decision) {
	d := CheckURLContext(ctx, raw, opts)
	if !d.Allow {
		return nil, d
	}
	port, _ := strconv.ParseUint(d.Port, 10, 16)
	return &Pinned{Host: d.Host, Addr: netip.AddrPortFrom(d.Addrs[0], uint16(port))}, d
}

// DialContext connects to the pinned address and refuses any other
// destination, so a redirect to another host or a second DNS answer
// cannot move the connection.
func (p *Pinned) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("%w: network %s", ErrNotPinned, network)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPinned, err)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	} else if a, isIP, _ := parseInetAton(host); isIP {
		// http://134744072/ reaches the dialer in its written form.
		host = a.String()
	}
	if host != p.Host && host != p.Addr.Addr().String() || port != strconv.Itoa(int(p.Addr.Port())) {
		return nil, fmt.Errorf("%w: %s", ErrNotPinned, address)
	}
	d := p.Dialer
	want := p.Addr
	d.Control = func(_, addr string, _ syscall.RawConn) error {
		got, err := netip.ParseAddrPort(addr)
		if err != nil || got.Addr().Unmap() != want.Addr().Unmap() || got.Port() != want.Port() {
			return fmt.Errorf("%w: dialing %s", ErrNotPinned, addr)
		}
		return nil
	}
	return d.DialContext(ctx, "tcp", want.String())
}
