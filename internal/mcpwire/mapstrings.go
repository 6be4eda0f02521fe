package mcpwire

import (
	"bytes"
	"unsafe"
)

// Valid reports whether v is one JSON value the gateway accepts: strict
// RFC 8259, no duplicate or case-variant keys, at most maxDepth deep.
func Valid(v []byte) bool {
	_, err := checkValue(v)
	return err == nil
}

// MapStrings returns v with each string token that fn changes written
// anew (with AppendString), and whether anything changed. fn sees the
// unescaped text of every string, object keys included (key is true for
// those), in document order. Every other byte of v is kept, and when fn
// changes nothing v itself comes back: no copy is made.
//
// A string without escapes is handed to fn as a view of v's bytes, not a
// copy: the result stages walk every string of every response, and the
// copies were most of their allocations (64 KiB per walk of a 64 KiB
// result). fn may keep such a string only while v is not modified;
// message bytes are never modified once parsed.
//
// v must be valid JSON (bytes Parse or Valid accepted): outside strings
// such text has no quotes, so each quote found there starts a string. On
// broken input MapStrings stops at the first unterminated string.
func MapStrings(v []byte, fn func(s string, key bool) (string, bool)) ([]byte, bool) {
	var out []byte
	last := 0
	for i := 0; i < len(v); {
		k := bytes.IndexByte(v[i:], '"')
		if k < 0 {
			break
		}
		start := i + k
		end, escaped := stringEnd(v, start)
		if end < 0 {
			break
		}
		body := v[start+1 : end-1]
		var s string
		if escaped {
			// A fresh buffer that nothing else holds or changes.
			if u := appendUnescaped(make([]byte, 0, len(body)), body); len(u) > 0 {
				s = unsafe.String(&u[0], len(u))
			}
		} else if len(body) > 0 {
			s = unsafe.String(&body[0], len(body))
		}
		j := skipWS(v, end)
		isKey := j < len(v) && v[j] == ':'
		if ns, changed := fn(s, isKey); changed {
			if out == nil {
				out = make([]byte, 0, len(v)+len(ns)-len(s)+16)
			}
			out = append(out, v[last:start]...)
			out = AppendString(out, ns)
			last = end
		}
		i = end
	}
	if out == nil {
		return v, false
	}
	return append(out, v[last:]...), true
}
