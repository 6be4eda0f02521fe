package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// ev builds an expected event with data.
func ev(data string) Event { return Event{Data: []byte(data), Retry: -1} }

func (e Event) withID(id string) Event  { e.ID, e.HasID = id, true; return e }
func (e Event) withType(t string) Event { e.Type = t; return e }
func (e Event) withRetry(n int) Event   { e.Retry = n; return e }

// priming is an id-only event.
func priming(id string) Event { return Event{ID: id, HasID: true, Retry: -1} }

func eventEqual(a, b Event) bool {
	return a.ID == b.ID && a.HasID == b.HasID && a.Type == b.Type &&
		a.Retry == b.Retry && bytes.Equal(a.Data, b.Data) && (a.Data == nil) == (b.Data == nil)
}

func fmtEvent(e Event) string {
	d := "nil"
	if e.Data != nil {
		d = fmt.Sprintf("%q", e.Data)
	}
	return fmt.Sprintf("{ID:%q HasID:%v Type:%q Data:%s Retry:%d}", e.ID, e.HasID, e.Type, d, e.Retry)
}

func fmtEvents(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, fmtEvent(e))
	}
	return "[" + strings.Join(s, " ") + "]"
}

// readAll reads events until an error, which it returns (nil for io.EOF).
func readAll(r *Reader) ([]Event, error) {
	var evs []Event
	for {
		e, err := r.Next()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, e)
	}
}

// chunkReader returns the given chunks, one per Read.
type chunkReader struct{ chunks []string }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	if c.chunks[0] == "" {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

// readers returns the ways every table input is fed to the Reader.
var readers = []struct {
	name string
	wrap func(string) io.Reader
}{
	{"whole", func(s string) io.Reader { return strings.NewReader(s) }},
	{"onebyte", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }},
	{"half", func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) }},
	{"dataerr", func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) }},
}

