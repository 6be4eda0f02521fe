package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestResponseReader(t *testing.T) {
	const resp = `{"jsonrpc":"2.0","id":7,"result":{}}`
	bodies := map[string]struct{ ct, body string }{
		"json":      {"application/json", resp},
		"sse":       {"text/event-stream", "event: message\ndata: " + resp + "\n\n"},
		"sse crlf":  {"text/event-stream; charset=utf-8", "id: 1\r\nevent: message\r\ndata:" + resp + "\r\n\r\n"},
		"sse noise": {"text/event-stream", ": comment\n\ndata: \n\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"id\":7}}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}\n\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":7,\"result\":{}}\n\n"},
		"sse eof":   {"text/event-stream", "data: " + resp},
		"sse long":  {"text/event-stream", "data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"x\":\"" + strings.Repeat("y", 300<<10) + "\"}}\n\n"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Query().Get("case")]
		if !ok {
			http.Error(w, "nope", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", b.ct)
		fmt.Fprint(w, b.body)
	}))
	defer srv.Close()
	rr := newResponseReader()
	for name := range bodies {
		res, err := http.Get(srv.URL + "?case=" + strings.ReplaceAll(name, " ", "+"))
		if err != nil {
			t.Fatal(err)
		}
		msg, _, err := rr.read(res, []byte("7"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		env, err := scanEnvelope(msg)
		if err != nil || string(env.ID) != "7" || env.Result == nil {
			t.Errorf("%s: got %.80s", name, msg)
		}
	}
	res, err := http.Get(srv.URL + "?case=missing")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rr.read(res, []byte("7")); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("503: got %v", err)
	}
}
