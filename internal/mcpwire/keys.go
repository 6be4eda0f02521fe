package mcpwire

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addKey checks k against the keys already seen in the object of f and
// records a conflict as a soft error: equal keys, or keys equal under
// Unicode simple case folding, are rejected because decoders disagree on
// which one wins (Go's encoding/json even matches fields
// case-insensitively), and a gateway must not inspect one value while the
// server acts on another.
func (s *scanner) addKey(f *frame, k keyRef) {
	n := s.nkeys - f.base // keys seen so far in this object
	if f.set == nil && n < linearKeys {
		for i := f.base; i < s.nkeys; i++ {
			if p := s.key(i); s.sameKey(p, &k) {
				s.conflict(f.depth, s.name(p), s.name(&k))
				break
			}
		}
		s.pushKey(k)
		return
	}
	if f.set == nil {
		f.set = s.bigSet(f.depth)
		for i := f.base; i < s.nkeys; i++ {
			f.set[foldKey(s.name(s.key(i)))] = i
		}
	}
	fk := foldKey(s.name(&k))
	if i, dup := f.set[fk]; dup {
		s.conflict(f.depth, s.name(s.key(i)), s.name(&k))
	} else {
		f.set[fk] = s.nkeys
	}
	s.pushKey(k)
}

// bigSet returns an empty map for the object at depth, reusing one left by
// an earlier object at that depth.
func (s *scanner) bigSet(depth int) map[string]int {
	if s.sets == nil {
		s.sets = make([]map[string]int, maxDepth+1)
	}
	if s.sets[depth] == nil {
		s.sets[depth] = make(map[string]int)
	} else {
		clear(s.sets[depth])
	}
	return s.sets[depth]
}

func (s *scanner) sameKey(a, b *keyRef) bool {
	if a.ascii && b.ascii {
		return a.end-a.start == b.end-b.start && asciiEqualFold(s.b[a.start:a.end], s.b[b.start:b.end])
	}
	return bytes.EqualFold(s.name(a), s.name(b))
}

func asciiEqualFold(a, b []byte) bool {
	for i := range a {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// foldKey maps a key to a string shared by exactly the keys
// bytes.EqualFold considers equal: every rune becomes the smallest rune of
// its case-folding orbit (the same scheme encoding/json uses).
func foldKey(name []byte) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return string(out)
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// conflict records a key conflict in the object at depth.
func (s *scanner) conflict(depth int, prev, cur []byte) {
	if s.soft != nil {
		return
	}
	var msg string
	if bytes.Equal(prev, cur) {
		msg = "duplicate key " + quoteShort(cur)
	} else {
		msg = "key " + quoteShort(cur) + " conflicts with " + quoteShort(prev) + " (keys differ only in case)"
	}
	if depth > 1 {
		msg += " at " + s.pathString(depth-1)
	}
	s.soft = &Error{Code: CodeInvalidRequest, Message: msg}
}

// pathString renders the first n path segments as a.b[2].c, with keys as
// written and each cut to a readable length.
func (s *scanner) pathString(n int) string {
	var sb strings.Builder
	for i, p := range s.path[:n] {
		if p.start < 0 {
			fmt.Fprintf(&sb, "[%d]", p.end)
			continue
		}
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(shorten(string(s.b[p.start:p.end])))
	}
	return sb.String()
}

// quoteShort quotes a key for a message: ASCII only, so that keys which
// differ by a look-alike rune (K vs the Kelvin sign) show the difference.
func quoteShort(b []byte) string {
	return strconv.QuoteToASCII(shorten(string(b)))
}

func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
