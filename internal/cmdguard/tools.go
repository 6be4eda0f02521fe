package cmdguard

import (
	"path"
	"strings"
)

// toolRule is a per-program argument-injection check.
type toolRule struct {
	// short letters denied anywhere in a single-dash cluster.
	short string
	// long options denied with = values and abbreviations.
	long []string
	// extra runs after the flag checks.
	extra func(args []string) (Decision, bool)
}

func (t toolRule) check(name string) func([]string) (Decision, bool) {
	return func(args []string) (Decision, bool) {
		for _, a := range args {
			if t.short != "" && isShortCluster(a) && strings.ContainsAny(a[1:], t.short) {
				return deny(RuleArgInjection, "%s option %s can run commands or write files", name, a), false
			}
			for _, l := range t.long {
				if flagMatches(a, l) {
					return deny(RuleArgInjection, "%s option %s can run commands or write files", name, l), false
				}
			}
		}
		if t.extra != nil {
			return t.extra(args)
		}
		return Decision{}, true
	}
}

var injections = map[string]func([]string) (Decision, bool){}

func init() {
	add := func(t toolRule, names ...string) {
		for _, n := range names {
			injections[n] = t.check(n)
		}
	}
	add(toolRule{
		short: "IF",
		long: []string{"--checkpoint-action", "--to-command", "--use-compress-program",
			"--info-script", "--new-volume-script", "--rsh-command", "--rmt-command", "--checkpoint"},
		extra: tarOldStyle,
	}, "tar", "bsdtar", "gtar")
	add(toolRule{long: []string{"--config-env", "--upload-pack", "--receive-pack", "--exec",
		"--git-dir", "--exec-path", "--open-files-in-pager", "--ext-diff", "--textconv",
		"--sendmail-cmd", "--smtp-server", "--extcmd", "--tool", "--output", "--template",
		"--separate-git-dir", "--work-tree", "--ssh-command", "--config"},
		extra: gitRule}, "git")
	add(toolRule{extra: findRule}, "find", "gfind", "bfs")
	add(toolRule{short: "e", long: []string{"--rsh", "--rsync-path", "--write-batch", "--only-write-batch",
		"--log-file", "--config"}}, "rsync")
	// -I (and ssh-keygen -D, ssh-add -s) load a PKCS#11 library into
	// the process; -w and -S a FIDO security-key provider library.
	add(toolRule{short: "FSDEI", extra: sshRule}, "ssh", "scp", "sftp", "slogin")
	add(toolRule{short: "Dw"}, "ssh-keygen")
	add(toolRule{short: "sS"}, "ssh-add")
	add(toolRule{extra: sshAgentRule}, "ssh-agent")
	// Options that name a program to run on the data.
	add(toolRule{long: []string{"--compress-program"}}, "sort", "gsort")
	add(toolRule{long: []string{"--filter"}}, "split", "gsplit")
	add(toolRule{long: []string{"--diff-program"}}, "sdiff", "diff3")
	add(toolRule{extra: opensslRule}, "openssl")
	add(toolRule{extra: containerRule}, "docker", "podman", "nerdctl")
	add(toolRule{long: []string{"--unzip-command"}, extra: zipRule}, "zip")
	injections["curl"] = fetcher{
		denied: "oOKTDcb", output: 'o', outLong: "--output",
		// curl's short options that take a value (curl 8): the rest of
		// the cluster or the next argument is that value, not options.
		values: "AbcCdDeEFHKmoPQrtTuUwxXyYz",
		long: []string{"--remote-name", "--remote-name-all", "--config",
			"--upload-file", "--output-dir", "--dump-header", "--trace", "--trace-ascii", "--libcurl",
			"--cookie-jar", "--create-dirs", "--netrc-file", "--netrc", "--etag-save", "--hsts", "--alt-svc",
			"--stderr"},
	}.check
	injections["wget"] = fetcher{
		denied: "OoiaeP", output: 'O', outLong: "--output-document",
		// wget's (getopt) short options that take a value; -n takes the
		// letter after it (-nv, -nc).
		values: "oaiBeOtTwQPlARDXIUn",
		long: []string{"--post-file", "--body-file",
			"--input-file", "--execute", "--config", "--output-file", "--append-output", "--use-askpass",
			"--directory-prefix", "--load-cookies", "--save-cookies", "--certificate", "--private-key"},
	}.check
	add(toolRule{short: "PH", long: []string{"--pager", "--html", "--browser", "--preprocessor"}}, "man")
	add(toolRule{long: []string{"--lesskey-file", "--lesskey-src", "--lesskey-content"}, extra: lessRule}, "less", "more", "most")
	add(toolRule{short: "zZ", long: []string{"--relinquish-privileges", "--postrotate-command"}}, "tcpdump")
	add(toolRule{short: "x", long: []string{"--exec", "--execute"}}, "watch")
	add(toolRule{long: []string{"--use-compress-program", "--rsh-command"}}, "cpio")
	add(toolRule{short: "f", long: []string{"--files-from"}}, "7z", "7za")
	add(toolRule{long: []string{"--script", "--script-args"}}, "nmap")
	add(toolRule{long: []string{"--pre", "--pre-glob", "--search-zip"}}, "rg")
	add(toolRule{long: []string{"--script-shell", "--call"}, extra: npmRule}, "npm", "pnpm", "yarn")
	// netcat's -e/-c (and ncat's --exec family) hand the connection to a
	// program: the textbook reverse shell.
	add(toolRule{short: "ec", long: []string{"--exec", "--sh-exec", "--lua-exec"}},
		"nc", "ncat", "netcat", "nc.traditional", "nc.openbsd")
	add(toolRule{extra: socatRule}, "socat")
}

