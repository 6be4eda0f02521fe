package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/mcpwarden/mcpwarden/internal/app"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/secretstore"
)

func secretCmd() *cobra.Command {
	var file, store, keyFile string
	var keyFromEnv bool
	c := &cobra.Command{
		Use:   "secret",
		Short: "Keep the gateway's own secrets in the encrypted store (config refers to them as secret://NAME)",
		Long: `secret manages the local encrypted store that secret://NAME values in the
configuration are read from. The store and its key default to secrets.enc and
secrets.key in $XDG_STATE_HOME/mcpwarden (made on the first set); -c FILE
takes them from the file's secrets section instead.`,
	}
	c.PersistentFlags().StringVarP(&file, "config", "c", "", "configuration file whose secrets section names the store")
	c.PersistentFlags().StringVar(&store, "store", "", "store file (default: secrets.file, else $XDG_STATE_HOME/mcpwarden/secrets.enc)")
	c.PersistentFlags().StringVar(&keyFile, "key-file", "", "key file (default: secrets.key_file, else secrets.key beside the default store)")
	c.PersistentFlags().BoolVar(&keyFromEnv, "key-from-env", false, "take the key from "+secretstore.KeyEnv+" (base64 of 32 bytes) instead of a file")
	open := func(create bool) (*secretstore.File, error) {
		sc := config.Secrets{}
		if file != "" {
			cfg, err := config.Load(file)
			if err != nil {
				return nil, err
			}
			sc = cfg.Secrets
		}
		if store != "" {
			sc.File = store
		}
		if keyFile != "" {
			sc.KeyFile = keyFile
		}
		sc.KeyFromEnv = sc.KeyFromEnv || keyFromEnv
		f, created, err := app.OpenSecretFile(sc, create)
		if err != nil {
			return nil, err
		}
		if created {
			_, key, _ := app.SecretPaths(sc)
			fmt.Fprintf(os.Stderr, "made a new secret store key: %s (back it up; without it the store cannot be read)\n", key)
		}
		return f, nil
	}
	fail := func(err error) error { return &exitError{code: 1, err: fmt.Errorf("secret: %w", err)} }

	set := &cobra.Command{
		Use:   "set NAME",
		Short: "Store a secret; the value is read from stdin, never from the command line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := secretstore.CheckName(args[0]); err != nil {
				return &exitError{code: 2, err: err}
			}
			value, err := readSecretValue(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return fail(err)
			}
			if value == "" {
				return fail(errors.New("empty value: pipe the value on stdin, e.g. mcpwarden secret set NAME < file"))
			}
			f, err := open(true)
			if err != nil {
				return fail(err)
			}
			if err := f.Set(args[0], value); err != nil {
				return fail(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stored %s; refer to it as secret://%s\n", args[0], args[0])
			return nil
		},
	}
	get := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a secret's value",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := open(false)
			if err != nil {
				return fail(err)
			}
			v, err := f.Get(cmd.Context(), args[0])
			if err != nil {
				return fail(fmt.Errorf("%s: %w", args[0], err))
			}
			fmt.Fprintln(cmd.OutOrStdout(), v)
			return nil
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the names of the stored secrets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := open(false)
			if err != nil {
				return fail(err)
			}
			names, err := f.List()
			if err != nil {
				return fail(err)
			}
			for _, n := range names {
				fmt.Fprintln(cmd.OutOrStdout(), n)
			}
			return nil
		},
	}
	rm := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a secret",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := open(false)
			if err != nil {
				return fail(err)
			}
			if err := f.Delete(args[0]); err != nil {
				return fail(fmt.Errorf("%s: %w", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", args[0])
			return nil
		},
	}
	c.AddCommand(set, get, list, rm)
	return c
}

// readSecretValue reads the value from stdin: from a terminal one line
// with echo off, otherwise everything up to the limit, one trailing line
// break removed (echo "x" | ... and files ending in a newline mean "x").
func readSecretValue(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok {
		if t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			fmt.Fprint(prompt, "value (not echoed): ")
			noEcho := *t
			noEcho.Lflag &^= unix.ECHO
			if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, &noEcho); err != nil {
				return "", err
			}
			defer func() {
				_ = unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t)
				fmt.Fprintln(prompt)
			}()
			line, err := bufio.NewReader(io.LimitReader(f, secretstore.MaxValue+2)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return "", err
			}
			return strings.TrimRight(line, "\r\n"), nil
		}
	}
	data, err := io.ReadAll(io.LimitReader(in, secretstore.MaxValue+2))
	if err != nil {
		return "", err
	}
	if len(data) > secretstore.MaxValue+1 {
		return "", fmt.Errorf("value is larger than %d bytes", secretstore.MaxValue)
	}
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, nil
}
