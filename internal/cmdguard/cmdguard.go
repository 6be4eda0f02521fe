// Package cmdguard decides whether a command line is one plain invocation of an
// allowed program. It parses with a real shell parser (mvdan.cc/sh/v3/syntax)
// and judges the literal argv the shell would build, so quoting tricks such as
// c'a't or \c\a\t are seen as "cat", while metacharacters inside quotes are
// plain data. It is a pure engine: strings in, a Decision out.
//
// Scope. The guard admits one simple command and returns its argv, which the
// caller should execute without a shell. It does not resolve paths against
// the file system (that is pathguard's job), does not judge network
// destinations (netguard), and only names the credential files it knows.
// Rules that cannot be decided exactly err towards denial and are listed with
// their false positives:
//   - awk programs containing system, |, >, getline or ENVIRON are denied,
//     so awk '$1 > 5' is refused;
//   - git -C is denied everywhere, so git log -C (copy detection) is
//     refused, and so is -c but before the subcommand with a key that only
//     changes output (color.*, advice.*, user.name ...); rsync and ssh deny
//     whole short-option letters in clusters; curl and wget read clusters
//     as getopt does and allow their output option only for standard
//     output or a relative path without .. or dot-names;
//   - npm, pnpm and yarn install only what the project names, with
//     --ignore-scripts (a git dependency's prepare script still runs, as
//     make runs the project's Makefile);
//   - package runners (npx, bunx, uvx, uv tool run, pipx run) run a
//     package from the registry by name, so a typosquatted name passes;
//     one from a URL, git, GitHub shorthand (user/repo), a path or
//     tarball, a direct reference or another index is refused;
//   - cluster and cloud CLIs: kubectl exec, attach and debug are refused
//     like wrappers (the pod's sh -c), and so are --kubeconfig (its
//     exec plugin runs a program), kubectl get secret with any output
//     format but wide or name, helm --post-renderer and plugin install,
//     aws configure of a credential_process, and aws --endpoint-url to
//     anything but this machine (a LocalStack URL passes);
//   - make's command-line variables SHELL, .SHELLFLAGS and MAKESHELL, a
//     value holding $(shell …), $(file …), $(eval …) and a makefile read
//     from standard input are refused;
//   - containers (docker, podman) are refused the host: privileged mode,
//     capabilities, devices, host namespaces and bind mounts of system
//     directories, whole homes or a runtime socket;
//   - wrappers (env, xargs, sudo, busybox ...) are denied even when they
//     would run an allowed program; timeout, nice and nohup are judged by the
//     command they wrap, but only in their plain forms (exact options, no
//     abbreviations or clusters), and a program list must name them too;
//   - pagers: less, more and man are allowed, because an MCP tool has no
//     terminal for the interactive ! escape; their options that run
//     commands (man -P/--pager/-H, less +!cmd, --lesskey-*) are denied. An
//     operator who gives a tool a terminal should leave them off the
//     allow-list;
//   - remote commands (ssh host cmd) run on the remote side and are not
//     judged.
package cmdguard

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// MaxLen bounds the input; longer command lines are denied before parsing.
const MaxLen = 64 << 10

// Rule ids reported in Decision.Rule.
const (
	RuleParse        = "cmd.parse"
	RuleEmpty        = "cmd.empty"
	RuleTooLong      = "cmd.too-long"
	RuleControl      = "cmd.control-char"
	RuleComment      = "cmd.comment"
	RuleList         = "cmd.list"
	RulePipe         = "cmd.pipe"
	RuleBackground   = "cmd.background"
	RuleNegated      = "cmd.negated"
	RuleCompound     = "cmd.compound"
	RuleRedirect     = "cmd.redirect"
	RuleAssign       = "cmd.assign"
	RuleSubstitution = "cmd.substitution"
	RuleIFS          = "cmd.ifs"
	RuleExpansion    = "cmd.expansion"
	RuleANSIQuote    = "cmd.ansi-c-quote"
	RuleGlob         = "cmd.glob"
	RuleBrace        = "cmd.brace-expansion"
	RuleProgram      = "cmd.program"
	RuleInterpreter  = "cmd.interpreter-code"
	RuleWrapper      = "cmd.wrapper"
	RuleArgInjection = "cmd.arg-injection"
	RuleDeniedFlag   = "cmd.denied-flag"
	RuleCredential   = "cmd.credential-file"
)