// socatRule rejects socat addresses that run programs (EXEC:, SYSTEM:).
func socatRule(args []string) (Decision, bool) {
	for _, a := range args {
		l := strings.ToLower(a)
		if strings.HasPrefix(l, "exec:") || strings.HasPrefix(l, "system:") {
			return deny(RuleArgInjection, "socat address %q runs a program", a), false
		}
	}
	return Decision{}, true
}

// tarOldStyle checks the first argument of old-style tar (xvfI ...) whose
// letters are options without a dash.
func tarOldStyle(args []string) (Decision, bool) {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' && !strings.ContainsAny(args[0], "/.") &&
		strings.ContainsAny(args[0], "IF") {
		return deny(RuleArgInjection, "tar old-style option I or F runs a program"), false
	}
	return Decision{}, true
}

func gitRule(args []string) (Decision, bool) {
	sub := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if lower := strings.ToLower(a); strings.HasPrefix(lower, "ext::") || strings.Contains(lower, "::") && strings.HasPrefix(lower, "fd::") {
			return deny(RuleArgInjection, "git remote helper URL %q runs a program", a), false
		}
		if a == "-c" || strings.HasPrefix(a, "-c") && !strings.HasPrefix(a, "--") {
			// -c key=value sets config (core.pager, core.sshCommand,
			// core.fsmonitor ...) that runs programs: only safeGitKeys
			// may be set, and only before the subcommand (after it, -c
			// is the subcommand's own option, refused as before).
			kv := a[2:]
			if kv == "" && i+1 < len(args) {
				i++
				kv = args[i]
			}
			if sub == "" && safeGitConfig(kv) {
				continue
			}
			return deny(RuleArgInjection, "git %s sets or selects configuration that can run programs", a), false
		}
		if strings.HasPrefix(a, "-C") {
			// -C points git at a directory whose repository config can
			// run programs.
			return deny(RuleArgInjection, "git -C selects a repository whose config can run programs"), false
		}
		if sub == "" && !strings.HasPrefix(a, "-") {
			sub = a
			rest := args[i+1:]
			if sub == "config" && gitConfigRead(rest) {
				continue
			}
			switch sub {
			case "config", "filter-branch", "submodule", "bisect", "difftool", "mergetool", "daemon",
				"instaweb", "send-email", "credential", "credential-store", "credential-cache",
				"upload-pack", "receive-pack", "shell", "remote-ext", "web--browse", "help":
				return deny(RuleArgInjection, "git %s can run programs or reveal credentials", sub), false
			}
			for _, r := range rest {
				switch {
				case (sub == "rebase") && (r == "-x" || strings.HasPrefix(r, "-x") || flagMatches(r, "--exec")):
					return deny(RuleArgInjection, "git rebase --exec runs a command"), false
				case sub == "grep" && (isShortCluster(r) && strings.Contains(r, "O")):
					return deny(RuleArgInjection, "git grep -O runs a pager command"), false
				case (sub == "clone" || sub == "fetch" || sub == "pull" || sub == "ls-remote" || sub == "archive") &&
					(r == "-u" || strings.HasPrefix(r, "-u")):
					return deny(RuleArgInjection, "git %s -u sets the upload-pack program", sub), false
				}
			}
		}
	}
	return Decision{}, true
}

