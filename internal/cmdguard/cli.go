package cmdguard

import (
	"slices"
	"strings"
)

// Rules for the command-line clients that MCP servers wrap (kubectl, helm,
// aws), for package runners (npx, uvx, pipx) and for make's command-line
// variables: each has a way to run a program the caller names, or to hand
// the caller a credential, that no metacharacter shows (probe set 33).

func init() {
	// --kubeconfig names a file whose users[].exec runs a program (the
	// credential plugin), as curl -K or git --config-env name settings.
	add := func(t toolRule, names ...string) {
		for _, n := range names {
			injections[n] = t.check(n)
		}
	}
	add(toolRule{long: []string{"--kubeconfig"}, extra: kubectlRule}, "kubectl", "oc")
	add(toolRule{long: []string{"--kubeconfig", "--post-renderer"}, extra: helmRule}, "helm")
	add(toolRule{extra: awsRule}, "aws")
	add(toolRule{extra: runnerRule("npx")}, "npx", "pnpx", "bunx")
	add(toolRule{extra: runnerRule("uvx")}, "uvx")
	add(toolRule{extra: uvRule}, "uv")
	add(toolRule{extra: pipxRule}, "pipx")
	add(toolRule{extra: makeRule}, "make", "gmake")
}

// cliWords splits a CLI's arguments into its positional words (subcommand,
// resource, names), skipping the values of the options listed in takes
// (written as "-n", "--namespace"; --opt=value needs no skip).
func cliWords(args []string, takes map[string]bool) []string {
	var words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return words
		case strings.HasPrefix(a, "-"):
			if takes[a] {
				i++
			}
		default:
			words = append(words, a)
		}
	}
	return words
}

var kubectlTakes = set("-n", "--namespace", "--context", "--cluster", "--user", "-s", "--server", "--as",
	"--as-group", "--token", "-l", "--selector", "-o", "--output", "-c", "--container", "-f", "--filename",
	"--field-selector", "--request-timeout", "--tail", "--since", "--template", "--sort-by")

// kubectlRule refuses the subcommands that run a program in a workload
// (exec, attach, debug: the cluster's sh -c), credentials set to run a
// program, and secrets printed with their values.
func kubectlRule(args []string) (Decision, bool) {
	words := cliWords(args, kubectlTakes)
	if len(words) == 0 {
		return Decision{}, true
	}
	switch sub := strings.ToLower(words[0]); sub {
	case "exec", "attach", "debug":
		return deny(RuleWrapper, "kubectl %s runs a program in a workload", sub), false
	case "config":
		for _, a := range args {
			l := strings.ToLower(a)
			if strings.HasPrefix(l, "--exec-") || strings.Contains(l, ".exec.") || strings.Contains(l, "auth-provider") {
				return deny(RuleArgInjection, "kubectl config sets a credential plugin that runs a program"), false
			}
		}
	case "get":
		if secretResource(words[1:]) && kubectlPrintsValues(args) {
			return deny(RuleCredential, "kubectl get secret with an output format prints the secret's values"), false
		}
	}
	return Decision{}, true
}

// secretResource: a resource word naming secrets (secret, secrets,
// secret/NAME, a comma list holding one).
func secretResource(words []string) bool {
	for _, w := range words {
		for r := range strings.SplitSeq(strings.ToLower(w), ",") {
			r, _, _ = strings.Cut(r, "/")
			r, _, _ = strings.Cut(r, ".") // secrets.v1.
			if r == "secret" || r == "secrets" {
				return true
			}
		}
	}
	return false
}

// kubectlPrintsValues: an output format that shows a secret's data (every
// one but the table, wide and name), or a template.
func kubectlPrintsValues(args []string) bool {
	for i, a := range args {
		var v string
		switch {
		case a == "-o" || a == "--output":
			if i+1 < len(args) {
				v = args[i+1]
			}
		case strings.HasPrefix(a, "--output="):
			v = a[len("--output="):]
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			v = strings.TrimPrefix(a[2:], "=")
		case flagMatches(a, "--template"):
			return true
		default:
			continue
		}
		if v != "wide" && v != "name" {
			return true
		}
	}
	return false
}