// Options tunes Check. The zero value is the strict setting: no parameter
// expansion, no globs, any program name (subject to every other rule).
type Options struct {
	// Programs, when non-empty, is the allow-list of programs. An entry
	// without a slash matches a command word without a slash by name; an
	// entry with a slash must equal the command word exactly, so "ls" does
	// not admit "./ls" or "/tmp/x/ls".
	Programs []string
	// DeniedFlags maps a program name (base name of the command word) to
	// flags it may not receive. "--name" matches --name, --name=value and
	// getopt_long abbreviations (--nam); "-x" matches any single-dash
	// cluster that contains x (-x, -ax, -xvalue), which errs towards denial.
	DeniedFlags map[string][]string
	// AllowExpansion admits simple $NAME / ${NAME} references in arguments
	// (never in the command word, never $IFS, never with operators). Argv
	// then carries them unexpanded; the caller decides what they mean.
	// Default (false) is the brief's NoExpansion=true.
	AllowExpansion bool
	// AllowGlobs admits unquoted * ? [ in arguments. Argv carries them
	// unexpanded. Credential-file checks still match the pattern.
	AllowGlobs bool
}

// Decision is the verdict. Argv is set only when Allow is true.
type Decision struct {
	Allow  bool
	Rule   string
	Reason string
	Argv   []string
}

func deny(rule, format string, a ...any) Decision {
	return Decision{Rule: rule, Reason: fmt.Sprintf(format, a...)}
}

// Check parses cmdline as a bash command line and allows it only if it is one
// simple command that passes every rule.
func Check(cmdline string, opts Options) Decision {
	if len(cmdline) > MaxLen {
		return deny(RuleTooLong, "command line longer than %d bytes", MaxLen)
	}
	for _, r := range cmdline {
		if r == 0 || r == '\r' || r == 0x7f || (r < 0x20 && r != '\t' && r != '\n') {
			return deny(RuleControl, "control character %U in command line", r)
		}
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true))
	f, err := p.Parse(strings.NewReader(cmdline), "")
	if err != nil {
		return deny(RuleParse, "not a valid shell command line")
	}
	if len(f.Last) > 0 {
		return deny(RuleComment, "shell comment")
	}
	switch len(f.Stmts) {
	case 0:
		return deny(RuleEmpty, "no command")
	case 1:
	default:
		return deny(RuleList, "more than one command (; or newline)")
	}
	st := f.Stmts[0]
	switch {
	case len(st.Comments) > 0:
		return deny(RuleComment, "shell comment")
	case st.Background, st.Coprocess, st.Disown:
		return deny(RuleBackground, "background or coprocess (&)")
	case st.Semicolon.IsValid():
		// A trailing ; is harmless to bash but is still a list operator;
		// an MCP client has no reason to send one.
		return deny(RuleList, "command terminator (;)")
	case st.Negated:
		return deny(RuleNegated, "negated command (!)")
	case len(st.Redirs) > 0:
		return deny(RuleRedirect, "redirection (%s)", st.Redirs[0].Op)
	}
	var call *syntax.CallExpr
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		call = c
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			return deny(RulePipe, "pipeline (%s)", c.Op)
		}
		return deny(RuleList, "command list (%s)", c.Op)
	case *syntax.Subshell:
		return deny(RuleCompound, "subshell")
	case nil:
		return deny(RuleEmpty, "no command")
	default:
		return deny(RuleCompound, "compound command or keyword")
	}
	if len(call.Assigns) > 0 {
		return deny(RuleAssign, "variable assignment prefix")
	}
	if len(call.Args) == 0 {
		return deny(RuleEmpty, "no command")
	}
	argv := make([]string, 0, len(call.Args))
	var globbed []bool // per argument: holds an unquoted glob pattern
	for i, w := range call.Args {
		s, g, d, ok := literal(w, i == 0, opts)
		if !ok {
			return d
		}
		argv = append(argv, s)
		if g {
			if globbed == nil {
				globbed = make([]bool, len(call.Args))
			}
			globbed[i] = true
		}
	}
	if argv[0] == "" {
		return deny(RuleEmpty, "empty command word")
	}
	if d, ok := judge(argv, globbed, opts); !ok {
		return d
	}
	return Decision{Allow: true, Rule: "cmd.allow", Reason: "one simple command", Argv: argv}
}

