package mcpwire

import (
	"bytes"
)

// Parse strictly decodes one JSON-RPC 2.0 message. The returned Message
// aliases b (Raw is b without surrounding whitespace), so b must not be
// modified while the Message is in use.
//
// Failures are *Error values: CodeParseError when b is not a single JSON
// object we accept (bad syntax, invalid UTF-8, lone surrogates, nesting
// beyond 64), CodeInvalidRequest when it is JSON but not an acceptable
// JSON-RPC message (batches, duplicate or case-variant keys at any depth,
// envelope rules). The error carries the message's id whenever one was
// read unambiguously, even from an otherwise broken message, so that the
// caller can fail the peer's pending call instead of leaving it to time
// out.
func Parse(b []byte) (*Message, error) {
	raw := trimWS(b)
	if len(raw) == 0 {
		return nil, newError(CodeParseError, "empty message")
	}
	var s scanner
	s.init(raw)
	var env envelope
	if raw[0] == '{' {
		if env.scan(&s) && s.pos != len(raw) {
			s.unexpected("end of message after the top-level object")
		}
	} else if s.value(0) && s.pos != len(raw) {
		s.unexpected("end of message")
	}
	switch {
	case s.err != nil:
		s.err.ID = env.recoverID(raw)
		return nil, s.err
	case raw[0] == '[':
		return nil, newError(CodeInvalidRequest, "batch requests are not supported")
	case raw[0] != '{':
		return nil, newError(CodeParseError, "message must be a json object")
	case s.soft != nil:
		s.soft.ID = env.recoverID(raw)
		return nil, s.soft
	case env.soft != nil:
		env.soft.ID = env.recoverID(raw)
		return nil, env.soft
	}
	m, err := env.message(raw)
	if err != nil {
		err.ID = env.recoverID(raw)
		return nil, err
	}
	return m, nil
}

