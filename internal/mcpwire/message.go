// Package mcpwire is the JSON-RPC envelope of MCP as the gateway sees it:
// strict decoding (no duplicate or case-variant keys anywhere) and raw
// members, so that what is forwarded is exactly what was inspected.
package mcpwire

import "encoding/json"

// Kind says what a message is.
type Kind uint8

const (
	KindInvalid Kind = iota
	KindRequest
	KindNotification
	KindResponse // result
	KindError    // error response
)

func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindNotification:
		return "notification"
	case KindResponse:
		return "response"
	case KindError:
		return "error"
	}
	return "invalid"
}

// Message is one JSON-RPC 2.0 message. ID, Params, Result and Error alias
// Raw: they are the exact bytes of those members as received.
type Message struct {
	Raw    []byte
	Kind   Kind
	ID     json.RawMessage // nil when absent; `null` is kept as received
	Method string          // requests and notifications
	Params json.RawMessage // nil when absent
	Result json.RawMessage
	Error  json.RawMessage

	idStart, idEnd int // byte range of the id value in Raw; 0,0 when absent
}

// IsCall reports whether the message expects a response.
func (m *Message) IsCall() bool { return m.Kind == KindRequest }

// IsResponse reports whether the message answers a request.
func (m *Message) IsResponse() bool { return m.Kind == KindResponse || m.Kind == KindError }
