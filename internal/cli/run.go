package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
)

func runCmd() *cobra.Command {
	var auditURL string
	var file, logLevel, manifestFile, pinsFile, sandboxProfile string
	var writable, allowNet, allowDegraded []string
	c := &cobra.Command{
		Use:   "run [-c FILE] -- CMD [ARGS...]",
		Short: "Wrap one stdio MCP server: speak MCP on stdin/stdout and relay to CMD",
		Long: `run starts CMD as the upstream MCP server and speaks MCP on its own stdin and
stdout, so a client that launched CMD can launch "mcpwarden run -- CMD" instead.
Logs and one audit line per exchange go to stderr.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := config.Default()
			if file != "" {
				var err error
				if cfg, err = config.Load(file); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			if logLevel != "" {
				cfg.Log.Level = logLevel
			}
			if cmd.ArgsLenAtDash() != 0 {
				return &exitError{code: 2, err: errors.New("run: put the server command after --, as in: mcpwarden run -- CMD ARGS")}
			}
			server := config.ServerFromCommand(serverName(args[0]), args)
			if manifestFile != "" {
				abs, err := filepath.Abs(manifestFile)
				if err != nil {
					return &exitError{code: 1, err: err}
				}
				server.Manifest = abs
			}
			if err := sandboxFlags(&server.Sandbox, sandboxProfile, writable, allowNet, allowDegraded); err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := chooseAuditStore(cfg, auditURL); err != nil {
				return &exitError{code: 2, err: err}
			}
			if server.Manifest == "" {
				p, err := choosePins(pinsFile)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				cfg.PinStore = p
			}
			cfg.Servers = []config.Server{server}
			if probs := cfg.Validate(); len(probs) > 0 {
				return &exitError{code: 1, err: probs}
			}
			log, flush := app.NewLogger(cmd.ErrOrStderr(), cfg.Log)
			defer flush()
			// Credentials minted for children are revoked before exit.
			defer app.CloseCredentials()
			if err := app.Run(cmd.Context(), cfg, server, cmd.InOrStdin(), cmd.OutOrStdout(), log); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&file, "config", "c", "", "configuration file (log and limits; servers are ignored)")
	c.Flags().StringVar(&logLevel, "log-level", "", "debug, info, warn or error")
	c.Flags().StringVar(&auditURL, "audit", "", "audit store: sqlite:PATH or off (default: the config's audit.store, else $XDG_STATE_HOME/mcpwarden/audit.db)")
	c.Flags().StringVar(&pinsFile, "pins", "", "without --manifest: trust-on-first-use pin file, or off (nothing pinned; what looks poisoned is still held) (default: $XDG_STATE_HOME/mcpwarden/pins.json)")
	c.Flags().StringVar(&manifestFile, "manifest", "", "capability manifest for CMD (docs/manifest.md): only what it declares is listed and callable")
	c.Flags().StringVar(&sandboxProfile, "sandbox", "", "sandbox profile for CMD: strict (default), node, python, custom, or off (docs/sandbox.md)")
	c.Flags().StringArrayVar(&writable, "writable", nil, "directory CMD may write inside the sandbox (repeatable)")
	c.Flags().StringArrayVar(&allowNet, "allow-net", nil, "domain CMD may reach through the egress proxy (repeatable)")
	c.Flags().StringArrayVar(&allowDegraded, "allow-degraded", nil, "sandbox feature CMD may start without when this machine lacks it (repeatable)")
	return c
}

// serverName derives a server name from a command for logs.
func serverName(cmd string) string {
	base := filepath.Base(cmd)
	out := make([]byte, 0, len(base))
	for i := 0; i < len(base) && len(out) < 32; i++ {
		ch := base[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9' && len(out) > 0:
			out = append(out, ch)
		case ch >= 'A' && ch <= 'Z':
			out = append(out, ch+'a'-'A')
		case len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	for len(out) > 0 && out[len(out)-1] == '-' {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return "server"
	}
	return string(out)
}

// sandboxFlags applies run's sandbox flags to sb. Relative directories
// are taken from the current directory.
func sandboxFlags(sb *config.Sandbox, profile string, writable, allowNet, degraded []string) error {
	if profile == "off" {
		if len(writable)+len(allowNet)+len(degraded) > 0 {
			return errors.New("run: --sandbox off excludes --writable, --allow-net and --allow-degraded")
		}
		sb.Off = true
		return nil
	}
	sb.Profile = profile
	for _, w := range writable {
		abs, err := filepath.Abs(w)
		if err != nil {
			return fmt.Errorf("run: --writable %s: %w", w, err)
		}
		sb.Writable = append(sb.Writable, abs)
	}
	sb.AllowNet = allowNet
	sb.AllowDegraded = degraded
	return nil
}