func TestReader(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		max    int
		want   []Event
		lastID string
		err    error
	}{
		{name: "empty", in: ""},
		{name: "single", in: "data: hello\n\n", want: []Event{ev("hello")}},
		{name: "no space", in: "data:hello\n\n", want: []Event{ev("hello")}},
		{name: "only one space stripped", in: "data:  two\n\n", want: []Event{ev(" two")}},
		{name: "tab kept", in: "data:\tx\n\n", want: []Event{ev("\tx")}},
		{name: "colon in value", in: "data: a:b: c\n\n", want: []Event{ev("a:b: c")}},
		{name: "multi-line data", in: "data: a\ndata: b\ndata:\ndata: c\n\n", want: []Event{ev("a\nb\n\nc")}},
		{name: "two events", in: "data: 1\n\ndata: 2\n\n", want: []Event{ev("1"), ev("2")}},
		{name: "CRLF", in: "data: a\r\ndata: b\r\n\r\n", want: []Event{ev("a\nb")}},
		{name: "CR", in: "data: a\rdata: b\r\r", want: []Event{ev("a\nb")}},
		{name: "mixed terminators", in: "data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\n\rdata: e\n\n",
			want: []Event{ev("a\nb\nc"), ev("d"), ev("e")}},
		{name: "CR CR LF is two terminators", in: "data: a\r\r\ndata: b\n\n", want: []Event{ev("a"), ev("b")}},
		{name: "LF CR is two terminators", in: "data: a\n\rdata: b\n\n", want: []Event{ev("a"), ev("b")}},
		{name: "blank lines between events", in: "\n\n\r\n\rdata: x\n\n\n\n", want: []Event{ev("x")}},
		{name: "comments", in: ": hello\n:\ndata: a\n: mid\ndata: b\n:x\n\n", want: []Event{ev("a\nb")}},
		{name: "comment only block", in: ": keepalive\n\n: again\r\n\r\n", want: nil},
		{name: "BOM", in: "\ufeffdata: x\n\n", want: []Event{ev("x")}},
		{name: "BOM only once", in: "\ufeff\ufeffdata: x\n\ndata: y\n\n", want: []Event{ev("y")}},
		{name: "BOM not at start", in: "data: x\n\n\ufeffdata: y\n\n", want: []Event{ev("x")}},
		{name: "BOM prefix only", in: "\xef\xbbdata: x\n\ndata: y\n\n", want: []Event{ev("y")}},
		{name: "BOM in data", in: "data: \ufeffx\n\n", want: []Event{ev("\ufeffx")}},
		{name: "field without colon", in: "data\n\n", want: []Event{ev("")}},
		{name: "field without colon joins", in: "data\ndata\ndata: x\n\n", want: []Event{ev("\n\nx")}},
		{name: "empty data line", in: "data:\n\n", want: []Event{ev("")}},
		{name: "empty data with space", in: "data: \n\n", want: []Event{ev("")}},
		{name: "unknown fields ignored", in: "foo: bar\ndata: x\nDATA: y\nData: z\ndatas: w\n\n", want: []Event{ev("x")}},
		{name: "unknown field only", in: "foo: bar\n\n", want: nil},
		{name: "event type", in: "event: add\ndata: x\n\n", want: []Event{ev("x").withType("add")}},
		{name: "event type last wins", in: "event: a\nevent: b\ndata: x\n\n", want: []Event{ev("x").withType("b")}},
		{name: "event type reset", in: "event: a\ndata: x\n\ndata: y\n\n", want: []Event{ev("x").withType("a"), ev("y")}},
		{name: "event type empty", in: "event: a\nevent\ndata: x\n\n", want: []Event{ev("x")}},
		{name: "event type without data", in: "event: a\n\ndata: y\n\n", want: []Event{ev("y")}},
		{name: "retry", in: "retry: 1500\ndata: x\n\n", want: []Event{ev("x").withRetry(1500)}},
		{name: "retry zero", in: "retry: 0\ndata: x\n\n", want: []Event{ev("x").withRetry(0)}},
		{name: "retry not digits", in: "retry: 15s\ndata: x\n\nretry: -1\ndata: y\n\nretry: 1.5\ndata: z\n\n",
			want: []Event{ev("x"), ev("y"), ev("z")}},
		{name: "retry empty", in: "retry:\ndata: x\n\nretry\ndata: y\n\n", want: []Event{ev("x"), ev("y")}},
		{name: "retry leading space stripped", in: "retry: 7\ndata: x\n\nretry:  7\ndata: y\n\n",
			want: []Event{ev("x").withRetry(7), ev("y")}},
		{name: "retry overflow ignored", in: "retry: 99999999999999999999999\ndata: x\n\n", want: []Event{ev("x")}},
		{name: "retry max int32", in: "retry: 2147483647\ndata: x\n\nretry: 2147483648\ndata: y\n\n",
			want: []Event{ev("x").withRetry(2147483647), ev("y")}},
		{name: "retry invalid keeps earlier", in: "retry: 5\nretry: x\ndata: x\n\n", want: []Event{ev("x").withRetry(5)}},
		{name: "id", in: "id: 1\ndata: x\n\n", want: []Event{ev("x").withID("1")}, lastID: "1"},
		{name: "id persists", in: "id: 1\ndata: x\n\ndata: y\n\n",
			want: []Event{ev("x").withID("1"), ev("y")}, lastID: "1"},
		{name: "id last wins", in: "id: 1\nid: 2\ndata: x\n\n", want: []Event{ev("x").withID("2")}, lastID: "2"},
		{name: "id reset by empty", in: "id: 1\ndata: x\n\nid\ndata: y\n\n",
			want: []Event{ev("x").withID("1"), ev("y").withID("")}, lastID: ""},
		{name: "id with NUL ignored", in: "id: 1\ndata: x\n\nid: a\x00b\ndata: y\n\n",
			want: []Event{ev("x").withID("1"), ev("y")}, lastID: "1"},
		{name: "id with NUL keeps earlier in event", in: "id: 2\nid: \x00\ndata: y\n\n",
			want: []Event{ev("y").withID("2")}, lastID: "2"},
		{name: "id with NUL only", in: "id: \x00\n\ndata: y\n\n", want: []Event{ev("y")}},
		{name: "id with spaces", in: "id:  a b \ndata: x\n\n", want: []Event{ev("x").withID(" a b ")}, lastID: " a b "},
		{name: "priming", in: "id: p1\n\nid: p2\ndata\n\n",
			want: []Event{priming("p1"), ev("").withID("p2")}, lastID: "p2"},
		{name: "priming with retry", in: "id: 0\nretry: 3000\n\n", want: []Event{priming("0").withRetry(3000)}, lastID: "0"},
		{name: "priming with empty id", in: "id: 5\n\nid:\n\n", want: []Event{priming("5"), priming("")}, lastID: ""},
		{name: "id only at EOF not committed", in: "id: 1\ndata: x\n\nid: 2\n", want: []Event{ev("x").withID("1")}, lastID: "1"},
		{name: "full event", in: "id: 42\nevent: message\nretry: 10\ndata: {\"a\":1}\n\n",
			want: []Event{ev(`{"a":1}`).withID("42").withType("message").withRetry(10)}, lastID: "42"},
		{name: "EOF mid-event", in: "data: x\n\ndata: y\n", want: []Event{ev("x")}},
		{name: "EOF mid-line", in: "data: x\n\ndata: y", want: []Event{ev("x")}},
		{name: "EOF after CR of data line", in: "data: x\n\ndata: y\r", want: []Event{ev("x")}},
		{name: "NUL and binary in data", in: "data: a\x00b\xff\n\n", want: []Event{ev("a\x00b\xff")}},
		{name: "data exactly max", in: "data: 12345678\n\n", max: 8, want: []Event{ev("12345678")}},
		{name: "data joined exactly max", in: "data: 1234\ndata: 567\n\n", max: 8, want: []Event{ev("1234\n567")}},
		{name: "data over max", in: "data: 1\n\ndata: 123456789\n\n", max: 8, want: []Event{ev("1")}, err: ErrTooLarge},
		{name: "data joined over max", in: "data: 1234\ndata: 5678\n\n", max: 8, err: ErrTooLarge},
		{name: "separator over max", in: "data: 12345678\ndata\n\n", max: 8, err: ErrTooLarge},
		{name: "comment line over max", in: ": " + strings.Repeat("x", 8+lineSlack) + "\n\n", max: 8, err: ErrTooLarge},
		{name: "comment line at line max", in: ":" + strings.Repeat("x", 8+lineSlack-1) + "\ndata: y\n\n", max: 8, want: []Event{ev("y")}},
		{name: "id over line max", in: "id: " + strings.Repeat("x", 8+lineSlack) + "\n\n", max: 8, err: ErrTooLarge},
		{name: "name over line max", in: strings.Repeat("x", 8+lineSlack+1) + "\n\n", max: 8, err: ErrTooLarge},
		{name: "unknown field over line max", in: "x: " + strings.Repeat("x", 8+lineSlack) + "\n\n", max: 8, err: ErrTooLarge},
		{name: "partial last line over max", in: "data: x\n\n" + strings.Repeat("x", 100), max: 8, want: []Event{ev("x")}, err: ErrTooLarge},
	}
	for _, tc := range tests {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				r := NewReader(rd.wrap(tc.in), tc.max)
				got, err := readAll(r)
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("got %s\nwant %s", fmtEvents(got), fmtEvents(tc.want))
				}
				for i := range got {
					if !eventEqual(got[i], tc.want[i]) {
						t.Fatalf("got %s\nwant %s", fmtEvents(got), fmtEvents(tc.want))
					}
				}
				if tc.err == nil {
					if id := r.LastEventID(); id != tc.lastID {
						t.Errorf("LastEventID = %q, want %q", id, tc.lastID)
					}
				}
				// Errors are sticky.
				want := tc.err
				if want == nil {
					want = io.EOF
				}
				if _, err := r.Next(); !errors.Is(err, want) {
					t.Errorf("second Next err = %v, want %v", err, want)
				}
			})
		}
	}
}

