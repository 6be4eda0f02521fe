package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/policy"
)

func policyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "Check and test CEL policies"}
	c.AddCommand(&cobra.Command{
		Use:   "test FILE",
		Short: "Run the operator's policy tests: each case's input must get the expected decision",
		Long: `test loads FILE (policy: PATH and cases: [{name, input, expect, rule}]), compiles
the policy and runs every case. It prints one line per case and exits 1 when
any case fails. See docs/manifest.md#policy.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, results, err := policy.RunTests(args[0])
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			failed := 0
			for _, r := range results {
				got := "deny"
				if r.Decision.Allow {
					got = "allow"
				}
				mark := "ok  "
				if !r.Pass {
					mark = "FAIL"
					failed++
				}
				line := fmt.Sprintf("%s %s: %s by %s", mark, r.Case.Name, got, r.Decision.Rule)
				if len(r.Decision.WouldDeny) > 0 {
					line += " (monitor would deny: " + strings.Join(r.Decision.WouldDeny, ", ") + ")"
				}
				if !r.Pass {
					line += fmt.Sprintf("; want %s", r.Case.Expect)
					if r.Case.Rule != "" {
						line += " by " + r.Case.Rule
					}
				}
				if r.Decision.Error != "" {
					line += "; error: " + r.Decision.Error
				}
				fmt.Fprintln(cmd.OutOrStdout(), line)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d rules, %d cases, %d failed\n", p.Source, len(p.Rules), len(results), failed)
			if failed > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	})
	return c
}
