package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/pinstore"
)

// defaultPins is run's trust-on-first-use pin file.
func defaultPins() (string, error) {
	d, err := app.StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "pins.json"), nil
}

// choosePins resolves run's --pins flag: "off", a path, or the default.
func choosePins(flag string) (string, error) {
	switch flag {
	case "off":
		return "", nil
	case "":
		p, err := defaultPins()
		if err != nil {
			return "", fmt.Errorf("run: %w; pass --pins PATH or --pins off", err)
		}
		return p, nil
	}
	return filepath.Abs(flag)
}

func pinsCmd() *cobra.Command {
	var path string
	c := &cobra.Command{
		Use:   "pins",
		Short: "List and approve the trust-on-first-use pins of servers run without a manifest",
		Long: `mcpwarden run pins the tool definitions and instructions a server without a
manifest serves the first time; a definition that changes later is held (hidden and refused)
until approved here. SERVER is the key shown by "pins list" (the server's name and command).`,
	}
	c.PersistentFlags().StringVar(&path, "pins", "", "pin file (default: $XDG_STATE_HOME/mcpwarden/pins.json)")
	open := func() (*pinstore.Store, error) {
		p, err := choosePins(path)
		if err != nil || p == "" {
			return nil, &exitError{code: 2, err: errors.Join(err, errors.New("pins: no pin file"))}
		}
		s, err := pinstore.Open(p)
		if err != nil {
			return nil, &exitError{code: 1, err: err}
		}
		return s, nil
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "Show every pinned item, and the changes waiting for approval",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := open()
			if err != nil {
				return err
			}
			all, err := s.All()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if asJSON {
				e := json.NewEncoder(cmd.OutOrStdout())
				e.SetIndent("", "  ")
				return e.Encode(all)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SERVER\tITEM\tSTATE\tPIN")
			servers := slices.Sorted(func(yield func(string) bool) {
				for k := range all {
					if !yield(k) {
						return
					}
				}
			})
			for _, srv := range servers {
				items := all[srv]
				names := make([]string, 0, len(items))
				for n := range items {
					names = append(names, n)
				}
				slices.Sort(names)
				for _, n := range names {
					e := items[n]
					state := "pinned"
					if e.Pending != "" {
						state = "CHANGED, held: served " + short(e.Pending)
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", srv, n, state, short(e.Pin))
				}
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	// onItem builds a SERVER [ITEM] command over the store.
	onItem := func(use, short string, fn func(cmd *cobra.Command, s *pinstore.Store, server, item string) error) *cobra.Command {
		return &cobra.Command{Use: use + " SERVER [ITEM]", Short: short, Args: cobra.RangeArgs(1, 2),
			RunE: func(cmd *cobra.Command, args []string) error {
				s, err := open()
				if err != nil {
					return err
				}
				item := ""
				if len(args) == 2 {
					item = args[1]
				}
				return fn(cmd, s, args[0], item)
			}}
	}
	approve := onItem("approve", "Accept the changed definition of ITEM (or of every held item of SERVER)",
		func(cmd *cobra.Command, s *pinstore.Store, server, item string) error {
			done, err := s.Approve(server, item)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if len(done) == 0 {
				return &exitError{code: 1, err: fmt.Errorf("pins approve: nothing of %q is waiting for approval", server)}
			}
			for _, n := range done {
				fmt.Fprintf(cmd.OutOrStdout(), "approved %s %s\n", server, n)
			}
			return nil
		})
	forget := onItem("forget", "Remove the pins of SERVER (or of one ITEM): the next definitions seen are trusted",
		func(_ *cobra.Command, s *pinstore.Store, server, item string) error {
			ok, err := s.Forget(server, item)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if !ok {
				return &exitError{code: 1, err: fmt.Errorf("pins forget: no pins for %q", server)}
			}
			return nil
		})
	c.AddCommand(list, approve, forget)
	return c
}

// short abbreviates a pin for a table.
func short(p string) string {
	if len(p) > 19 {
		return p[:19] + "…"
	}
	return p
}
