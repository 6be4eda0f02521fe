package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/pin"
	"github.com/mcpwarden/mcpwarden/internal/secrets"
)

func manifestCmd() *cobra.Command {
	c := &cobra.Command{Use: "manifest", Short: "Draft, compare and approve capability manifests"}
	c.AddCommand(manifestInitCmd(), manifestDiffCmd(), manifestApproveCmd(), manifestCheckCmd(),
		manifestKeygenCmd(), manifestSignCmd(), manifestVerifyCmd())
	return c
}

// serverFlags are the flags that name a configured server.
type serverFlags struct {
	file, server, out string
	timeout           time.Duration
}

func (f *serverFlags) add(c *cobra.Command) {
	c.Flags().StringVarP(&f.file, "config", "c", "", "configuration file")
	c.Flags().DurationVar(&f.timeout, "timeout", 30*time.Second, "time allowed to reach the server and list what it serves")
}

func (f *serverFlags) load(name string) (*config.Config, *config.Server, error) {
	if f.file == "" {
		return nil, nil, &exitError{code: 2, err: errors.New("manifest: -c FILE is required")}
	}
	cfg, err := config.Load(f.file)
	if err != nil {
		return nil, nil, &exitError{code: 1, err: err}
	}
	s, ok := cfg.Server(name)
	if !ok {
		return nil, nil, &exitError{code: 1, err: fmt.Errorf("manifest: no server %q in %s", name, f.file)}
	}
	return cfg, s, nil
}

func manifestInitCmd() *cobra.Command {
	var f serverFlags
	c := &cobra.Command{
		Use:   "init -c FILE --server NAME [-o MANIFEST]",
		Short: "Connect to a configured server and write a draft manifest of what it serves",
		Long: `init connects to the server as its config entry says, lists its tools, prompts,
resources and resource templates, and writes a draft manifest: every tool's
input schema copied as its argument schema, its definition pinned, its risk
class guessed from annotations and name, and every entry marked for review.
Without -o the draft goes to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.server == "" {
				return &exitError{code: 2, err: errors.New("manifest init: --server NAME is required")}
			}
			_, s, err := f.load(f.server)
			if err != nil {
				return err
			}
			srv, err := fetchServed(cmd.Context(), *s, f.timeout)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			srv.Roots = commandRoots(s.Command)
			draft, err := manifest.Draft(s.Name, srv)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if f.out == "" {
				_, err = cmd.OutOrStdout().Write(draft)
				return err
			}
			if err := writeFileAtomic(f.out, draft); err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: draft with %d tools, %d prompts, %d resources; review it before use\n",
				f.out, len(srv.Tools), len(srv.Prompts), len(srv.Resources))
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVar(&f.server, "server", "", "server name in the configuration")
	c.Flags().StringVarP(&f.out, "output", "o", "", "write the draft to this file instead of standard output")
	return c
}

func manifestDiffCmd() *cobra.Command {
	var f serverFlags
	c := &cobra.Command{
		Use:   "diff -c FILE SERVER",
		Short: "Show how what a server serves now differs from its manifest",
		Long: `diff lists tools, prompts and resources the server serves but the manifest
does not declare (+), declared ones it no longer serves (-), and tools whose
definition no longer matches the pin (~, quarantined by the gateway). It
exits 1 when there is any difference.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, s, err := f.load(args[0])
			if err != nil {
				return err
			}
			if s.Manifest == "" {
				return &exitError{code: 1, err: fmt.Errorf("manifest diff: server %q has no manifest in %s", s.Name, f.file)}
			}
			m, err := manifest.Load(s.Manifest)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			srv, err := fetchServed(cmd.Context(), *s, f.timeout)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			changes := manifest.Diff(m, srv)
			for _, ch := range changes {
				fmt.Fprintln(cmd.OutOrStdout(), ch)
			}
			if len(changes) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s: %d differences", s.Manifest, len(changes))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: matches what %s serves\n", s.Manifest, s.Name)
			return nil
		},
	}
	f.add(c)
	return c
}