// TestCRLFSplitAcrossReads checks that a CR ending one Read and the LF
// starting the next form a single terminator.
func TestCRLFSplitAcrossReads(t *testing.T) {
	cases := []struct {
		chunks []string
		want   []Event
	}{
		// If the LF were taken as a blank line, "a" would be dispatched alone.
		{[]string{"data: a\r", "\ndata: b\r\n\r", "\n"}, []Event{ev("a\nb")}},
		{[]string{"data: a\r", "\n", "data: b\r", "\n\r", "\ndata: c\n\n"}, []Event{ev("a\nb"), ev("c")}},
		// CR at the end of a read after the colon and mid field name.
		{[]string{"data:\r", "\ndat", "a\r", "\n\r", "\n"}, []Event{ev("\n")}},
		// CR CR across reads: two terminators.
		{[]string{"data: a\r", "\r", "\ndata: b\n\n"}, []Event{ev("a"), ev("b")}},
		// Comment ending in CR across reads.
		{[]string{": c\r", "\ndata: a\n\n"}, []Event{ev("a")}},
	}
	for i, c := range cases {
		r := NewReader(&chunkReader{chunks: append([]string(nil), c.chunks...)}, 0)
		got, err := readAll(r)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if fmtEvents(got) != fmtEvents(c.want) {
			t.Errorf("case %d: got %s want %s", i, fmtEvents(got), fmtEvents(c.want))
		}
	}
}

