package cmdguard

import (
	"strings"
)

// wrappers run another program named in their arguments (or are a shell
// builtin that evaluates text). They are denied outright: telling their own
// options from the wrapped program's is per-tool guesswork, and a wrapped
// program would escape every per-program rule below.
var wrappers = set("env", "xargs", "nice", "timeout", "nohup", "sudo", "doas", "su", "runuser",
	"busybox", "toybox", "stdbuf", "setsid", "chroot", "ionice", "taskset", "chrt", "time",
	"command", "builtin", "exec", "eval", "source", ".", "strace", "ltrace", "watch", "flock",
	"unshare", "nsenter", "parallel", "sg", "firejail", "xvfb-run", "systemd-run", "script",
	"expect", "pkexec", "capsh", "setpriv", "fakeroot", "proot", "scl", "trap")

// inline lists, per interpreter family, the short option letters and long
// options that take program text on the command line.
type inline struct {
	short string
	long  []string
}

var interpreters = map[string]inline{
	"sh": {"c", nil}, "bash": {"c", nil}, "dash": {"c", nil}, "zsh": {"c", nil}, "ksh": {"c", nil},
	"mksh": {"c", nil}, "ash": {"c", nil}, "yash": {"c", nil}, "csh": {"c", nil}, "tcsh": {"c", nil},
	"fish":   {"cC", []string{"--command", "--init-command"}},
	"python": {"c", nil}, "pypy": {"c", nil},
	"perl": {"eEM", nil},
	"ruby": {"e", nil}, "jruby": {"e", nil},
	"node": {"ep", nodeLong}, "nodejs": {"ep", nodeLong},
	"bun": {"e", []string{"--eval", "--print"}},
	"php": {"rBRE", []string{"--run", "--process-begin", "--process-code", "--process-end"}},
	"lua": {"e", nil}, "luajit": {"e", nil},
	"rscript": {"e", nil}, "r": {"e", nil},
	"osascript":  {"e", nil},
	"pwsh":       {"ce", []string{"-command", "-encodedcommand", "--command"}},
	"powershell": {"ce", []string{"-command", "-encodedcommand", "--command"}},
	"tclsh":      {"", nil}, "wish": {"", nil},
	"vim": {"cS", []string{"--cmd"}}, "vi": {"cS", []string{"--cmd"}}, "nvim": {"cS", []string{"--cmd"}},
	"ex": {"c", []string{"--cmd"}}, "view": {"c", []string{"--cmd"}},
	"emacs": {"", []string{"--eval", "-eval", "--execute", "-execute", "-l", "--load"}},
	"gdb":   {"x", []string{"-ex", "--ex", "-eval-command", "--eval-command", "-iex", "--init-eval-command", "-x", "--command"}},
	"psql":  {"cf", []string{"--command", "--file"}},
	"mysql": {"e", []string{"--execute"}}, "mariadb": {"e", []string{"--execute"}},
	"sqlite": {"", []string{"-cmd", "--cmd", "-init", "--init"}},
	"make":   {"E", []string{"--eval"}},
	"jshell": {"", nil},
	"deno":   {"", nil},
}

// nodeLong: --import and the loaders take data: URLs (inline code); the
// inspector opens a debugger port that runs any code sent to it.
var nodeLong = []string{"--eval", "--print", "--import", "--loader", "--experimental-loader",
	"--inspect", "--inspect-brk", "--inspect-wait", "--inspect-port"}

// judge applies the program-level rules to a parsed argv.
func judge(argv []string, globbed []bool, opts Options) (Decision, bool) {
	if !allowed(argv[0], opts.Programs) {
		return deny(RuleProgram, "program %q is not allowed", argv[0]), false
	}
	for i, a := range argv {
		if d, ok := credential(a, globbed != nil && globbed[i]); !ok {
			return d, false
		}
	}
	name := progName(argv[0])
	args := argv[1:]
	if flags, ok := opts.DeniedFlags[name]; ok {
		for _, a := range args {
			for _, f := range flags {
				if flagMatches(a, f) {
					return deny(RuleDeniedFlag, "flag %s is denied for %s", f, name), false
				}
			}
		}
	}
	if wrappers[name] {
		return deny(RuleWrapper, "%s runs another program", name), false
	}
	family := strings.TrimRight(name, "0123456789.-")
	if strings.HasPrefix(family, "python") || strings.HasPrefix(family, "pypy") {
		family = "python"
	}
	if in, ok := interpreters[family]; ok {
		if d, ok := interp(family, in, args); !ok {
			return d, false
		}
	}
	switch family {
	case "awk", "gawk", "mawk", "nawk", "busybox-awk":
		return awk(args)
	case "sed", "gsed":
		return sed(args)
	}
	if rule, ok := injections[family]; ok {
		return rule(args)
	}
	return Decision{}, true
}

func interp(name string, in inline, args []string) (Decision, bool) {
	switch name {
	case "tclsh", "wish", "jshell":
		// Program text from stdin only when no script is named; the
		// command has no stdin to speak of, but -c style flags do not
		// exist, so only a script path is expected.
	case "deno":
		if len(args) > 0 && (args[0] == "eval" || args[0] == "repl") {
			return deny(RuleInterpreter, "deno %s runs inline code", args[0]), false
		}
	case "sqlite":
		// Dot-commands given as arguments run like -cmd: .shell, .system,
		// .output, .load.
		for _, a := range args {
			if strings.HasPrefix(strings.TrimSpace(a), ".") {
				return deny(RuleInterpreter, "sqlite3 dot-command %q in arguments", firstWord(a)), false
			}
		}
	case "vim", "vi", "nvim", "ex", "view":
		for _, a := range args {
			if strings.HasPrefix(a, "+") {
				return deny(RuleInterpreter, "%s +command runs editor commands", name), false
			}
		}
	}
	for _, a := range args {
		if name == "pwsh" || name == "powershell" {
			a = strings.ToLower(a)
		}
		if strings.Contains(strings.ToLower(a), "data:") {
			// data: URLs carry code: node --import data:..., php -d
			// auto_prepend_file=data://..., python -X ... importers.
			return deny(RuleInterpreter, "%s argument carries a data: URL", name), false
		}
		for _, l := range in.long {
			if flagMatches(a, l) {
				return deny(RuleInterpreter, "%s %s runs inline code", name, l), false
			}
		}
		if in.short != "" && isShortCluster(a) && strings.ContainsAny(a[1:], in.short) {
			return deny(RuleInterpreter, "%s %s runs inline code", name, a), false
		}
	}
	return Decision{}, true
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// isShortCluster reports a single-dash option word such as -c or -xec.
func isShortCluster(a string) bool {
	return len(a) >= 2 && a[0] == '-' && a[1] != '-'
}

// flagMatches reports whether argument a is the flag f (see Options.DeniedFlags).
func flagMatches(a, f string) bool {
	if strings.HasPrefix(f, "--") || (len(f) > 2 && f[0] == '-') {
		// Long option (or single-dash long, -ex, -command): exact, =value,
		// or an abbreviation that getopt_long would accept.
		name, _, _ := strings.Cut(a, "=")
		name = strings.ToLower(name)
		lf := strings.ToLower(f)
		if name == lf {
			return true
		}
		if strings.HasPrefix(f, "--") && len(name) >= 4 && strings.HasPrefix(lf, name) {
			return true
		}
		return false
	}
	if len(f) == 2 && f[0] == '-' {
		return isShortCluster(a) && strings.IndexByte(a[1:], f[1]) >= 0
	}
	return a == f
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
