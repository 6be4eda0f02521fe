// Package pathguard confines a path argument to declared roots.
//
// It is a pure engine: a string and the roots in, a Decision out. The
// only outside state it reads is the file system, and only to resolve
// symlinks under roots that exist, because a lexical check alone lets a
// link inside a root point anywhere.
//
// The adapter must pass Decision.Clean to the tool in place of the
// argument it received: the check is about the decoded, folded form, and
// a tool that decodes differently must not see the original. A check
// against the file system is a snapshot; a sandbox confining the tool to
// the same roots closes the window between check and use.
package pathguard

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options tune Check.
type Options struct {
	// NoSymlinks skips resolution against the file system; the check is
	// then lexical only (for tests and for roots on another host).
	NoSymlinks bool
}

// Decision is the verdict on one path. Clean is the path the caller
// should use when Allow is true: decoded, folded, cleaned and, when
// roots exist, with symlinks resolved.
type Decision struct {
	Allow  bool
	Rule   string
	Reason string
	Clean  string
}

// Rule ids.
const (
	RuleAllowed   = "path.allowed"
	RuleEmpty     = "path.empty"
	RuleNoRoots   = "path.no_roots"
	RuleNUL       = "path.nul"
	RuleEncoding  = "path.encoding"
	RuleHome      = "path.home"
	RuleURL       = "path.url"
	RuleWindows   = "path.windows"
	RuleDots      = "path.dot_segment"
	RuleDevice    = "path.device"
	RuleOutside   = "path.outside_roots"
	RuleSymlink   = "path.symlink_escape"
	RuleFSError   = "path.fs_error"
	maxDecodeRuns = 2
)

func deny(rule, reason string) Decision { return Decision{Rule: rule, Reason: reason} }