func trimWS(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isWS(b[i]) {
		i++
	}
	for j > i && isWS(b[j-1]) {
		j--
	}
	return b[i:j:j]
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// span is the byte range of a member value; end == 0 means absent.
type span struct{ start, end int }

func (p span) ok() bool { return p.end > 0 }

// envelope collects the top-level members JSON-RPC gives meaning to.
type envelope struct {
	jsonrpc, id, method, params, result, error span
	// idKeys counts keys naming the id in any spelling; only when it is
	// one is the id trustworthy enough to answer with.
	idKeys int
	soft   *Error
}

var envelopeNames = [...]string{"jsonrpc", "id", "method", "params", "result", "error"}

// scan validates the top-level object, noting the envelope members.
func (e *envelope) scan(s *scanner) bool {
	var f frame
	empty, ok := s.beginObject(&f, 1)
	if !ok || empty {
		return ok
	}
	var m member
	for {
		end, ok := s.member(&f, &m)
		if !ok {
			return false
		}
		e.note(s, &m)
		if end {
			return true
		}
	}
}

func (e *envelope) note(s *scanner, m *member) {
	v := span{m.valStart, m.valEnd}
	name := s.name(&m.key)
	switch string(name) { // no allocation: the compiler compares in place
	case "jsonrpc":
		e.jsonrpc = v
	case "id":
		e.id = v
		e.idKeys++
	case "method":
		e.method = v
	case "params":
		e.params = v
	case "result":
		e.result = v
	case "error":
		e.error = v
	default:
		// "ID" or "Method" alone would be an unknown member to us and the
		// real thing to a case-insensitive decoder upstream.
		for _, n := range envelopeNames {
			if bytes.EqualFold(name, []byte(n)) {
				if n == "id" {
					e.idKeys++
				}
				if e.soft == nil {
					e.soft = newError(CodeInvalidRequest, "member %s must be spelled %q", quoteShort(name), n)
				}
			}
		}
	}
}

// recoverID returns a copy of the id when exactly one key named it and
// its value is a string or number.
func (e *envelope) recoverID(raw []byte) []byte {
	if e.idKeys != 1 || !e.id.ok() {
		return nil
	}
	v := raw[e.id.start:e.id.end]
	if c := v[0]; c != '"' && c != '-' && (c < '0' || c > '9') {
		return nil
	}
	return bytes.Clone(v)
}

func invalid(msg string) *Error { return &Error{Code: CodeInvalidRequest, Message: msg} }

// message applies the JSON-RPC envelope rules to a validated object.
func (e *envelope) message(raw []byte) (*Message, *Error) {
	if !e.jsonrpc.ok() {
		return nil, invalid(`missing "jsonrpc" member`)
	}
	if v := raw[e.jsonrpc.start:e.jsonrpc.end]; string(v) != `"2.0"` && (v[0] != '"' || unquote(v) != "2.0") {
		return nil, invalid(`"jsonrpc" must be "2.0"`)
	}
	var id []byte
	if e.id.ok() {
		id = raw[e.id.start:e.id.end:e.id.end]
		if c := id[0]; c != '"' && c != 'n' && c != '-' && (c < '0' || c > '9') {
			return nil, invalid(`"id" must be a string or number`)
		}
	}
	nullID := id != nil && id[0] == 'n'
	m := &Message{Raw: raw, ID: id, idStart: e.id.start, idEnd: e.id.end}
	if e.method.ok() {
		v := raw[e.method.start:e.method.end]
		if v[0] != '"' {
			return nil, invalid(`"method" must be a string`)
		}
		m.Method = methodName(v)
	}
	if e.params.ok() {
		m.Params = raw[e.params.start:e.params.end:e.params.end]
		if c := m.Params[0]; c != '{' && c != '[' {
			return nil, invalid(`"params" must be an object or array`)
		}
	}
	if e.result.ok() {
		m.Result = raw[e.result.start:e.result.end:e.result.end]
	}
	if e.error.ok() {
		m.Error = raw[e.error.start:e.error.end:e.error.end]
	}
	switch {
	case e.method.ok():
		if e.result.ok() || e.error.ok() {
			return nil, invalid(`a request must not carry "result" or "error"`)
		}
		if id == nil {
			m.Kind = KindNotification
			return m, nil
		}
		if nullID {
			return nil, invalid(`request "id" must not be null`)
		}
		m.Kind = KindRequest
	case e.result.ok() && e.error.ok():
		return nil, invalid(`a response must not carry both "result" and "error"`)
	case e.result.ok():
		if id == nil {
			return nil, invalid(`response is missing "id"`)
		}
		if nullID {
			return nil, invalid(`response "id" must not be null`)
		}
		m.Kind = KindResponse
	case e.error.ok():
		if id == nil {
			return nil, invalid(`error response is missing "id"`)
		}
		if err := checkErrorObject(m.Error); err != nil {
			return nil, err
		}
		m.Kind = KindError
	default:
		return nil, invalid(`message has no "method", "result" or "error"`)
	}
	return m, nil
}

// checkErrorObject requires {"code": integer, "message": string, ...}.
func checkErrorObject(v []byte) *Error {
	if v[0] != '{' {
		return invalid(`"error" must be an object`)
	}
	code, ok := Get(v, "code")
	if !ok {
		return invalid(`"error" is missing "code"`)
	}
	if _, ok := parseInt(code); !ok {
		return invalid(`"error.code" must be an integer`)
	}
	msg, ok := Get(v, "message")
	if !ok {
		return invalid(`"error" is missing "message"`)
	}
	if msg[0] != '"' {
		return invalid(`"error.message" must be a string`)
	}
	return nil
}

// parseInt parses a JSON number token that is an integer fitting an
// int64; fractions and exponents are not integers here.
func parseInt(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	if len(tok) == 0 || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	var n uint64
	for _, c := range tok {
		if c < '0' || c > '9' || n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true // wraps correctly for -1<<63
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}