// safeGitKeys are configuration keys that only change how git formats,
// colours or attributes its output; none names a program, a hook, a
// helper, a pager, a filter or an include. Any color.* and advice.* key
// is safe too.
var safeGitKeys = set("user.name", "user.email", "core.quotepath", "core.abbrev", "core.autocrlf", "core.safecrlf",
	"core.filemode", "core.ignorecase", "core.precomposeunicode", "log.date", "log.decorate", "log.abbrevcommit",
	"log.follow", "log.showroot", "diff.renames", "diff.algorithm", "diff.noprefix", "diff.mnemonicprefix",
	"diff.context", "diff.interhunkcontext", "init.defaultbranch", "i18n.commitencoding",
	"i18n.logoutputencoding", "column.ui", "pull.rebase", "pull.ff", "merge.conflictstyle", "merge.ff",
	"grep.linenumber", "grep.patterntype", "status.short", "status.branch", "status.showuntrackedfiles",
	"push.default", "fetch.prune", "commit.verbose", "blame.date")

// safeGitConfig reports whether a -c key[=value] sets one of safeGitKeys.
func safeGitConfig(kv string) bool {
	key, _, _ := strings.Cut(kv, "=")
	key = strings.ToLower(key)
	for _, c := range []byte(key) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	for _, p := range []string{"color.", "advice."} {
		if rest, ok := strings.CutPrefix(key, p); ok {
			return rest != "" && !strings.Contains(rest, "..") && !strings.HasPrefix(rest, ".") && !strings.HasSuffix(rest, ".")
		}
	}
	return safeGitKeys[key]
}

// gitConfigRead reports whether git config's arguments read one setting
// (--get, --get-all or Git 2.46's get, with a scope) whose name does not
// suggest a credential. --list, --file, --blob, --includes and every
// write stay refused.
func gitConfigRead(rest []string) bool {
	get, key := false, ""
	verb := len(rest) > 0 && rest[0] == "get"
	for i, a := range rest {
		switch {
		case i == 0 && verb, !verb && (a == "--get" || a == "--get-all"):
			get = true
		case a == "--global", a == "--local", a == "--system", a == "--worktree", a == "--show-origin",
			a == "--show-scope", a == "-z", a == "--null", verb && a == "--all":
		case strings.HasPrefix(a, "-") || key != "":
			return false
		default:
			key = strings.ToLower(a)
		}
	}
	if !get || key == "" {
		return false
	}
	for _, c := range []byte(key) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	for _, w := range []string{"credential", "extraheader", "password", "passwd", "token", "secret", "cookie", "auth"} {
		if strings.Contains(key, w) {
			return false
		}
	}
	return true
}

func findRule(args []string) (Decision, bool) {
	for _, a := range args {
		switch a {
		case "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls":
			return deny(RuleArgInjection, "find %s runs commands or writes files", a), false
		}
	}
	return Decision{}, true
}

