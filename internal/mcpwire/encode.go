package mcpwire

import "strconv"

// These build compact wire messages. Raw arguments (ids, params, results,
// data) are written as given and must be valid JSON; a nil id is written
// as null.

// NewRequest builds a request; params is omitted when empty.
func NewRequest(id []byte, method string, params []byte) []byte {
	b := make([]byte, 0, 48+len(id)+len(method)+len(params))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = appendRaw(b, id)
	b = append(b, `,"method":`...)
	b = appendQuoted(b, method)
	return closeParams(b, params)
}

// NewNotification builds a notification; params is omitted when empty.
func NewNotification(method string, params []byte) []byte {
	b := make([]byte, 0, 40+len(method)+len(params))
	b = append(b, `{"jsonrpc":"2.0","method":`...)
	b = appendQuoted(b, method)
	return closeParams(b, params)
}

// NewResult builds a success response; a nil result is written as null.
func NewResult(id, result []byte) []byte {
	b := make([]byte, 0, 40+len(id)+len(result))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = appendRaw(b, id)
	b = append(b, `,"result":`...)
	b = appendRaw(b, result)
	return append(b, '}')
}

// NewError builds an error response; data is omitted when empty.
func NewError(id []byte, code int, message string, data []byte) []byte {
	b := make([]byte, 0, 72+len(id)+len(message)+len(data))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = appendRaw(b, id)
	b = append(b, `,"error":{"code":`...)
	b = appendInt(b, code)
	b = append(b, `,"message":`...)
	b = appendQuoted(b, message)
	if len(data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, data...)
	}
	return append(b, '}', '}')
}

func appendRaw(b, raw []byte) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

func closeParams(b, params []byte) []byte {
	if len(params) > 0 {
		b = append(b, `,"params":`...)
		b = append(b, params...)
	}
	return append(b, '}')
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
