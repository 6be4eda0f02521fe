// Package sse parses and writes Server-Sent Events streams
// (text/event-stream) as used by MCP's HTTP transports: the legacy
// HTTP+SSE transport and Streamable HTTP.
//
// Parsing follows the "event stream interpretation" of the WHATWG HTML
// standard (§9.2.6): lines end with CRLF, LF or CR; a leading U+FEFF BOM is
// skipped; lines starting with ':' are comments; "field:value" has one
// optional space stripped from the value; a line without a colon is a field
// with an empty value; unknown fields are ignored; an id containing NUL is
// ignored; retry must be ASCII digits; a blank line dispatches the event;
// data lines are joined with "\n"; a partial event at end of stream is
// discarded.
//
// Deliberate deviations from the standard, all documented on the API:
//
//   - Events that carry an id field but no data line are returned (with
//     HasID set and Data nil) instead of being dropped. MCP 2025-11-25
//     servers send such "priming" events so that the client learns a
//     resumption id before any message arrives. Callers that only want
//     messages skip events with len(Data) == 0.
//   - The stream is not decoded as UTF-8: bytes are passed through as
//     received, so invalid UTF-8 is not replaced with U+FFFD. Field names
//     are matched byte-wise, which gives the same result for valid input.
//   - Resource limits: see NewReader. Exceeding them is an error
//     (ErrTooLarge), not silent truncation.
//   - retry values larger than math.MaxInt32 are ignored.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"sync"
)

// ErrTooLarge is returned by Reader.Next when an event's data or a single
// line exceeds the Reader's limit.
var ErrTooLarge = errors.New("sse: event too large")

// DefaultMaxEvent is the limit NewReader uses when maxEvent <= 0.
const DefaultMaxEvent = 8 << 20

const (
	// lineSlack is how much longer than maxEvent a line may be, so that a
	// "data: " line carrying exactly maxEvent bytes is accepted.
	lineSlack = 64
	// readBufSize is the size of the bufio.Reader wrapping the source.
	readBufSize = 16 << 10
	// blockSize: an event's data is kept in a head buffer that grows up to
	// blockSize, then in blocks of blockSize. Large events thus cost no
	// re-copying while they accumulate, and Next copies them once into an
	// exactly sized slice.
	blockSize = 64 << 10
	// keepBlocks: spare blocks kept for the next event; more are released
	// so that one huge event does not pin memory for the stream's lifetime.
	keepBlocks = 3
	// keepValCap: id/event value buffers grown beyond this are released.
	keepValCap = 64 << 10
)

// Event is one dispatched event.
type Event struct {
	ID    string // value of the last valid id field of this event ("" if none)
	HasID bool   // an id field (without NUL) was present in this event
	Type  string // "event" field; "" means "message"
	Data  []byte // data lines joined with "\n"; nil if the event had no data line
	Retry int    // retry field in ms, -1 when absent
}

type state uint8

const (
	stStart state = iota // at the start of a line
	stName               // inside a field name
	stColon              // just after the colon: an optional space follows
	stValue              // inside a field value
	stSkip               // inside a comment line
)

type field uint8

const (
	fOther field = iota
	fData
	fID
	fEvent
	fRetry
)

// Reader reads events from an event stream. It is not safe for concurrent
// use.
type Reader struct {
	br      *bufio.Reader
	bufs    *readBufs // br and the event buffers came from readBufPool
	max     int       // max data bytes of one event
	maxLine int       // max bytes of one line, terminator excluded
	err     error     // sticky error returned by Next
	pendErr error     // read error seen while looking for the BOM

	started bool // BOM check done
	st      state
	skipLF  bool // the previous line ended with CR: swallow one LF
	lineLen int  // bytes of the current line so far
	name    [5]byte
	nameLen int
	field   field
	// Cached positions, relative to the start of the unread bufio data, of
	// the next '\n' and of the next '\r' before it (see findEOL). A value
	// < the scan position means unknown.
	lfAt, crAt int

	// Per-event buffers.
	data    []byte   // head of the data lines so far, joined with '\n'
	blocks  [][]byte // rest of the data, in blocks of blockSize
	spare   [][]byte // empty blocks for reuse
	dataLen int      // total bytes in data and blocks
	hasData bool     // at least one data line
	typ     []byte   // event type buffer
	val     []byte   // value of the current id or retry line
	hasID   bool
	retry   int

	// Per-stream state.
	idBuf     []byte // last event ID buffer (spec)
	idDirty   bool   // idBuf changed since lastID was computed
	lastID    string // last event ID string (spec), updated at blank lines
	typStr    string // cache of the last Type string, to avoid allocating
	lastRetry int
}

