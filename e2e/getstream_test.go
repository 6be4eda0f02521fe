package e2e

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getStream is an open GET /mcp SSE stream of a legacy session.
type getStream struct {
	t    *testing.T
	resp *http.Response
	br   *bufio.Reader
}

func openGET(t *testing.T, c *rawClient, lastEventID string) (*getStream, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.url, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", c.sid)
	req.Header.Set("Mcp-Protocol-Version", c.version)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	g := &getStream{t: t, resp: resp, br: newReader(resp)}
	t.Cleanup(g.Close)
	return g, resp.StatusCode
}

func (g *getStream) Close() { g.resp.Body.Close() }

func newReader(resp *http.Response) *bufio.Reader { return bufio.NewReader(resp.Body) }

// next returns the next event with data, or ok=false after d.
func (g *getStream) next(d time.Duration) (sseEvent, bool) {
	type res struct {
		ev  sseEvent
		err error
	}
	ch := make(chan res, 1)
	go func() {
		for {
			ev, err := readEvent(g.br)
			if err != nil || len(strings.TrimSpace(string(ev.Data))) > 0 {
				ch <- res{ev, err}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		return r.ev, r.err == nil
	case <-time.After(d):
		g.Close() // unblocks the reader; the stream is unusable now
		<-ch
		return sseEvent{}, false
	}
}

// TestGETStream: server messages tied to no request reach the session's
// GET stream; a new GET (without Last-Event-ID) does not replay what an
// earlier GET already delivered; one GET stream at a time.
func TestGETStream(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
	c := newRawClient(t, g.URL)
	c.initialize()
	trigger := func() {
		t.Helper()
		// Re-registering a tool makes everything-server send
		// notifications/tools/list_changed: a message tied to no request.
		c.result("tools/call", map[string]any{"name": "test_trigger_tool_change", "arguments": map[string]any{}})
	}

	trigger() // queued while no GET stream is open: must still be delivered
	s1, code := openGET(t, c, "")
	if s1 == nil {
		t.Fatalf("GET stream: HTTP %d", code)
	}
	ev1, ok := s1.next(5 * time.Second)
	if !ok || !strings.Contains(string(ev1.Data), "notifications/tools/list_changed") {
		t.Fatalf("first GET stream: want the queued tools/list_changed, got %+v (ok=%v)", ev1, ok)
	}
	if _, code := openGET(t, c, ""); code != http.StatusConflict {
		t.Errorf("second concurrent GET stream: HTTP %d, want 409", code)
	}
	s1.Close()
	time.Sleep(100 * time.Millisecond) // let the server see the disconnect

	trigger()
	s2, code := openGET(t, c, "")
	if s2 == nil {
		t.Fatalf("GET stream after reconnect: HTTP %d", code)
	}
	ev2, ok := s2.next(5 * time.Second)
	if !ok {
		t.Fatalf("reconnected GET stream got nothing")
	}
	if ev2.ID == ev1.ID {
		t.Errorf("reconnected GET stream (no Last-Event-ID) replayed event %s that the first stream already delivered", ev1.ID)
	}
	if !strings.Contains(string(ev2.Data), "notifications/tools/list_changed") {
		t.Errorf("reconnected GET stream: %s", ev2.Data)
	}

	// A resumption GET (Last-Event-ID) that ends must not release the live
	// GET stream's claim: afterwards a plain GET is still a conflict.
	if r, code := openGET(t, c, ev1.ID); r != nil {
		r.Close()
	} else {
		t.Logf("resumption GET with Last-Event-ID %s: HTTP %d", ev1.ID, code)
	}
	time.Sleep(100 * time.Millisecond)
	if s3, code := openGET(t, c, ""); code != http.StatusConflict {
		t.Errorf("plain GET while one is open (after a resumption GET ended): HTTP %d, want 409", code)
		if s3 != nil {
			s3.Close()
		}
	}
}