// Check decides whether p names something inside one of roots. Relative
// paths are taken relative to the first root.
func Check(p string, roots []string, opts Options) Decision {
	if p == "" {
		return deny(RuleEmpty, "empty path")
	}
	cleanRoots := make([]string, 0, len(roots))
	for _, r := range roots {
		if r != "" && filepath.IsAbs(r) {
			cleanRoots = append(cleanRoots, filepath.Clean(r))
		}
	}
	if len(cleanRoots) == 0 {
		return deny(RuleNoRoots, "no absolute roots declared")
	}

	s, ok := percentDecode(p)
	if !ok {
		return deny(RuleEncoding, "percent-encoding nested more than twice, or a %u escape of a surrogate")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return deny(RuleNUL, "NUL byte would truncate the path")
	}
	if !utf8.ValidString(s) {
		// Overlong forms such as %c0%ae ('.') are invalid UTF-8.
		return deny(RuleEncoding, "invalid or overlong UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return deny(RuleEncoding, "control character in path")
		}
	}
	s = fold(s)
	s = strings.ReplaceAll(s, `\`, "/")
	if !isASCII(s) {
		if hiddenDotSegment(s) {
			return deny(RuleEncoding, "a segment that is . or .. once invisible characters are removed")
		}
		if privateUseDotSegment(s) {
			return deny(RuleEncoding, "a private-use character that a best-fit code page reads as a dot or separator makes a .. segment")
		}
	}
	if mayHaveDotTrick(s) && dotTrickSegment(s) {
		return deny(RuleDots, "a segment of only dots and spaces (or dots before an NTFS stream) that a filter stripping ../ or Windows trimming reads as ..")
	}
	if strings.Contains(s, ":$") && ntfsStreamType(s) {
		return deny(RuleWindows, "an NTFS stream type (::$DATA, :$INDEX_ALLOCATION) names another view of a file or directory")
	}

	if len(s) >= 5 && strings.EqualFold(s[:5], "file:") {
		rest := s[5:]
		if !strings.HasPrefix(rest, "//") {
			return deny(RuleURL, "file: URL without authority")
		}
		rest = rest[2:]
		host, path, _ := strings.Cut(rest, "/")
		if host != "" && !strings.EqualFold(host, "localhost") {
			return deny(RuleURL, "file URL names a remote host")
		}
		s = "/" + path
		if strings.ContainsAny(s, "?#") {
			return deny(RuleURL, "file URL with query or fragment")
		}
	} else if i := strings.Index(s, "://"); i > 0 && isScheme(s[:i]) {
		return deny(RuleURL, "URL scheme "+s[:i]+" is not a path")
	}

	if strings.HasPrefix(s, "~") {
		return deny(RuleHome, "home-directory expansion is refused")
	}
	if len(s) >= 2 && s[1] == ':' && isLetter(s[0]) {
		return deny(RuleWindows, "Windows drive path")
	}
	if strings.HasPrefix(s, "//") {
		return deny(RuleWindows, "UNC or device namespace path")
	}

	if !strings.HasPrefix(s, "/") {
		s = cleanRoots[0] + "/" + s
	}
	clean := filepath.Clean(s)

	root, in := within(clean, cleanRoots)
	if !in {
		if isDevice(clean) {
			return deny(RuleDevice, clean+" is a kernel or device file system")
		}
		return deny(RuleOutside, clean+" is outside the declared roots")
	}
	if opts.NoSymlinks {
		return Decision{Allow: true, Rule: RuleAllowed, Reason: "inside " + root, Clean: clean}
	}

	realRoots := make([]string, 0, len(cleanRoots))
	for _, r := range cleanRoots {
		if rr, err := filepath.EvalSymlinks(r); err == nil {
			realRoots = append(realRoots, rr)
		}
	}
	if len(realRoots) == 0 {
		// No root exists: nothing on disk to resolve against.
		return Decision{Allow: true, Rule: RuleAllowed, Reason: "inside " + root + " (root absent, lexical check)", Clean: clean}
	}
	real, err := resolve(clean)
	if err != nil {
		return deny(RuleFSError, "resolving symlinks: "+err.Error())
	}
	rroot, in := within(real, realRoots)
	if !in {
		if _, lexIn := within(clean, realRoots); lexIn || real != clean {
			return deny(RuleSymlink, clean+" resolves to "+real+", outside the declared roots")
		}
		return deny(RuleOutside, real+" is outside the declared roots")
	}
	return Decision{Allow: true, Rule: RuleAllowed, Reason: "inside " + rroot, Clean: real}
}

// percentDecode decodes valid %XX escapes, and the %uXXXX escapes of
// JavaScript's unescape and IIS, until nothing changes. A single or
// double encoding is decoded; anything deeper is refused, and so is a
// %u escape of a surrogate, which names no character. Invalid escapes
// ("100%.txt", "%user") are left as they are.
func percentDecode(s string) (string, bool) {
	for i := 0; i <= maxDecodeRuns; i++ {
		d, ok := decodeOnce(s)
		if !ok {
			return "", false
		}
		if d == s {
			return s, true
		}
		if i == maxDecodeRuns {
			break
		}
		s = d
	}
	return "", false
}

func decodeOnce(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+5 < len(s) && s[i+1]|0x20 == 'u' &&
			isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) {
			r := rune(unhex(s[i+2]))<<12 | rune(unhex(s[i+3]))<<8 | rune(unhex(s[i+4]))<<4 | rune(unhex(s[i+5]))
			if utf16.IsSurrogate(r) {
				return "", false
			}
			b.WriteRune(r)
			i += 5
			continue
		}
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// hiddenDotSegment reports a segment of s that is "." or ".." once the
// characters a display hides are removed (zero-width spaces and joiners,
// soft hyphens, bidi marks, variation selectors: Unicode's default
// ignorables). The file system reads ".\u200b." as a name, but a server
// that strips invisible characters reads "..". Names that merely contain
// them, such as emoji joined by U+200D, are left alone.
func hiddenDotSegment(s string) bool {
	for seg := range strings.SplitSeq(s, "/") {
		if !strings.Contains(seg, ".") || isASCII(seg) {
			continue
		}
		visible := strings.Map(func(r rune) rune {
			if unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) {
				return -1
			}
			return r
		}, seg)
		if visible == "." || visible == ".." {
			return true
		}
	}
	return false
}

// mayHaveDotTrick is the cheap gate of dotTrickSegment.
func mayHaveDotTrick(s string) bool {
	return strings.Contains(s, "....") || strings.Contains(s, ". ") || strings.Contains(s, " .") || strings.Contains(s, ".:")
}

// dotTrickSegment reports a segment made only of dots and spaces that is
// not ".", ".." or "..." yet reads as ".." somewhere downstream: four dots
// or more ("....//" becomes "../" once a filter strips "../"), or two dots
// or more with spaces (".. ", Windows trims trailing spaces and dots; one
// dot with spaces is at most ".", harmless). The part of a
// segment before an NTFS stream separator counts as the segment
// ("..::$INDEX_ALLOCATION", "..:x"). "..." (an ellipsis) and names with any
// other character ("..hidden", "v1...final", "2025..2026") are names.
func dotTrickSegment(s string) bool {
	for seg := range strings.SplitSeq(s, "/") {
		stream := false
		if i := strings.IndexByte(seg, ':'); i >= 0 {
			seg, stream = seg[:i], true
		}
		dots, other := 0, false
		for i := 0; i < len(seg); i++ {
			switch seg[i] {
			case '.':
				dots++
			case ' ':
			default:
				other = true
			}
		}
		if other || dots < 2 && !stream || dots == 0 {
			continue
		}
		if stream || dots >= 4 || dots != len(seg) {
			return true
		}
	}
	return false
}

// ntfsStreamTypes are NTFS attribute types that name a stream of a file or
// directory (file::$DATA, dir:$I30:$INDEX_ALLOCATION).
var ntfsStreamTypes = []string{"DATA", "INDEX_ALLOCATION", "BITMAP", "ATTRIBUTE_LIST", "EA", "EA_INFORMATION",
	"FILE_NAME", "LOGGED_UTILITY_STREAM", "OBJECT_ID", "REPARSE_POINT", "SECURITY_DESCRIPTOR",
	"STANDARD_INFORMATION", "VOLUME_INFORMATION", "VOLUME_NAME", "I30"}

// ntfsStreamType reports ":$TYPE" with an NTFS attribute type, in any case.
func ntfsStreamType(s string) bool {
	for i := strings.Index(s, ":$"); i >= 0; {
		rest := s[i+2:]
		end := strings.IndexAny(rest, ":/")
		if end < 0 {
			end = len(rest)
		}
		for _, t := range ntfsStreamTypes {
			if strings.EqualFold(rest[:end], t) {
				return true
			}
		}
		j := strings.Index(rest, ":$")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// lookalikes are separators and dots that NFKC leaves alone but that a
// tool, a terminal or a later normalisation may treat as the real thing.
var lookalikes = map[rune]string{
	'\u2215': "/",  // DIVISION SLASH
	'\u2044': "/",  // FRACTION SLASH
	'\u29f8': "/",  // BIG SOLIDUS
	'\u2571': "/",  // BOX DRAWINGS LIGHT DIAGONAL
	'\u29f9': `\`,  // BIG REVERSE SOLIDUS
	'\u2216': `\`,  // SET MINUS
	'\u29f5': `\`,  // REVERSE SOLIDUS OPERATOR
	'\u2024': ".",  // ONE DOT LEADER (NFKC also folds it)
	'\u3002': ".",  // IDEOGRAPHIC FULL STOP
	'\uff61': ".",  // HALFWIDTH IDEOGRAPHIC FULL STOP
	'\u2025': "..", // TWO DOT LEADER
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold applies NFKC (fullwidth ／．＼ become / . \) and the lookalike table.
func fold(s string) string {
	if isASCII(s) {
		return s
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		if rep, ok := lookalikes[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func within(p string, roots []string) (string, bool) {
	for _, r := range roots {
		if p == r || r == "/" || strings.HasPrefix(p, r+"/") {
			return r, true
		}
	}
	return "", false
}

func isDevice(p string) bool {
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// resolve evaluates symlinks on the longest existing prefix of an
// absolute clean path and appends the rest unchanged.
func resolve(p string) (string, error) {
	prefix, rest := p, ""
	for {
		if _, err := os.Lstat(prefix); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && !isNotDir(err) {
			return "", err
		}
		parent := filepath.Dir(prefix)
		if parent == prefix {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(prefix), rest)
		prefix = parent
	}
	real, err := filepath.EvalSymlinks(prefix)
	if err != nil {
		return "", err
	}
	if rest == "" {
		return real, nil
	}
	return filepath.Join(real, rest), nil
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isHex(c byte) bool    { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }
func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
