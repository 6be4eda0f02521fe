package mcpwire

import (
	"encoding/binary"
	"unicode/utf8"
)

// maxDepth bounds the nesting of objects and arrays. The scanner recurses
// once per level, so this is also what keeps a hostile message from
// costing more than a few KiB of stack.
const maxDepth = 64

// scanner is a strict, single-pass RFC 8259 validator. It records offsets
// instead of building values, so scanning allocates nothing unless a
// message has escaped keys, objects with many keys, deeply stacked keys,
// or an error to report.
//
// A scanner is meant to live on the caller's stack for one call, which is
// why it holds no pointers into itself: escape analysis would move it to
// the heap for that.
type scanner struct {
	b   []byte
	pos int

	// err is the first fatal error: the input is not JSON we accept, and
	// scanning stopped there.
	err *Error
	// soft is the first key conflict. Scanning goes on after it so that
	// the message's id can still be found and answered.
	soft *Error

	// The keys of every object currently open, innermost last, as a stack
	// of nkeys entries: the first in keyArr, the rest in extra. Each object
	// checks a new key against its own top of the stack.
	keyArr [stackedKeys]keyRef
	extra  []keyRef
	nkeys  int
	// ubuf holds unescaped copies of keys that contained escapes.
	ubuf []byte
	// sets is indexed by depth, for objects too large to compare pairwise.
	sets []map[string]int

	// path[d-1] is the member or element being scanned in the container at
	// depth d; it only serves error messages.
	path [maxDepth]seg
}

// linearKeys is how many keys one object may have before duplicates are
// found with a map rather than pairwise: below that, comparing is cheaper
// than hashing, and nearly every object in practice is below it.
const linearKeys = 16

// stackedKeys is how many keys of open objects fit without allocating;
// an MCP request rarely has more than a dozen along one path.
const stackedKeys = 24

// keyRef is one object key.
type keyRef struct {
	start, end int  // the key text in s.b, or in s.ubuf when esc
	esc        bool // the key had escapes; the unescaped text is in s.ubuf
	ascii      bool // no escapes and no byte >= 0x80: compared without Unicode tables
}

// seg is one step of a JSON path: a key (raw, as written) or, when
// start < 0, the array index end.
type seg struct{ start, end int }

func (s *scanner) init(b []byte) { s.b = b }

func (s *scanner) name(k *keyRef) []byte {
	if k.esc {
		return s.ubuf[k.start:k.end]
	}
	return s.b[k.start:k.end]
}

func (s *scanner) key(i int) *keyRef {
	if i < stackedKeys {
		return &s.keyArr[i]
	}
	return &s.extra[i-stackedKeys]
}

func (s *scanner) pushKey(k keyRef) {
	if s.nkeys < stackedKeys {
		s.keyArr[s.nkeys] = k
	} else {
		s.extra = append(s.extra[:s.nkeys-stackedKeys], k)
	}
	s.nkeys++
}

// fail records a fatal error and returns false so callers can return it.
func (s *scanner) fail(code int, format string, args ...any) bool {
	if s.err == nil {
		s.err = newError(code, format, args...)
	}
	return false
}

// unexpected fails on the byte at s.pos, or on the end of input.
func (s *scanner) unexpected(what string) bool {
	if s.pos >= len(s.b) {
		return s.fail(CodeParseError, "unexpected end of input, expected %s", what)
	}
	c := s.b[s.pos]
	if c >= 0x20 && c < 0x7f {
		return s.fail(CodeParseError, "invalid character %q at offset %d, expected %s", c, s.pos, what)
	}
	return s.fail(CodeParseError, "invalid byte 0x%02x at offset %d, expected %s", c, s.pos, what)
}

func (s *scanner) skipWS() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

// value scans one JSON value at s.pos; depth is that of the enclosing
// container (0 at top level).
func (s *scanner) value(depth int) bool {
	if s.pos >= len(s.b) {
		return s.unexpected("a value")
	}
	switch c := s.b[s.pos]; c {
	case '{':
		return s.object(depth + 1)
	case '[':
		return s.array(depth + 1)
	case '"':
		_, _, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.number()
		}
		return s.unexpected("a value")
	}
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.pos < len(word) || string(s.b[s.pos:s.pos+len(word)]) != word {
		return s.fail(CodeParseError, "invalid literal at offset %d, expected %s", s.pos, word)
	}
	s.pos += len(word)
	return true
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? . What may
// follow it is the caller's business, which is how "01" and "1x" fail.
func (s *scanner) number() bool {
	b, i := s.b, s.pos
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		s.pos = i
		return s.unexpected("a digit")
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			s.pos = j
			return s.unexpected("a digit after the decimal point")
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			s.pos = j
			return s.unexpected("a digit in the exponent")
		}
		i = j
	}
	s.pos = i
	return true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func (s *scanner) array(depth int) bool {
	if depth > maxDepth {
		return s.fail(CodeParseError, "nesting deeper than %d levels at offset %d", maxDepth, s.pos)
	}
	s.pos++ // '['
	s.skipWS()
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for i := 0; ; i++ {
		s.path[depth-1] = seg{-1, i}
		if !s.value(depth) {
			return false
		}
		s.skipWS()
		switch s.peek() {
		case ',':
			s.pos++
			s.skipWS()
		case ']':
			s.pos++
			return true
		default:
			return s.unexpected("',' or ']'")
		}
	}
}

func (s *scanner) object(depth int) bool {
	var f frame
	empty, ok := s.beginObject(&f, depth)
	if !ok || empty {
		return ok
	}
	var m member
	for {
		end, ok := s.member(&f, &m)
		if !ok || end {
			return ok
		}
	}
}