// literal returns the value the shell would give w, or a denial when that
// value is not fixed by the text (substitutions, expansions, globs).
func literal(w *syntax.Word, cmdWord bool, opts Options) (string, bool, Decision, bool) {
	var b strings.Builder
	braceOpen, globbed := false, false
	for _, part := range w.Parts {
		switch x := part.(type) {
		case *syntax.Lit:
			if d, ok := unquoted(&b, x.Value, cmdWord, opts, &braceOpen, &globbed); !ok {
				return "", false, d, false
			}
		case *syntax.SglQuoted:
			if x.Dollar {
				return "", false, deny(RuleANSIQuote, "ANSI-C $'...' quoting"), false
			}
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			if x.Dollar {
				return "", false, deny(RuleANSIQuote, "locale $\"...\" quoting"), false
			}
			for _, in := range x.Parts {
				switch y := in.(type) {
				case *syntax.Lit:
					b.WriteString(unescapeDouble(y.Value))
				case *syntax.ParamExp:
					if d, ok := param(&b, y, cmdWord, opts); !ok {
						return "", false, d, false
					}
				default:
					return "", false, denyPart(in), false
				}
			}
		case *syntax.ParamExp:
			if d, ok := param(&b, x, cmdWord, opts); !ok {
				return "", false, d, false
			}
		default:
			return "", false, denyPart(part), false
		}
	}
	return b.String(), globbed, Decision{}, true
}

func denyPart(part syntax.WordPart) Decision {
	switch part.(type) {
	case *syntax.CmdSubst:
		return deny(RuleSubstitution, "command substitution")
	case *syntax.ProcSubst:
		return deny(RuleSubstitution, "process substitution")
	case *syntax.ArithmExp:
		return deny(RuleExpansion, "arithmetic expansion")
	case *syntax.ExtGlob:
		return deny(RuleGlob, "extended glob")
	case *syntax.BraceExp:
		return deny(RuleBrace, "brace expansion")
	}
	return deny(RuleExpansion, "shell expansion")
}

func param(b *strings.Builder, x *syntax.ParamExp, cmdWord bool, opts Options) (Decision, bool) {
	if x.Param != nil && x.Param.Value == "IFS" {
		return deny(RuleIFS, "$IFS expansion"), false
	}
	if cmdWord {
		return deny(RuleExpansion, "parameter expansion in the command word"), false
	}
	if !opts.AllowExpansion {
		return deny(RuleExpansion, "parameter expansion"), false
	}
	simple := x.Param != nil && !x.Excl && !x.Length && !x.Width && !x.IsSet &&
		x.Flags == nil && x.NestedParam == nil && x.Index == nil && len(x.Modifiers) == 0 &&
		x.Slice == nil && x.Repl == nil && x.Names == 0 && x.Exp == nil
	if !simple || !isName(x.Param.Value) {
		return deny(RuleExpansion, "parameter expansion with operators or special parameter"), false
	}
	b.WriteString("${" + x.Param.Value + "}")
	return Decision{}, true
}

func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// unquoted appends the value of an unquoted literal run: a backslash quotes
// the next character, backslash-newline vanishes. Unescaped glob and brace
// characters are judged here because only here is their quoting known.
func unquoted(b *strings.Builder, s string, cmdWord bool, opts Options, open, globbed *bool) (Decision, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			if s[i] != '\n' {
				b.WriteByte(s[i])
			}
			continue
		}
		switch c {
		case '*', '?', '[':
			if cmdWord || !opts.AllowGlobs {
				return deny(RuleGlob, "unquoted glob character %q", c), false
			}
			*globbed = true
		case '{':
			*open = true
		case '}':
			if *open {
				return deny(RuleBrace, "unquoted brace expansion"), false
			}
		case '~':
			// Tilde expansion is left to the caller (argv is executed
			// without a shell); credential checks treat ~ as a home.
		}
		b.WriteByte(c)
	}
	return Decision{}, true
}

// unescapeDouble removes the backslashes that are special inside "...".
func unescapeDouble(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '$', '`', '"', '\\':
				i++
			case '\n':
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// progName is the name rules key on: base name, no .exe, lower case.
func progName(argv0 string) string {
	n := strings.ToLower(path.Base(strings.ReplaceAll(argv0, `\`, "/")))
	return strings.TrimSuffix(n, ".exe")
}

func allowed(argv0 string, list []string) bool {
	if len(list) == 0 {
		return true
	}
	if strings.Contains(argv0, "/") {
		return slices.Contains(list, argv0)
	}
	return slices.ContainsFunc(list, func(p string) bool { return !strings.Contains(p, "/") && p == argv0 })
}
