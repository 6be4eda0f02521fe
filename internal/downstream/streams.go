package downstream

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/session"
	"github.com/mcpwarden/mcpwarden/internal/sse"
)

// httpSession is a legacy-era (2025-11-25 and earlier) client session on
// Streamable HTTP: one gateway session plus the event streams that carry
// server messages to the client.
type httpSession struct {
	id      string
	sess    *session.Session
	bufSize int
	last    atomic.Int64
	busy    atomic.Int32 // requests in flight

	mu      sync.Mutex
	get     *eventStream // standalone GET stream: messages tied to no request
	streams map[string]*eventStream
	order   []string // stream ids, oldest first, for eviction
	nextSID int
	closed  bool
	tokens  []string // ids of the tokens that authenticated its requests
}

func (hs *httpSession) touch() { hs.last.Store(time.Now().UnixNano()) }

func (hs *httpSession) idle(now time.Time, timeout time.Duration) bool {
	if hs.busy.Load() > 0 || hs.get.attached() {
		return false
	}
	return now.Sub(time.Unix(0, hs.last.Load())) > timeout
}

// unsolicited queues a server message on the GET stream. It is kept for
// the client even while no GET stream is open, up to the buffer size.
func (hs *httpSession) unsolicited(msg []byte) error {
	hs.get.append(msg, false)
	return nil
}

// newStream makes the event stream of one POST request.
func (hs *httpSession) newStream() *eventStream {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.nextSID++
	es := newEventStream(strconv.Itoa(hs.nextSID), hs.bufSize)
	hs.streams[es.id] = es
	hs.order = append(hs.order, es.id)
	// Keep the newest finished streams for resumption; forget older ones.
	for len(hs.order) > 64 {
		old := hs.streams[hs.order[0]]
		if old != nil && !old.isEnded() {
			break
		}
		delete(hs.streams, hs.order[0])
		hs.order = hs.order[1:]
	}
	return es
}