// frame is the state of one open object.
type frame struct {
	depth       int
	base, ubase int // where this object's keys start on the key stack and in s.ubuf
	set         map[string]int
}

// member is one scanned object member; offsets index the scanned input.
// It holds no pointers, which spares write barriers in the hot loop.
type member struct {
	key              keyRef // read the unescaped key with s.name(&m.key)
	keyStart         int    // the opening quote of the key
	valStart, valEnd int
}

// beginObject consumes '{' and reports whether the object is empty (then
// its '}' is consumed too).
func (s *scanner) beginObject(f *frame, depth int) (empty, ok bool) {
	if depth > maxDepth {
		return false, s.fail(CodeParseError, "nesting deeper than %d levels at offset %d", maxDepth, s.pos)
	}
	if s.peek() != '{' {
		return false, s.unexpected("'{'")
	}
	s.pos++
	s.skipWS()
	if s.peek() == '}' {
		s.pos++
		return true, true
	}
	*f = frame{depth: depth, base: s.nkeys, ubase: len(s.ubuf)}
	return false, true
}

// member scans `"key": value` and the ',' or '}' after it, reporting
// whether that was the end of the object.
func (s *scanner) member(f *frame, m *member) (end, ok bool) {
	if s.peek() != '"' {
		return false, s.unexpected("a string key")
	}
	m.keyStart = s.pos
	esc, nonASCII, ok := s.str()
	if !ok {
		return false, false
	}
	k := keyRef{start: m.keyStart + 1, end: s.pos - 1, esc: esc, ascii: !esc && !nonASCII}
	s.path[f.depth-1] = seg{k.start, k.end}
	if esc {
		n := len(s.ubuf)
		s.ubuf = appendUnescaped(s.ubuf, s.b[k.start:k.end])
		k.start, k.end = n, len(s.ubuf)
	}
	m.key = k
	s.addKey(f, k)

	s.skipWS()
	if s.peek() != ':' {
		return false, s.unexpected("':'")
	}
	s.pos++
	s.skipWS()
	m.valStart = s.pos
	if !s.value(f.depth) {
		return false, false
	}
	m.valEnd = s.pos
	s.skipWS()
	switch s.peek() {
	case ',':
		s.pos++
		s.skipWS()
		return false, true
	case '}':
		s.pos++
		s.nkeys = f.base
		s.ubuf = s.ubuf[:f.ubase]
		return true, true
	}
	return false, s.unexpected("',' or '}'")
}

// str scans a string token at s.pos (an opening quote) and leaves s.pos
// after its closing quote. It rejects control characters, bad escapes,
// lone surrogates and invalid UTF-8.
func (s *scanner) str() (esc, nonASCII, ok bool) {
	b := s.b
	i := s.pos + 1
	for {
		// Eight bytes at a time while none of them needs a look: this is
		// what makes large string arguments cheap.
		for i+8 <= len(b) && !special8(b[i:i+8]) {
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			s.pos = i
			return esc, nonASCII, s.unexpected("'\"' closing the string")
		}
		switch c := b[i]; {
		case c == '"':
			s.pos = i + 1
			return esc, nonASCII, true
		case c == '\\':
			esc = true
			n := s.escape(i)
			if n < 0 {
				return esc, nonASCII, false
			}
			i = n
		case c < 0x20:
			return esc, nonASCII, s.fail(CodeParseError, "control character 0x%02x in string at offset %d", c, i)
		default:
			nonASCII = true
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return esc, nonASCII, s.fail(CodeParseError, "invalid utf-8 at offset %d", i)
			}
			i += size
		}
	}
}

// escape validates the escape sequence at b[i] == '\\' and returns the
// offset after it, or -1.
func (s *scanner) escape(i int) int {
	b := s.b
	if i+1 >= len(b) {
		s.pos = len(b)
		s.unexpected("an escape sequence")
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
	default:
		s.fail(CodeParseError, "invalid escape at offset %d", i)
		return -1
	}
	r := hex4(b, i+2)
	switch {
	case r < 0:
		s.fail(CodeParseError, "invalid \\u escape at offset %d", i)
		return -1
	case r >= 0xd800 && r < 0xdc00:
		// A high surrogate is only text together with a low one.
		if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
			if lo := hex4(b, i+8); lo >= 0xdc00 && lo < 0xe000 {
				return i + 12
			}
		}
		s.fail(CodeParseError, "lone surrogate \\u%04x at offset %d", r, i)
		return -1
	case r >= 0xdc00 && r < 0xe000:
		s.fail(CodeParseError, "lone surrogate \\u%04x at offset %d", r, i)
		return -1
	}
	return i + 6
}

// hex4 decodes four hex digits at b[i:], or returns -1.
func hex4(b []byte, i int) rune {
	if i+4 > len(b) {
		return -1
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// plain[c] is true for the bytes a string may contain as they are:
// printable ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special8 reports whether any of the eight bytes is not plain: a control
// character, a quote, a backslash or a byte >= 0x80. (v-lsb)&^v&msb is
// nonzero exactly when v has a zero byte.
func special8(p []byte) bool {
	v := binary.LittleEndian.Uint64(p)
	quote := v ^ (lsb * '"')
	bslash := v ^ (lsb * '\\')
	ctl := (v - lsb*0x20) &^ v
	return (v|ctl|(quote-lsb)&^quote|(bslash-lsb)&^bslash)&msb != 0
}
