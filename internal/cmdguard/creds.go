package cmdguard

import (
	"path"
	"slices"
	"strings"
)

// Credential files. An argument is split at = @ : , (so --file=x, -d @x,
// host:x and a,b lists are all seen), each piece is cleaned as a path and
// matched by components, case-insensitively. The check is deliberately
// blunt: everything under ~/.ssh is refused but public keys (*.pub), which
// are made to be handed out.
var (
	// credDirs are directory components whose contents are secrets.
	credDirs = set(".ssh", ".aws", ".gnupg", ".kube", ".docker", ".azure", ".password-store", "gcloud", ".gcloud")
	// credBases are file names that are secrets wherever they are.
	credBases = set(".git-credentials", ".npmrc", ".netrc", "_netrc", ".pypirc", ".pgpass", ".my.cnf",
		".dockercfg", ".vault-token", ".boto", ".s3cfg", ".terraformrc", "credentials.tfrc.json",
		".envrc", ".htpasswd", "shadow", "gshadow", "shadow-", "gshadow-", "master.passwd", "sudoers",
		"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "authorized_keys",
		"known_hosts", ".bash_history", ".zsh_history", ".python_history", ".psql_history", ".mysql_history",
		"credentials", "application_default_credentials.json", ".git-credential-cache", "keyring")
	credExts = []string{".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".kdbx", ".asc", ".gpg", ".ovpn"}
	// envSafe are .env-like names that are templates, not secrets.
	envSafe = set(".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults")
	// credSamples are concrete paths that glob patterns are matched against.
	credSamples = []string{"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "~/.ssh/id_rsa", "~/.ssh/id_ed25519",
		"~/.aws/credentials", ".env", "/proc/self/environ", "/proc/1/environ", "~/.git-credentials", "~/.npmrc",
		"~/.netrc", "~/.pgpass", "~/.kube/config", "~/.docker/config.json", "~/.bash_history", "key.pem"}
)

func credential(arg string, globbed bool) (Decision, bool) {
	pieces := strings.FieldsFunc(arg, func(r rune) bool { return r == '=' || r == '@' || r == ':' || r == ',' })
	pieces = append(pieces, arg)
	for _, p := range pieces {
		if what := credPath(p, globbed); what != "" {
			return deny(RuleCredential, "argument names a credential file (%s)", what), false
		}
	}
	return Decision{}, true
}

func credPath(p string, globbed bool) string {
	p = strings.ToLower(strings.TrimSpace(p))
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.TrimPrefix(p, "//") // file:// after the split at ':'
	if p == "" {
		return ""
	}
	if globbed && strings.ContainsAny(p, "*?[") {
		for _, s := range credSamples {
			for _, cand := range []string{s, path.Base(s)} {
				if ok, _ := path.Match(p, cand); ok {
					return "glob " + s
				}
			}
		}
	}
	clean := path.Clean(p)
	parts := strings.Split(clean, "/")
	base := parts[len(parts)-1]
	if strings.HasSuffix(base, ".pub") && len(base) > len(".pub") {
		return "" // a public key
	}
	for _, c := range parts[:len(parts)-1] {
		if credDirs[c] {
			return c
		}
	}
	if credDirs[base] {
		return base
	}
	if credBases[base] {
		switch base {
		case "credentials", "keyring":
			// Generic names: only inside a known tool directory (handled
			// above) or a dot-directory.
			if len(parts) >= 2 && strings.HasPrefix(parts[len(parts)-2], ".") {
				return base
			}
			return ""
		case "shadow", "gshadow", "shadow-", "gshadow-", "sudoers", "master.passwd":
			if len(parts) >= 2 && parts[len(parts)-2] == "etc" {
				return "/etc/" + base
			}
			return ""
		}
		return base
	}
	if (base == ".env" || strings.HasPrefix(base, ".env.")) && !envSafe[base] {
		return ".env"
	}
	if strings.HasPrefix(base, "id_rsa") || strings.HasPrefix(base, "id_dsa") || strings.HasPrefix(base, "id_ecdsa") ||
		strings.HasPrefix(base, "id_ed25519") {
		return base
	}
	for _, e := range credExts {
		if strings.HasSuffix(base, e) && len(base) > len(e) {
			return "*" + e
		}
	}
	if strings.HasPrefix(clean, "/proc/") {
		switch base {
		case "environ", "mem", "auxv", "maps", "cmdline":
			return "/proc/*/" + base
		}
		if strings.Contains(clean, "/fd/") || strings.Contains(clean, "/root/") || base == "root" {
			return "/proc/*/" + base
		}
	}
	if strings.HasPrefix(clean, "/etc/ssh/") && strings.Contains(base, "key") {
		return clean
	}
	// Secrets mounted by the platform: Docker and Compose secrets in
	// /run/secrets, Kubernetes service-account tokens and secret volumes
	// under /var/run/secrets (the same directory through /var/run).
	for _, dir := range []string{"/run/secrets", "/var/run/secrets"} {
		if clean == dir || strings.HasPrefix(clean, dir+"/") {
			return dir + "/…"
		}
	}
	return ""
}

// credCommands are the commands that print stored credentials: a key
// store's or a cloud CLI's own way of reading what the files above hold.
// An entry matches when every one of its words is among the arguments
// (options as credWord reads them).
var credCommands = map[string][][]string{
	"gpg": {{"--export-secret-keys"}, {"--export-secret-subkeys"}},
	"gh":  {{"auth", "token"}, {"auth", "status", "--show-token"}, {"auth", "status", "-t"}},
	"gcloud": {{"auth", "print-access-token"}, {"auth", "print-identity-token"}, {"auth", "print-refresh-token"},
		{"secrets", "versions", "access"}},
	"az": {{"account", "get-access-token"}, {"keyvault", "secret", "show"}, {"keyvault", "secret", "download"}},
	// Secret stores read through the cloud CLIs, and temporary keys
	// minted by STS, are the same credentials as the files above.
	"aws": {{"configure", "export-credentials"}, {"ecr", "get-login-password"},
		{"secretsmanager", "get-secret-value"}, {"ssm", "get-parameter", "--with-decryption"},
		{"ssm", "get-parameters", "--with-decryption"}, {"ssm", "get-parameters-by-path", "--with-decryption"},
		{"sts", "get-session-token"}, {"sts", "assume-role"}},
	"kubectl":  {{"config", "view", "--raw"}, {"create", "token"}},
	"security": {{"find-generic-password"}, {"find-internet-password"}, {"dump-keychain"}},
	"pass":     {{"show"}, {"otp"}},
	"op":       {{"read"}, {"item", "get", "--reveal"}},
	"vault":    {{"read"}, {"kv", "get"}, {"print", "token"}},
}

// credentialCommand refuses a command that prints stored credentials
// (credCommands), and any docker-credential-* helper asked to get one.
func credentialCommand(name string, args []string) (Decision, bool) {
	if strings.HasPrefix(name, "docker-credential-") && slices.Contains(args, "get") {
		return deny(RuleCredential, "%s get prints a stored registry credential", name), false
	}
	if name == "aws" && slices.Contains(args, "configure") && slices.Contains(args, "get") &&
		slices.ContainsFunc(args, func(a string) bool {
			a = strings.ToLower(a)
			return strings.Contains(a, "secret") || strings.Contains(a, "token") || strings.Contains(a, "key_id")
		}) {
		// configure get region is a setting; the keys are the credentials.
		return deny(RuleCredential, "aws configure get prints a stored credential"), false
	}
	for _, words := range credCommands[strings.TrimRight(name, "0123456789")] {
		if !slices.ContainsFunc(words, func(w string) bool {
			return !slices.ContainsFunc(args, func(a string) bool { return credWord(a, w) })
		}) {
			return deny(RuleCredential, "%s %s prints stored credentials", name, strings.Join(words, " ")), false
		}
	}
	return Decision{}, true
}

// credWord reports whether the argument a is the word w of a
// credCommands entry. A long option matches exactly, with =value, or
// abbreviated as getopt_long allows, but only past its first word:
// --export is gpg's option for public keys, --export-s already names
// the secret ones.
func credWord(a, w string) bool {
	if !strings.HasPrefix(w, "--") {
		return flagMatches(a, w)
	}
	name, _, _ := strings.Cut(strings.ToLower(a), "=")
	if name == w {
		return true
	}
	k := strings.IndexByte(w[2:], '-')
	return k >= 0 && len(name) > 2+k+1 && strings.HasPrefix(w, name)
}
