package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
)

func configCmd() *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Work with configuration files"}
	var file string
	validate := &cobra.Command{
		Use:   "validate -c FILE",
		Short: "Check a configuration file and report every problem at once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return &exitError{code: 2, err: errors.New("config validate: -c FILE is required")}
			}
			cfg, err := config.Load(file)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			// The files it names (manifests, keys, policy) must load too:
			// serve refuses the configuration otherwise.
			if err := app.CheckFiles(cfg); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%s: %w", file, err)}
			}
			// Every secret:// value must be readable, as the servers that
			// use them would not start otherwise.
			if err := app.CheckSecrets(cmd.Context(), cfg); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("%s: %w", file, err)}
			}
			// The local issuer's key too: serve does not start without it.
			if cfg.Auth.IsLocal() {
				if _, err := app.LoadSigningKey(cmd.Context(), cfg); err != nil {
					return &exitError{code: 1, err: fmt.Errorf("%s: auth.signing_key: %w", file, err)}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d servers)\n", file, len(cfg.Servers))
			return nil
		},
	}
	validate.Flags().StringVarP(&file, "config", "c", "", "configuration file")
	c.AddCommand(validate)
	return c
}
