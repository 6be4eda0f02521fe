package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// h1Server is an httptest server that counts the connections it accepted.
func h1Server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func h1Post(t *testing.T, c *http.Client, ctx context.Context, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.Do(req)
}

func readAllClose(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newH1Client() (*http.Client, *directTransport) {
	tr := newDirectTransport(http.DefaultTransport.(*http.Transport).Clone())
	return &http.Client{Transport: tr}, tr
}

func TestDirectTransportReusesOneConnection(t *testing.T) {
	srv, conns := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "no content type", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append([]byte("echo:"), b...))
	})
	c, _ := newH1Client()
	for i := range 20 {
		resp, err := h1Post(t, c, context.Background(), srv.URL+"/mcp", `{"n":1}`)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if _, ok := resp.Body.(*h1Body); !ok {
			t.Fatalf("call %d: body %T: the POST did not take the direct path", i, resp.Body)
		}
		if got := readAllClose(t, resp); got != `echo:{"n":1}` {
			t.Fatalf("call %d: body %q", i, got)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 sequential POSTs used %d connections, want 1", n)
	}
}

func TestDirectTransportStreamedBody(t *testing.T) {
	// An SSE response (chunked, flushed per event) read to its end gives the
	// connection back; one closed half-way does not.
	srv, conns := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			io.WriteString(w, "data: {\"i\":"+string(rune('0'+i))+"}\n\n")
			w.(http.Flusher).Flush()
		}
	})
	c, _ := newH1Client()
	for range 3 {
		resp, err := h1Post(t, c, context.Background(), srv.URL, "{}")
		if err != nil {
			t.Fatal(err)
		}
		if got := readAllClose(t, resp); strings.Count(got, "data:") != 3 {
			t.Fatalf("body %q", got)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("3 streamed responses read to the end used %d connections, want 1", n)
	}
	resp, err := h1Post(t, c, context.Background(), srv.URL, "{}")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = h1Post(t, c, context.Background(), srv.URL, "{}")
	if err != nil {
		t.Fatal(err)
	}
	readAllClose(t, resp)
	if n := conns.Load(); n != 2 {
		t.Errorf("after a body closed half-way: %d connections, want 2 (the half-read one must not be reused)", n)
	}
}

func TestDirectTransportServerClose(t *testing.T) {
	// "Connection: close" from the server, and an idle connection the
	// server closed, both lead to a fresh connection, not an error.
	var closeNext atomic.Bool
	srv, conns := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if closeNext.Swap(false) {
			w.Header().Set("Connection", "close")
		}
		w.Write([]byte("ok"))
	})
	c, _ := newH1Client()
	call := func() {
		t.Helper()
		resp, err := h1Post(t, c, context.Background(), srv.URL, "{}")
		if err != nil {
			t.Fatal(err)
		}
		if got := readAllClose(t, resp); got != "ok" {
			t.Fatalf("body %q", got)
		}
	}
	call()
	closeNext.Store(true)
	call()
	call()
	if n := conns.Load(); n != 2 {
		t.Fatalf("after Connection: close: %d connections, want 2", n)
	}
	srv.CloseClientConnections()
	// The server's FIN reaches our idle connection: the peek before reuse
	// sees it.
	time.Sleep(50 * time.Millisecond)
	call()
	if n := conns.Load(); n != 3 {
		t.Errorf("after the server closed the idle connection: %d connections, want 3", n)
	}
}

func TestDirectTransportCancel(t *testing.T) {
	release := make(chan struct{})
	srv, conns := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte("ok"))
	})
	defer close(release)
	c, _ := newH1Client()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h1Post(t, c, ctx, srv.URL+"/slow", "{}")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("cancellation took %v", el)
	}
	resp, err := h1Post(t, c, context.Background(), srv.URL+"/fast", "{}")
	if err != nil {
		t.Fatal(err)
	}
	readAllClose(t, resp)
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: the cancelled one must not be reused", n)
	}
}

func TestDirectTransportHeaderLimit(t *testing.T) {
	srv, _ := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		// Bypass net/http's own header limits: write a raw response.
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		bw.WriteString("HTTP/1.1 200 OK\r\nX-Big: ")
		bw.WriteString(strings.Repeat("a", h1MaxHeaderBytes+10))
		bw.WriteString("\r\nContent-Length: 0\r\n\r\n")
		bw.Flush()
	})
	c, _ := newH1Client()
	_, err := h1Post(t, c, context.Background(), srv.URL, "{}")
	if !errors.Is(err, errHeaderTooLarge) {
		t.Fatalf("err = %v, want %v", err, errHeaderTooLarge)
	}
}

func TestDirectTransportLeavesOtherRequestsToStandard(t *testing.T) {
	srv, _ := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("ok"))
	})
	c, _ := newH1Client()
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Body.(*h1Body); ok {
		t.Error("a GET took the direct path; streams belong to the standard Transport")
	}
	readAllClose(t, resp)
	big := strings.Repeat("x", h1MaxDirectBody+1)
	resp, err = h1Post(t, c, context.Background(), srv.URL, big)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.Body.(*h1Body); ok {
		t.Error("a POST over the direct body limit took the direct path")
	}
	readAllClose(t, resp)
}

func TestDirectTransportPrunesIdle(t *testing.T) {
	srv, _ := h1Server(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("ok"))
	})
	c, tr := newH1Client()
	resp, err := h1Post(t, c, context.Background(), srv.URL, "{}")
	if err != nil {
		t.Fatal(err)
	}
	readAllClose(t, resp)
	idle := func() int {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		n := 0
		for _, cs := range tr.idle {
			n += len(cs)
		}
		return n
	}
	if n := idle(); n != 1 {
		t.Fatalf("%d idle connections after one call, want 1", n)
	}
	deadline := time.Now().Add(4 * h1IdleTimeout)
	for idle() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("an idle connection is still pooled %v after its last use", 4*h1IdleTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
