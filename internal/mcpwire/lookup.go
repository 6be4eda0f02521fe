package mcpwire

import "bytes"

// lookup finds the value of member key in obj without validating: obj is
// bytes Parse already accepted, so the hot path (routing, progress tokens,
// names) only skips values until it finds the key. On malformed input it
// returns a wrong answer or false, never panics.
func lookup(obj []byte, key string) ([]byte, bool) {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, false
	}
	i++
	for {
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return nil, false
		}
		kEnd, escaped := stringEnd(obj, i)
		if kEnd < 0 {
			return nil, false
		}
		match := false
		if !escaped {
			match = string(obj[i+1:kEnd-1]) == key
		} else {
			match = unquote(obj[i:kEnd]) == key
		}
		i = skipWS(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = skipWS(obj, i+1)
		vEnd := valueEnd(obj, i)
		if vEnd < 0 {
			return nil, false
		}
		if match {
			return obj[i:vEnd:vEnd], true
		}
		i = skipWS(obj, vEnd)
		if i >= len(obj) || obj[i] != ',' {
			return nil, false
		}
		i++
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] (a
// quote), and whether it holds escapes; -1 when unterminated.
//
// It finds the next quote once and then only looks for backslashes before
// it, both with bytes.IndexByte, which is vectorised: skipping a 64 KiB
// argument costs a memchr rather than a byte loop, and every byte is
// looked at a bounded number of times however many escapes there are.
func stringEnd(b []byte, i int) (int, bool) {
	escaped := false
	j := i + 1
	q := -1 // the next quote at or after j, once known
	for {
		if q < j {
			k := bytes.IndexByte(b[j:], '"')
			if k < 0 {
				return -1, escaped
			}
			q = j + k
		}
		k := bytes.IndexByte(b[j:q], '\\')
		if k < 0 {
			return q + 1, escaped
		}
		escaped = true
		j += k + 2 // skip the escaped character; \uXXXX's digits need no care
		if j > len(b) {
			return -1, escaped
		}
	}
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				end, _ := stringEnd(b, j)
				if end < 0 {
					return -1
				}
				j = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return -1
	default:
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return -1 // no value at all, as in {"a":}
				}
				return j
			}
			j++
		}
		return j
	}
}
