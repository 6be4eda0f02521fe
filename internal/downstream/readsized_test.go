package downstream

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// readSized returns what io.ReadAll would, whatever the declared length
// says, and reads a declared body into one buffer of that size.
func TestReadSized(t *testing.T) {
	msg := strings.Repeat("m", 70<<10)
	for _, tc := range []struct {
		name     string
		body     string
		declared int64
	}{
		{"declared", msg, int64(len(msg))},
		{"chunked", msg, -1},
		{"unknown", msg, 0},
		{"over the limit", msg, 1 << 30},
		{"longer than declared", msg, 10},
		{"shorter than declared", "short", 100},
		{"empty", "", 0},
	} {
		got, err := readSized(iotest.HalfReader(strings.NewReader(tc.body)), tc.declared, 1<<20)
		if err != nil || string(got) != tc.body {
			t.Errorf("%s: %d bytes, %v; want the %d bytes", tc.name, len(got), err, len(tc.body))
		}
	}
	boom := errors.New("boom")
	if _, err := readSized(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 10, 100); !errors.Is(err, boom) {
		t.Errorf("a failing body: %v, want its error", err)
	}
	// A large declared length is not allocated before its bytes come.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if got, err := readSized(strings.NewReader("tiny"), 64<<20, 1<<30); err != nil || string(got) != "tiny" {
		t.Fatalf("a tiny body declared 64 MiB: %q, %v", got, err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("a tiny body declared 64 MiB allocated %d bytes", n)
	}
	src := []byte(msg)
	rd := bytes.NewReader(src)
	allocs := testing.AllocsPerRun(20, func() {
		rd.Reset(src)
		if _, err := readSized(rd, int64(len(msg)), 1<<20); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations reading a declared body, want 1", allocs)
	}
}
