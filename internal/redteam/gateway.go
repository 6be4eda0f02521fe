package redteam

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Transports the gateway under test can be reached by.
const (
	TransportStdio = "stdio" // mcpwarden run, the client speaks on its stdin/stdout
	TransportHTTP  = "http"  // mcpwarden serve, Streamable HTTP on a loopback port
)

// gateway is one running gateway in front of one honeypot.
type gateway struct {
	transport mcp.Transport
	stderr    *lockedBuffer
	// stop ends the gateway (after the client session is closed) and
	// waits for its log to be complete.
	stop func()
}

// honeypotFiles are the honeypot's files for one case file.
type honeypotFiles struct{ manifest, spec, control, record string }

func (h honeypotFiles) command(bin string) []string {
	return []string{bin, HoneypotArg, "--spec", h.spec, "--control", h.control, "--record", h.record}
}

// startGateway starts the gateway under test as o says.
func startGateway(ctx context.Context, dir string, h honeypotFiles, o Options) (*gateway, error) {
	switch o.Transport {
	case "", TransportStdio:
		return startRun(h, o), nil
	case TransportHTTP:
		return startServe(ctx, dir, h, o)
	}
	return nil, fmt.Errorf("unknown transport %q", o.Transport)
}

// startRun wraps the honeypot with `mcpwarden run`; the SDK's command
// transport starts it when the client connects.
func startRun(h honeypotFiles, o Options) *gateway {
	args := []string{"run", "--manifest", h.manifest, "--audit", "off", "--sandbox", "off", "--log-level", "info"}
	if o.Config != "" {
		args = append(args, "-c", o.Config)
	}
	args = append(append(args, "--"), h.command(o.Gateway)...)
	cmd := exec.Command(o.Gateway, args...)
	g := &gateway{stderr: &lockedBuffer{}}
	cmd.Stderr = g.stderr
	g.transport = &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}
	// Closing the session closes the gateway's stdin and waits for it.
	g.stop = func() {}
	return g
}

// startServe fronts the honeypot with `mcpwarden serve` on a free
// loopback port and waits until it is ready.
func startServe(ctx context.Context, dir string, h honeypotFiles, o Options) (*gateway, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("redteam: %w", err)
	}
	var cmdline []string
	for _, a := range h.command(o.Gateway) {
		cmdline = append(cmdline, strconv.Quote(a))
	}
	cfg := fmt.Sprintf("listen: %s\nlog: {level: info}\naudit: {store: \"off\"}\nservers:\n  honeypot:\n    command: [%s]\n    manifest: %s\n    sandbox: \"off\"\n",
		addr, strings.Join(cmdline, ", "), strconv.Quote(h.manifest))
	cfgPath := filepath.Join(dir, "mcpwarden.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, fmt.Errorf("redteam: %w", err)
	}
	cmd := exec.Command(o.Gateway, "serve", "-c", cfgPath)
	g := &gateway{stderr: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = g.stderr, g.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redteam: starting mcpwarden serve: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	g.stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("redteam: mcpwarden serve exited:\n%s", tail(g.stderr.String(), 2000))
		case <-ctx.Done():
			g.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.stop()
			return nil, fmt.Errorf("redteam: mcpwarden serve not ready after 20 s:\n%s", tail(g.stderr.String(), 2000))
		}
	}
	g.transport = &mcp.StreamableClientTransport{Endpoint: base + "/mcp"}
	return g, nil
}

// freeAddr finds a free loopback port (the gateway binds it a moment
// later; another process taking it in between makes the start fail,
// loudly).
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