// helmRule: a plugin's install and update hooks run programs.
func helmRule(args []string) (Decision, bool) {
	words := cliWords(args, set("-n", "--namespace", "--kube-context", "-f", "--values", "--set", "--version"))
	if len(words) >= 2 && words[0] == "plugin" && (words[1] == "install" || words[1] == "update") {
		return deny(RuleArgInjection, "helm plugin %s runs the plugin's hooks", words[1]), false
	}
	return Decision{}, true
}

// awsRule refuses a credential_process set from the command line (the
// CLI runs it for every later call) and an --endpoint-url other than this
// machine (the request, its data and its signed headers go to that host
// instead of AWS: a local emulator such as LocalStack stays allowed).
func awsRule(args []string) (Decision, bool) {
	for i, a := range args {
		l := strings.ToLower(a)
		if strings.Contains(l, "credential_process") && slices.Contains(args, "configure") {
			return deny(RuleArgInjection, "aws configure sets a credential_process that runs a program"), false
		}
		if flagMatches(a, "--endpoint-url") {
			_, v, ok := strings.Cut(a, "=")
			if !ok && i+1 < len(args) {
				v = args[i+1]
			}
			if !loopbackURL(v) {
				return deny(RuleArgInjection, "aws --endpoint-url sends the request and its data to another host"), false
			}
		}
	}
	return Decision{}, true
}

// loopbackURL: http(s)://localhost, 127.0.0.1 or [::1], any port.
func loopbackURL(v string) bool {
	l := strings.ToLower(v)
	rest, ok := strings.CutPrefix(l, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(l, "https://"); !ok {
			return false
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	for _, h := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if p, ok := strings.CutPrefix(host, h); ok && (p == "" || p[0] == ':' && isDigits(p[1:])) {
			return true
		}
	}
	return false
}

// runnerRule: npx (and pnpx, bunx) and uvx fetch the package they are
// given and run it. A name from the registry passes (npx tsx, uvx ruff: a
// typosquatted name is not told apart); a package from anywhere else is
// refused: a URL, a git or GitHub spec (user/repo is GitHub shorthand to
// npm), a path or tarball, a PEP 508 direct reference, another index or
// registry, and a shell command (-c, --call).
func runnerRule(name string) func([]string) (Decision, bool) {
	return func(args []string) (Decision, bool) {
		for i := 0; i < len(args); i++ {
			a := args[i]
			if a == "--" {
				if i+1 < len(args) && !registryName(args[i+1]) {
					return deny(RuleArgInjection, "%s runs a package from outside the registry (%s)", name, args[i+1]), false
				}
				break
			}
			if !strings.HasPrefix(a, "-") {
				if !registryName(a) {
					return deny(RuleArgInjection, "%s runs a package from outside the registry (%s)", name, a), false
				}
				break // the package's own arguments follow
			}
			opt, val, hasVal := strings.Cut(a, "=")
			value := func() string { return optionValue(args, &i, val, hasVal) }
			switch {
			case opt == "-c" || flagMatches(opt, "--call") || opt == "-i" || opt == "-f" && name == "uvx" ||
				flagMatches(opt, "--registry") || flagMatches(opt, "--userconfig") || flagMatches(opt, "--index") ||
				flagMatches(opt, "--index-url") || flagMatches(opt, "--default-index") ||
				flagMatches(opt, "--extra-index-url") || flagMatches(opt, "--find-links") ||
				flagMatches(opt, "--with-requirements"):
				return deny(RuleArgInjection, "%s %s runs a command or fetches from another index", name, opt), false
			case opt == "-p" && name != "uvx" || flagMatches(opt, "--package") || flagMatches(opt, "--from") ||
				flagMatches(opt, "--with") || flagMatches(opt, "--with-editable"):
				if v := value(); !registryName(v) {
					return deny(RuleArgInjection, "%s %s %s fetches a package from outside the registry", name, opt, v), false
				}
			case opt == "-p" || opt == "--python" || opt == "--cache-dir" || opt == "--directory":
				value()
			}
		}
		return Decision{}, true
	}
}

// registryName reports a package named by the registry alone (name,
// name@version, @scope/name, name==1.2, name[extra]): no URL, scheme,
// git spec, path, tarball or direct reference.
func registryName(spec string) bool {
	l := strings.ToLower(strings.TrimSpace(spec))
	if l == "" || strings.Contains(l, "://") || strings.Contains(l, "#") || strings.Contains(l, " @") ||
		strings.ContainsAny(l, `\:`) && !strings.HasPrefix(l, "npm:") {
		return false
	}
	if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "/") || strings.HasPrefix(l, "~") || strings.HasPrefix(l, "git+") {
		return false
	}
	for _, ext := range []string{".tgz", ".tar.gz", ".tar", ".whl", ".zip"} {
		if strings.HasSuffix(l, ext) {
			return false
		}
	}
	if k := strings.Count(l, "/"); k > 0 {
		// only an npm scope: @scope/name[@version]
		return k == 1 && strings.HasPrefix(l, "@")
	}
	return true
}