// TestDispatchWithoutLookahead checks that an event ending in CR (or LF) is
// returned at once, without waiting for the byte after the terminator. A
// Reader that waited to see whether an LF follows would stall live streams.
func TestDispatchWithoutLookahead(t *testing.T) {
	for _, term := range []string{"\r\r", "\n\n", "\r\n\r", "\r\n\r\n"} {
		pr, pw := io.Pipe()
		r := NewReader(pr, 0)
		go func() {
			pw.Write([]byte("\ufeffdata: x" + term))
			// Then nothing until the test closes the pipe.
		}()
		done := make(chan error, 1)
		go func() {
			e, err := r.Next()
			if err == nil && string(e.Data) != "x" {
				err = fmt.Errorf("data %q", e.Data)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%q: %v", term, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: Next blocked waiting for more input", term)
			pw.Close()
			<-done
		}
		pw.Close()
	}
}

func TestReadErrorPropagates(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("data: x\n\ndata: y\n"), iotest.ErrReader(boom)), 0)
	e, err := r.Next()
	if err != nil || string(e.Data) != "x" {
		t.Fatalf("first: %v %v", e, err)
	}
	for range 2 {
		if _, err := r.Next(); err != boom {
			t.Fatalf("err = %v, want boom", err)
		}
	}
	// An error while looking for the BOM is not lost.
	r = NewReader(io.MultiReader(strings.NewReader("\xef"), iotest.ErrReader(boom)), 0)
	if _, err := r.Next(); err != boom {
		t.Fatalf("BOM: err = %v, want boom", err)
	}
}

// endless yields its pattern forever and counts bytes handed out.
type endless struct {
	pat []byte
	n   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.pat[(e.n+n)%len(e.pat):])
	}
	e.n += n
	return n, nil
}

func TestTooLargeBoundedMemory(t *testing.T) {
	const max = 64 << 10
	cases := map[string]io.Reader{
		"one data line":   io.MultiReader(strings.NewReader("data: "), &endless{pat: []byte("a")}),
		"many data lines": &endless{pat: []byte("data: " + strings.Repeat("b", 1000) + "\n")},
		"no newline":      &endless{pat: []byte("x")},
		"comment":         io.MultiReader(strings.NewReader(":"), &endless{pat: []byte("c")}),
		"id":              io.MultiReader(strings.NewReader("id: "), &endless{pat: []byte("1")}),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r := NewReader(src, max)
			_, err := r.Next()
			runtime.ReadMemStats(&after)
			if err != ErrTooLarge {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			// Read buffer + data buffer growth (< 2*max) + slack.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*max+readBufSize+64<<10 {
				t.Errorf("allocated %d bytes for a %d-byte limit", alloc, max)
			}
		})
	}
}

