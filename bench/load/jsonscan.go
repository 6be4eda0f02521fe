package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// A tiny, allocation-free JSON scanner for the hot path. The load client only
// needs three things from a JSON-RPC message: its id (to dispatch it to the
// waiting caller), whether it is an error, and the echoed text. Running the
// full encoding/json decoder over a 64 KiB response on every call would cost
// the client as much CPU as the server spends, on the same 2 cores, and dilute
// the gateway's measured overhead; skipping string values with IndexByte is an
// order of magnitude cheaper. Anything unusual falls back to encoding/json.

var errMalformed = errors.New("malformed JSON")

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string that starts at b[i]=='"'.
func skipString(b []byte, i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, errMalformed
		}
		q := j + k
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
}

// skipValue returns the index just past the JSON value that starts at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errMalformed
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				e, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = e
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
			j++
		}
		return 0, errMalformed
	default: // number, true, false, null
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				if j == i {
					return 0, errMalformed
				}
				return j, nil
			}
			j++
		}
		if j == i {
			return 0, errMalformed
		}
		return j, nil
	}
}

// objectFields calls fn for each member of the JSON object b (raw key without
// quotes, raw value). fn returns false to stop early.
func objectFields(b []byte, fn func(key, val []byte) bool) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errMalformed
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errMalformed
		}
		ke, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : ke-1]
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return errMalformed
		}
		vs := skipWS(b, i+1)
		ve, err := skipValue(b, vs)
		if err != nil {
			return err
		}
		if !fn(key, b[vs:ve]) {
			return nil
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return errMalformed
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return nil
		default:
			return errMalformed
		}
	}
}

// arrayElems calls fn for each element of the JSON array b.
func arrayElems(b []byte, fn func(val []byte) bool) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errMalformed
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for {
		ve, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if !fn(b[i:ve]) {
			return nil
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return errMalformed
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return nil
		default:
			return errMalformed
		}
	}
}

// rpcEnvelope is the top level of a JSON-RPC message, as raw values.
type rpcEnvelope struct {
	ID, Method, Result, Error []byte
}

func scanEnvelope(msg []byte) (rpcEnvelope, error) {
	var env rpcEnvelope
	err := objectFields(msg, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			env.ID = v
		case "method":
			env.Method = v
		case "result":
			env.Result = v
		case "error":
			env.Error = v
		}
		return true
	})
	return env, err
}

// rpcError is a JSON-RPC error response, reported as a call failure.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, e.Message) }

func decodeRPCError(raw []byte) error {
	var e rpcError
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("JSON-RPC error (undecodable: %s)", truncate(raw, 200))
	}
	return &e
}

// verifyEcho checks that msg is the successful response to request wantID of
// the echo tool, whose single text content equals the string whose JSON
// encoding is wantQuoted (the exact bytes the request carried).
func verifyEcho(msg, wantID, wantQuoted []byte) error {
	env, err := scanEnvelope(msg)
	if err != nil {
		return fmt.Errorf("response is not a JSON object: %s", truncate(msg, 200))
	}
	if !bytes.Equal(env.ID, wantID) {
		return fmt.Errorf("response id %s, want %s", env.ID, wantID)
	}
	if len(env.Error) > 0 && !bytes.Equal(env.Error, []byte("null")) {
		return decodeRPCError(env.Error)
	}
	if len(env.Result) == 0 {
		return errors.New("response has neither result nor error")
	}
	var content, isError []byte
	if err := objectFields(env.Result, func(k, v []byte) bool {
		switch string(k) {
		case "content":
			content = v
		case "isError":
			isError = v
		}
		return true
	}); err != nil {
		return fmt.Errorf("result is not an object: %s", truncate(env.Result, 200))
	}
	if bytes.Equal(isError, []byte("true")) {
		return fmt.Errorf("tool returned isError: %s", truncate(content, 200))
	}
	n := 0
	var typ, text []byte
	if err := arrayElems(content, func(v []byte) bool {
		n++
		if n == 1 {
			_ = objectFields(v, func(k, v []byte) bool {
				switch string(k) {
				case "type":
					typ = v
				case "text":
					text = v
				}
				return true
			})
		}
		return true
	}); err != nil {
		return fmt.Errorf("result.content is not an array: %s", truncate(content, 200))
	}
	if n != 1 {
		return fmt.Errorf("result.content has %d items, want 1", n)
	}
	if !bytes.Equal(typ, []byte(`"text"`)) {
		return fmt.Errorf("content type %s, want \"text\"", typ)
	}
	if bytes.Equal(text, wantQuoted) {
		return nil
	}
	// Byte mismatch: an encoder may legally escape characters differently.
	// Compare decoded strings before declaring the echo wrong.
	var got, want string
	if json.Unmarshal(text, &got) == nil && json.Unmarshal(wantQuoted, &want) == nil && got == want {
		return nil
	}
	return fmt.Errorf("echoed text mismatch: got %d bytes %s, want %d bytes %s",
		len(text), truncate(text, 40), len(wantQuoted), truncate(wantQuoted, 40))
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + fmt.Sprintf("…(%d bytes)", len(b))
}