// NewReader returns a Reader for the event stream r.
//
// maxEvent bounds the data of one event (data lines joined with "\n") and
// the length of any single line (plus a 64-byte allowance for the field
// name, so "data: " followed by maxEvent bytes is accepted). Exceeding
// either makes Next return ErrTooLarge; memory used by the Reader stays
// within a small multiple of maxEvent whatever the stream contains.
// maxEvent <= 0 means DefaultMaxEvent.
//
// If r is a *bufio.Reader of at least 16 KiB it is used directly.
// Otherwise the Reader's buffers come from a pool (readBufs), and Release
// gives them back: an upstream answers each call with a short stream of
// its own, so they would otherwise be most of what a call allocates.
func NewReader(r io.Reader, maxEvent int) *Reader {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEvent
	}
	maxLine := maxEvent + lineSlack
	if maxLine < maxEvent { // overflow
		maxLine = math.MaxInt
	}
	rd := &Reader{
		max:       maxEvent,
		maxLine:   maxLine,
		lfAt:      -1,
		crAt:      -1,
		retry:     -1,
		lastRetry: -1,
	}
	if b, ok := r.(*bufio.Reader); ok && b.Size() >= readBufSize {
		rd.br = b
	} else if b, ok := readBufPool.Get().(*readBufs); ok {
		b.br.Reset(r)
		rd.br, rd.data, rd.spare, rd.bufs = b.br, b.data, b.spare, b
	} else {
		rd.bufs = &readBufs{br: bufio.NewReaderSize(r, readBufSize)}
		rd.br = rd.bufs.br
	}
	return rd
}

// readBufs are what a released Reader leaves for the next one: its read
// buffer, its event head buffer (up to blockSize) and one spare block,
// all empty. A 64 KiB event otherwise costs its head buffer's doublings
// and a block, several times its size, before the copy Next returns.
type readBufs struct {
	br    *bufio.Reader
	data  []byte
	spare [][]byte
}

// readBufPool holds the readBufs of released Readers.
var readBufPool sync.Pool

// ErrReleased is what Next returns after Release.
var ErrReleased = errors.New("sse: reader released")

// Release ends the Reader's use of its buffers, which go back to the pool
// when they came from there; Next then returns ErrReleased. The events
// already returned stay valid (their data is copied out of the buffers).
func (r *Reader) Release() {
	if r.br == nil {
		return
	}
	if b := r.bufs; b != nil {
		r.reset() // the blocks go to spare
		b.br.Reset(nil)
		clear(r.spare[min(len(r.spare), 1):]) // kept blocks beyond one go
		b.data, b.spare = r.data[:0], r.spare[:min(len(r.spare), 1)]
		r.data, r.spare, r.blocks, r.bufs = nil, nil, nil, nil
		readBufPool.Put(b)
	}
	r.br, r.err = nil, ErrReleased
}

// LastEventID returns the stream's last event ID string as defined by the
// standard: it is set from the id fields seen so far each time a blank line
// ends an event (whether or not that event is dispatched) and persists
// across events. Send it as Last-Event-ID when reconnecting.
func (r *Reader) LastEventID() string { return r.lastID }

// Retry returns the last valid retry value (milliseconds) seen in the
// stream, or -1 if none. Unlike Event.Retry it also reflects retry fields
// of blocks that were not dispatched (for example "retry: 3000" alone).
func (r *Reader) Retry() int { return r.lastRetry }

// Next returns the next event.
//
// An event is returned when a blank line ends a block that had at least one
// data line, or (deviation from the standard, for MCP priming events) that
// had an id field but no data line: such an event has HasID set and Data
// nil. Blocks with neither are consumed silently.
//
// Data is a freshly allocated slice owned by the caller; it does not alias
// the Reader's buffers.
//
// At the end of the stream Next returns io.EOF; an incomplete event before
// it is discarded. Read errors from the source are returned as is. Errors
// are sticky: once Next has returned an error it returns the same error on
// every later call.
func (r *Reader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	if !r.started {
		if err := r.skipBOM(); err != nil {
			r.err = err
			return Event{}, err
		}
	}
	for {
		buf, err := r.fill()
		if err != nil {
			r.err = err
			return Event{}, err
		}
		n, ev, ok, err := r.parse(buf)
		r.br.Discard(n) // n <= len(buf): cannot fail
		// Rebase the cached positions on the remaining bytes. A position
		// at or past their end means "none in this buffer" and must be
		// forgotten: the next buffer holds new bytes there.
		rem := len(buf) - n
		if r.lfAt -= n; r.lfAt >= rem {
			r.lfAt = -1
		}
		if r.crAt -= n; r.crAt >= rem {
			r.crAt = -1
		}
		if err != nil {
			r.err = err
			return Event{}, err
		}
		if ok {
			return ev, nil
		}
	}
}

