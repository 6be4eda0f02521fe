package mcpwire

import "bytes"

// WithID returns a new slice equal to Raw with the id value replaced by id
// (raw JSON; empty means null). Every other byte is kept. Without an id,
// or for a Message that Parse did not produce, it returns a copy of Raw.
func (m *Message) WithID(id []byte) []byte {
	return m.AppendWithID(make([]byte, 0, len(m.Raw)+len(id)+len("null")), id)
}

// AppendWithID appends what WithID returns to dst, so that a caller that
// is done with the bytes once they are written can use a buffer of its
// own (on its stack) instead of a new slice.
func (m *Message) AppendWithID(dst, id []byte) []byte {
	if m.idEnd == 0 || m.idEnd > len(m.Raw) || m.idStart > m.idEnd {
		return append(dst, m.Raw...)
	}
	if len(id) == 0 {
		id = []byte("null")
	}
	dst = append(dst, m.Raw[:m.idStart]...)
	dst = append(dst, id...)
	return append(dst, m.Raw[m.idEnd:]...)
}

// SetID replaces the message's id with id (raw JSON; empty means null),
// keeping the id's position known so that WithID and SetID work again on
// the result. Params, Result and Error keep pointing at the old Raw, whose
// bytes are not changed. A Message without an id, or one Parse did not
// produce, is left as it is and SetID reports false.
func (m *Message) SetID(id []byte) bool {
	if m.idEnd == 0 || m.idEnd > len(m.Raw) || m.idStart > m.idEnd {
		return false
	}
	if len(id) == 0 {
		id = []byte("null")
	}
	m.Raw = splice(m.Raw, m.idStart, m.idEnd, id)
	m.idEnd = m.idStart + len(id)
	m.ID = m.Raw[m.idStart:m.idEnd:m.idEnd]
	return true
}

// IDKey returns a map key for a raw id: 1 and "1" differ, numbers are
// compared by their bytes (1 and 1.0 differ too), and strings by their
// text, so "\u0031" and "1" are the same id, as a peer that re-encodes
// ids would see them.
func IDKey(raw []byte) string {
	raw = trimWS(raw)
	if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw, '\\') < 0 {
		// A string without escapes is already in canonical form.
		return string(raw)
	}
	var s scanner
	s.init(raw)
	if _, _, ok := s.str(); !ok || s.pos != len(raw) {
		return string(raw)
	}
	return string(appendQuoted(nil, unquote(raw)))
}
