package rawio

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// os.Pipe's ends are non-blocking and polled: they take the raw path.
func TestPipesAreWrapped(t *testing.T) {
	r, w := pipe(t)
	if _, ok := Reader(r).(*reader); !ok {
		t.Fatalf("Reader(pipe) = %T, want the raw reader", Reader(r))
	}
	if _, ok := Writer(w).(*writer); !ok {
		t.Fatalf("Writer(pipe) = %T, want the raw writer", Writer(w))
	}
}

// Anything else comes back unchanged: a blocking descriptor would hold its
// thread in a raw read, and a value with no descriptor has nothing to wrap.
func TestOthersUnchanged(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "file"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := Reader(f); got != io.Reader(f) {
		t.Errorf("Reader(regular file) = %T, want the file itself", got)
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil { // blocking mode
		t.Fatal(err)
	}
	br, bw := os.NewFile(uintptr(p[0]), "br"), os.NewFile(uintptr(p[1]), "bw")
	defer br.Close()
	defer bw.Close()
	if got := Reader(br); got != io.Reader(br) {
		t.Errorf("Reader(blocking pipe) = %T, want the file itself", got)
	}
	if got := Writer(bw); got != io.Writer(bw) {
		t.Errorf("Writer(blocking pipe) = %T, want the file itself", got)
	}
	var buf bytes.Buffer
	if got := Writer(&buf); got != io.Writer(&buf) {
		t.Errorf("Writer(*bytes.Buffer) = %T, want it unchanged", got)
	}
}

// More than a pipe holds goes through in both directions at once: the
// writer waits in the poller when the pipe is full, the reader when it is
// empty, and every byte arrives in order.
func TestRoundTripThroughFullPipe(t *testing.T) {
	r, w := pipe(t)
	want := make([]byte, 3<<20)
	for i := range want {
		want[i] = byte(rand.IntN(256))
	}
	errc := make(chan error, 1)
	go func() {
		wr := Writer(w)
		for b := want; len(b) > 0; {
			n := min(len(b), 1+rand.IntN(200<<10))
			m, err := wr.Write(b[:n])
			if err == nil && m != n {
				err = io.ErrShortWrite
			}
			if err != nil {
				errc <- err
				return
			}
			b = b[n:]
		}
		errc <- w.Close()
	}()
	got, err := io.ReadAll(Reader(r))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(want))
	}
}

// The other end gone: reads end with io.EOF, writes fail with EPIPE.
func TestClosedPeer(t *testing.T) {
	r, w := pipe(t)
	w.Close()
	if n, err := Reader(r).Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("read after the writer closed = %d, %v; want 0, io.EOF", n, err)
	}
	r2, w2 := pipe(t)
	r2.Close()
	_, err := Writer(w2).Write([]byte("x"))
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write after the reader closed: %v, want EPIPE", err)
	}
}

// Closing a pipe wakes a read waiting in the poller with an error instead
// of leaving it stuck.
func TestCloseWakesWaitingRead(t *testing.T) {
	r, _ := pipe(t)
	errc := make(chan error, 1)
	go func() {
		_, err := Reader(r).Read(make([]byte, 8))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it reach the poller
	r.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("read on a closed pipe: %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still waiting 5 s after its pipe was closed")
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for _, b := range [][]byte{[]byte("first\n"), big, []byte("last\n")} {
		if n, err := WriteFile(f, b); err != nil || n != len(b) {
			t.Fatalf("WriteFile(%d bytes) = %d, %v", len(b), n, err)
		}
	}
	f.Close()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte("first\n"), big...), "last\n"...)
	if !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, want the %d written", len(got), len(want))
	}

	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := WriteFile(ro, []byte("x")); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("WriteFile on a read-only descriptor: %v, want EBADF", err)
	}
	ro.Close()
	if _, err := WriteFile(ro, []byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("WriteFile on a closed file: %v, want os.ErrClosed", err)
	}
}

// A read or write that does not wait allocates nothing: each message the
// relay passes costs several of them.
func TestNoAllocations(t *testing.T) {
	r, w := pipe(t)
	rd, wr := Reader(r), Writer(w)
	msg, buf := []byte("a line of the relay\n"), make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := wr.Write(msg); err != nil {
			t.Fatal(err)
		}
		if n, err := rd.Read(buf); err != nil || n != len(msg) {
			t.Fatalf("read %d, %v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per write and read, want 0", allocs)
	}
}

// Reads that overlap on one reader (io.Reader does not promise they do
// not) each get their own bytes: the second takes an op of its own while
// the first waits in the poller with the reader's.
func TestOverlappingReads(t *testing.T) {
	r, w := pipe(t)
	rd := Reader(r)
	got := make(chan []byte, 2)
	for range 2 {
		go func() {
			b := make([]byte, 1)
			n, err := rd.Read(b)
			if err != nil {
				t.Error(err)
			}
			got <- b[:n]
		}()
	}
	time.Sleep(20 * time.Millisecond) // both wait in the poller
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	first := <-got
	if _, err := w.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	second := <-got
	if s := string(first) + string(second); s != "xy" {
		t.Fatalf("the two reads got %q and %q, want x then y", first, second)
	}
}
