package mcpwire

import (
	"bytes"
	"encoding/json"
)

// RecoverID finds the id of a message the decoder refused or that was
// over the size limit, so that whoever waits for its answer gets an error
// instead of a timeout. head is the message's start and tail its end (for
// a whole message, both are the message). The id comes from head when one
// key named it there; otherwise from the end of tail when "id" is the
// last member (JSON.stringify in the TypeScript SDK writes it last). method
// reports that head shows a "method" member: a request (or notification),
// not a response. It is best effort on purpose: an id it cannot vouch for
// is nil, and a wrong one at worst turns a waiting call into an error.
func RecoverID(head, tail []byte) (id json.RawMessage, method bool) {
	raw := trimWS(head)
	if len(raw) > 0 && raw[0] == '{' {
		var s scanner
		s.init(raw)
		var env envelope
		env.scan(&s)
		method = env.method.ok()
		if env.idKeys > 1 {
			return nil, method // ambiguous: answer no one
		}
		if id = env.recoverID(raw); id != nil {
			return id, method
		}
	}
	return tailID(tail), method
}

// tailID reads `"id": VALUE }` at the very end of tail, VALUE a number or
// a string without escapes, the key preceded by '{' or ',': the last
// member of the outermost object, not the end of a string.
func tailID(tail []byte) json.RawMessage {
	t := trimWS(tail)
	if len(t) == 0 || t[len(t)-1] != '}' {
		return nil
	}
	t = trimWS(t[:len(t)-1])
	var v []byte
	if n := len(t); n > 0 && t[n-1] == '"' {
		i := bytes.LastIndexByte(t[:n-1], '"')
		if i < 0 || bytes.IndexByte(t[i:n-1], '\\') >= 0 {
			return nil
		}
		v, t = t[i:], t[:i]
	} else {
		i := n
		for i > 0 && (t[i-1] >= '0' && t[i-1] <= '9' || t[i-1] == '-' || t[i-1] == '.' || t[i-1] == 'e' || t[i-1] == 'E' || t[i-1] == '+') {
			i--
		}
		v, t = t[i:], t[:i]
		if len(v) == 0 || !json.Valid(v) {
			return nil
		}
	}
	t = trimWS(t)
	if len(t) == 0 || t[len(t)-1] != ':' {
		return nil
	}
	t, ok := bytes.CutSuffix(trimWS(t[:len(t)-1]), []byte(`"id"`))
	if !ok {
		return nil
	}
	if t = trimWS(t); len(t) == 0 || t[len(t)-1] != ',' && t[len(t)-1] != '{' {
		return nil
	}
	return bytes.Clone(v)
}
