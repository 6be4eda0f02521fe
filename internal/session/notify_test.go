package session

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
	"github.com/mcpwarden/mcpwarden/internal/upstream"
)

// A notification a server sends during a call passes Options.Notifications
// on its way to the client (the results stage's masking); responses and
// server requests do not.
func TestNotificationsHook(t *testing.T) {
	a := &scriptConn{name: "a", done: make(chan struct{})}
	a.onCall = func(ctx context.Context, req *mcpwire.Message, related upstream.Related) (*mcpwire.Message, error) {
		related(mustMsg(t, mcpwire.NewNotification("notifications/progress", []byte(`{"progressToken":1,"progress":1,"message":"token SECRET-1"}`))))
		return mcpwire.Parse(mcpwire.NewResult(req.ID, []byte(`{"content":[{"type":"text","text":"SECRET-1"}]}`)))
	}
	var seen []string
	hook := func(server string, m *mcpwire.Message) *mcpwire.Message {
		seen = append(seen, server+" "+m.Method)
		return mustMsg(t, []byte(strings.ReplaceAll(string(m.Raw), "SECRET-1", "[MASKED]")))
	}
	b := &scriptBackend{conns: map[string]*scriptConn{"a": a}, names: []string{"a"}}
	s := New(&Options{Backend: b, Chain: intercept.NewChain(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Name: "mcpwarden", Version: "t", Notifications: hook},
		intercept.Peer{Era: EraLegacy, Transport: "test"}, func([]byte) error { return nil })
	t.Cleanup(s.Close)
	st := chanStream{make(chan []byte, 4)}
	s.Handle(context.Background(), mustMsg(t, mcpwire.NewRequest([]byte(`0`), "initialize", []byte(`{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}`))), st)
	recv(t, st.ch)
	s.Go(context.Background(), mustMsg(t, []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t","arguments":{}}}`)), st)
	note := recv(t, st.ch)
	if note.Method != "notifications/progress" || !strings.Contains(string(note.Raw), "[MASKED]") {
		t.Fatalf("notification reached the client as %s", note.Raw)
	}
	// The response is the results stage's business, not the hook's.
	if final := recv(t, st.ch); !strings.Contains(string(final.Raw), "SECRET-1") {
		t.Fatalf("hook rewrote the response: %s", final.Raw)
	}
	if len(seen) != 1 || seen[0] != "a notifications/progress" {
		t.Fatalf("hook saw %v", seen)
	}
}
