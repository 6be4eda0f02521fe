package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// ErrInvalidField is returned (wrapped) by Write when an event's ID or Type
// cannot be written without changing the stream's structure: it contains CR
// or LF (which would inject lines), or, for the ID, NUL (which makes
// receivers ignore the field).
var ErrInvalidField = errors.New("sse: invalid field value")

// directWrite: data lines at least this long are written straight from the
// caller's slice instead of being copied into the line buffer.
const directWrite = 4 << 10

// maxPooled: line buffers that grew beyond this are not pooled.
const maxPooled = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Write writes ev as one event: an id line if ev.HasID or ev.ID != "", an
// event line if ev.Type != "", a retry line if ev.Retry > 0 (so the zero
// Event writes none), then ev.Data as one "data:" line per line of data,
// splitting on "\r\n", "\r" and "\n", then a blank line.
//
// Empty Data is written as a single empty "data:" line, so an Event with an
// ID and no Data is an MCP priming event ("id: x\ndata:\n\n"). Line breaks
// inside Data are not preserved byte for byte: a reader sees "\n" for each
// of "\r\n", "\r" and "\n".
//
// An ID containing CR, LF or NUL, or a Type containing CR or LF, is
// rejected with an error wrapping ErrInvalidField and nothing is written.
//
// Write issues one w.Write call for small events; large data lines are
// passed to w without copying, in a few calls. It is safe for concurrent
// use on different writers; callers serialise writes to one writer.
func Write(w io.Writer, ev Event) error {
	if strings.ContainsAny(ev.ID, "\r\n\x00") {
		return fmt.Errorf("%w: id contains CR, LF or NUL", ErrInvalidField)
	}
	if strings.ContainsAny(ev.Type, "\r\n") {
		return fmt.Errorf("%w: event type contains CR or LF", ErrInvalidField)
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= maxPooled {
			*bp = b[:0]
			bufPool.Put(bp)
		}
	}()

	if ev.HasID || ev.ID != "" {
		b = appendField(b, "id", ev.ID)
	}
	if ev.Type != "" {
		b = appendField(b, "event", ev.Type)
	}
	if ev.Retry > 0 {
		b = append(b, "retry: "...)
		b = strconv.AppendInt(b, int64(ev.Retry), 10)
		b = append(b, '\n')
	}

	data := ev.Data
	// Positions of the next LF and of the next CR before it, as in
	// Reader.findEOL, so that CR-only data is not scanned quadratically.
	lfAt, crAt := -1, -1
	for i := 0; ; {
		if lfAt < i {
			if k := bytes.IndexByte(data[i:], '\n'); k >= 0 {
				lfAt = i + k
			} else {
				lfAt = len(data)
			}
		}
		if crAt < i {
			if k := bytes.IndexByte(data[i:lfAt], '\r'); k >= 0 {
				crAt = i + k
			} else {
				crAt = lfAt
			}
		}
		j := min(crAt, lfAt)
		line := data[i:j]
		switch {
		case len(line) == 0:
			b = append(b, "data:\n"...)
		case len(line) >= directWrite:
			b = append(b, "data: "...)
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
			if _, err := w.Write(line); err != nil {
				return err
			}
			b = append(b, '\n')
		default:
			b = append(b, "data: "...)
			b = append(b, line...)
			b = append(b, '\n')
		}
		if j == len(data) {
			break
		}
		i = j + 1
		if data[j] == '\r' && i < len(data) && data[i] == '\n' {
			i++
		}
	}
	b = append(b, '\n')
	_, err := w.Write(b)
	return err
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	if value == "" {
		return append(b, ':', '\n')
	}
	b = append(b, ':', ' ')
	b = append(b, value...)
	return append(b, '\n')
}

// WriteComment writes a comment block, ": text\n\n", typically as a
// keep-alive. Line breaks in text start a new comment line, so text can
// never inject fields or events.
func WriteComment(w io.Writer, text string) error {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	for {
		j := strings.IndexAny(text, "\r\n")
		line := text
		if j >= 0 {
			line = text[:j]
		}
		b = append(b, ':')
		if line != "" {
			b = append(b, ' ')
			b = append(b, line...)
		}
		b = append(b, '\n')
		if j < 0 {
			break
		}
		if text[j] == '\r' && j+1 < len(text) && text[j+1] == '\n' {
			j++
		}
		text = text[j+1:]
	}
	b = append(b, '\n')
	_, err := w.Write(b)
	if cap(b) <= maxPooled {
		*bp = b[:0]
		bufPool.Put(bp)
	}
	return err
}