// sshRule rejects -o options that run local commands. The -o letter is not
// denied outright because -o StrictHostKeyChecking=no and friends are common.
func sshRule(args []string) (Decision, bool) {
	for i, a := range args {
		opt := ""
		switch {
		case a == "-o" && i+1 < len(args):
			opt = args[i+1]
		case isShortCluster(a) && strings.Contains(a, "o"):
			_, opt, _ = strings.Cut(a, "o")
			if opt == "" && i+1 < len(args) {
				opt = args[i+1]
			}
		default:
			continue
		}
		key := strings.ToLower(strings.TrimSpace(opt))
		for _, bad := range []string{"proxycommand", "localcommand", "permitlocalcommand", "knownhostscommand",
			"match", "include", "remotecommand", "pkcs11provider", "securitykeyprovider", "controlpath",
			"identityagent", "sendenv", "setenv", "forwardagent"} {
			if strings.HasPrefix(key, bad) {
				return deny(RuleArgInjection, "ssh -o %s can run local commands", bad), false
			}
		}
	}
	return Decision{}, true
}

func zipRule(args []string) (Decision, bool) {
	for _, a := range args {
		if strings.HasPrefix(a, "-TT") || isShortCluster(a) && strings.Count(a, "T") >= 2 {
			return deny(RuleArgInjection, "zip -TT sets the test command"), false
		}
	}
	return Decision{}, true
}

// fetchRule rejects local-file schemes and @file data arguments.
func fetchRule(args []string) (Decision, bool) {
	for _, a := range args {
		l := strings.ToLower(a)
		if strings.HasPrefix(l, "file:") || strings.Contains(l, "://") && strings.HasPrefix(l, "file") {
			return deny(RuleArgInjection, "file: URL reads local files"), false
		}
		if strings.HasPrefix(a, "@") || strings.Contains(a, "=@") || strings.Contains(a, "=<") {
			return deny(RuleArgInjection, "@file argument uploads a local file"), false
		}
	}
	return Decision{}, true
}

func lessRule(args []string) (Decision, bool) {
	for _, a := range args {
		if strings.HasPrefix(a, "+") && strings.Contains(a, "!") {
			return deny(RuleArgInjection, "less +!command runs a shell command"), false
		}
	}
	return Decision{}, true
}

func npmRule(args []string) (Decision, bool) {
	for _, a := range args {
		switch a {
		case "install", "i", "ci":
			if npmNoScripts(args, a) {
				continue
			}
			return deny(RuleArgInjection, "package manager %s runs package scripts", a), false
		case "exec", "x", "dlx", "explore", "run", "run-script", "start", "test", "restart", "stop", "add":
			return deny(RuleArgInjection, "package manager %s runs package scripts", a), false
		}
	}
	return Decision{}, true
}

// npmNoScripts reports an install of what the project's own package.json
// and lockfile name (no package argument) with --ignore-scripts and no
// switch back. A package named on the command line is refused even then:
// a git dependency's prepare script runs despite --ignore-scripts
// (npm/cli#3300); one listed in the project's own files is the project's
// code, as a Makefile is to make.
func npmNoScripts(args []string, sub string) bool {
	off, seenSub := false, false
	for _, a := range args {
		switch {
		case a == sub && !seenSub:
			seenSub = true
		case a == "--ignore-scripts" || a == "--ignore-scripts=true":
			off = true
		case npmQuiet[a] || strings.HasPrefix(a, "--omit=") || strings.HasPrefix(a, "--loglevel="):
		default:
			// a package spec, a second subcommand, or an option that
			// could move the project (--prefix, --workspace), its
			// configuration (--userconfig) or the scripts back on
			return false
		}
	}
	return off && seenSub
}

// npmQuiet are the install options that change neither what is installed
// from where nor whether scripts run.
var npmQuiet = set("--no-audit", "--no-fund", "--silent", "--quiet", "-s", "-q", "--prefer-offline", "--offline",
	"--no-progress", "--production", "--frozen-lockfile", "--immutable", "--legacy-peer-deps", "--no-save")

