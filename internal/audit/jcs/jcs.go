// Package jcs writes JSON in the canonical form of RFC 8785 (JSON
// Canonicalization Scheme): object members sorted by their UTF-16 code
// units, no insignificant whitespace, numbers in ECMAScript form, strings
// with minimal escaping. The audit record hashes canonical arguments so
// that two encodings of the same value get the same hash.
package jcs

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical returns the canonical form of the JSON value in data.
func Canonical(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("jcs: %w", err)
	}
	if dec.More() {
		return nil, errors.New("jcs: trailing data after the value")
	}
	return appendValue(make([]byte, 0, len(data)), v)
}

// Hash returns the SHA-256 of the canonical form of data.
func Hash(data []byte) ([32]byte, error) {
	c, err := Canonical(data)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(c), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return AppendString(b, v), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("jcs: number %s out of range", v)
		}
		return AppendNumber(b, f), nil
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("jcs: unexpected %T", v)
}

// compareUTF16 orders strings by UTF-16 code units, as RFC 8785 requires
// (it differs from byte order only above U+FFFF against U+E000..U+FFFF).
func compareUTF16(a, b string) int {
	if isBMPOnly(a) && isBMPOnly(b) {
		return strings.Compare(a, b)
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

func isBMPOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 {
			return false
		}
	}
	return true
}

// AppendNumber appends f as ECMAScript's Number.prototype.toString does.
func AppendNumber(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0')
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(s, "e")
	if exp[0] == '+' {
		exp = exp[1:]
		b = append(b, mant...)
		b = append(b, 'e', '+')
	} else {
		exp = exp[1:]
		b = append(b, mant...)
		b = append(b, 'e', '-')
	}
	exp = strings.TrimLeft(exp, "0")
	return append(b, exp...)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string with RFC 8785 escaping: only ",
// \ and control characters are escaped, with the short forms where JSON
// has them. Invalid UTF-8 becomes U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
