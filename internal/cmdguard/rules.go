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
	return judgeAt(argv, globbed, opts, 0)
}

// maxUnwrap bounds nested wrappers (timeout 5 nice nohup make).
const maxUnwrap = 3

func judgeAt(argv []string, globbed []bool, opts Options, depth int) (Decision, bool) {
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
	if d, ok := credentialCommand(name, args); !ok {
		return d, false
	}
	if flags, ok := opts.DeniedFlags[name]; ok {
		for _, a := range args {
			for _, f := range flags {
				if flagMatches(a, f) {
					return deny(RuleDeniedFlag, "flag %s is denied for %s", f, name), false
				}
			}
		}
	}
	if d, ok := launcherSwitch(name, args); !ok {
		return d, false
	}
	if wrappers[name] {
		return unwrap(name, argv, globbed, opts, depth)
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

// unwrapped are the wrappers whose own arguments have a small fixed
// grammar (GNU coreutils; busybox takes a subset): each returns where the
// wrapped command starts in args, or false for anything outside that
// grammar (abbreviated long options, clustered flags, a malformed duration
// or signal), which is denied. The wrapped command is then judged in
// their place, against the same rules and the same program list, which
// must name the wrapper too.
var unwrapped = map[string]func(args []string) (int, bool){
	"timeout": timeoutArgs,
	"nice":    niceArgs,
	"nohup":   nohupArgs,
}

func unwrap(name string, argv []string, globbed []bool, opts Options, depth int) (Decision, bool) {
	skip, ok := unwrapped[name]
	if !ok || depth >= maxUnwrap {
		return deny(RuleWrapper, "%s runs another program", name), false
	}
	k, ok := skip(argv[1:])
	if !ok || k >= len(argv)-1 {
		return deny(RuleWrapper, "%s: arguments outside its plain form", name), false
	}
	rest := argv[1+k:]
	var g []bool
	if globbed != nil {
		g = globbed[1+k:]
	}
	// The wrapped program word must be as fixed as a command word: no
	// expansion, no glob, not an option (a wrapper that reorders its
	// options would read it as one of its own).
	if rest[0] == "" || strings.HasPrefix(rest[0], "-") || strings.Contains(rest[0], "$") || g != nil && g[0] {
		return deny(RuleWrapper, "%s runs a program that is not named plainly", name), false
	}
	return judgeAt(rest, g, opts, depth+1)
}

// timeout [-f|-p|-v|-k DUR|-s SIG]... [--] DURATION COMMAND...
func timeoutArgs(args []string) (int, bool) {
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			i++
			return duration(args, i)
		case a == "-f", a == "--foreground", a == "-p", a == "--preserve-status", a == "-v", a == "--verbose":
		case a == "-k", a == "--kill-after":
			if i++; i >= len(args) || !isDuration(args[i]) {
				return 0, false
			}
		case a == "-s", a == "--signal":
			if i++; i >= len(args) || !isSignal(args[i]) {
				return 0, false
			}
		case strings.HasPrefix(a, "--kill-after="):
			if !isDuration(strings.TrimPrefix(a, "--kill-after=")) {
				return 0, false
			}
		case strings.HasPrefix(a, "--signal="):
			if !isSignal(strings.TrimPrefix(a, "--signal=")) {
				return 0, false
			}
		case strings.HasPrefix(a, "-k") && len(a) > 2:
			if !isDuration(a[2:]) {
				return 0, false
			}
		case strings.HasPrefix(a, "-s") && len(a) > 2:
			if !isSignal(a[2:]) {
				return 0, false
			}
		case strings.HasPrefix(a, "-"):
			return 0, false
		default:
			return duration(args, i)
		}
	}
	return 0, false
}

func duration(args []string, i int) (int, bool) {
	if i >= len(args) || !isDuration(args[i]) {
		return 0, false
	}
	return i + 1, true
}

// nice [-n ADJ|--adjustment=ADJ|-ADJ]... [--] COMMAND...
func niceArgs(args []string) (int, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return i + 1, true
		case a == "-n", a == "--adjustment":
			if i++; i >= len(args) || !isAdjustment(args[i]) {
				return 0, false
			}
		case strings.HasPrefix(a, "--adjustment="):
			if !isAdjustment(strings.TrimPrefix(a, "--adjustment=")) {
				return 0, false
			}
		case strings.HasPrefix(a, "-n") && len(a) > 2:
			if !isAdjustment(a[2:]) {
				return 0, false
			}
		case strings.HasPrefix(a, "-") && len(a) > 1 && isDigits(a[1:]):
			// the obsolete -ADJ form
		case strings.HasPrefix(a, "-"):
			return 0, false
		default:
			return i, true
		}
	}
	return 0, false
}

// nohup [--] COMMAND...
func nohupArgs(args []string) (int, bool) {
	switch {
	case len(args) > 0 && args[0] == "--":
		return 1, true
	case len(args) > 0 && strings.HasPrefix(args[0], "-"):
		return 0, false
	}
	return 0, true
}

// isDuration: a number of seconds, minutes, hours or days (5, 2.5, 10m).
func isDuration(s string) bool {
	if s != "" && strings.IndexByte("smhd", s[len(s)-1]) >= 0 {
		s = s[:len(s)-1]
	}
	whole, frac, dot := strings.Cut(s, ".")
	return len(s) < 16 && isDigits(whole) && (!dot || isDigits(frac))
}

// isSignal: a signal name or number (KILL, SIGTERM, 9).
func isSignal(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAdjustment(s string) bool {
	return isDigits(strings.TrimLeft(s, "+-")) && len(s) < 6 && strings.Count(s, "+")+strings.Count(s, "-") <= 1
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// launcherSwitch refuses the switches of Chromium and of every Electron
// application (Chrome, Edge, Brave, VS Code, Slack …) that name a program
// the browser starts in place of, or in front of, one of its own processes:
// --gpu-launcher, --renderer-cmd-prefix, --utility-cmd-prefix,
// --ppapi-plugin-launcher, --browser-subprocess-path. They are matched by
// their shape (a name ending in -launcher or -cmd-prefix), not by the
// program, since every Electron binary has a name of its own; Chromium
// also reads them after a single dash.
func launcherSwitch(name string, args []string) (Decision, bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' {
			continue
		}
		opt := strings.TrimLeft(a, "-")
		if i := strings.IndexByte(opt, '='); i >= 0 {
			opt = opt[:i]
		}
		opt = strings.ToLower(opt)
		if strings.HasSuffix(opt, "-launcher") || strings.HasSuffix(opt, "-cmd-prefix") ||
			opt == "browser-subprocess-path" {
			return deny(RuleArgInjection, "%s --%s names a program that %s starts", name, opt, name), false
		}
	}
	return Decision{}, true
}
