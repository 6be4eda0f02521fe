package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/config"
)

// storeFlags are shared by every audit subcommand: -c FILE takes the
// store from a configuration, --store URL names it directly.
type storeFlags struct {
	config, store string
	json          bool
}

func (f *storeFlags) add(c *cobra.Command) {
	c.Flags().StringVarP(&f.config, "config", "c", "", "configuration file whose audit.store to read")
	c.Flags().StringVar(&f.store, "store", "", "store URL (sqlite:PATH, or postgres:DSN / postgres:secret://NAME); default: the configured store, else mcpwarden run's default")
	c.Flags().BoolVar(&f.json, "json", false, "machine-readable output")
}

func (f *storeFlags) location() (audit.Location, error) {
	url := f.store
	// A postgres:secret://NAME store is read from the secrets backend:
	// the configuration's with -c, else the default file store.
	var secrets config.Secrets
	if f.config != "" {
		cfg, err := config.Load(f.config)
		if err != nil {
			return audit.Location{}, err
		}
		secrets = cfg.Secrets
		if url == "" {
			url = cfg.Audit.Store
			if url == "" {
				return audit.Location{}, fmt.Errorf("%s has no audit.store", f.config)
			}
		}
	}
	if url == "" {
		var err error
		if url, err = app.DefaultAuditStore(); err != nil {
			return audit.Location{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return app.ResolveAuditLocation(ctx, url, secrets)
}

func (f *storeFlags) open() (*audit.Reader, error) {
	loc, err := f.location()
	if err != nil {
		return nil, err
	}
	if js := audit.StrandedJournals(loc); len(js) > 0 {
		fmt.Fprintf(os.Stderr, "note: %d journal file(s) beside the store hold records a stopped gateway acknowledged that are not in the database yet; the next start of a gateway on this store adds them (%s)\n", len(js), js[0])
	}
	return audit.OpenReader(loc)
}

func auditCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the tamper-evident audit trail (docs/audit.md)",
	}
	c.AddCommand(auditKeygenCmd(), auditVerifyCmd(), auditTailCmd(), auditQueryCmd(), auditExportCmd(), auditReplayCmd(), auditPGSchemaCmd())
	return c
}

// chooseAuditStore gives mcpwarden run its store: --audit, else the
// configured one, else a file in the state directory.
func chooseAuditStore(cfg *config.Config, flag string) error {
	switch {
	case flag != "":
		if _, err := audit.ParseLocation(flag); err != nil {
			return fmt.Errorf("run: --audit: %w", err)
		}
		cfg.Audit.Store = flag
	case cfg.Audit.Store == "":
		url, err := app.DefaultAuditStore()
		if err != nil {
			return fmt.Errorf("run: %w; pass --audit sqlite:PATH or --audit off", err)
		}
		cfg.Audit.Store = url
	}
	return nil
}

func auditPGSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pg-schema [SCHEMA]",
		Short: "Print the SQL that makes a PostgreSQL audit chain's tables and triggers, for an administrator to run as their owner",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			schema := audit.DefaultPGSchema
			if len(args) == 1 {
				schema = args[0]
			}
			ddl, err := audit.PGSchemaSQL(schema)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "BEGIN;%sCOMMIT;\n", ddl)
			return nil
		},
	}
}