// fetcher checks a downloader's options. Short clusters are read as
// getopt reads them: a letter that takes a value ends the cluster (the
// rest, or the next argument, is the value), so -XPOST or -qO- is not
// taken for the letters of its value. The output option is allowed when
// it names standard output or a plain relative path (plainOutput); every
// other denied letter and long option is refused.
type fetcher struct {
	denied  string
	values  string
	output  byte
	outLong string
	long    []string
}

func (f fetcher) check(args []string) (Decision, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a, "=")
			if strings.ToLower(name) == f.outLong {
				if !hasVal {
					if i+1 >= len(args) {
						return deny(RuleArgInjection, "%s without its value", name), false
					}
					i++
					val = args[i]
				}
				if !plainOutput(val) {
					return deny(RuleArgInjection, "%s %q writes outside the working directory or into a dot-file", name, val), false
				}
				continue
			}
			for _, l := range append(f.long, f.outLong) {
				if flagMatches(a, l) {
					return deny(RuleArgInjection, "option %s can run commands or read or write local files", l), false
				}
			}
		case isShortCluster(a):
			for j := 1; j < len(a); j++ {
				c := a[j]
				if strings.IndexByte(f.values, c) < 0 {
					if strings.IndexByte(f.denied, c) >= 0 {
						return deny(RuleArgInjection, "option -%c can run commands or read or write local files", c), false
					}
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return deny(RuleArgInjection, "option -%c without its value", c), false
					}
					i++
					val = args[i]
				}
				if c == f.output {
					if !plainOutput(val) {
						return deny(RuleArgInjection, "option -%c %q writes outside the working directory or into a dot-file", c, val), false
					}
				} else if strings.IndexByte(f.denied, c) >= 0 {
					return deny(RuleArgInjection, "option -%c can run commands or read or write local files", c), false
				}
				break
			}
		}
	}
	return fetchRule(args)
}

// plainOutput reports whether an output file is standard output ("-") or
// a relative path that stays below the working directory and names no
// dot-file or dot-directory: shell start-up files, .git/hooks and tools'
// configuration all live under dot-names, and an absolute path can reach
// cron or another home.
func plainOutput(v string) bool {
	if v == "-" {
		return true
	}
	if v == "" || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~") || strings.HasPrefix(v, "-") ||
		strings.ContainsAny(v, `\:`) {
		return false
	}
	for _, seg := range strings.Split(v, "/") {
		if seg == ".." || strings.HasPrefix(seg, ".") && seg != "." {
			return false
		}
	}
	return true
}

// sshAgentRule: ssh-agent runs the command it is given (ssh-agent sh -c
// ...) and -P widens the PKCS#11 libraries it may load.
func sshAgentRule(args []string) (Decision, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return deny(RuleWrapper, "ssh-agent runs a command"), false
		case isShortCluster(a):
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'P':
					return deny(RuleArgInjection, "ssh-agent -P allows PKCS#11 libraries to load"), false
				case 'a', 'E', 't', 'O':
					if j == len(a)-1 {
						i++
					}
					j = len(a)
				}
			}
		default:
			return deny(RuleWrapper, "ssh-agent runs a command"), false
		}
	}
	return Decision{}, true
}

