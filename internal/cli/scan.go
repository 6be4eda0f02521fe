package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/poison"
)

// scanReport is one finding of `mcpwarden scan`, as JSON.
type scanReport struct {
	Server string `json:"server"`
	Kind   string `json:"kind"` // tool, prompt, resource, instructions, server
	Name   string `json:"name,omitempty"`
	Rule   string `json:"rule"`
	Where  string `json:"where,omitempty"`
	Detail string `json:"detail"`
}

func scanCmd() *cobra.Command {
	var file string
	var asJSON bool
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "scan -c FILE [--json] [SERVER...]",
		Short: "Scan what configured servers serve for tool poisoning",
		Long: `scan connects to each configured server (or the ones named), lists its tools,
prompts, resources and instructions, and reports what the poisoning scanner
flags (docs/manifest.md#tool-poisoning-scanner). It exits 1 when anything is
flagged or a server cannot be reached.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return &exitError{code: 2, err: errors.New("scan: -c FILE is required")}
			}
			cfg, err := config.Load(file)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			var servers []config.Server
			if len(args) == 0 {
				servers = cfg.Servers
			}
			for _, a := range args {
				s, ok := cfg.Server(a)
				if !ok {
					return &exitError{code: 1, err: fmt.Errorf("scan: no server %q in %s", a, file)}
				}
				servers = append(servers, *s)
			}
			reports := []scanReport{}
			owner := map[string]string{} // tool name → first server serving it
			var allNames []string
			var allDefs []json.RawMessage
			for _, s := range servers {
				srv, err := fetchServed(cmd.Context(), s, timeout)
				if err != nil {
					reports = append(reports, scanReport{Server: s.Name, Kind: "server", Rule: "scan.unreachable", Detail: err.Error()})
					continue
				}
				defs := func(kind, key string, list []json.RawMessage) {
					for _, d := range list {
						var m map[string]any
						_ = json.Unmarshal(d, &m)
						name, _ := m[key].(string)
						for _, f := range poison.Definition(d) {
							reports = append(reports, scanReport{Server: s.Name, Kind: kind, Name: name, Rule: f.Rule, Where: f.Where, Detail: f.Detail})
						}
					}
				}
				defs("tool", "name", srv.Tools)
				var names []string
				for _, d := range srv.Tools {
					var m struct{ Name string }
					_ = json.Unmarshal(d, &m)
					names = append(names, m.Name)
					if _, ok := owner[m.Name]; !ok {
						owner[m.Name] = s.Name
						allNames = append(allNames, m.Name)
					}
				}
				for _, f := range poison.Names(names) {
					reports = append(reports, scanReport{Server: s.Name, Kind: "tool", Name: f.Where, Rule: f.Rule, Detail: f.Detail})
				}
				allDefs = append(allDefs, srv.Tools...)
				defs("prompt", "name", srv.PromptDefs)
				defs("resource", "uri", srv.ResourceDefs)
				for _, f := range poison.Text("", srv.Instructions) {
					reports = append(reports, scanReport{Server: s.Name, Kind: "instructions", Rule: f.Rule, Detail: f.Detail})
				}
			}
			// Shadowing is judged over every tool the model may see at once.
			for _, f := range poison.Shadowing(allDefs) {
				reports = append(reports, scanReport{Server: owner[f.Where], Kind: "tool", Name: f.Where, Rule: f.Rule, Detail: f.Detail})
			}
			// Across servers: one server's tool imitating another's.
			if len(servers) > 1 {
				for _, f := range poison.Names(allNames) {
					if strings.Contains(f.Detail, "looks like") {
						reports = append(reports, scanReport{Server: owner[f.Where], Kind: "tool", Name: f.Where, Rule: f.Rule, Detail: f.Detail + " (across servers)"})
					}
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(reports); err != nil {
					return err
				}
			} else {
				for _, r := range reports {
					name := r.Kind
					if r.Name != "" {
						name += fmt.Sprintf(" %q", r.Name)
					}
					where := ""
					if r.Where != "" {
						where = " at " + r.Where
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %s: %s%s: %s\n", r.Server, name, r.Rule, where, r.Detail)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d servers scanned, %d findings\n", len(servers), len(reports))
			}
			if len(reports) > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&file, "config", "c", "", "configuration file")
	c.Flags().BoolVar(&asJSON, "json", false, "print the findings as a JSON array")
	c.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "time allowed per server")
	return c
}
