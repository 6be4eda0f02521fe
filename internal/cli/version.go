package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
)

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "mcpwarden %s %s/%s %s\n", app.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
			return nil
		},
	}
}