// TestNoPerLineAllocs checks that steady-state reading allocates only the
// returned Data (and an ID string when the id changes).
func TestNoPerLineAllocs(t *testing.T) {
	block := "event: message\ndata: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\ndata: b\n: comment\nretry: 100\nfoo: bar\ndata\n\n"
	r := NewReader(&endless{pat: []byte(block)}, 0)
	r.Next()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%.1f allocs per event, want <= 1", allocs)
	}
}

func TestLargeEvent(t *testing.T) {
	// A several-MiB event with embedded CRs and a long line, read through
	// small chunks.
	var sb strings.Builder
	want := make([]byte, 0, 5<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for len(want) < 5<<20 {
		line := make([]byte, rng.IntN(200000))
		for i := range line {
			line[i] = 'a' + byte(rng.IntN(26))
		}
		if len(want) > 0 {
			want = append(want, '\n')
		}
		want = append(want, line...)
		sb.WriteString("data: ")
		sb.Write(line)
		sb.WriteString([]string{"\n", "\r", "\r\n"}[rng.IntN(3)])
	}
	sb.WriteString("\n")
	r := NewReader(iotest.HalfReader(strings.NewReader(sb.String())), 6<<20)
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Data, want) {
		t.Fatalf("data mismatch: len %d want %d", len(e.Data), len(want))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("err = %v", err)
	}
}

// TestDataNotAliased reads events of sizes around the head/block
// boundaries, in both orders, and checks that every returned Data is
// intact after later events reuse the Reader's buffers.
func TestDataNotAliased(t *testing.T) {
	sizes := []int{0, 1, blockSize - 1, blockSize, blockSize + 1, 3*blockSize + 5, 10 * blockSize, 2, blockSize * 2}
	sizes = append(sizes, sizes...)
	var stream bytes.Buffer
	var want [][]byte
	for i, n := range sizes {
		d := bytes.Repeat([]byte{'a' + byte(i%26)}, n)
		if n > 10 {
			d[n/2] = '\n' // two data lines
		}
		want = append(want, d)
		if err := Write(&stream, Event{Data: d}); err != nil {
			t.Fatal(err)
		}
	}
	r := NewReader(&stream, 11*blockSize)
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i]) {
			t.Errorf("event %d (%d bytes): data differs (got %d bytes)", i, len(want[i]), len(got[i].Data))
		}
		if cap(got[i].Data) != len(got[i].Data) {
			t.Errorf("event %d: cap %d, len %d", i, cap(got[i].Data), len(got[i].Data))
		}
	}
}

func TestWriteFormat(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{Data: []byte("hello")}, "data: hello\n\n"},
		{Event{Data: []byte("a\nb\r\nc\rd")}, "data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{Event{Data: []byte("a\n")}, "data: a\ndata:\n\n"},
		{Event{Data: []byte("\r\n")}, "data:\ndata:\n\n"},
		{Event{Data: []byte("\n\r")}, "data:\ndata:\ndata:\n\n"},
		{Event{Data: []byte(" lead")}, "data:  lead\n\n"},
		{Event{}, "data:\n\n"},
		{Event{ID: "7", HasID: true}, "id: 7\ndata:\n\n"},
		{Event{HasID: true}, "id:\ndata:\n\n"},
		{Event{ID: "7"}, "id: 7\ndata:\n\n"},
		{Event{ID: "1", Type: "message", Retry: 2500, Data: []byte("{}")}, "id: 1\nevent: message\nretry: 2500\ndata: {}\n\n"},
		{Event{Retry: -1, Data: []byte("x")}, "data: x\n\n"},
		{Event{Data: []byte(strings.Repeat("z", directWrite))}, "data: " + strings.Repeat("z", directWrite) + "\n\n"},
		{Event{Data: []byte("a\n" + strings.Repeat("z", directWrite) + "\nb")}, "data: a\ndata: " + strings.Repeat("z", directWrite) + "\ndata: b\n\n"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		if err := Write(&buf, tc.ev); err != nil {
			t.Errorf("%s: %v", fmtEvent(tc.ev), err)
			continue
		}
		if buf.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", fmtEvent(tc.ev), buf.String(), tc.want)
		}
	}
}