// fill returns the unread buffered bytes, reading once from the source if
// there are none. It never returns an empty slice with a nil error.
func (r *Reader) fill() ([]byte, error) {
	if r.br.Buffered() == 0 {
		if r.pendErr != nil {
			return nil, r.pendErr
		}
		if _, err := r.br.Peek(1); err != nil {
			return nil, err
		}
	}
	buf, _ := r.br.Peek(r.br.Buffered())
	return buf, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// skipBOM discards a UTF-8 BOM at the very start of the stream.
func (r *Reader) skipBOM() error {
	buf, err := r.fill()
	if err != nil {
		return err
	}
	for len(buf) < len(bom) && bytes.HasPrefix(bom, buf) {
		// A proper prefix of the BOM: need more bytes to decide. No event
		// can be complete in fewer than 4 bytes, so waiting is harmless.
		var err error
		buf, err = r.br.Peek(len(buf) + 1)
		if err != nil {
			// bufio forgets the error once returned; keep it for fill.
			r.pendErr = err
			break
		}
	}
	if bytes.HasPrefix(buf, bom) {
		r.br.Discard(len(bom))
	}
	r.started = true
	return nil
}

// findEOL returns the index in buf of the first CR or LF at or after i, or
// len(buf) if there is none. It caches what it learns in r.lfAt and r.crAt
// so that every byte is scanned at most once for each of the two bytes,
// whatever the mix of line terminators.
func (r *Reader) findEOL(buf []byte, i int) int {
	if r.lfAt < i {
		if k := bytes.IndexByte(buf[i:], '\n'); k >= 0 {
			r.lfAt = i + k
		} else {
			r.lfAt = len(buf)
		}
	}
	if r.crAt < i {
		// Only look for CR up to the LF: an LF found first ends the line
		// anyway. r.crAt == r.lfAt then means "no CR before the LF".
		if k := bytes.IndexByte(buf[i:r.lfAt], '\r'); k >= 0 {
			r.crAt = i + k
		} else {
			r.crAt = r.lfAt
		}
	}
	return min(r.crAt, r.lfAt)
}

// eol consumes the line terminator at buf[i] (CR or LF) and returns the
// index after it. A CR at the end of buf makes the next byte, whenever it
// arrives, be swallowed if it is LF.
func (r *Reader) eol(buf []byte, i int) int {
	if buf[i] == '\r' {
		i++
		if i == len(buf) {
			r.skipLF = true
		} else if buf[i] == '\n' {
			i++
		}
		return i
	}
	return i + 1
}

// parse consumes bytes from buf. It returns how many bytes were consumed and
// the event, if a blank line dispatched one.
func (r *Reader) parse(buf []byte) (n int, ev Event, ok bool, err error) {
	i := 0
	if r.skipLF {
		r.skipLF = false
		if buf[0] == '\n' {
			i = 1
		}
	}
	for i < len(buf) {
		switch r.st {
		case stStart:
			switch buf[i] {
			case '\n', '\r':
				i = r.eol(buf, i)
				if ev, ok := r.dispatch(); ok {
					return i, ev, true, nil
				}
				continue
			case ':':
				i++
				r.lineLen = 1
				r.st = stSkip
				continue
			}
			r.lineLen = 0
			r.nameLen = 0
			r.st = stName

		case stName:
			start := i
			for ; i < len(buf); i++ {
				c := buf[i]
				if c == ':' || c == '\n' || c == '\r' {
					break
				}
				if r.nameLen < len(r.name) {
					r.name[r.nameLen] = c
				}
				r.nameLen++
			}
			if r.lineLen += i - start; r.lineLen > r.maxLine {
				return i, Event{}, false, ErrTooLarge
			}
			if i == len(buf) {
				continue
			}
			if err := r.beginField(); err != nil {
				return i, Event{}, false, err
			}
			if buf[i] == ':' {
				i++
				r.lineLen++
				r.st = stColon
				continue
			}
			// A line without colon: the whole line is the field name and
			// the value is empty.
			r.endField()
			i = r.eol(buf, i)
			r.st = stStart

		case stColon:
			if buf[i] == ' ' {
				i++
				r.lineLen++
			}
			r.st = stValue

		case stValue:
			j := r.findEOL(buf, i)
			if j > i {
				if err := r.appendValue(buf[i:j]); err != nil {
					return i, Event{}, false, err
				}
				i = j
			}
			if i == len(buf) {
				continue
			}
			r.endField()
			i = r.eol(buf, i)
			r.st = stStart

		case stSkip:
			j := r.findEOL(buf, i)
			if r.lineLen += j - i; r.lineLen > r.maxLine {
				return i, Event{}, false, ErrTooLarge
			}
			i = j
			if i == len(buf) {
				continue
			}
			i = r.eol(buf, i)
			r.st = stStart
		}
	}
	return i, Event{}, false, nil
}

// beginField is called when the field name is complete (at the colon or at
// the end of a line without colon).
func (r *Reader) beginField() error {
	r.field = fOther
	switch n := r.nameLen; {
	case n == 4 && string(r.name[:4]) == "data":
		r.field = fData
		if r.hasData {
			if r.dataLen >= r.max {
				return ErrTooLarge
			}
			r.appendData([]byte{'\n'})
		}
		r.hasData = true
	case n == 2 && string(r.name[:2]) == "id":
		r.field = fID
		r.val = r.val[:0]
	case n == 5 && string(r.name[:5]) == "event":
		r.field = fEvent
		r.typ = r.typ[:0]
	case n == 5 && string(r.name[:5]) == "retry":
		r.field = fRetry
		r.val = r.val[:0]
	}
	return nil
}

// appendValue adds part of the current field's value.
func (r *Reader) appendValue(p []byte) error {
	if r.field == fData {
		if len(p) > r.max-r.dataLen {
			return ErrTooLarge
		}
		r.appendData(p)
		return nil
	}
	if r.lineLen += len(p); r.lineLen > r.maxLine {
		return ErrTooLarge
	}
	switch r.field {
	case fID, fRetry:
		r.val = append(r.val, p...)
	case fEvent:
		r.typ = append(r.typ, p...)
	}
	return nil
}

// appendData appends p to the event's data. The caller has checked the
// size limit.
func (r *Reader) appendData(p []byte) {
	r.dataLen += len(p)
	if len(r.blocks) == 0 {
		if k := blockSize - len(r.data); len(p) <= k {
			r.data = appendHead(r.data, p, min(blockSize, r.max))
			return
		} else if k > 0 {
			r.data = appendHead(r.data, p[:k], blockSize)
			p = p[k:]
		}
	}
	for len(p) > 0 {
		last := len(r.blocks) - 1
		if last < 0 || len(r.blocks[last]) == blockSize {
			var b []byte
			if n := len(r.spare); n > 0 {
				b, r.spare = r.spare[n-1], r.spare[:n-1]
			} else {
				b = make([]byte, 0, blockSize)
			}
			r.blocks = append(r.blocks, b)
			last++
		}
		k := min(len(p), blockSize-len(r.blocks[last]))
		r.blocks[last] = append(r.blocks[last], p[:k]...)
		p = p[k:]
	}
}

// appendHead appends p to b, doubling b's capacity as needed but never
// beyond limit (len(b)+len(p) <= limit is guaranteed by the caller).
func appendHead(b, p []byte, limit int) []byte {
	need := len(b) + len(p)
	if need > cap(b) {
		c := min(max(2*cap(b), need, 512), limit)
		nb := make([]byte, len(b), c)
		copy(nb, b)
		b = nb
	}
	return append(b, p...)
}

// endField is called at the end of a field line.
func (r *Reader) endField() {
	switch r.field {
	case fID:
		if bytes.IndexByte(r.val, 0) < 0 {
			r.idBuf = append(r.idBuf[:0], r.val...)
			r.idDirty = true
			r.hasID = true
		}
	case fRetry:
		if n, ok := parseRetry(r.val); ok {
			r.retry = n
			r.lastRetry = n
		}
	}
	r.field = fOther
}

// parseRetry accepts a non-empty string of ASCII digits up to MaxInt32.
func parseRetry(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > math.MaxInt32 {
			return 0, false
		}
	}
	return n, true
}

