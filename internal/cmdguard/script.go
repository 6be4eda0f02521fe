package cmdguard

import (
	"strings"
)

// awk program text can run commands (system(), "cmd" | getline, print | "cmd"),
// write files (print > "f") and read the environment. A full awk parser is
// out of scope; the check errs towards denial: any of these tokens in the
// program text denies, so awk '$1 > 5' is a (documented) false positive.
var awkBad = []string{"system", "|", ">", "getline", "environ", "@load", "@include", "procinfo", "close", "fflush"}

func awk(args []string) (Decision, bool) {
	var progs []string
	sawFile := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-f" || a == "--file" || strings.HasPrefix(a, "--file="):
			sawFile = true
			if a == "-f" || a == "--file" {
				i++
			}
		case strings.HasPrefix(a, "-f") && !strings.HasPrefix(a, "--"):
			sawFile = true
		case a == "-e" || a == "--source":
			if i+1 < len(args) {
				progs = append(progs, args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--source="):
			progs = append(progs, strings.TrimPrefix(a, "--source="))
		case a == "-l" || a == "--load" || strings.HasPrefix(a, "--load=") || strings.HasPrefix(a, "-l") ||
			a == "-E" || a == "--exec" || strings.HasPrefix(a, "--exec="):
			return deny(RuleInterpreter, "awk %s loads code", a), false
		case a == "-v" || a == "-F":
			i++
		case a == "--":
		case strings.HasPrefix(a, "-") && len(a) > 1:
		default:
			if !sawFile && len(progs) == 0 {
				progs = append(progs, a)
			}
			// First operand is the program; the rest are files or
			// var=value assignments, which awk cannot execute.
			i = len(args)
		}
	}
	for _, p := range progs {
		l := strings.ToLower(p)
		for _, bad := range awkBad {
			if strings.Contains(l, bad) {
				return deny(RuleInterpreter, "awk program uses %q", bad), false
			}
		}
	}
	return Decision{}, true
}

// sed scripts can execute (e command, s///e) and write or read files
// (w, W, r, R, s///w). sedScript walks the script's commands well enough to
// find those letters in command position; when it cannot follow, it denies.
func sed(args []string) (Decision, bool) {
	var scripts []string
	explicit := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" || a == "--expression":
			explicit = true
			if i+1 < len(args) {
				scripts = append(scripts, args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--expression="):
			explicit = true
			scripts = append(scripts, strings.TrimPrefix(a, "--expression="))
		case isShortCluster(a) && strings.Contains(a, "e"):
			explicit = true
			_, rest, _ := strings.Cut(a, "e")
			if rest != "" {
				scripts = append(scripts, rest)
			} else if i+1 < len(args) {
				scripts = append(scripts, args[i+1])
				i++
			}
		case a == "-f" || a == "--file" || strings.HasPrefix(a, "--file="):
			explicit = true
			if a == "-f" || a == "--file" {
				i++
			}
		case a == "-l" || a == "--line-length":
			i++
		case strings.HasPrefix(a, "-") && len(a) > 1:
		default:
			if !explicit {
				scripts = append(scripts, a)
				explicit = true
			}
		}
	}
	for _, s := range scripts {
		if c, ok := sedScript(s); !ok {
			return deny(RuleInterpreter, "sed command %q executes or touches files", c), false
		}
	}
	return Decision{}, true
}

// sedScript returns the offending command and false when script contains
// e, w, W, r, R commands or s///e, s///w flags, or cannot be followed.
func sedScript(s string) (string, bool) {
	i := 0
	n := len(s)
	skipRE := func(delim byte) bool { // i at first char after delim
		for i < n {
			switch s[i] {
			case '\\':
				i += 2
				continue
			case delim:
				i++
				return true
			case '\n':
				if delim != '\n' {
					return false
				}
			}
			i++
		}
		return false
	}
	toEOL := func() {
		for i < n && s[i] != '\n' && s[i] != ';' {
			i++
		}
	}
	for i < n {
		// Skip separators and addresses.
		for i < n && strings.IndexByte(" \t\n;!{}", s[i]) >= 0 {
			i++
		}
		if i >= n {
			break
		}
		for addr := 0; addr < 2 && i < n; addr++ {
			switch {
			case s[i] == '/':
				i++
				if !skipRE('/') {
					return "address", false
				}
				for i < n && (s[i] == 'I' || s[i] == 'M') {
					i++
				}
			case s[i] == '\\':
				if i+1 >= n {
					return "address", false
				}
				d := s[i+1]
				i += 2
				if !skipRE(d) {
					return "address", false
				}
			case s[i] >= '0' && s[i] <= '9' || s[i] == '$' || s[i] == '~' || s[i] == '+':
				for i < n && (s[i] >= '0' && s[i] <= '9' || s[i] == '$' || s[i] == '~' || s[i] == '+') {
					i++
				}
			}
			for i < n && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
			if i < n && s[i] == ',' {
				i++
				continue
			}
			break
		}
		for i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '!') {
			i++
		}
		if i >= n {
			break
		}
		c := s[i]
		i++
		switch c {
		case 'e', 'w', 'W', 'r', 'R', 'F', 'v', 'z', 'Q', 'q', 'l', 'L':
			switch c {
			case 'e', 'w', 'W', 'r', 'R':
				return string(c), false
			}
			toEOL()
		case 's':
			if i >= n {
				return "s", false
			}
			d := s[i]
			if d == '\n' || d == '\\' {
				return "s", false
			}
			i++
			for range 2 { // the pattern, then the replacement
				if !skipRE(d) {
					return "s", false
				}
			}
			for i < n && strings.IndexByte(";\n}", s[i]) < 0 {
				if s[i] == 'e' || s[i] == 'w' || s[i] == 'W' {
					return "s///" + string(s[i]), false
				}
				i++
			}
		case 'y':
			if i >= n {
				return "y", false
			}
			d := s[i]
			i++
			for range 2 { // the source characters, then the destination
				if !skipRE(d) {
					return "y", false
				}
			}
		case 'a', 'i', 'c':
			// Text to end of line (GNU one-liner form); backslash-newline
			// continues it.
			for i < n && s[i] != '\n' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
		case ':', 'b', 't', 'T':
			toEOL()
		case '{', '}', '=', 'd', 'D', 'g', 'G', 'h', 'H', 'n', 'N', 'p', 'P', 'x', '#':
			if c == '#' {
				for i < n && s[i] != '\n' {
					i++
				}
			}
		default:
			return string(c), false
		}
	}
	return "", true
}
