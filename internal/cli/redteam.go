package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/redteam"
)

// honeypotExec runs the hidden honeypot MCP server that `redteam` puts
// behind the gateway under test. Like the sandbox helper it bypasses
// cobra: one binary, no flags of ours.
func honeypotExec(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, bool) {
	if len(args) == 0 || args[0] != redteam.HoneypotArg {
		return 0, false
	}
	return redteam.Honeypot(args[1:], stdin, stdout, stderr), true
}

func redteamCmd() *cobra.Command {
	var cases, categories []string
	var jsonOut, junitOut, cfg, gateway, maxFP, logOut, transport, protocol string
	var noBuiltin, verbose bool
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "redteam [flags]",
		Short: "Run attacks and benign look-alikes through the gateway and report what it stopped",
		Long: `redteam starts this gateway ("mcpwarden run") in front of a honeypot MCP
server once per case file, sends every case through a real MCP client, and
judges from what the client saw and what reached the honeypot whether each
attack was stopped and each benign look-alike let through unaltered.

It prints a table per category and exits 1 when any attack was not detected
or benign cases were refused above --max-false-positive-rate. See
docs/redteam.md for the case format.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			limit, err := parseRate(maxFP)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			var files []*redteam.File
			if !noBuiltin {
				if files, err = redteam.Builtin(); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if len(cases) > 0 {
				more, err := redteam.Load(cases)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				files = append(files, more...)
			}
			if len(categories) > 0 {
				files = slices.DeleteFunc(files, func(f *redteam.File) bool { return !slices.Contains(categories, f.Category) })
			}
			if len(files) == 0 {
				return &exitError{code: 2, err: errors.New("redteam: no cases to run")}
			}
			for _, f := range files {
				for _, n := range f.Notes() {
					fmt.Fprintln(cmd.ErrOrStderr(), "redteam: note:", n)
				}
			}
			o := redteam.Options{Gateway: gateway, Config: cfg, CallTimeout: timeout, Transport: transport, Protocol: protocol}
			if verbose {
				o.Progress = cmd.ErrOrStderr()
			}
			if logOut != "" {
				lf, err := os.Create(logOut)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("redteam: %w", err)}
				}
				defer lf.Close()
				o.GatewayLog = lf
			}
			rep, err := redteam.Run(cmd.Context(), files, o)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			rep.WriteTable(cmd.OutOrStdout(), verbose)
			if jsonOut != "" {
				if err := writeReport(jsonOut, rep.WriteJSON); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if junitOut != "" {
				if err := writeReport(junitOut, rep.WriteJUnit); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if why := rep.Failed(limit); len(why) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("redteam: FAIL: %s", strings.Join(why, "; "))}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "redteam: PASS")
			return nil
		},
	}
	f := c.Flags()
	f.StringArrayVar(&cases, "cases", nil, "case file or directory of case files to run besides the built-in corpus (repeatable)")
	f.BoolVar(&noBuiltin, "no-builtin", false, "run only the --cases files")
	f.StringArrayVar(&categories, "category", nil, "run only this category (repeatable)")
	f.StringVar(&jsonOut, "json", "", "write the full report as JSON to FILE")
	f.StringVar(&junitOut, "junit", "", "write a JUnit XML report to FILE")
	f.StringVar(&maxFP, "max-false-positive-rate", "2%", "highest share of benign cases that may be refused (2% or 0.02)")
	f.StringVarP(&cfg, "config", "c", "", "configuration file for the gateway under test (log and limits; as run -c)")
	f.StringVar(&logOut, "gateway-log", "", "write the log of every gateway started (exchange records included) to FILE")
	f.StringVar(&transport, "transport", "stdio", "how the client reaches the gateway: stdio (mcpwarden run) or http (mcpwarden serve, Streamable HTTP)")
	f.StringVar(&protocol, "protocol", redteam.ProtocolLegacy, "MCP version the client asks for: "+redteam.ProtocolLegacy+" or "+redteam.ProtocolModern)
	f.StringVar(&gateway, "gateway", "", "mcpwarden binary to test (default: this one)")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "time limit for each request")
	f.BoolVarP(&verbose, "verbose", "v", false, "list every case, not only those that failed, and show progress")
	return c
}

// parseRate reads "2%" as 0.02 and a bare number as a fraction.
func parseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err == nil && pct {
		v /= 100
	}
	if err != nil || !(v >= 0 && v <= 1) { // NaN fails both comparisons
		return 0, fmt.Errorf("redteam: --max-false-positive-rate %q: give a percentage (2%%) or a fraction (0.02)", s)
	}
	return v, nil
}

func writeReport(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("redteam: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("redteam: %s: %w", path, err)
	}
	return f.Close()
}