// dispatch handles a blank line: it updates the last event ID string and
// returns the pending event, if there is one, then resets the per-event
// buffers.
func (r *Reader) dispatch() (Event, bool) {
	if r.idDirty {
		if string(r.idBuf) != r.lastID {
			r.lastID = string(r.idBuf)
		}
		r.idDirty = false
	}
	if !r.hasData && !r.hasID {
		r.reset()
		return Event{}, false
	}
	ev := Event{Retry: r.retry}
	if r.hasID {
		ev.ID = r.lastID
		ev.HasID = true
	}
	if len(r.typ) > 0 {
		if string(r.typ) != r.typStr {
			r.typStr = string(r.typ)
		}
		ev.Type = r.typStr
	}
	if r.hasData {
		ev.Data = make([]byte, r.dataLen)
		n := copy(ev.Data, r.data)
		for _, b := range r.blocks {
			n += copy(ev.Data[n:], b)
		}
	}
	r.reset()
	return ev, true
}

func (r *Reader) reset() {
	r.data = r.data[:0]
	for i, b := range r.blocks {
		if len(r.spare) < keepBlocks {
			r.spare = append(r.spare, b[:0])
		}
		r.blocks[i] = nil
	}
	r.blocks = r.blocks[:0]
	r.dataLen = 0
	r.hasData = false
	r.typ = r.typ[:0]
	if cap(r.typ) > keepValCap {
		r.typ = nil
	}
	if cap(r.val) > keepValCap {
		r.val = nil
	}
	r.hasID = false
	r.retry = -1
}
