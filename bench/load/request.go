package main

import (
	"strconv"
	"sync/atomic"
)

const (
	protocolSession = "2025-11-25"
	protocolModern  = "2026-07-28"

	// modernMeta is the per-request _meta of the stateless 2026-07-28 protocol.
	modernMeta = `{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
		`"io.modelcontextprotocol/clientCapabilities":{},` +
		`"io.modelcontextprotocol/clientInfo":{"name":"load","version":"1"}}`

	// idWidth is the number of decimal digits in every tools/call id. Ids
	// start at 10^12, so they are fixed-width JSON numbers and can be patched
	// into a prebuilt request in place.
	idWidth = 13
	idBase  = 1_000_000_000_000

	filler = "abcdefghijklmnopqrstuvwxyz0123456789"
)

var idCounter atomic.Uint64

// nextID returns a process-wide unique call id.
func nextID() uint64 { return idBase + idCounter.Add(1) }

// callTemplate is a prebuilt tools/call request for one caller. Each call
// patches a fresh id into the "id" member and into the first idWidth bytes of
// the text argument, so every call's echo is distinct and a gateway that
// mixes up responses is caught even when ids happen to line up.
type callTemplate struct {
	buf        []byte
	idOff      int    // offset of the id digits
	textOff    int    // offset of the id digits inside the text, -1 if the payload is shorter
	quotedText []byte // the text argument as JSON (with quotes), a subslice of buf
	quotedOff  int
}

// newCallTemplate builds a tools/call request whose text argument is exactly
// payload bytes of [0-9a-z] (no JSON escaping needed). newline appends '\n'
// for the stdio framing.
func newCallTemplate(payload int, modern, newline bool) *callTemplate {
	t := &callTemplate{}
	b := make([]byte, 0, payload+512)
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	t.idOff = len(b)
	b = strconv.AppendUint(b, idBase, 10)
	b = append(b, `,"method":"tools/call","params":{"name":"echo","arguments":{"text":"`...)
	textStart := len(b)
	t.textOff = -1
	n := payload
	if payload >= idWidth {
		t.textOff = len(b)
		b = strconv.AppendUint(b, idBase, 10)
		n -= idWidth
	}
	for i := 0; i < n; i++ {
		b = append(b, filler[i%len(filler)])
	}
	textEnd := len(b)
	b = append(b, `"}`...)
	if modern {
		b = append(b, `,"_meta":`...)
		b = append(b, modernMeta...)
	}
	b = append(b, `}}`...)
	if newline {
		b = append(b, '\n')
	}
	t.buf = b
	t.quotedOff = textStart - 1
	t.quotedText = b[textStart-1 : textEnd+1]
	return t
}

// setID patches id into the request and returns the id's JSON bytes (a
// subslice of the request, valid until the next setID).
func (t *callTemplate) setID(id uint64) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], id, 10)
	copy(t.buf[t.idOff:t.idOff+idWidth], s)
	if t.textOff >= 0 {
		copy(t.buf[t.textOff:t.textOff+idWidth], s)
	}
	return t.buf[t.idOff : t.idOff+idWidth]
}

// clone returns an independent copy, used after a timed-out call whose buffer
// may still be referenced by a writer.
func (t *callTemplate) clone() *callTemplate {
	c := *t
	c.buf = append([]byte(nil), t.buf...)
	c.quotedText = c.buf[t.quotedOff : t.quotedOff+len(t.quotedText)]
	return &c
}

// Fixed JSON-RPC messages used outside the measured loop.
func initializeRequest(id int) []byte {
	return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"initialize","params":{"protocolVersion":"` +
		protocolSession + `","capabilities":{},"clientInfo":{"name":"load","version":"1"}}}`)
}

var initializedNotification = []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)

func toolsListRequest(id int, modern bool) []byte {
	if modern {
		return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/list","params":{"_meta":` + modernMeta + `}}`)
	}
	return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/list"}`)
}