func manifestApproveCmd() *cobra.Command {
	var f serverFlags
	c := &cobra.Command{
		Use:   "approve -c FILE SERVER TOOL",
		Short: "Pin a tool's current definition in the server's manifest",
		Long: `approve fetches TOOL's definition from SERVER as it is served now and writes
its hash as the tool's pin in the server's manifest. The gateway picks the
new pin up (and lifts the quarantine) when it loads the configuration again:
on a restart, or when the configuration file changes under mcpwarden serve.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, s, err := f.load(args[0])
			if err != nil {
				return err
			}
			if s.Manifest == "" {
				return &exitError{code: 1, err: fmt.Errorf("manifest approve: server %q has no manifest in %s", s.Name, f.file)}
			}
			data, err := os.ReadFile(s.Manifest)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			m, err := manifest.Parse(s.Manifest, data)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if _, ok := m.Tool(args[1]); !ok {
				return &exitError{code: 1, err: fmt.Errorf("manifest approve: tool %q is not declared in %s", args[1], s.Manifest)}
			}
			srv, err := fetchServed(cmd.Context(), *s, f.timeout)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			var def json.RawMessage
			for _, d := range srv.Tools {
				var t struct{ Name string }
				if json.Unmarshal(d, &t) == nil && t.Name == args[1] {
					def = d
				}
			}
			if def == nil {
				return &exitError{code: 1, err: fmt.Errorf("manifest approve: %s does not serve tool %q", s.Name, args[1])}
			}
			h, err := pin.Hash(def)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			out, err := manifest.SetPin(data, args[1], h)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if _, err := manifest.Parse(s.Manifest, out); err != nil {
				return &exitError{code: 1, err: err}
			}
			if err := writeFileAtomic(s.Manifest, out); err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s pinned at %s\n", s.Manifest, args[1], h)
			return nil
		},
	}
	f.add(c)
	return c
}

func manifestCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check MANIFEST...",
		Short: "Check manifest files and report every problem",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := false
			for _, a := range args {
				m, err := manifest.Load(a)
				if err == nil {
					err = intercept.CheckGuards(m)
				}
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", a, err)
					bad = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d tools, %d prompts, %d resource patterns)\n", a, len(m.Tools), len(m.Prompts), len(m.Resources))
			}
			if bad {
				return &exitError{code: 1}
			}
			return nil
		},
	}
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if fi, err := os.Stat(path); err == nil {
		_ = os.Chmod(tmp.Name(), fi.Mode().Perm())
	} else {
		_ = os.Chmod(tmp.Name(), 0o644)
	}
	return os.Rename(tmp.Name(), path)
}

// fetchServed connects to s with the go-sdk client and lists everything
// it serves. Definitions are kept as the server sent them (the raw
// result bytes), so their pins are the ones the gateway computes.
func fetchServed(ctx context.Context, s config.Server, timeout time.Duration) (manifest.Served, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var t mcp.Transport
	hc := &http.Client{Transport: headerTransport{h: s.Headers}}
	stderr := &tailWriter{max: 2048}
	switch s.Transport {
	case "stdio":
		cmd := exec.CommandContext(ctx, s.Command[0], s.Command[1:]...)
		cmd.Dir = s.Cwd
		cmd.Env = os.Environ()
		for k, v := range s.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stderr = stderr // quoted when the server fails
		t = &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}
	case "sse":
		t = &mcp.SSEClientTransport{Endpoint: s.URL, HTTPClient: hc}
	default:
		t = &mcp.StreamableClientTransport{Endpoint: s.URL, HTTPClient: hc, DisableStandaloneSSE: true}
	}
	ct := &captureTransport{inner: t, methods: map[string]string{}}
	client := mcp.NewClient(&mcp.Implementation{Name: "mcpwarden-manifest", Version: "1"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		return manifest.Served{}, fmt.Errorf("manifest: connect to %s: %w%s", s.Name, err, stderr.quote())
	}
	defer cs.Close()
	caps := cs.InitializeResult().Capabilities
	if caps.Tools != nil {
		for _, err := range cs.Tools(ctx, nil) {
			if err != nil {
				return manifest.Served{}, fmt.Errorf("manifest: tools/list on %s: %w", s.Name, err)
			}
		}
	}
	if caps.Prompts != nil {
		for _, err := range cs.Prompts(ctx, nil) {
			if err != nil {
				return manifest.Served{}, fmt.Errorf("manifest: prompts/list on %s: %w", s.Name, err)
			}
		}
	}
	if caps.Resources != nil {
		for _, err := range cs.Resources(ctx, nil) {
			if err != nil {
				return manifest.Served{}, fmt.Errorf("manifest: resources/list on %s: %w", s.Name, err)
			}
		}
		for _, err := range cs.ResourceTemplates(ctx, nil) {
			// Templates are optional: a server with resources but no
			// templates may not know the method at all.
			if we, ok := errors.AsType[*jsonrpc.Error](err); ok && we.Code == jsonrpc.CodeMethodNotFound {
				break
			}
			if err != nil {
				return manifest.Served{}, fmt.Errorf("manifest: resources/templates/list on %s: %w", s.Name, err)
			}
		}
	}
	srv, err := ct.served()
	srv.Instructions = cs.InitializeResult().Instructions
	return srv, err
}

type headerTransport struct{ h map[string]string }

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(t.h) > 0 {
		r = r.Clone(r.Context())
		for k, v := range t.h {
			r.Header.Set(k, v)
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// captureTransport keeps the raw result of every list the client makes.
type captureTransport struct {
	inner   mcp.Transport
	mu      sync.Mutex
	methods map[string]string // request id → method
	results []capturedResult
}

type capturedResult struct {
	method string
	result json.RawMessage
}

func (c *captureTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &captureConn{Connection: conn, c: c}, nil
}

type captureConn struct {
	mcp.Connection
	c *captureTransport
}

func idKey(id jsonrpc.ID) string { return fmt.Sprint(id.Raw()) }

func (cc *captureConn) Write(ctx context.Context, m jsonrpc.Message) error {
	if r, ok := m.(*jsonrpc.Request); ok && r.IsCall() {
		cc.c.mu.Lock()
		cc.c.methods[idKey(r.ID)] = r.Method
		cc.c.mu.Unlock()
	}
	return cc.Connection.Write(ctx, m)
}

func (cc *captureConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := cc.Connection.Read(ctx)
	if r, ok := m.(*jsonrpc.Response); ok && err == nil && r.Error == nil {
		cc.c.mu.Lock()
		if method, ok := cc.c.methods[idKey(r.ID)]; ok {
			cc.c.results = append(cc.c.results, capturedResult{method, append(json.RawMessage(nil), r.Result...)})
		}
		cc.c.mu.Unlock()
	}
	return m, err
}

func (c *captureTransport) served() (manifest.Served, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var srv manifest.Served
	for _, r := range c.results {
		var res struct {
			Tools     []json.RawMessage `json:"tools"`
			Prompts   []json.RawMessage `json:"prompts"`
			Resources []json.RawMessage `json:"resources"`
			Templates []json.RawMessage `json:"resourceTemplates"`
		}
		member := func(def json.RawMessage, key string) string {
			var m map[string]any
			_ = json.Unmarshal(def, &m)
			s, _ := m[key].(string)
			return s
		}
		if err := json.Unmarshal(r.result, &res); err != nil {
			return srv, fmt.Errorf("manifest: %s result: %w", r.method, err)
		}
		switch r.method {
		case "tools/list":
			srv.Tools = append(srv.Tools, res.Tools...)
		case "prompts/list":
			for _, p := range res.Prompts {
				srv.Prompts = append(srv.Prompts, member(p, "name"))
			}
			srv.PromptDefs = append(srv.PromptDefs, res.Prompts...)
		case "resources/list":
			for _, x := range res.Resources {
				srv.Resources = append(srv.Resources, member(x, "uri"))
			}
			srv.ResourceDefs = append(srv.ResourceDefs, res.Resources...)
		case "resources/templates/list":
			for _, x := range res.Templates {
				srv.Resources = append(srv.Resources, member(x, "uriTemplate"))
			}
			srv.ResourceDefs = append(srv.ResourceDefs, res.Templates...)
		}
	}
	return srv, nil
}

func manifestKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen KEYFILE",
		Short: "Write a new Ed25519 signing key to KEYFILE and its public key to KEYFILE.pub",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, pub, err := manifest.GenerateKey()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if _, err := f.Write(priv); err != nil {
				f.Close()
				return &exitError{code: 1, err: err}
			}
			if err := f.Close(); err != nil {
				return &exitError{code: 1, err: err}
			}
			if err := os.WriteFile(args[0]+".pub", pub, 0o644); err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "private key %s, public key %s.pub (set manifest_key to it)\n", args[0], args[0])
			return nil
		},
	}
}

func manifestSignCmd() *cobra.Command {
	var key string
	c := &cobra.Command{
		Use:   "sign --key KEYFILE MANIFEST...",
		Short: "Sign manifests with an Ed25519 key (writes MANIFEST.sig)",
		Long: `sign checks each manifest, then writes MANIFEST.sig beside it: the Ed25519
signature of the file's exact bytes. Any later edit, even of a comment,
needs a new signature.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return &exitError{code: 2, err: errors.New("manifest sign: --key KEYFILE is required")}
			}
			kb, err := os.ReadFile(key)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			sk, err := manifest.ParsePrivateKey(kb)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			for _, a := range args {
				data, err := os.ReadFile(a)
				if err != nil {
					return &exitError{code: 1, err: err}
				}
				if _, err := manifest.Parse(a, data); err != nil {
					return &exitError{code: 1, err: err}
				}
				if err := writeFileAtomic(manifest.SigPath(a), manifest.Sign(sk, data)); err != nil {
					return &exitError{code: 1, err: err}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: signed (%s)\n", a, manifest.SigPath(a))
			}
			return nil
		},
	}
	c.Flags().StringVar(&key, "key", "", "Ed25519 private key (PEM, from manifest keygen)")
	return c
}

