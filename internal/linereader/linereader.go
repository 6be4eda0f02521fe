// Package linereader reads newline-delimited messages, the framing of the
// stdio transport, with a size limit. It is the reading half of package
// linewriter.
package linereader

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// BufferSize is the buffer NewReader gives a stream. A line that fits in
// it is copied out once, at its exact size; a longer one is gathered
// piece by piece. Pages of the buffer that no read reaches are never
// touched, so a stream of small messages does not pay for its size.
const BufferSize = 256 << 10

// ErrTooLong reports a line over the limit. The line was consumed whole:
// the next Read starts at the next line. The error Read returns is a
// *TooLongError, which matches ErrTooLong with errors.Is.
var ErrTooLong = errors.New("line too long")

// Edge is how many bytes of an over-long line TooLongError keeps from
// each end.
const Edge = 512

// TooLongError is an over-long line's first and last bytes, up to Edge of
// each (without the terminator): enough to find the id of the message it
// held, so that whoever waits for it gets an answer instead of a timeout.
type TooLongError struct {
	Head, Tail []byte
}

func (e *TooLongError) Error() string        { return ErrTooLong.Error() }
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// NewReader returns a reader for r with a buffer of BufferSize.
func NewReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, BufferSize) }

// Read returns the next line of br without its terminator ("\n" or
// "\r\n") in a fresh slice. A line longer than max bytes (not counting
// the terminator) is consumed and reported as ErrTooLong. With an error
// from br (io.EOF after an unterminated last line, say), what was read
// of the line is returned beside it.
func Read(br *bufio.Reader, max int) ([]byte, error) {
	frag, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		// The whole line is in the buffer.
		line := trimEOL(frag)
		if len(line) > max {
			return nil, tooLong(nil, line, nil, err)
		}
		if len(line) == 0 {
			return nil, err
		}
		return append([]byte(nil), line...), err
	}
	var line []byte
	for {
		if len(line)+len(frag) > max+2 {
			return nil, tooLong(br, line, frag, err)
		}
		line = append(line, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
		frag, err = br.ReadSlice('\n')
	}
	line = trimEOL(line)
	if len(line) > max {
		return nil, tooLong(nil, line, nil, err)
	}
	return line, err
}

// tooLong consumes the rest of an over-long line (br not nil: its end is
// still to come) and returns a *TooLongError, or the error that ended it.
// line and frag are what was read of it so far.
func tooLong(br *bufio.Reader, line, frag []byte, err error) error {
	e := &TooLongError{}
	take := func(b []byte) {
		if n := Edge + 2 - len(e.Head); n > 0 {
			e.Head = append(e.Head, b[:min(n, len(b))]...)
		}
		e.Tail = keepTail(e.Tail, b)
	}
	take(line)
	take(frag)
	for br != nil && errors.Is(err, bufio.ErrBufferFull) {
		frag, err = br.ReadSlice('\n')
		take(frag)
	}
	if err != nil {
		return err
	}
	// Only a line's end holds '\n': a head that has one is the whole line.
	if bytes.IndexByte(e.Head, '\n') >= 0 {
		e.Head = trimEOL(e.Head)
	}
	e.Head = e.Head[:min(len(e.Head), Edge)]
	if e.Tail = trimEOL(e.Tail); len(e.Tail) > Edge {
		e.Tail = e.Tail[len(e.Tail)-Edge:]
	}
	return e
}

// keepTail appends b to tail and keeps the last Edge+2 bytes (room for a
// "\r\n" the caller trims).
func keepTail(tail, b []byte) []byte {
	const keep = Edge + 2
	if len(b) >= keep {
		return append(tail[:0], b[len(b)-keep:]...)
	}
	tail = append(tail, b...)
	if n := len(tail) - keep; n > 0 {
		tail = append(tail[:0], tail[n:]...)
	}
	return tail
}

// trimEOL drops the line's terminator: any run of '\n' and '\r' at its end.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
