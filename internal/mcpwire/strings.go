package mcpwire

import (
	"bytes"
	"unicode/utf8"
)

// appendUnescaped appends the text of a JSON string body (without quotes)
// to dst. The body is expected to have passed the scanner; on anything
// else it copies what it cannot decode rather than panic.
func appendUnescaped(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '\\')
		if j < 0 {
			return append(dst, src[i:]...)
		}
		dst = append(dst, src[i:i+j]...)
		i += j
		if i+1 >= len(src) {
			return append(dst, src[i:]...)
		}
		switch c := src[i+1]; c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(src, i+2)
			if r < 0 {
				return append(dst, src[i:]...)
			}
			i += 6
			if r >= 0xd800 && r < 0xdc00 && i+1 < len(src) && src[i] == '\\' && src[i+1] == 'u' {
				if lo := hex4(src, i+2); lo >= 0xdc00 && lo < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r) // a lone surrogate becomes U+FFFD
			continue
		default: // '"', '\\', '/' and anything unexpected
			dst = append(dst, c)
		}
		i += 2
	}
	return dst
}

// unquote returns the text of a string token (with its quotes) that the
// scanner accepted.
func unquote(tok []byte) string {
	if len(tok) < 2 {
		return ""
	}
	body := tok[1 : len(tok)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body)
	}
	return string(appendUnescaped(make([]byte, 0, len(body)), body))
}

// AppendString appends s as a JSON string. Only what JSON requires is
// escaped (quote, backslash, control characters); invalid UTF-8 becomes
// U+FFFD so that the output is always valid. Because nothing else is
// escaped, a string token without backslashes is already in this form,
// which IDKey relies on; it is also the RFC 8785 string form.
func AppendString(dst []byte, s string) []byte { return appendQuoted(dst, s) }

func appendQuoted(dst []byte, s string) []byte {
	const hexdig = "0123456789abcdef"
	dst = append(dst, '"')
	start, slow := 0, 0
	for i := 0; i < len(s); {
		// Eight plain bytes at a time: audit records and rewritten
		// messages are mostly ASCII with nothing to escape. After a block
		// that is not plain, go byte by byte for 32 bytes, so that text
		// full of escapes or non-ASCII does not pay for the test at every
		// byte (it costs such text up to a fifth more; plain text runs
		// twice as fast).
		if i >= slow {
			for i+8 <= len(s) && plain8(load8(s, i)) {
				i += 8
			}
			slow = i + 32
			if i >= len(s) {
				break
			}
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexdig[c>>4], hexdig[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plain8 reports whether none of the eight bytes in x needs attention in
// a JSON string: no control character, quote, backslash or non-ASCII
// byte (the classic "has zero byte" bit tricks).
func plain8(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ctl := (x - 0x20*lo) & ^x
	q := x ^ '"'*lo
	quote := (q - lo) & ^q
	b := x ^ '\\'*lo
	back := (b - lo) & ^b
	return (ctl|x|quote|back)&hi == 0
}