// uvRule: uv tool run is uvx; uv run --with fetches more packages.
func uvRule(args []string) (Decision, bool) {
	words := cliWords(args, set("--directory", "--project", "-p", "--python"))
	switch {
	case len(words) >= 2 && words[0] == "tool" && (words[1] == "run" || words[1] == "install"):
		i := slices.Index(args, words[1])
		return runnerRule("uvx")(args[i+1:])
	case len(words) >= 1 && words[0] == "run":
		for _, a := range args {
			if a == "--" {
				break
			}
			if flagMatches(a, "--with") || strings.HasPrefix(a, "--with-") || flagMatches(a, "--index") ||
				flagMatches(a, "--index-url") || flagMatches(a, "--extra-index-url") || flagMatches(a, "--find-links") {
				return deny(RuleArgInjection, "uv run %s fetches code the caller names", a), false
			}
		}
	}
	return Decision{}, true
}

// pipxRule: pipx run and install are uvx (--spec names the package);
// runpip runs pip with any arguments.
func pipxRule(args []string) (Decision, bool) {
	words := cliWords(args, nil)
	if len(words) == 0 {
		return Decision{}, true
	}
	switch words[0] {
	case "runpip":
		return deny(RuleArgInjection, "pipx runpip runs pip with any arguments"), false
	case "run", "install", "inject":
		rest := args[slices.Index(args, words[0])+1:]
		for i, a := range rest {
			if flagMatches(a, "--spec") || flagMatches(a, "--pip-args") || flagMatches(a, "--index-url") {
				_, v, ok := strings.Cut(a, "=")
				if !ok && i+1 < len(rest) {
					v = rest[i+1]
				}
				if !flagMatches(a, "--spec") || !registryName(v) {
					return deny(RuleArgInjection, "pipx %s %s fetches from outside the registry", words[0], a), false
				}
			}
		}
		return runnerRule("pipx " + words[0])(rest)
	}
	return Decision{}, true
}

// makeRule refuses a makefile read from standard input, and command-line
// variables that pick the program every recipe runs through (SHELL,
// .SHELLFLAGS, MAKESHELL) or carry make functions that run or write
// ($(shell …), $(file …), $(eval …), $(guile …)): a command-line
// variable overrides the Makefile's own.
func makeRule(args []string) (Decision, bool) {
	for i, a := range args {
		var file string
		switch {
		case a == "-f" || a == "--file" || a == "--makefile":
			if i+1 < len(args) {
				file = args[i+1]
			}
		case strings.HasPrefix(a, "--file=") || strings.HasPrefix(a, "--makefile="):
			_, file, _ = strings.Cut(a, "=")
		case isShortCluster(a) && strings.IndexByte(a, 'f') > 0:
			file = a[strings.IndexByte(a, 'f')+1:]
			if file == "" && i+1 < len(args) {
				file = args[i+1]
			}
		}
		if file == "-" || file == "/dev/stdin" || strings.HasPrefix(file, "/dev/fd/") || strings.HasPrefix(file, "/proc/") {
			return deny(RuleInterpreter, "make reads its makefile from standard input or a descriptor"), false
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		name, val, ok := strings.Cut(a, "=")
		if !ok {
			continue
		}
		name = strings.TrimRight(strings.TrimSpace(name), ":+?!")
		switch name {
		case "SHELL", ".SHELLFLAGS", "MAKESHELL":
			return deny(RuleInterpreter, "make %s= sets the program recipes run through", name), false
		}
		for _, fn := range []string{"shell", "file", "eval", "guile"} {
			if strings.Contains(val, "$("+fn+" ") || strings.Contains(val, "${"+fn+" ") {
				return deny(RuleInterpreter, "make variable %s runs $(%s …)", name, fn), false
			}
		}
	}
	return Decision{}, true
}
