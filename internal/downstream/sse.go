package downstream

import (
	"net/http"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/sse"
)

// The legacy HTTP+SSE transport (protocol 2024-11-05): the client opens
// GET /sse, learns its POST endpoint from the first event, and receives
// every server message on that one stream. The session lives as long as
// the GET stream.

func (h *HTTP) serveSSE(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	hs := h.newSession(r, "sse")
	if hs == nil {
		http.Error(w, "Service Unavailable: shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.drop(hs.id)
	hs.get.claim()
	defer hs.get.release()
	endpoint := sse.Event{Type: "endpoint", Data: []byte(h.o.MessagePath + "?sessionId=" + hs.id), Retry: -1}
	hs.get.attach(w, r, -1, hs, endpoint)
}

// sseStream sends everything of a request on the session's one stream.
type sseStream struct{ hs *httpSession }

func (s sseStream) Send(msg []byte) error  { s.hs.get.append(msg, false); return nil }
func (s sseStream) Reply(msg []byte) error { s.hs.get.append(msg, false); return nil }

func (h *HTTP) serveMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	hs := h.lookup(r.URL.Query().Get("sessionId"))
	if hs == nil || hs.sess.Peer().Transport != "sse" || !owns(r, hs) {
		http.Error(w, "Not Found: session not found", http.StatusNotFound)
		return
	}
	msg, ok := h.readBody(w, r)
	if !ok {
		return
	}
	hs.touch()
	// The request belongs to the session, not to this POST: it runs until
	// answered or the session ends.
	ctx := detached(r)
	if msg.Kind == mcpwire.KindRequest {
		if msg.Method == "initialize" && hs.sess.Initialized() {
			writeRPCError(w, http.StatusBadRequest, msg.ID, intercept.CodeInvalidRequest, "session is already initialized")
			return
		}
		hs.sess.Go(ctx, msg, sseStream{hs})
	} else {
		hs.sess.Handle(ctx, msg, nil)
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte("Accepted"))
}
