package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/issuer"
)

func tokenCmd() *cobra.Command {
	var file string
	c := &cobra.Command{
		Use:   "token",
		Short: "Issue and revoke the gateway's own short-lived access tokens (auth.issuer: local)",
		Long: `token issues access tokens signed by the gateway's own key, for headless
agents and CI, and revokes them in every replica. The configuration (-c) must
set auth.issuer: local and auth.signing_key (docs/identity.md).`,
	}
	c.PersistentFlags().StringVarP(&file, "config", "c", "", "configuration file (required)")
	load := func() (*config.Config, error) {
		if file == "" {
			return nil, &exitError{code: 2, err: fmt.Errorf("token: -c FILE is required")}
		}
		cfg, err := config.Load(file)
		if err != nil {
			return nil, &exitError{code: 1, err: err}
		}
		if !cfg.Auth.IsLocal() {
			return nil, &exitError{code: 1, err: fmt.Errorf("token: %s: auth.issuer is not local: this gateway does not issue its own tokens", file)}
		}
		return cfg, nil
	}
	fail := func(err error) error { return &exitError{code: 1, err: err} }

	var rotate bool
	var withdraw string
	keygen := &cobra.Command{
		Use:   "keygen [--rotate | --withdraw KID]",
		Short: "Make the issuer's Ed25519 signing key where auth.signing_key says; --rotate replaces it with overlap",
		Long: `keygen makes the issuer's signing key where auth.signing_key says, once: it
never replaces a key. --rotate makes a new signing key and keeps the old one's
public half verifying until every token it signed has expired (15 minutes plus
auth.clock_skew); running gateways pick the new key up on its first token.
--withdraw KID removes a retired key at once (one believed compromised): its
tokens stop verifying within a minute, at once after a reload.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case rotate && withdraw != "":
				return &exitError{code: 2, err: fmt.Errorf("token keygen: --rotate and --withdraw do not go together")}
			case rotate:
				r, err := app.RotateSigningKey(cmd.Context(), cfg, time.Now())
				if err != nil {
					return fail(err)
				}
				fmt.Fprintf(out, "new signing key %s in %s; the previous key %s verifies until %s\n",
					r.New, cfg.Auth.SigningKey, r.Old, r.OldUntil.UTC().Format(time.RFC3339))
			case withdraw != "":
				if err := app.WithdrawSigningKey(cmd.Context(), cfg, withdraw); err != nil {
					return fail(err)
				}
				fmt.Fprintf(out, "withdrew key %s from %s: its tokens stop verifying within a minute (at once after a reload)\n", withdraw, cfg.Auth.SigningKey)
			default:
				kid, err := app.GenerateSigningKey(cfg)
				if err != nil {
					return fail(err)
				}
				fmt.Fprintf(out, "made signing key %s in %s; every replica must read the same key\n", kid, cfg.Auth.SigningKey)
			}
			return nil
		},
	}
	keygen.Flags().BoolVar(&rotate, "rotate", false, "replace the signing key; the old one keeps verifying until its tokens have expired")
	keygen.Flags().StringVar(&withdraw, "withdraw", "", "remove the retired key KID at once (its tokens stop verifying)")

	keys := &cobra.Command{
		Use:   "keys",
		Short: "List the signing key set: the current key and the retired ones still verifying",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			s, err := app.LoadSigningKeys(cmd.Context(), cfg)
			if err != nil {
				return fail(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "current  %s  %s  signs and verifies\n", s.Current.KeyID(), s.Current.Algorithm())
			now := time.Now()
			for _, r := range s.Previous {
				state := "verifies until " + r.NotAfter.UTC().Format(time.RFC3339)
				if !now.Before(r.NotAfter) {
					state = "ended " + r.NotAfter.UTC().Format(time.RFC3339) + " (dropped at the next rotation)"
				}
				fmt.Fprintf(out, "retired  %s  %s  %s\n", r.Key.KeyID, r.Key.Algorithm, state)
			}
			return nil
		},
	}

	var scope, subject string
	var audience []string
	var ttl time.Duration
	issue := &cobra.Command{
		Use:   "issue",
		Short: "Print a signed access token (5 to 15 minutes) with the given scopes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			if err := issuer.CheckTTL(ttl); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("token issue: --ttl: %w", err)}
			}
			if subject == "" {
				if subject, err = defaultSubject(); err != nil {
					return fail(err)
				}
			}
			is, err := app.IssueToken(cmd.Context(), cfg, app.IssueRequest{
				Scopes: strings.Fields(scope), TTL: ttl, Subject: subject, Audience: audience,
			})
			if err != nil {
				return fail(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), is.Token)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s for %s expires %s\n", is.JTI, subject, is.Expiry.UTC().Format(time.RFC3339))
			return nil
		},
	}
	issue.Flags().StringVar(&scope, "scope", "", `scopes, space-separated (e.g. "mcp:read mcp:write"); each must be defined in auth.scopes`)
	issue.Flags().DurationVar(&ttl, "ttl", issuer.DefaultTTL, "lifetime, between 5m and 15m")
	issue.Flags().StringVar(&subject, "subject", "", "the token's sub (default: ci:<user>@<host>)")
	issue.Flags().StringSliceVar(&audience, "audience", nil, "further audiences, each listed in auth.audience (auth.resource is always one)")

	var jti, revokeSubject string
	revoke := &cobra.Command{
		Use:   "revoke (TOKEN | - | --jti ID | --subject SUB)",
		Short: "Revoke a token: its next request is refused by every replica sharing auth.revocation",
		Long: `revoke records a token's id (jti) as revoked until the token expires. TOKEN
is checked first (only a token this gateway accepts is recorded); - reads it
from stdin, which keeps it out of the process list. --jti ID revokes by id
(issuer: local only), for the longest life such a token can have.
--subject SUB revokes every token of that subject issued until now (the
gateway's own issuer only); tokens issued afterwards work.
A revocation also ends the sessions the tokens were used on and revokes
the just-in-time credentials minted for them.
With auth.revocation (redis://…) every replica refuses the token on its next
request; without it the list is a file in this machine's state directory.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := load()
			if err != nil {
				return err
			}
			var token string
			given := len(args)
			for _, f := range []string{jti, revokeSubject} {
				if f != "" {
					given++
				}
			}
			switch {
			case given != 1:
				return &exitError{code: 2, err: fmt.Errorf("token revoke: give one of the token, --jti or --subject")}
			case revokeSubject != "":
				_, until, err := app.RevokeSubject(cmd.Context(), cfg, revokeSubject)
				if err != nil {
					return fail(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked every token of %s issued until now; recorded until %s\n", revokeSubject, until.UTC().Format(time.RFC3339))
				return nil
			case len(args) == 1 && args[0] == "-":
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 64<<10))
				if err != nil {
					return fail(err)
				}
				token = strings.TrimSpace(string(b))
			case len(args) == 1:
				token = args[0]
			}
			id, until, err := app.RevokeToken(cmd.Context(), cfg, token, jti)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s until %s\n", id, until.UTC().Format(time.RFC3339))
			return nil
		},
	}
	revoke.Flags().StringVar(&jti, "jti", "", "the token id to revoke (printed by token issue)")
	revoke.Flags().StringVar(&revokeSubject, "subject", "", "revoke every token of this subject (sub) issued until now")

	c.AddCommand(keygen, keys, issue, revoke)
	return c
}

// defaultSubject names who issued the token when --subject is not given.
func defaultSubject() (string, error) {
	host, _ := os.Hostname()
	user := os.Getenv("USER")
	if user == "" {
		user = fmt.Sprint(os.Getuid())
	}
	return "ci:" + user + "@" + host, nil
}
