package config

import (
	"slices"
	"strconv"
	"strings"
)

// joinKey appends a mapping key to a YAML path. Keys that are not plain
// words are quoted so that the path stays unambiguous.
func joinKey(parent, key string) string {
	seg := key
	if !plainKey(key) {
		seg = strconv.Quote(key)
	}
	if parent == "" {
		return seg
	}
	return parent + "." + seg
}

// joinIndex appends a list index to a YAML path.
func joinIndex(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// parentPath strips the last segment of a path built by joinKey and
// joinIndex; ok is false for the root.
func parentPath(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	cut := -1
	inQuote := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == '.' || c == '['):
			cut = i
		}
	}
	if cut < 0 {
		return "", true
	}
	return p[:cut], true
}

// suggest returns the candidate closest to s when it is close enough to be
// a likely typo, or "".
func suggest(s string, candidates []string) string {
	norm := func(x string) string { return strings.ReplaceAll(strings.ToLower(x), "-", "_") }
	ns := norm(s)
	if syn, ok := synonyms[ns]; ok && slices.Contains(candidates, syn) {
		return syn
	}
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(ns, norm(c))
		limit := min(max(1, len(c)/4), 3)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// synonyms maps names other tools use to ours; edit distance alone would
// suggest cwd for cmd.
var synonyms = map[string]string{
	"cmd": "command", "args": "command", "argv": "command", "exec": "command",
	"environment": "env", "dir": "cwd", "workdir": "cwd", "working_dir": "cwd",
	"endpoint": "url", "type": "transport",
	"loglevel": "level", "address": "listen", "addr": "listen", "bind": "listen",
}

// editDistance is the optimal-string-alignment distance (Levenshtein with
// adjacent transpositions) between a and b, in bytes. Inputs longer than
// 64 bytes are not compared (the distance is reported as large).
func editDistance(a, b string) int {
	const maxLen = 64
	if len(a) > maxLen || len(b) > maxLen {
		if a == b {
			return 0
		}
		return maxLen
	}
	// rows i-2, i-1 and i of the DP table.
	pp := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, pp[j-2]+1)
			}
			cur[j] = v
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}
