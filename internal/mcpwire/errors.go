package mcpwire

import (
	"encoding/json"
	"fmt"
)

// JSON-RPC 2.0 error codes the gateway produces itself.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
)

// Error is a decoding failure, shaped so that the caller can answer the
// peer with it directly.
type Error struct {
	Code    int
	Message string
	// ID is the id of the offending message when it could be recovered
	// unambiguously (a copy, not an alias of the input), nil otherwise.
	ID json.RawMessage
}

func (e *Error) Error() string {
	switch e.Code {
	case CodeParseError:
		return "mcpwire: parse error: " + e.Message
	case CodeInvalidRequest:
		return "mcpwire: invalid request: " + e.Message
	}
	return fmt.Sprintf("mcpwire: error %d: %s", e.Code, e.Message)
}

func newError(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