func auditKeygenCmd() *cobra.Command {
	var name string
	c := &cobra.Command{
		Use:   "keygen FILE",
		Short: "Make an Ed25519 key that signs checkpoints: FILE (private, 0600) and FILE.pub",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vkey, err := audit.GenerateKey(args[0], name)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s and %s.pub\npublic key: %s\n", args[0], args[0], vkey)
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", audit.DefaultKeyName, "key name shown in signatures")
	return c
}

func auditVerifyCmd() *cobra.Command {
	var f storeFlags
	var pubkey, bundle string
	c := &cobra.Command{
		Use:   "verify [-c FILE | --store URL | --bundle FILE] [--pubkey FILE]",
		Short: "Check the hash chain, the Merkle tree and every checkpoint signature; name the first bad record",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var keys []note.Verifier
			if pubkey != "" {
				v, err := audit.ReadVerifierKey(pubkey)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				keys = append(keys, v)
			}
			var src audit.Source
			var from string
			if bundle != "" {
				if pubkey == "" {
					return &exitError{code: 2, err: errors.New("audit verify: --bundle needs --pubkey")}
				}
				b, err := audit.OpenBundle(bundle)
				if err != nil {
					return &exitError{code: 1, err: err}
				}
				src, from = b, bundle
			} else {
				r, err := f.open()
				if err != nil {
					return &exitError{code: 1, err: err}
				}
				defer r.Close()
				if pubkey == "" {
					stored, err := r.StoredVerifiers(cmd.Context())
					if err != nil {
						return &exitError{code: 1, err: err}
					}
					keys = stored
					fmt.Fprintln(cmd.ErrOrStderr(), "note: checking signatures with the keys recorded in the store; pass --pubkey for an independent check")
				}
				src, from = r, "store"
			}
			rep, err := audit.Verify(cmd.Context(), src, keys)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			out := cmd.OutOrStdout()
			if f.json {
				json.NewEncoder(out).Encode(rep)
			} else {
				printReport(out, from, rep)
			}
			if !rep.OK {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVar(&pubkey, "pubkey", "", "public key file (from audit keygen) to check checkpoint signatures with")
	c.Flags().StringVar(&bundle, "bundle", "", "verify an exported bundle offline instead of a store")
	return c
}

func printReport(w io.Writer, from string, r *audit.Report) {
	if r.OK {
		fmt.Fprintf(w, "OK: %d records in one chain; %d checkpoints verified; %d records signed, %d after the last checkpoint\n",
			r.Records, r.Checkpoints, r.Signed, r.Unsigned)
		if r.Root != "" {
			fmt.Fprintf(w, "tree root: %s\n", r.Root)
		}
		return
	}
	fmt.Fprintf(w, "FAILED (%s): %d records read, %d checkpoints verified\n", from, r.Records, r.Checkpoints)
	if r.FirstBad != nil {
		fmt.Fprintf(w, "first bad record: %s\n", r.FirstBad)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
}

func filterFlags(c *cobra.Command, fl *audit.Filter, since, until *string) {
	c.Flags().StringVar(since, "since", "", "records at or after: RFC 3339 time or a duration ago (e.g. 1h)")
	c.Flags().StringVar(until, "until", "", "records before: RFC 3339 time or a duration ago")
	c.Flags().StringVar(&fl.Server, "server", "", "upstream server")
	c.Flags().StringVar(&fl.Tool, "tool", "", "tool, prompt or resource name")
	c.Flags().StringVar(&fl.Decision, "decision", "", "allow, deny or error")
	c.Flags().StringVar(&fl.Session, "session", "", "session id")
	c.Flags().StringVar(&fl.TraceID, "trace", "", "W3C trace id")
	c.Flags().StringVar(&fl.Subject, "subject", "", "principal subject")
}

func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
	}
	return t, nil
}

func auditQueryCmd() *cobra.Command {
	var f storeFlags
	var fl audit.Filter
	var since, until string
	c := &cobra.Command{
		Use:   "query [filters]",
		Short: "Print the records that match the filters, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			now := time.Now()
			if fl.Since, err = parseWhen(since, now); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--since: %w", err)}
			}
			if fl.Until, err = parseWhen(until, now); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--until: %w", err)}
			}
			r, err := f.open()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			defer r.Close()
			fl.AfterSeq = -1
			p := newPrinter(cmd.OutOrStdout(), f.json)
			defer p.flush()
			if err := r.Query(cmd.Context(), fl, p.print); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	f.add(c)
	filterFlags(c, &fl, &since, &until)
	c.Flags().IntVar(&fl.Limit, "limit", 0, "at most this many records (0: all)")
	return c
}

func auditTailCmd() *cobra.Command {
	var f storeFlags
	var n int
	var follow bool
	c := &cobra.Command{
		Use:   "tail [-n N] [-f]",
		Short: "Print the newest records; -f keeps printing new ones",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := f.open()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			defer r.Close()
			p := newPrinter(cmd.OutOrStdout(), f.json)
			last := int64(-1)
			print := func(seq int64, data []byte) error { last = seq; return p.print(seq, data) }
			if err := r.Query(cmd.Context(), audit.Filter{AfterSeq: -1, Limit: n, Last: true}, print); err != nil {
				return &exitError{code: 1, err: err}
			}
			p.flush()
			for follow {
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(500 * time.Millisecond):
				}
				if err := r.Query(cmd.Context(), audit.Filter{AfterSeq: last}, print); err != nil {
					return &exitError{code: 1, err: err}
				}
				p.flush()
			}
			return nil
		},
	}
	f.add(c)
	c.Flags().IntVarP(&n, "lines", "n", 20, "how many records")
	c.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing records as they are written")
	return c
}

func auditExportCmd() *cobra.Command {
	var f storeFlags
	var out string
	c := &cobra.Command{
		Use:   "export -o FILE",
		Short: "Write every signed record and checkpoint to a bundle that audit verify --bundle checks offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := f.open()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			defer r.Close()
			w := cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return &exitError{code: 1, err: err}
				}
				w = file
			}
			n, err := r.Export(cmd.Context(), w)
			if file != nil {
				if cerr := file.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if file != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "exported %d records to %s\n", n, out)
			}
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVarP(&out, "output", "o", "-", "bundle file (- for standard output)")
	return c
}

// printer writes records as a table or as JSON Lines.
type printer struct {
	w    io.Writer
	tw   *tabwriter.Writer
	json bool
	head bool
}

func newPrinter(w io.Writer, js bool) *printer {
	return &printer{w: w, json: js, tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

func (p *printer) print(seq int64, data []byte) error {
	if p.json {
		_, err := fmt.Fprintf(p.w, "%s\n", data)
		return err
	}
	e, err := audit.ParseEntry(data)
	if err != nil {
		return err
	}
	if !p.head {
		p.head = true
		fmt.Fprintln(p.tw, "SEQ\tTIME\tDECISION\tMETHOD\tTARGET\tRULE\tTOTAL\tTRACE\tID")
	}
	target := e.Name
	if e.Server != "" {
		target = e.Server + "/" + e.Name
	}
	rule := e.Rule
	if rule == "" {
		rule = "-"
	}
	fmt.Fprintf(p.tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", seq, e.Time, e.Decision, e.Method,
		strings.TrimSuffix(target, "/"), rule, time.Duration(e.TotalNS).Round(time.Microsecond), e.TraceID, e.ID)
	return nil
}

func (p *printer) flush() { p.tw.Flush(); p.head = false }