// opensslRule refuses the options that load code into openssl: an
// engine (and the engine command's -pre/-post), a provider given by
// path, a directory of providers. -config stays allowed: a configuration
// file can load an engine too, but it is a file of the project's, as a
// Makefile is to make.
func opensslRule(args []string) (Decision, bool) {
	if len(args) > 1 && args[0] == "engine" {
		return deny(RuleArgInjection, "openssl engine loads an engine"), false
	}
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(strings.ToLower(a), "-"), "=")
		switch name {
		case "-engine", "engine", "-provider-path", "provider-path", "keyform", "-keyform", "pre", "post":
			if name == "keyform" || name == "-keyform" {
				if !hasVal && i+1 < len(args) {
					val = strings.ToLower(args[i+1])
				}
				if val != "engine" {
					continue
				}
			}
			return deny(RuleArgInjection, "openssl %s loads code", a), false
		case "provider", "-provider":
			if !hasVal && i+1 < len(args) {
				val = args[i+1]
			}
			if strings.ContainsAny(val, `/\`) || strings.Contains(val, ".so") || strings.Contains(val, ".dll") || strings.Contains(val, ".dylib") {
				return deny(RuleArgInjection, "openssl -provider %s loads a library by path", val), false
			}
		}
	}
	return Decision{}, true
}

// hostDirs are host directories that a container must not mount, nor
// anything under them: system configuration and binaries, the kernel's
// views, the runtimes' state. The root, /home, /Users and /root are
// refused themselves and one level down (a whole home holds ~/.ssh); a
// project deeper in a home may be mounted, and so may a named volume or
// a relative path.
var (
	hostDirs = []string{"/etc", "/run", "/var/run", "/proc", "/sys", "/dev", "/boot", "/usr", "/bin", "/sbin",
		"/lib", "/lib64", "/var/lib/docker", "/var/lib/containers", "/var/lib/kubelet", "/var/lib/containerd"}
	homeDirs = []string{"/home", "/Users", "/root"}
)

// optionValue returns the value of the option at args[*i]: what follows
// its '=' when it has one (val, hasVal from strings.Cut), else the next
// argument, which it consumes.
func optionValue(args []string, i *int, val string, hasVal bool) string {
	if hasVal {
		return val
	}
	if *i+1 < len(args) {
		*i++
		return args[*i]
	}
	return ""
}

// containerRule refuses the docker/podman options that hand a container
// the host: privileged mode, added capabilities and devices, host
// namespaces, relaxed security profiles, and bind mounts of host system
// directories, whole homes or a runtime's socket (root on the host).
func containerRule(args []string) (Decision, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		next := func() string { return optionValue(args, &i, val, hasVal) }
		switch name {
		case "--privileged", "--cap-add", "--device", "--device-cgroup-rule", "--security-opt", "--pid", "--ipc",
			"--uts", "--userns", "--cgroupns", "--cgroup-parent":
			// The CLI (pflag) takes no abbreviations: exact names.
			return deny(RuleArgInjection, "container option %s gives the container the host", name), false
		case "--network", "--net":
			if v := strings.ToLower(next()); v == "host" || strings.HasPrefix(v, "container:") {
				return deny(RuleArgInjection, "container on the host's network"), false
			}
		case "--volume":
			if src, _, _ := strings.Cut(next(), ":"); hostDir(src) {
				return deny(RuleArgInjection, "container mounts host directory %s", src), false
			}
		case "--mount":
			for kv := range strings.SplitSeq(next(), ",") {
				k, v, _ := strings.Cut(kv, "=")
				if (k == "source" || k == "src") && hostDir(v) {
					return deny(RuleArgInjection, "container mounts host directory %s", v), false
				}
			}
		default:
			if !isShortCluster(a) {
				continue
			}
			// -v after run's boolean letters in a cluster (-itv /:/host).
			for j := 1; j < len(a); j++ {
				if strings.IndexByte("ditP", a[j]) >= 0 {
					continue
				}
				if a[j] == 'v' {
					v := a[j+1:]
					if v == "" && i+1 < len(args) {
						i++
						v = args[i]
					}
					if src, _, _ := strings.Cut(strings.TrimPrefix(v, "="), ":"); hostDir(src) {
						return deny(RuleArgInjection, "container mounts host directory %s", src), false
					}
				}
				break
			}
		}
	}
	return Decision{}, true
}

func hostDir(src string) bool {
	if strings.HasPrefix(src, "~") {
		return true
	}
	if !strings.HasPrefix(src, "/") {
		return false
	}
	clean := path.Clean(src)
	if clean == "/" || strings.HasSuffix(clean, ".sock") {
		return true
	}
	for _, d := range hostDirs {
		if clean == d || strings.HasPrefix(clean, d+"/") {
			return true
		}
	}
	for _, d := range homeDirs {
		if clean == d || strings.HasPrefix(clean, d+"/") && !strings.Contains(clean[len(d)+1:], "/") {
			return true
		}
	}
	return false
}
