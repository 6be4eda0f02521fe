package rawio

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection; the accepted end
// comes through Listener, so it is wrapped.
func tcpPair(t *testing.T) (accepted, dialed net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l := Listener(ln)
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() { c, err := l.Accept(); ch <- res{c, err} }()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.c.Close(); d.Close() })
	return r.c, d
}

func TestConnWrapsSocketsOnly(t *testing.T) {
	a, d := tcpPair(t)
	if _, ok := a.(*conn); !ok {
		t.Fatalf("accepted connection is %T, want the raw conn", a)
	}
	if _, ok := Conn(d).(*conn); !ok {
		t.Fatalf("Conn(*net.TCPConn) = %T, want the raw conn", Conn(d))
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if got := Conn(p1); got != p1 {
		t.Fatalf("Conn(net.Pipe) = %T, want it unchanged", got)
	}
}

// Megabytes both ways at once, more than the socket buffers hold: both
// sides wait in the poller and every byte arrives in order.
func TestConnRoundTrip(t *testing.T) {
	a, d := tcpPair(t)
	rd := Conn(d)
	want := make([]byte, 4<<20)
	for i := range want {
		want[i] = byte(rand.IntN(256))
	}
	// The accepted end echoes everything back.
	go func() {
		_, _ = io.Copy(a, a)
		a.(interface{ CloseWrite() error }).CloseWrite()
	}()
	errc := make(chan error, 1)
	go func() {
		_, err := rd.Write(want)
		if err == nil {
			err = rd.(interface{ CloseWrite() error }).CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echoed %d bytes, not the %d sent", len(got), len(want))
	}
}

// Errors look like the socket's own: a deadline is a net.Error timeout and
// os.ErrDeadlineExceeded, a closed connection net.ErrClosed, both inside a
// *net.OpError with the plain operation name.
func TestConnErrors(t *testing.T) {
	a, d := tcpPair(t)
	a.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err := a.Read(make([]byte, 8))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past its deadline: %v, want a timeout", err)
	}
	if oe, ok := errors.AsType[*net.OpError](err); !ok || oe.Op != "read" {
		t.Fatalf("read error %#v, want a *net.OpError for read", err)
	}
	a.SetReadDeadline(time.Time{})

	d.Close()
	if n, err := a.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("read after the peer closed = %d, %v; want 0, io.EOF", n, err)
	}
	// Writing to a peer that is gone fails (EPIPE or ECONNRESET) within a
	// few writes, as a *net.OpError.
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		_, werr = a.Write(make([]byte, 64<<10))
		time.Sleep(time.Millisecond)
	}
	if oe, ok := errors.AsType[*net.OpError](werr); !ok || oe.Op != "write" {
		t.Fatalf("write to a closed peer: %v, want a *net.OpError for write", werr)
	}

	a.Close()
	if _, err := a.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read on a closed connection: %v, want net.ErrClosed", err)
	}
	if _, err := a.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write on a closed connection: %v, want net.ErrClosed", err)
	}
}

// A read waiting for data is woken by Close.
func TestConnCloseWakesRead(t *testing.T) {
	a, _ := tcpPair(t)
	errc := make(chan error, 1)
	go func() {
		_, err := a.Read(make([]byte, 8))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	a.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed connection: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still waiting 5 s after its connection was closed")
	}
}
