package linereader

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// readAll reads every line of in through a buffer of size bytes (16 is
// bufio's smallest) and returns them, with "<too long HEAD|TAIL>" for
// refused ones.
func readAll(t testing.TB, in string, size, max int) []string {
	br := bufio.NewReaderSize(strings.NewReader(in), size)
	var out []string
	for range len(in) + 2 {
		line, err := Read(br, max)
		if errors.Is(err, ErrTooLong) {
			var tl *TooLongError
			if !errors.As(err, &tl) {
				t.Fatalf("%T is not a *TooLongError", err)
			}
			out = append(out, "<too long "+string(tl.Head)+"|"+string(tl.Tail)+">")
			continue
		}
		if len(line) > 0 {
			out = append(out, string(line))
		}
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	t.Fatalf("no EOF after %d reads", len(in)+2)
	return nil
}

// tooLongEdges is what readAll prints between "<too long " and ">" for
// the refused line l.
func tooLongEdges(l string) string {
	return l[:min(len(l), Edge)] + "|" + l[max(0, len(l)-Edge):]
}

func TestRead(t *testing.T) {
	long := strings.Repeat("x", 100)
	for _, tc := range []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"lines", "a\nbb\nccc\n", 10, []string{"a", "bb", "ccc"}},
		{"crlf", "a\r\nbb\r\n", 10, []string{"a", "bb"}},
		{"empty lines skipped", "\n\r\na\n\n", 10, []string{"a"}},
		{"last line unterminated", "a\nbb", 10, []string{"a", "bb"}},
		{"exactly max", "abcd\nabcd\r\n", 4, []string{"abcd", "abcd"}},
		{"one over max", "abcde\nok\n", 4, []string{"<too long abcde|abcde>", "ok"}},
		{"longer than the buffer", long + "\n" + long + "\r\n", 100, []string{long, long}},
		{"too long across pieces", long + "x\r\nok\n", 100, []string{"<too long " + long + "x|" + long + "x>", "ok"}},
		{"far too long", strings.Repeat(long, 10) + "\nok\n", 100, []string{"<too long " + tooLongEdges(strings.Repeat(long, 10)) + ">", "ok"}},
		{"ends kept", "{\"id\":7," + strings.Repeat("y", 2000) + "\"id\":8}\nok\n", 100,
			[]string{"<too long " + tooLongEdges("{\"id\":7,"+strings.Repeat("y", 2000)+"\"id\":8}") + ">", "ok"}},
	} {
		for _, size := range []int{16, 64, 4096} {
			if got := readAll(t, tc.in, size, tc.max); !slices.Equal(got, tc.want) {
				t.Errorf("%s, buffer %d: got %q, want %q", tc.name, size, got, tc.want)
			}
		}
	}
}

// TestReadFreshSlice checks that a returned line does not alias the
// buffer: the next read must not change it.
func TestReadFreshSlice(t *testing.T) {
	br := bufio.NewReaderSize(strings.NewReader("first\nsecond\n"), 16)
	a, _ := Read(br, 100)
	Read(br, 100)
	if string(a) != "first" {
		t.Fatalf("first line became %q after the next read", a)
	}
}

// TestReadTooLongAtEOF: an over-long unterminated last line reports the
// end of the stream, not ErrTooLong, so the caller stops.
func TestReadTooLongAtEOF(t *testing.T) {
	for _, size := range []int{16, 4096} {
		br := bufio.NewReaderSize(strings.NewReader(strings.Repeat("y", 50)), size)
		if line, err := Read(br, 10); line != nil || err != io.EOF {
			t.Errorf("buffer %d: %q, %v; want nil, EOF", size, line, err)
		}
	}
}

// FuzzRead compares Read with splitting the whole input at '\n'.
func FuzzRead(f *testing.F) {
	f.Add([]byte("a\nbb\r\n\nccc"), 3)
	f.Add([]byte(strings.Repeat("z", 40)+"\n"), 39)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max < 0 || max > 1<<20 {
			return
		}
		var want []string
		for _, l := range bytes.Split(in, []byte("\n")) {
			l = bytes.TrimRight(l, "\r")
			switch {
			case len(l) > max:
				want = append(want, "<too long "+tooLongEdges(string(l))+">")
			case len(l) > 0:
				want = append(want, string(l))
			}
		}
		// A refused last line without a terminator ends the stream
		// instead of being reported.
		if len(want) > 0 && strings.HasPrefix(want[len(want)-1], "<too long") && !bytes.HasSuffix(in, []byte("\n")) {
			want = want[:len(want)-1]
		}
		for _, size := range []int{16, 4096} {
			if got := readAll(t, string(in), size, max); !slices.Equal(got, want) {
				t.Fatalf("buffer %d, max %d: got %q, want %q", size, max, got, want)
			}
		}
	})
}
