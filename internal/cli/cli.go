// Package cli is the mcpwarden command line: one file per subcommand.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries an exit code without printing usage.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if code, ok := sandboxExec(args, stderr); ok {
		return code
	}
	if code, ok := honeypotExec(args, stdin, stdout, stderr); ok {
		return code
	}
	root := &cobra.Command{
		Use:           "mcpwarden",
		Short:         "A security gateway for MCP servers",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(runCmd(), serveCmd(), configCmd(), manifestCmd(), policyCmd(), scanCmd(), redteamCmd(), doctorCmd(), auditCmd(), pinsCmd(), secretCmd(), tokenCmd(), versionCmd())

	if os.Getenv("GOGC") == "" {
		// A relay allocates per message and keeps little: with the default
		// GOGC a small live heap meant a collection every few 64 KiB calls
		// (measured: a quarter of the CPU and twice the added latency).
		debug.SetGCPercent(400)
		if os.Getenv("GOMEMLIMIT") == "" {
			// ...but not without bound: collect harder past 64 MiB of heap.
			debug.SetMemoryLimit(64 << 20)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv("MCPWARDEN_CPUPROFILE"); path != "" {
		// For performance work: a CPU profile of the whole run.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
	}
	if path := os.Getenv("MCPWARDEN_MEMPROFILE"); path != "" {
		// For performance work: where the whole run allocated, written
		// at exit (go tool pprof -sample_index=alloc_space).
		defer func() {
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil && ee.err.Error() != "" {
				fmt.Fprintln(stderr, ee.err)
			}
			return ee.code
		}
		fmt.Fprintln(stderr, "mcpwarden:", err)
		return 2
	}
	return 0
}
