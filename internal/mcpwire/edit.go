package mcpwire

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The editing helpers work on the raw bytes of a JSON object and change
// only what they are asked to: every other byte, whitespace included, is
// kept, so that what the gateway forwards is what it inspected plus the
// edit and nothing else. Keys are compared exactly, after unescaping.
// Objects are scanned strictly; garbage gives an error (or false), never a
// panic.

// Get returns the raw value of the top-level member key of obj, which must
// be bytes Parse accepted (a message's params, result or a member of
// them). It is on the hot path, so it does not validate again: it skips
// values until it finds the key. On broken input it may return false or a
// value from the valid beginning, and never panics.
func Get(obj []byte, key string) (val []byte, ok bool) {
	return lookup(obj, key)
}

// getValidated is Get with full validation of obj, the reference lookup
// is tested against.
func getValidated(obj []byte, key string) (val []byte, ok bool) {
	loc, err := locate(obj, key)
	if err != nil || !loc.found {
		return nil, false
	}
	return obj[loc.valStart:loc.valEnd:loc.valEnd], true
}

// Set returns a copy of obj with the value of member key replaced by val,
// or with `,"key":val` added after the last member when key is absent. It
// refuses a key that differs from an existing one only in case, since
// Parse would reject the result.
func Set(obj []byte, key string, val []byte) ([]byte, error) {
	v, err := checkValue(val)
	if err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	loc, err := locate(obj, key)
	if err != nil {
		return nil, err
	}
	return loc.put(obj, key, v)
}

// Delete returns a copy of obj without member key, taking one adjacent
// comma with it. A missing key is not an error.
func Delete(obj []byte, key string) ([]byte, error) {
	loc, err := locate(obj, key)
	if err != nil {
		return nil, err
	}
	switch {
	case !loc.found:
		return append([]byte(nil), obj...), nil
	case loc.nextStart >= 0: // `"k":v, ` up to the next key
		return splice(obj, loc.keyStart, loc.nextStart), nil
	case loc.prevEnd >= 0: // `, "k":v` from the end of the previous value
		return splice(obj, loc.prevEnd, loc.valEnd), nil
	default: // the only member
		return splice(obj, loc.keyStart, loc.valEnd), nil
	}
}

// SetPath is Set through nested objects: SetPath(p, []string{"_meta",
// "k"}, v) sets p._meta.k, creating _meta when it is missing. A member on
// the way that exists but is not an object is an error.
func SetPath(obj []byte, path []string, val []byte) ([]byte, error) {
	if len(path) == 0 {
		return nil, errors.New("mcpwire: empty path")
	}
	v, err := checkValue(val)
	if err != nil {
		return nil, err
	}
	for _, k := range path {
		if err := checkKey(k); err != nil {
			return nil, err
		}
	}
	return setPath(obj, path, 0, v)
}

func setPath(obj []byte, path []string, i int, val []byte) ([]byte, error) {
	key := path[i]
	loc, err := locate(obj, key)
	if err != nil {
		return nil, err
	}
	if i == len(path)-1 {
		return loc.put(obj, key, val)
	}
	if !loc.found {
		// Build {"b":{"c":val}} for the missing rest of the path.
		var nested []byte
		for _, k := range path[i+1:] {
			nested = appendQuoted(append(nested, '{'), k)
			nested = append(nested, ':')
		}
		nested = append(nested, val...)
		nested = append(nested, strings.Repeat("}", len(path)-i-1)...)
		return loc.put(obj, key, nested)
	}
	inner := obj[loc.valStart:loc.valEnd]
	if inner[0] != '{' {
		return nil, fmt.Errorf("mcpwire: %s is not an object", strings.Join(path[:i+1], "."))
	}
	nv, err := setPath(inner, path, i+1, val)
	if err != nil {
		return nil, err
	}
	return splice(obj, loc.valStart, loc.valEnd, nv), nil
}

// location is where a key is, or would go, in an object.
type location struct {
	found                      bool
	keyStart, valStart, valEnd int
	prevEnd                    int // end of the member before the key, -1 if none
	nextStart                  int // start of the member after the key, -1 if none
	insertAt                   int // where a new member goes
	empty                      bool
	variant                    []byte // an existing key equal to key but for case
}

// locate scans all of obj, strictly, for key.
func locate(obj []byte, key string) (location, error) {
	loc := location{prevEnd: -1, nextStart: -1}
	var s scanner
	s.init(obj)
	s.skipWS()
	open := s.pos
	var f frame
	empty, ok := s.beginObject(&f, 1)
	if ok && empty {
		loc.empty, loc.insertAt = true, open+1
	}
	if ok && !empty {
		var m member
		for {
			end, ok := s.member(&f, &m)
			if !ok {
				break
			}
			name := s.name(&m.key)
			switch {
			case loc.found:
				if loc.nextStart < 0 {
					loc.nextStart = m.keyStart
				}
			case string(name) == key:
				loc.found, loc.keyStart, loc.valStart, loc.valEnd = true, m.keyStart, m.valStart, m.valEnd
			default:
				loc.prevEnd = m.valEnd
				if loc.variant == nil && strings.EqualFold(string(name), key) {
					loc.variant = name
				}
			}
			loc.insertAt = m.valEnd
			if end {
				break
			}
		}
	}
	if s.err == nil {
		s.skipWS()
		if s.pos != len(obj) {
			s.unexpected("end of object")
		}
	}
	if s.err != nil {
		return loc, errors.New("mcpwire: invalid object: " + s.err.Message)
	}
	if s.soft != nil {
		return loc, errors.New("mcpwire: invalid object: " + s.soft.Message)
	}
	return loc, nil
}

// put writes val as the value of key at loc.
func (loc *location) put(obj []byte, key string, val []byte) ([]byte, error) {
	if loc.found {
		return splice(obj, loc.valStart, loc.valEnd, val), nil
	}
	if loc.variant != nil {
		return nil, fmt.Errorf("mcpwire: key %q conflicts with existing key %s", key, quoteShort(loc.variant))
	}
	m := make([]byte, 0, len(key)+len(val)+4)
	if !loc.empty {
		m = append(m, ',')
	}
	m = appendQuoted(m, key)
	m = append(m, ':')
	m = append(m, val...)
	return splice(obj, loc.insertAt, loc.insertAt, m), nil
}

// splice returns a new slice: b with b[start:end] replaced by the parts.
func splice(b []byte, start, end int, parts ...[]byte) []byte {
	n := len(b) - (end - start)
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	out = append(out, b[:start]...)
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, b[end:]...)
}

// checkValue strictly validates a value about to be written and returns
// it without surrounding whitespace.
func checkValue(val []byte) ([]byte, error) {
	v := trimWS(val)
	var s scanner
	s.init(v)
	if s.value(0) && s.pos != len(v) {
		s.unexpected("end of value")
	}
	if s.err == nil {
		s.err = s.soft
	}
	if s.err != nil {
		return nil, errors.New("mcpwire: invalid value: " + s.err.Message)
	}
	return v, nil
}

func checkKey(key string) error {
	if !utf8.ValidString(key) {
		return fmt.Errorf("mcpwire: key %q is not valid utf-8", key)
	}
	return nil
}

// WithParam returns a new message: m with params[key] replaced by val
// (the whole params when key is ""), parsed again, so that what a stage
// forwards after an edit is a message the decoder accepts.
func (m *Message) WithParam(key string, val []byte) (*Message, error) {
	params := val
	if key != "" {
		var err error
		if params, err = Set(m.Params, key, val); err != nil {
			return nil, err
		}
	}
	raw, err := Set(m.Raw, "params", params)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}
