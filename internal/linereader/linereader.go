// Package linereader reads newline-delimited messages, the framing of the
// stdio transport, with a size limit. It is the reading half of package
// linewriter.
package linereader

import (
	"bufio"
	"errors"
	"io"
)

// BufferSize is the buffer NewReader gives a stream. A line that fits in
// it is copied out once, at its exact size; a longer one is gathered
// piece by piece. Pages of the buffer that no read reaches are never
// touched, so a stream of small messages does not pay for its size.
const BufferSize = 256 << 10

// ErrTooLong reports a line over the limit. The line was consumed whole:
// the next Read starts at the next line.
var ErrTooLong = errors.New("line too long")

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
			return nil, tooLong(nil, err)
		}
		if len(line) == 0 {
			return nil, err
		}
		return append([]byte(nil), line...), err
	}
	var line []byte
	for {
		if len(line)+len(frag) > max+2 {
			return nil, tooLong(br, err)
		}
		line = append(line, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
		frag, err = br.ReadSlice('\n')
	}
	line = trimEOL(line)
	if len(line) > max {
		return nil, tooLong(nil, err)
	}
	return line, err
}

// tooLong consumes the rest of an over-long line (br not nil: its end is
// still to come) and returns ErrTooLong, or the error that ended it.
func tooLong(br *bufio.Reader, err error) error {
	for br != nil && errors.Is(err, bufio.ErrBufferFull) {
		_, err = br.ReadSlice('\n')
	}
	if err != nil {
		return err
	}
	return ErrTooLong
}

// trimEOL drops the line's terminator: any run of '\n' and '\r' at its end.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
