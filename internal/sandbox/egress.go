package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

// The egress path of a server with network.allow: inside the sandbox a
// forwarder listens on 127.0.0.1:EgressPort and relays every connection to
// a Unix socket bound in from the gateway, where an HTTP CONNECT proxy
// admits only the allowed names and refuses internal addresses. The
// server finds the proxy in HTTPS_PROXY and HTTP_PROXY.
const (
	EgressPort   = 3128
	egressSocket = "/run/mcpwarden/egress.sock"
	controlLine  = "MCPWARDEN-CONTROL"
)

// AllowPrivateEnv, set to 1 in the gateway's environment, lets the proxy
// reach loopback and private addresses: for tests with local servers only.
const AllowPrivateEnv = "MCPWARDEN_EGRESS_ALLOW_PRIVATE"

// allowRule is one network.allow entry: a domain (and its subdomains) on
// ports 80 and 443, or on the one port written as domain:port.
type allowRule struct {
	domain string
	port   int // 0: 80 and 443
}

func parseAllow(list []string) ([]allowRule, error) {
	var rules []allowRule
	for _, a := range list {
		r := allowRule{domain: strings.ToLower(strings.TrimSuffix(a, "."))}
		if h, p, err := net.SplitHostPort(a); err == nil {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("sandbox: network.allow %q: bad port", a)
			}
			r.domain, r.port = strings.ToLower(h), n
		}
		if r.domain == "" {
			return nil, fmt.Errorf("sandbox: network.allow %q: empty name", a)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func allowed(rules []allowRule, host string, port int) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, r := range rules {
		if host != r.domain && !strings.HasSuffix(host, "."+r.domain) {
			continue
		}
		if r.port == port || r.port == 0 && (port == 443 || port == 80) {
			return true
		}
	}
	return false
}

// publicAddr is the SSRF check: only globally routable unicast addresses.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 internals
	netip.MustParsePrefix("2002::/16"),    // 6to4 likewise
}

// egress is one server's proxy. It ends when the sandbox's forwarder,
// which holds a control connection for the sandbox's lifetime, goes away.
type egress struct {
	dir   string
	ln    net.Listener
	rules []allowRule
	log   *slog.Logger
	priv  bool
	once  sync.Once
}

// startEgress listens on a fresh socket and serves until the sandbox
// ends (or, if it never connects, a minute).
func startEgress(allow []string, log *slog.Logger) (*egress, error) {
	rules, err := parseAllow(allow)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mcpwarden-egress-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: egress: %w", err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "egress.sock"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("sandbox: egress: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	e := &egress{dir: dir, ln: ln, rules: rules, log: log, priv: os.Getenv(AllowPrivateEnv) == "1"}
	go e.serve()
	return e, nil
}

func (e *egress) socket() string { return filepath.Join(e.dir, "egress.sock") }

func (e *egress) close() {
	e.once.Do(func() {
		e.ln.Close()
		os.RemoveAll(e.dir)
	})
}

func (e *egress) serve() {
	controlled := make(chan struct{})
	go func() {
		select {
		case <-controlled:
		case <-time.After(time.Minute):
			e.close() // the sandbox never came up
		}
	}()
	var once sync.Once
	for {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			if e.handle(c) {
				once.Do(func() { close(controlled) })
				// The control connection stays open while the sandbox lives.
				io.Copy(io.Discard, c)
				c.Close()
				e.close()
			}
		}()
	}
}

// handle serves one connection; it reports whether it was the control
// connection.
func (e *egress) handle(c net.Conn) bool {
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	peek, err := br.Peek(len(controlLine))
	if err == nil && string(peek) == controlLine {
		c.SetReadDeadline(time.Time{})
		return true
	}
	defer c.Close()
	req, err := http.ReadRequest(br)
	if err != nil {
		return false
	}
	c.SetReadDeadline(time.Time{})
	refuse := func(code int, why string) {
		e.log.Warn("sandbox egress refused", "target", req.Host, "reason", why)
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", code, http.StatusText(code))
	}
	if req.Method != http.MethodConnect {
		refuse(http.StatusMethodNotAllowed, "only CONNECT is served")
		return false
	}
	host, portS, err := net.SplitHostPort(req.Host)
	port, _ := strconv.Atoi(portS)
	if err != nil || port == 0 {
		refuse(http.StatusBadRequest, "bad target")
		return false
	}
	if !allowed(e.rules, host, port) {
		refuse(http.StatusForbidden, "not in network.allow")
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		refuse(http.StatusBadGateway, "name does not resolve")
		return false
	}
	var up net.Conn
	for _, a := range addrs {
		if !e.priv && !publicAddr(a) {
			err = errors.New("internal address " + a.String())
			continue
		}
		// Dial the address that was checked, never the name again.
		var d net.Dialer
		up, err = d.DialContext(ctx, "tcp", netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			break
		}
	}
	if up == nil {
		refuse(http.StatusForbidden, fmt.Sprint(err))
		return false
	}
	defer up.Close()
	e.log.Info("sandbox egress", "target", req.Host, "addr", up.RemoteAddr().String())
	io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n")
	relay(c, br, up)
	return false
}

// forward is the in-sandbox relay: 127.0.0.1:EgressPort → the bound
// socket. It holds the control connection that keeps the proxy alive.
func forward(sock string) error {
	ctl, err := net.Dial("unix", sock)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(ctl, controlLine+"\n"); err != nil {
		return err
	}
	// Nothing reads ctl again: keep the collector from closing it.
	defer runtime.KeepAlive(ctl)
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(EgressPort))
	if err != nil {
		return err
	}
	// From here on the relay only accepts and connects to the socket it
	// already reached: no file access, no new TCP binds or connects, the
	// seccomp deny-list. Landlock leaves connecting to a bound Unix
	// socket alone at the ABIs used.
	if v, err := ll.LandlockGetABIVersion(); err == nil && v >= 1 {
		if err := landlock.V7.BestEffort().Restrict(); err != nil {
			return fmt.Errorf("landlock: %w", err)
		}
	}
	if seccomp.Supported() {
		if err := seccomp.LoadFilter(seccompFilter()); err != nil {
			return fmt.Errorf("seccomp: %w", err)
		}
	}
	os.Stdout.WriteString("ready\n")
	os.Stdout.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("unix", sock)
			if err != nil {
				return
			}
			defer u.Close()
			relay(c, c, u)
		}()
	}
}

type closeWriter interface{ CloseWrite() error }

// relay copies both ways between a (read through ar) and b, passing each
// end-of-stream on as a half close, until both directions are done.
func relay(a net.Conn, ar io.Reader, b net.Conn) {
	done := make(chan struct{}, 2)
	half := func(dst net.Conn, src io.Reader) {
		io.Copy(dst, src)
		if cw, ok := dst.(closeWriter); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
		done <- struct{}{}
	}
	go half(b, ar)
	go half(a, b)
	<-done
	<-done
}
