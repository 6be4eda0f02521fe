package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// readEvent reads one SSE event from br.
func readEvent(br *bufio.Reader) (sseEvent, error) {
	var ev sseEvent
	var data []string
	has := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if has {
				ev.Data = []byte(strings.Join(data, "\n"))
				return ev, nil
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		has = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Type = value
		case "data":
			data = append(data, value)
		}
	}
}

// TestResumption: a tool call on a legacy session's POST SSE stream, the
// client disconnects after the first message, then resumes with GET +
// Last-Event-ID and gets the rest, ending with the response.
func TestResumption(t *testing.T) {
	t.Parallel()
	g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
	c := newRawClient(t, g.URL)
	c.initialize()

	call := func(id, token string) (first sseEvent, seen []sseEvent) {
		t.Helper()
		body := `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"` + token + `"}}}`
		req, _ := http.NewRequest(http.MethodPost, g.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", c.sid)
		req.Header.Set("Mcp-Protocol-Version", c.version)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close() // the disconnect
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("tools/call on a session: HTTP %d %s, want an SSE stream", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		br := bufio.NewReader(resp.Body)
		for {
			ev, err := readEvent(br)
			if err != nil {
				t.Fatalf("stream ended before a message event: %v (seen %v)", err, seen)
			}
			seen = append(seen, ev)
			if len(strings.TrimSpace(string(ev.Data))) > 0 {
				return ev, seen
			}
		}
	}

	// resume GETs with Last-Event-ID and reads to the end of the stream.
	resume := func(last string) []sseEvent {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, g.URL, nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Mcp-Session-Id", c.sid)
		req.Header.Set("Mcp-Protocol-Version", c.version)
		req.Header.Set("Last-Event-ID", last)
		client := &http.Client{Timeout: 15 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("resume GET: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("resume GET with Last-Event-ID %s: HTTP %d", last, resp.StatusCode)
		}
		evs, err := parseSSE(resp.Body)
		if err != nil {
			t.Fatalf("resume stream: %v", err)
		}
		return evs
	}

	type msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			ProgressToken any     `json:"progressToken"`
			Progress      float64 `json:"progress"`
		} `json:"params"`
		Result json.RawMessage `json:"result"`
	}
	decode := func(evs []sseEvent) (progress []float64, final *msg) {
		for _, ev := range evs {
			if len(strings.TrimSpace(string(ev.Data))) == 0 {
				continue
			}
			var m msg
			if err := json.Unmarshal(ev.Data, &m); err != nil {
				t.Fatalf("bad event data %q: %v", ev.Data, err)
			}
			switch {
			case m.Method == "notifications/progress":
				progress = append(progress, m.Params.Progress)
			case m.Result != nil:
				mm := m
				final = &mm
			}
		}
		return progress, final
	}

	t.Run("after-first-message", func(t *testing.T) {
		first, seen := call("101", "resume-tok")
		if first.ID == "" {
			t.Fatalf("message event without an id, cannot resume: %+v (seen %+v)", first, seen)
		}
		p0, _ := decode([]sseEvent{first})
		rest := resume(first.ID)
		progress, final := decode(rest)
		all := append(p0, progress...)
		if len(all) != 3 || all[0] != 0 || all[1] != 50 || all[2] != 100 {
			t.Errorf("progress before+after resumption = %v, want [0 50 100] exactly once each", all)
		}
		if final == nil {
			t.Fatalf("resumed stream has no final response: %+v", rest)
		}
		if string(final.ID) != "101" || !strings.Contains(string(final.Result), "resume-tok") {
			t.Errorf("final response id %s result %s", final.ID, final.Result)
		}
		for _, ev := range rest {
			if ev.ID == first.ID {
				t.Errorf("event %s replayed although it was acknowledged by Last-Event-ID", ev.ID)
			}
		}
	})

	t.Run("after-priming-event", func(t *testing.T) {
		_, seen := call("102", "resume-tok-2")
		// seen[0] is the priming event (id, no data): resuming from it must
		// replay everything.
		if len(seen) < 2 || len(seen[0].Data) != 0 || seen[0].ID == "" {
			t.Fatalf("no priming event before the first message: %+v", seen)
		}
		progress, final := decode(resume(seen[0].ID))
		if len(progress) != 3 || final == nil || string(final.ID) != "102" {
			t.Errorf("resume from the priming event: progress %v, final %+v", progress, final)
		}
	})
}
