package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"time"
)

// httpEndpoint is one MCP Streamable HTTP connection setup used by N
// concurrent callers: one http.Client whose Transport keeps N keep-alive
// connections, and (session era) one MCP session.
type httpEndpoint struct {
	url       string
	client    *http.Client
	modern    bool
	sessionID string
}

func newHTTPEndpoint(url string, conns int, modern bool, timeout time.Duration) *httpEndpoint {
	tr := &http.Transport{
		Proxy:               nil, // loopback only, never via a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
	return &httpEndpoint{
		url:    url,
		client: &http.Client{Transport: tr, Timeout: timeout},
		modern: modern,
	}
}

func (e *httpEndpoint) baseHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	if e.modern {
		h.Set("MCP-Protocol-Version", protocolModern)
	} else {
		h.Set("MCP-Protocol-Version", protocolSession)
		if e.sessionID != "" {
			h.Set("Mcp-Session-Id", e.sessionID)
		}
	}
	return h
}

// open starts the MCP session (session era): initialize, read Mcp-Session-Id,
// then notifications/initialized. Modern era needs no setup.
func (e *httpEndpoint) open() error {
	if e.modern {
		return nil
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json, text/event-stream")
	resp, err := e.post(initializeRequest(1), h)
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	msg, _, err := newResponseReader().read(resp, []byte("1"))
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if err := checkResult(msg); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	e.sessionID = resp.Header.Get("Mcp-Session-Id")
	resp, err = e.post(initializedNotification, e.baseHeader())
	if err != nil {
		return fmt.Errorf("notifications/initialized: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("notifications/initialized: %s", resp.Status)
	}
	return nil
}

// close ends the session (DELETE, best effort) and drops idle connections.
func (e *httpEndpoint) close() {
	if !e.modern && e.sessionID != "" {
		req, err := http.NewRequest(http.MethodDelete, e.url, nil)
		if err == nil {
			req.Header = e.baseHeader()
			if resp, err := e.client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}
	}
	e.client.CloseIdleConnections()
}

func (e *httpEndpoint) post(body []byte, h http.Header) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h
	return e.client.Do(req)
}

// responseReader extracts the JSON-RPC response with a given id from an HTTP
// response that is either application/json or text/event-stream. It keeps
// its buffers between calls.
type responseReader struct {
	br   *bufio.Reader
	body bytes.Buffer
	line []byte
	data []byte
}

func newResponseReader() *responseReader {
	return &responseReader{br: bufio.NewReaderSize(nil, 64<<10)}
}

// read consumes and closes resp. The returned message aliases the reader's
// buffers and is valid until the next read; at is when the message had been
// read completely (for an event stream: before the rest of the stream is
// drained).
func (r *responseReader) read(resp *http.Response, wantID []byte) (msg []byte, at time.Time, err error) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, at, fmt.Errorf("HTTP %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		r.body.Reset()
		if _, err := r.body.ReadFrom(resp.Body); err != nil {
			return nil, at, &fatalError{fmt.Errorf("reading body: %w", err)}
		}
		return r.body.Bytes(), time.Now(), nil
	case "text/event-stream":
		r.br.Reset(resp.Body)
		msg, err := r.readSSE(wantID)
		at = time.Now()
		if err != nil {
			return nil, at, err
		}
		// The server should end the stream after the response; drain it so
		// the keep-alive connection is reused (bounded by Client.Timeout).
		_, _ = io.Copy(io.Discard, r.br)
		return msg, at, nil
	default:
		return nil, at, fmt.Errorf("unexpected Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

// readLine returns the next line without its terminator (\n or \r\n).
func (r *responseReader) readLine() ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.line = append(r.line[:0], l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			l, err = r.br.ReadSlice('\n')
			r.line = append(r.line, l...)
		}
		l = r.line
	}
	l = bytes.TrimSuffix(l, []byte("\n"))
	l = bytes.TrimSuffix(l, []byte("\r"))
	return l, err
}

// readSSE reads events until one carries the JSON-RPC response with wantID.
// Other events (notifications, server requests, priming events) are skipped.
func (r *responseReader) readSSE(wantID []byte) ([]byte, error) {
	r.data = r.data[:0]
	hasData := false
	for {
		line, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, &fatalError{fmt.Errorf("reading event stream: %w", err)}
		}
		eof := err != nil
		switch {
		case len(line) == 0:
			if hasData {
				if env, e := scanEnvelope(r.data); e == nil && len(env.Method) == 0 && bytes.Equal(env.ID, wantID) {
					return r.data, nil
				}
			}
			r.data = r.data[:0]
			hasData = false
		case line[0] == ':': // comment
		case bytes.HasPrefix(line, []byte("data:")):
			v := line[5:]
			if len(v) > 0 && v[0] == ' ' {
				v = v[1:]
			}
			if hasData {
				r.data = append(r.data, '\n')
			}
			r.data = append(r.data, v...)
			hasData = true
		}
		if eof {
			if hasData {
				if env, e := scanEnvelope(r.data); e == nil && len(env.Method) == 0 && bytes.Equal(env.ID, wantID) {
					return r.data, nil
				}
			}
			return nil, errors.New("event stream ended without the response")
		}
	}
}

// httpCaller is one closed-loop caller on an httpEndpoint.
type httpCaller struct {
	ep  *httpEndpoint
	tpl *callTemplate
	hdr http.Header
	rd  bytes.Reader
	rr  *responseReader
}

func (e *httpEndpoint) newCaller(payload int) *httpCaller {
	h := e.baseHeader()
	if e.modern {
		h.Set("Mcp-Method", "tools/call")
		h.Set("Mcp-Name", "echo")
	}
	return &httpCaller{ep: e, tpl: newCallTemplate(payload, e.modern, false), hdr: h, rr: newResponseReader()}
}

func (c *httpCaller) call() (time.Duration, error) {
	idb := c.tpl.setID(nextID())
	c.rd.Reset(c.tpl.buf)
	req, err := http.NewRequest(http.MethodPost, c.ep.url, &c.rd)
	if err != nil {
		return 0, &fatalError{err}
	}
	req.Header = c.hdr
	start := time.Now()
	resp, err := c.ep.client.Do(req)
	if err != nil {
		c.tpl = c.tpl.clone() // the transport may still hold the old body
		return 0, &fatalError{err}
	}
	msg, at, err := c.rr.read(resp, idb)
	if err != nil {
		return 0, err
	}
	if err := verifyEcho(msg, idb, c.tpl.quotedText); err != nil {
		return 0, err
	}
	return at.Sub(start), nil
}