func manifestVerifyCmd() *cobra.Command {
	var key string
	c := &cobra.Command{
		Use:   "verify --key PUBFILE MANIFEST...",
		Short: "Verify manifests against their MANIFEST.sig and an Ed25519 public key",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return &exitError{code: 2, err: errors.New("manifest verify: --key PUBFILE is required")}
			}
			kb, err := os.ReadFile(key)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			pk, err := manifest.ParsePublicKey(kb)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			bad := false
			for _, a := range args {
				if _, err := manifest.LoadWith(a, manifest.LoadOptions{Key: pk, RequireSigned: true}); err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: signature ok\n", a)
			}
			if bad {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	c.Flags().StringVar(&key, "key", "", "Ed25519 public key (PEM, KEYFILE.pub from manifest keygen)")
	return c
}

// tailWriter keeps the last max bytes written to it: a stdio server's
// stderr, which says why it stopped.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
	cut bool // the start was dropped: the first line is a piece
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if over := len(w.b) - w.max; over > 0 {
		w.b, w.cut = append(w.b[:0], w.b[over:]...), true
	}
	return len(p), nil
}

// quote returns what the server wrote to stderr, as a suffix for an
// error, or "" if it wrote nothing.
func (w *tailWriter) quote() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := string(w.b)
	if w.cut {
		// A piece of a line may be a piece of a secret, which the
		// redaction below would no longer recognise.
		_, t, _ = strings.Cut(t, "\n")
	}
	t = strings.TrimSpace(t)
	if t == "" {
		return ""
	}
	t, _ = secrets.Redact(t) // a server may print its own credentials
	return "\nthe server wrote to stderr:\n" + t
}

// commandRoots returns the absolute paths of existing directories among a
// stdio server's arguments (a file server's command names what it
// serves): the roots a drafted path guard proposes.
func commandRoots(command []string) []string {
	var roots []string
	for _, a := range command[min(1, len(command)):] {
		if !filepath.IsAbs(a) {
			continue
		}
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			roots = append(roots, filepath.Clean(a))
		}
	}
	return roots
}