func TestWriteRejectsInjection(t *testing.T) {
	bad := []Event{
		{ID: "1\ndata: evil", Data: []byte("x")},
		{ID: "1\r", Data: []byte("x")},
		{ID: "\r\n"},
		{ID: "a\x00b", Data: []byte("x")},
		{Type: "message\n\ndata: evil"},
		{Type: "a\rb", Data: []byte("x")},
	}
	for _, e := range bad {
		var buf bytes.Buffer
		err := Write(&buf, e)
		if !errors.Is(err, ErrInvalidField) {
			t.Errorf("%s: err = %v, want ErrInvalidField", fmtEvent(e), err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q", fmtEvent(e), buf.String())
		}
	}
	// NUL is fine in a type.
	if err := Write(io.Discard, Event{Type: "a\x00"}); err != nil {
		t.Errorf("NUL in type: %v", err)
	}
}

func TestWriteComment(t *testing.T) {
	tests := map[string]string{
		"":                      ":\n\n",
		"keepalive":             ": keepalive\n\n",
		"a\nb":                  ": a\n: b\n\n",
		"a\r\n\ndata: evil\r":   ": a\n:\n: data: evil\n:\n\n",
		"x\rid: 1\r\nevent: e ": ": x\n: id: 1\n: event: e \n\n",
	}
	for in, want := range tests {
		var buf bytes.Buffer
		if err := WriteComment(&buf, in); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("%q: got %q want %q", in, buf.String(), want)
		}
		// Nothing is dispatched from a comment, whatever its text.
		r := NewReader(io.MultiReader(&buf, strings.NewReader("data: ok\n\n")), 0)
		got, err := readAll(r)
		if err != nil || len(got) != 1 || string(got[0].Data) != "ok" || got[0].HasID || r.LastEventID() != "" {
			t.Errorf("%q: read back %s %v", in, fmtEvents(got), err)
		}
	}
}

