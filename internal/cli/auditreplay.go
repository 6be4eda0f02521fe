package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

func auditReplayCmd() *cobra.Command {
	var f storeFlags
	var fl audit.Filter
	var since, until, pubkey, db string
	c := &cobra.Command{
		Use:   "replay [TRACE_ID | RECORD_ID] [--session S] [--trace T] [--subject P] [--since T] [--until T]",
		Short: "Rebuild what happened, record by record: prompt, request, decision, upstream call, effect; each record checked against the chain",
		Long: `replay prints the causal story of a trace, a session, a principal or one
record: the prompt hash and client trace, the MCP request as authorized
(arguments redacted), the decision, the upstream call and response, and the
downstream effects stages reported (for SQL effects, with --db or a
configuration whose server mints PostgreSQL roles, the statement's
normalized text from pg_stat_statements). Every record shown is checked: its hash,
an inclusion proof in the newest signed checkpoint (or, after it, its links
to the records before and after it). A record that fails is shown marked
UNVERIFIED and the command exits with status 1.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			now := time.Now()
			if fl.Since, err = parseWhen(since, now); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--since: %w", err)}
			}
			if fl.Until, err = parseWhen(until, now); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--until: %w", err)}
			}
			if len(args) == 1 {
				switch id := args[0]; {
				case len(id) == 32 && isHex(id):
					fl.TraceID = id
				case len(id) == 24 && isHex(id):
					fl.ID = id
				default:
					return &exitError{code: 2, err: fmt.Errorf("audit replay: %q is neither a trace id (32 hex digits) nor a record id (24)", id)}
				}
			}
			if fl.TraceID == "" && fl.ID == "" && fl.Session == "" && fl.Subject == "" && fl.Since.IsZero() {
				return &exitError{code: 2, err: errors.New("audit replay: say what to replay: a trace or record id, --session, --subject or --since")}
			}
			r, err := f.open()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			defer r.Close()
			var keys []note.Verifier
			if pubkey != "" {
				v, err := audit.ReadVerifierKey(pubkey)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				keys = []note.Verifier{v}
			} else if keys, err = r.StoredVerifiers(cmd.Context()); err != nil {
				return &exitError{code: 1, err: err}
			}
			fl.AfterSeq = -1
			rep, err := r.ReplayRecords(cmd.Context(), fl, keys)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			look, err := newStatementLookup(db, f.config, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			defer look.Close()
			out := cmd.OutOrStdout()
			if f.json {
				writeReplayJSON(cmd.Context(), out, rep, look)
			} else {
				if pubkey == "" {
					fmt.Fprintln(cmd.ErrOrStderr(), "note: checking against the keys recorded in the store; pass --pubkey for an independent check")
				}
				printReplay(cmd.Context(), out, rep, look)
			}
			if !rep.OK {
				return &exitError{code: 1, err: errors.New("audit replay: some records shown failed verification (marked UNVERIFIED); run audit verify")}
			}
			if len(rep.Steps) == 0 {
				return &exitError{code: 1, err: errors.New("audit replay: no record matches")}
			}
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVar(&since, "since", "", "records at or after: RFC 3339 time or a duration ago (e.g. 1h)")
	c.Flags().StringVar(&until, "until", "", "records before: RFC 3339 time or a duration ago")
	c.Flags().StringVar(&fl.Session, "session", "", "session id")
	c.Flags().StringVar(&fl.TraceID, "trace", "", "W3C trace id")
	c.Flags().StringVar(&fl.Subject, "subject", "", "principal subject")
	c.Flags().IntVar(&fl.Limit, "limit", 1000, "at most this many records (0: all)")
	c.Flags().StringVar(&pubkey, "pubkey", "", "public key file (from audit keygen) that checkpoints must be signed with")
	c.Flags().StringVar(&db, "db", "", "PostgreSQL DSN (or secret://NAME) to read SQL effects' normalized statements from pg_stat_statements; default: the server's credentials.postgres.admin_dsn in -c")
	return c
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// writeReplayJSON writes one JSON document: the checks, and each record
// verbatim with how it was verified and, with a database to ask, the
// statements its SQL effects name.
func writeReplayJSON(ctx context.Context, w io.Writer, rep *audit.Replay, look *statementLookup) {
	type step struct {
		Seq        int64           `json:"seq"`
		Proof      string          `json:"proof,omitempty"`
		Problem    string          `json:"problem,omitempty"`
		Record     json.RawMessage `json:"record"`
		Statements []stmtText      `json:"statements,omitempty"`
	}
	doc := struct {
		OK         bool   `json:"ok"`
		Checkpoint int64  `json:"checkpoint"`
		Truncated  bool   `json:"truncated,omitempty"`
		Steps      []step `json:"steps"`
	}{OK: rep.OK, Checkpoint: rep.Checkpoint, Truncated: rep.Truncated, Steps: []step{}}
	for _, s := range rep.Steps {
		raw := json.RawMessage(s.Raw)
		if !json.Valid(raw) {
			raw, _ = json.Marshal(string(s.Raw))
		}
		st := step{Seq: s.Seq, Proof: s.Proof, Problem: s.Problem, Record: raw}
		for _, ef := range s.Entry.Effect {
			if t, ok := look.text(ctx, s.Entry.Server, ef); ok {
				st.Statements = append(st.Statements, t)
			}
		}
		doc.Steps = append(doc.Steps, st)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

func printReplay(ctx context.Context, w io.Writer, rep *audit.Replay, look *statementLookup) {
	bad := 0
	for _, s := range rep.Steps {
		if s.Problem != "" {
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(w, "WARNING: %d of %d records below FAILED verification; what they say cannot be trusted. Run mcpwarden audit verify.\n\n", bad, len(rep.Steps))
	}
	trace := ""
	for _, s := range rep.Steps {
		e := s.Entry
		if e.TraceID != trace {
			trace = e.TraceID
			fmt.Fprintf(w, "trace %s", trace)
			if e.ParentSpanID != "" {
				fmt.Fprintf(w, " (client span %s)", e.ParentSpanID)
			}
			fmt.Fprintln(w)
		}
		mark := "verified: " + s.Proof
		if s.Problem != "" {
			mark = "UNVERIFIED: " + s.Problem
		}
		fmt.Fprintf(w, "  #%d  %s  record %s  [%s]\n", s.Seq, e.Time, e.ID, mark)
		who := e.Subject
		if who == "" {
			who = "(unauthenticated)"
		}
		fmt.Fprintf(w, "    client    %s via %s", who, orDash(e.Transport))
		if e.Session != "" {
			fmt.Fprintf(w, ", session %s", e.Session)
		}
		fmt.Fprintln(w)
		if e.PromptHash != "" {
			fmt.Fprintf(w, "    prompt    %s\n", e.PromptHash)
		}
		target := e.Name
		if e.Server != "" {
			target = e.Server + "/" + e.Name
		}
		fmt.Fprintf(w, "    request   %s %s (rpc id %s)\n", e.Method, strings.TrimSuffix(target, "/"), orDash(e.RPCID))
		if len(e.Args) > 0 {
			fmt.Fprintf(w, "    arguments %s (sha256 %s)\n", e.Args, e.ArgsSHA256)
		}
		switch e.Decision {
		case "allow":
			fmt.Fprintf(w, "    decision  allow (%s)\n", orDash(e.Mode))
		default:
			fmt.Fprintf(w, "    decision  %s by %s (%s): %s\n", e.Decision, orDash(e.Rule), orDash(e.Mode), orDash(e.Reason))
		}
		if e.Decision == "allow" || e.UpstreamNS > 0 {
			fmt.Fprintf(w, "    upstream  %s, %s in the gateway, %s total\n", time.Duration(e.UpstreamNS).Round(time.Microsecond),
				time.Duration(e.GatewayNS).Round(time.Microsecond), time.Duration(e.TotalNS).Round(time.Microsecond))
			resp := fmt.Sprintf("%d bytes", e.ResultBytes)
			if e.ErrorCode != 0 {
				resp += fmt.Sprintf(", error %d", e.ErrorCode)
			}
			fmt.Fprintf(w, "    response  %s\n", resp)
		}
		for _, ef := range e.Effect {
			fmt.Fprintf(w, "    effect    %s\n", describeEffect(ef))
			if t, ok := look.text(ctx, e.Server, ef); ok {
				if t.Text != "" {
					fmt.Fprintf(w, "      statement %s\n", oneLine(t.Text))
				} else {
					fmt.Fprintf(w, "      statement %s\n", t.Unavailable)
				}
			}
		}
	}
	if rep.Truncated {
		fmt.Fprintln(w, "\n(more records match: raise --limit)")
	}
	switch {
	case bad > 0:
		fmt.Fprintf(w, "\nWARNING: %d records FAILED verification.\n", bad)
	case rep.Checkpoint > 0:
		fmt.Fprintf(w, "\n%d records, each verified (signed: inclusion proof in the checkpoint of %d records; chained: after it)\n", len(rep.Steps), rep.Checkpoint)
	default:
		fmt.Fprintf(w, "\n%d records, chained; no signed checkpoint yet\n", len(rep.Steps))
	}
}

func describeEffect(ef audit.EntryEffect) string {
	if ef.Kind == "more" && ef.Rows != nil {
		return fmt.Sprintf("… and %d more", *ef.Rows)
	}
	s := ef.Kind
	if ef.Operation != "" {
		s += " " + ef.Operation
	}
	if ef.Target != "" {
		s += " on " + ef.Target
	}
	if ef.Rows != nil {
		s += fmt.Sprintf(": %d rows", *ef.Rows)
	}
	var more []string
	if ef.Fingerprint != "" {
		more = append(more, "statement "+ef.Fingerprint)
	}
	if ef.Role != "" {
		more = append(more, "as "+ef.Role)
	}
	switch {
	case strings.HasPrefix(ef.Error, attributionNote):
		more = append(more, ef.Error) // a note on the window, not a failure
	case ef.Error != "":
		more = append(more, "failed: "+ef.Error)
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s
}

// attributionNote starts the error member of an effect that is a note on
// how it was attributed (app: "window shared with N concurrent calls").
const attributionNote = "attribution: "

// oneLine folds a statement's text onto one line, for the human output.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