// findStream resolves a Last-Event-ID ("STREAM-SEQ") to its stream.
func (hs *httpSession) findStream(last string) (*eventStream, int, bool) {
	sid, seqs, ok := strings.Cut(last, "-")
	if !ok {
		return nil, 0, false
	}
	seq, err := strconv.Atoi(seqs)
	if err != nil || seq < 0 {
		return nil, 0, false
	}
	if sid == hs.get.id {
		return hs.get, seq, true
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	es := hs.streams[sid]
	return es, seq, es != nil
}

func (hs *httpSession) close() {
	hs.mu.Lock()
	if hs.closed {
		hs.mu.Unlock()
		return
	}
	hs.closed = true
	streams := hs.streams
	hs.mu.Unlock()
	hs.get.end()
	for _, es := range streams {
		es.end()
	}
	hs.sess.Close()
}

// eventStream is an ordered, bounded log of SSE events. Writers append;
// an attached HTTP response pulls, so a client that reconnects with
// Last-Event-ID gets what it missed.
type eventStream struct {
	id   string
	size int

	mu      sync.Mutex
	events  []event
	nextSeq int
	sent    int // highest seq written to a reader: where a new plain GET starts
	ended   bool
	final   bool // the last event is the final response of a request
	claimed bool
	attachN int
	changed chan struct{}
}

type event struct {
	seq  int
	data []byte
}

func newEventStream(id string, size int) *eventStream {
	return &eventStream{id: id, size: size, nextSeq: 1, changed: make(chan struct{})}
}

func (es *eventStream) append(data []byte, final bool) {
	es.mu.Lock()
	if es.ended {
		es.mu.Unlock()
		return
	}
	es.events = append(es.events, event{seq: es.nextSeq, data: data})
	es.nextSeq++
	if len(es.events) > es.size {
		es.events = es.events[len(es.events)-es.size:]
	}
	if final {
		es.final, es.ended = true, true
	}
	close(es.changed)
	es.changed = make(chan struct{})
	es.mu.Unlock()
}

func (es *eventStream) end() {
	es.mu.Lock()
	if !es.ended {
		es.ended = true
		close(es.changed)
		es.changed = make(chan struct{})
	}
	es.mu.Unlock()
}

func (es *eventStream) isEnded() bool {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.ended
}

// claim reserves the stream for one reader (the standalone GET stream
// allows one at a time); release gives it back. Readers that resume with
// Last-Event-ID attach without a claim.
func (es *eventStream) claim() bool {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.claimed {
		return false
	}
	es.claimed = true
	return true
}

func (es *eventStream) release() {
	es.mu.Lock()
	es.claimed = false
	es.mu.Unlock()
}

func (es *eventStream) attached() bool {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.attachN > 0
}

// attach streams events after seq to w until the stream ends or the client
// goes away. seq < 0 means "what is new from now on, plus what was queued
// while nobody listened" for the GET stream: everything after the last
// event an earlier reader was sent, so a reconnect without Last-Event-ID
// does not deliver the same messages twice.
func (es *eventStream) attach(w http.ResponseWriter, r *http.Request, seq int, hs *httpSession, preamble ...sse.Event) {
	es.mu.Lock()
	es.attachN++
	es.mu.Unlock()
	defer func() {
		es.mu.Lock()
		es.attachN--
		es.mu.Unlock()
		hs.touch()
	}()
	if seq < 0 {
		es.mu.Lock()
		seq = es.sent
		es.mu.Unlock()
	}
	fl, _ := w.(http.Flusher)
	h := w.Header()
	h["Content-Type"] = valueEventStream
	h["Cache-Control"] = valueNoCache
	h["X-Accel-Buffering"] = valueNo
	w.WriteHeader(http.StatusOK)
	for _, ev := range preamble {
		if sse.Write(w, ev) != nil {
			return
		}
	}
	if fl != nil {
		fl.Flush()
	}
	for {
		es.mu.Lock()
		var pending []event
		for _, ev := range es.events {
			if ev.seq > seq {
				pending = append(pending, ev)
			}
		}
		ended, ch := es.ended, es.changed
		es.mu.Unlock()
		for _, ev := range pending {
			if err := writeEvent(w, es.id, ev); err != nil {
				return
			}
			seq = ev.seq
		}
		if len(pending) > 0 {
			if fl != nil {
				fl.Flush()
			}
			es.mu.Lock()
			es.sent = max(es.sent, seq)
			es.mu.Unlock()
		}
		if ended {
			return
		}
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
	}
}

func writeEvent(w io.Writer, streamID string, ev event) error {
	e := sse.Event{Type: "message", Data: ev.data, Retry: -1}
	if streamID != "" {
		e.ID, e.HasID = streamID+"-"+strconv.Itoa(ev.seq), true
	}
	return sse.Write(w, e)
}

// postStream is the session.Stream of one POST: related messages and the
// final response. In a resumable session stream the answer is always SSE
// with a priming event, as SDK servers do, so the client can reconnect;
// otherwise it is plain JSON when nothing came before the response, and
// an SSE stream when something did.
type postStream struct {
	w     http.ResponseWriter
	es    *eventStream
	sid   string // session id for event ids ("" = no resumption)
	prime bool
	// forbid, when set, may answer a lone final reply itself (403 for a
	// missing scope); true when it did.
	forbid func(w http.ResponseWriter, reply []byte) bool
}

func newPostStream(w http.ResponseWriter, es *eventStream, sid string, prime bool) *postStream {
	if es == nil {
		es = newEventStream("", 1<<20)
	}
	return &postStream{w: w, es: es, sid: sid, prime: prime}
}

func (p *postStream) Send(msg []byte) error {
	p.es.append(msg, false)
	return nil
}

func (p *postStream) Reply(msg []byte) error {
	p.es.append(msg, true)
	return nil
}

// hasError reports whether the final reply is a JSON-RPC error.
func (p *postStream) hasError() bool {
	p.es.mu.Lock()
	defer p.es.mu.Unlock()
	if n := len(p.es.events); n > 0 && p.es.final {
		m, err := mcpwire.Parse(p.es.events[n-1].data)
		return err != nil || m.Kind == mcpwire.KindError
	}
	return true
}

// serve writes the response: JSON if the final reply is the first event,
// SSE otherwise. It returns when the stream ended or the client left.
func (p *postStream) serve(r *http.Request) {
	es := p.es
	es.mu.Lock()
	ch, n, ended := es.changed, len(es.events), es.ended
	es.mu.Unlock()
	if n == 0 && !ended {
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
	}
	es.mu.Lock()
	if len(es.events) == 1 && es.final && p.forbid != nil {
		data := es.events[0].data
		es.mu.Unlock()
		if p.forbid(p.w, data) {
			return
		}
		es.mu.Lock()
	}
	if len(es.events) == 1 && es.final && !p.prime {
		data := es.events[0].data
		es.mu.Unlock()
		h := p.w.Header()
		h["Content-Type"] = valueJSON
		h["Content-Length"] = []string{strconv.Itoa(len(data))}
		p.w.WriteHeader(http.StatusOK)
		_, _ = p.w.Write(data) // a client gone now is gone; nothing to retry
		return
	}
	if len(es.events) == 0 && es.ended {
		es.mu.Unlock()
		// Nothing to say (a cancelled request): 202 with no body.
		p.w.WriteHeader(http.StatusAccepted)
		return
	}
	streamID := ""
	if p.sid != "" {
		streamID = es.id
	}
	if es.ended {
		// Everything is known already (the usual case: the response came
		// first): one write with a length instead of a chunked stream.
		var body bytes.Buffer
		if p.prime && streamID != "" {
			_ = sse.Write(&body, sse.Event{ID: streamID + "-0", HasID: true, Retry: -1})
		}
		for _, ev := range es.events {
			_ = writeEvent(&body, streamID, ev)
		}
		es.mu.Unlock()
		h := p.w.Header()
		h["Content-Type"] = valueEventStream
		h["Cache-Control"] = valueNoCache
		h["Content-Length"] = []string{strconv.Itoa(body.Len())}
		p.w.WriteHeader(http.StatusOK)
		_, _ = p.w.Write(body.Bytes())
		return
	}
	es.mu.Unlock()
	fl, _ := p.w.(http.Flusher)
	h := p.w.Header()
	h["Content-Type"] = valueEventStream
	h["Cache-Control"] = valueNoCache
	h["X-Accel-Buffering"] = valueNo
	p.w.WriteHeader(http.StatusOK)
	if p.prime && streamID != "" {
		if err := sse.Write(p.w, sse.Event{ID: streamID + "-0", HasID: true, Retry: -1}); err != nil {
			return
		}
	}
	seq := 0
	for {
		es.mu.Lock()
		var pending []event
		for _, ev := range es.events {
			if ev.seq > seq {
				pending = append(pending, ev)
			}
		}
		ended, ch := es.ended, es.changed
		es.mu.Unlock()
		for _, ev := range pending {
			if err := writeEvent(p.w, streamID, ev); err != nil {
				return
			}
			seq = ev.seq
		}
		if fl != nil {
			fl.Flush()
		}
		if ended {
			return
		}
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Write(b)
}
