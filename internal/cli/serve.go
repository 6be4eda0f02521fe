package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
)

func serveCmd() *cobra.Command {
	var file, listen, logLevel string
	c := &cobra.Command{
		Use:   "serve [-c FILE] [--listen ADDR] [-- CMD ARGS...]",
		Short: "Serve MCP over HTTP (Streamable HTTP at /mcp, legacy SSE at /sse) in front of upstream servers",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := config.Default()
			if file != "" {
				var err error
				if cfg, err = config.Load(file); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			if len(args) > 0 {
				if cmd.ArgsLenAtDash() != 0 {
					return &exitError{code: 2, err: errors.New("serve: put the server command after --")}
				}
				if file != "" {
					return &exitError{code: 2, err: errors.New("serve: give either -c FILE or -- CMD, not both")}
				}
				cfg.Servers = []config.Server{config.ServerFromCommand(serverName(args[0]), args)}
			}
			if listen != "" {
				cfg.Listen = listen
			}
			if logLevel != "" {
				cfg.Log.Level = logLevel
			}
			if probs := cfg.Validate(); len(probs) > 0 {
				return &exitError{code: 1, err: probs}
			}
			log, flush := app.NewLogger(cmd.ErrOrStderr(), cfg.Log)
			defer flush()
			// Credentials minted for children are revoked before exit.
			defer app.CloseCredentials()
			var reload chan *config.Config
			if file != "" {
				reload = make(chan *config.Config, 1)
				go watchConfig(cmd.Context(), file, listen, cfg, reload, log)
			}
			if err := app.Serve(cmd.Context(), cfg, log, reload); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&file, "config", "c", "", "configuration file")
	c.Flags().StringVar(&listen, "listen", "", "address to listen on (overrides the file's listen)")
	c.Flags().StringVar(&logLevel, "log-level", "", "debug, info, warn or error")
	return c
}

type logger interface {
	Info(string, ...any)
	Error(string, ...any)
}

// watchConfig reloads on SIGHUP and on a change of the file or of a file
// it names (manifests, policy, keys: so that an approved manifest takes
// effect without a restart); an invalid file is reported and the running
// configuration kept.
func watchConfig(ctx context.Context, file, listen string, cfg *config.Config, out chan<- *config.Config, log logger) {
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	watchFile := func(ctx context.Context, f string) {
		if err := config.Watch(ctx, f, 200*time.Millisecond, poke); err != nil && ctx.Err() == nil {
			log.Error("file watch stopped; SIGHUP still reloads", "file", f, "err", err)
		}
	}
	go watchFile(ctx, file)
	// The named files are watched while the configuration that names
	// them runs; a reload that names others moves the watches.
	var named []string
	stop := func() {}
	follow := func(cfg *config.Config) {
		files := namedFiles(cfg)
		if slices.Equal(files, named) {
			return
		}
		stop()
		wctx, cancel := context.WithCancel(ctx)
		for _, f := range files {
			go watchFile(wctx, f)
		}
		named, stop = files, cancel
	}
	defer func() { stop() }()
	follow(cfg)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-changed:
		}
		cfg, err := config.Load(file)
		if err != nil {
			log.Error("configuration not reloaded: keeping the running one", "file", file, "problems", err.Error())
			continue
		}
		if listen != "" {
			cfg.Listen = listen
		}
		follow(cfg)
		select {
		case out <- cfg:
		case <-ctx.Done():
			return
		}
	}
}

// namedFiles lists, sorted, the files a configuration names.
func namedFiles(cfg *config.Config) []string {
	var fs []string
	for _, s := range cfg.Servers {
		fs = append(fs, s.Manifest)
	}
	fs = append(fs, cfg.Policy, cfg.ManifestKey, cfg.Audit.KeyPath())
	fs = slices.DeleteFunc(fs, func(f string) bool { return f == "" })
	slices.Sort(fs)
	return slices.Compact(fs)
}