// normalize turns "\r\n" and "\r" into "\n".
func normalize(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("ab :\r\n\x00\xef\xbb\xbf{}\"")
	var stream bytes.Buffer
	var want []Event
	for i := range 2000 {
		data := make([]byte, rng.IntN(300))
		for j := range data {
			if rng.IntN(4) == 0 {
				data[j] = alphabet[rng.IntN(len(alphabet))]
			} else {
				data[j] = byte(rng.IntN(256))
			}
		}
		e := Event{Data: data, Retry: -1}
		if i%3 == 0 {
			e.ID, e.HasID = fmt.Sprintf(" id-%d:x", i), true
		}
		if i%5 == 0 {
			e.Type = fmt.Sprintf("t%d", i%2)
		}
		if i%7 == 0 {
			e.Retry = i + 1
		}
		if err := Write(&stream, e); err != nil {
			t.Fatal(err)
		}
		if i%11 == 0 {
			WriteComment(&stream, "ping\r\n")
		}
		e.Data = normalize(e.Data)
		want = append(want, e)
	}
	for _, rd := range readers {
		r := NewReader(rd.wrap(stream.String()), 0)
		got, err := readAll(r)
		if err != nil {
			t.Fatalf("%s: %v", rd.name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: got %d events, want %d", rd.name, len(got), len(want))
		}
		for i := range got {
			w := want[i]
			if w.Data == nil {
				w.Data = []byte{}
			}
			if !eventEqual(got[i], w) {
				t.Fatalf("%s: event %d\n got %s\nwant %s", rd.name, i, fmtEvent(got[i]), fmtEvent(w))
			}
		}
	}
}

// refParse is a literal, non-streaming implementation of the standard's
// algorithm (plus the priming-event deviation), used as an oracle. It
// returns the events and, for each, the last event ID string right after
// it was dispatched, plus the final last event ID string.
func refParse(in []byte) (evs []Event, ids []string, lastID string) {
	in = bytes.TrimPrefix(in, bom)
	var (
		dataBuf  []byte
		typ      string
		idBuf    string
		hasID    bool
		retry    = -1
		haveData bool
	)
	for {
		j := bytes.IndexAny(in, "\r\n")
		if j < 0 {
			break // the incomplete last line and event are discarded
		}
		line := in[:j]
		if in[j] == '\r' && j+1 < len(in) && in[j+1] == '\n' {
			j++
		}
		in = in[j+1:]

		if len(line) == 0 {
			lastID = idBuf
			if haveData || hasID {
				e := Event{Type: typ, Retry: retry}
				if hasID {
					e.ID, e.HasID = idBuf, true
				}
				if haveData {
					e.Data = append([]byte{}, dataBuf[:len(dataBuf)-1]...)
				}
				evs = append(evs, e)
				ids = append(ids, lastID)
			}
			dataBuf, typ, hasID, retry, haveData = nil, "", false, -1, false
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value := line, []byte(nil)
		if k := bytes.IndexByte(line, ':'); k >= 0 {
			name, value = line[:k], line[k+1:]
			value = bytes.TrimPrefix(value, []byte(" "))
		}
		switch string(name) {
		case "event":
			typ = string(value)
		case "data":
			dataBuf = append(dataBuf, value...)
			dataBuf = append(dataBuf, '\n')
			haveData = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				idBuf, hasID = string(value), true
			}
		case "retry":
			if len(value) > 0 && len(value) <= 10 && strings.Trim(string(value), "0123456789") == "" {
				var n int
				fmt.Sscan(string(value), &n)
				if n <= 1<<31-1 {
					retry = n
				}
			}
		}
	}
	return evs, ids, lastID
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("data: hello\n\n"))
	f.Add([]byte("\ufeffid: 1\r\nevent: e\r\nretry: 10\r\ndata: a\r\ndata\r\n\r\n"))
	f.Add([]byte("data: a\rdata: b\r\r: c\rid\r\r"))
	f.Add([]byte("id: \x00\n\nid: 2\n\nretry: 99999999999\ndata\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		wantEvs, wantIDs, wantLast := refParse(in)

		// With a limit nothing can exceed, the Reader must agree with the
		// oracle exactly, however the input is chunked.
		for _, src := range []io.Reader{bytes.NewReader(in), iotest.OneByteReader(bytes.NewReader(in))} {
			r := NewReader(src, len(in)+1)
			for i := 0; ; i++ {
				e, err := r.Next()
				if err == io.EOF {
					if i != len(wantEvs) {
						t.Fatalf("got %d events, want %d", i, len(wantEvs))
					}
					break
				}
				if err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
				if i >= len(wantEvs) || !eventEqual(e, wantEvs[i]) {
					t.Fatalf("event %d: got %s, want %s", i, fmtEvent(e), fmtEvents(wantEvs))
				}
				if r.LastEventID() != wantIDs[i] {
					t.Fatalf("event %d: LastEventID %q, want %q", i, r.LastEventID(), wantIDs[i])
				}
			}
			if r.LastEventID() != wantLast {
				t.Fatalf("final LastEventID %q, want %q", r.LastEventID(), wantLast)
			}
		}

		// With a small limit: never more data than the limit, and the
		// events returned before any error are a prefix of the oracle's.
		const small = 16
		r := NewReader(iotest.HalfReader(bytes.NewReader(in)), small)
		for i := 0; ; i++ {
			e, err := r.Next()
			if err == io.EOF || err == ErrTooLarge {
				break
			}
			if err != nil {
				t.Fatalf("small: %v", err)
			}
			if len(e.Data) > small {
				t.Fatalf("small: data of %d bytes", len(e.Data))
			}
			if i >= len(wantEvs) || !eventEqual(e, wantEvs[i]) {
				t.Fatalf("small: event %d: got %s, want %s", i, fmtEvent(e), fmtEvents(wantEvs))
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), "1", "message")
	f.Add([]byte("a\r\nb\rc\n"), "", "")
	f.Add([]byte("\n\n\r\r\n"), " x", " y")
	f.Add([]byte(""), "prime", "")
	f.Fuzz(func(t *testing.T, data []byte, id, typ string) {
		var buf bytes.Buffer
		in := Event{Data: data, ID: id, HasID: id != "", Type: typ, Retry: len(data)}
		err := Write(&buf, in)
		if strings.ContainsAny(id, "\r\n\x00") || strings.ContainsAny(typ, "\r\n") {
			if !errors.Is(err, ErrInvalidField) || buf.Len() != 0 {
				t.Fatalf("bad field accepted: err=%v wrote %q", err, buf.String())
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		// A second event, to check the first one ended cleanly.
		Write(&buf, Event{Data: []byte("next")})
		r := NewReader(bytes.NewReader(buf.Bytes()), len(data)+len(id)+len(typ)+len("next"))
		got, err := r.Next()
		if err != nil {
			t.Fatalf("read: %v (stream %q)", err, buf.String())
		}
		want := normalize(data)
		if !bytes.Equal(got.Data, want) || got.Data == nil {
			t.Fatalf("data %q, want %q", got.Data, want)
		}
		if got.ID != id || got.HasID != (id != "") || got.Type != typ {
			t.Fatalf("got %s from %s", fmtEvent(got), fmtEvent(in))
		}
		wantRetry := in.Retry
		if wantRetry == 0 {
			wantRetry = -1
		}
		if got.Retry != wantRetry {
			t.Fatalf("retry %d, want %d", got.Retry, wantRetry)
		}
		if e, err := r.Next(); err != nil || string(e.Data) != "next" {
			t.Fatalf("second event: %s %v", fmtEvent(e), err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("want EOF, got %v", err)
		}
	})
}

// After Release, Next fails with ErrReleased, and an event returned before
// keeps its bytes while the buffer serves the next Reader.
func TestRelease(t *testing.T) {
	r := NewReader(strings.NewReader("data: first\n\ndata: more\n\n"), 0)
	ev, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	r.Release()
	r.Release() // a second Release does nothing
	if _, err := r.Next(); !errors.Is(err, ErrReleased) {
		t.Fatalf("Next after Release: %v, want ErrReleased", err)
	}
	r2 := NewReader(strings.NewReader("data: "+strings.Repeat("z", 100)+"\n\n"), 0)
	if ev2, err := r2.Next(); err != nil || len(ev2.Data) != 100 {
		t.Fatalf("second reader: %q, %v", ev2.Data, err)
	}
	if string(ev.Data) != "first" {
		t.Fatalf("first event's data became %q", ev.Data)
	}
}

// A short stream read and released costs far less than the 16 KiB buffer:
// released buffers are reused.
func TestReleasedBuffersReused(t *testing.T) {
	const n = 200
	stream := "event: message\ndata: " + smallJSON + "\n\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		r := NewReader(strings.NewReader(stream), 0)
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	runtime.ReadMemStats(&after)
	// Without reuse: n × 16 KiB. A collection may empty the pool, and
	// under the race detector Put drops a quarter of what it is given:
	// each costs one buffer.
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > readBufSize/2 {
		t.Fatalf("%d bytes allocated per short stream, want well under the %d of a buffer", per, readBufSize)
	}
}

// A large event read by a Reader made after another was released costs
// about the copy Next returns: the head buffer and the block come from the
// released one (320 KiB per 65 KiB event before).
func TestReleasedEventBuffersReused(t *testing.T) {
	stream := "data: " + strings.Repeat("x", 65<<10) + "\n\n"
	read := func() {
		r := NewReader(strings.NewReader(stream), 0)
		if ev, err := r.Next(); err != nil || len(ev.Data) != 65<<10 {
			t.Fatalf("event of %d bytes, %v", len(ev.Data), err)
		}
		r.Release()
	}
	read()
	const n = 100
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		read()
	}
	runtime.ReadMemStats(&after)
	// The copy is 65 KiB; without reuse the head's doublings, a block and
	// a read buffer add about 255 KiB. A collection emptying the pool, or
	// the race detector dropping a quarter of the Puts, costs some of that.
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 200<<10 {
		t.Fatalf("%d bytes allocated per 65 KiB event, want about the 65 KiB copy", per)
	}
}
