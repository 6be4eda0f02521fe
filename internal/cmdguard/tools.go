package cmdguard

import (
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
	add(toolRule{short: "FSDE", extra: sshRule}, "ssh", "scp", "sftp", "slogin")
	add(toolRule{long: []string{"--unzip-command"}, extra: zipRule}, "zip")
	add(toolRule{short: "oOKTDcb", long: []string{"--output", "--remote-name", "--remote-name-all", "--config",
		"--upload-file", "--output-dir", "--dump-header", "--trace", "--trace-ascii", "--libcurl",
		"--cookie-jar", "--create-dirs", "--netrc-file", "--netrc", "--etag-save", "--hsts", "--alt-svc",
		"--stderr"}, extra: fetchRule}, "curl")
	add(toolRule{short: "OoiaeP", long: []string{"--output-document", "--post-file", "--body-file",
		"--input-file", "--execute", "--config", "--output-file", "--append-output", "--use-askpass",
		"--directory-prefix", "--load-cookies", "--save-cookies", "--certificate", "--private-key"},
		extra: fetchRule}, "wget")
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
	for i, a := range args {
		if a == "-c" || a == "-C" || strings.HasPrefix(a, "-c") && !strings.HasPrefix(a, "--") {
			// -c key=value sets config (core.pager, core.sshCommand,
			// core.fsmonitor ...) that runs programs; -C points git at a
			// directory whose repository config can do the same.
			return deny(RuleArgInjection, "git %s sets or selects configuration that can run programs", a), false
		}
		if strings.HasPrefix(a, "-C") {
			return deny(RuleArgInjection, "git -C selects a repository whose config can run programs"), false
		}
		if lower := strings.ToLower(a); strings.HasPrefix(lower, "ext::") || strings.Contains(lower, "::") && strings.HasPrefix(lower, "fd::") {
			return deny(RuleArgInjection, "git remote helper URL %q runs a program", a), false
		}
		if sub == "" && !strings.HasPrefix(a, "-") {
			sub = a
			rest := args[i+1:]
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
		case "exec", "x", "dlx", "explore", "run", "run-script", "start", "test", "restart", "stop", "install", "i", "ci", "add":
			return deny(RuleArgInjection, "package manager %s runs package scripts", a), false
		}
	}
	return Decision{}, true
}
