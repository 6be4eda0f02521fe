package intercept

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

type memStore struct {
	recs []Record
	err  error
}

func (m *memStore) Append(r *Record) error {
	if m.err != nil {
		return m.err
	}
	m.recs = append(m.recs, *r)
	return nil
}

func runAudit(t *testing.T, st AuditStore, failClosed bool, raw string) (*Reply, error, *Record) {
	t.Helper()
	msg, err := mcpwire.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	x := &Exchange{Msg: msg, Method: msg.Method, Peer: &Peer{}, Record: &Record{ID: "r1", Time: time.Now(), Method: msg.Method}}
	ok, _ := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	h := NewChain(AuditTo(nil, st, failClosed)).Then(func(ctx context.Context, x *Exchange) (*Reply, error) {
		return &Reply{Msg: ok}, nil
	})
	reply, err := h(context.Background(), x)
	return reply, err, x.Record
}

func TestAuditToRecord(t *testing.T) {
	st := &memStore{}
	_, err, r := runAudit(t, st, true, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"q","arguments":{"b":1,"a":"x"},"_meta":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","tracestate":"k=v","io.mcpwarden/promptHash":"sha256:p"}}}`)
	if err != nil || len(st.recs) != 1 {
		t.Fatalf("err %v, %d records", err, len(st.recs))
	}
	if r.TraceID != "0af7651916cd43dd8448eb211c80319c" || r.ParentSpanID != "b7ad6b7169203331" || r.TraceState != "k=v" ||
		len(r.SpanID) != 16 || r.PromptHash != "sha256:p" || r.Mode != "enforce" || r.Decision != "allow" {
		t.Errorf("record %+v", r)
	}
	// Same arguments, other encoding: same hash.
	_, _, r2 := runAudit(t, st, true, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"arguments":{"a":"x","b":1.0},"name":"q"}}`)
	if r2.ArgsHash != r.ArgsHash || len(r.ArgsHash) != 64 {
		t.Errorf("args hash %q vs %q", r2.ArgsHash, r.ArgsHash)
	}
	if len(r2.TraceID) != 32 || r2.ParentSpanID != "" {
		t.Errorf("generated trace %+v", r2)
	}
	for _, tp := range []string{"00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x"} {
		if _, _, ok := parseTraceparent(tp); ok {
			t.Errorf("accepted traceparent %q", tp)
		}
	}
}

func TestAuditToFailClosed(t *testing.T) {
	st := &memStore{err: errors.New("disk full")}
	reply, err, r := runAudit(t, st, true, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	d, ok := AsDenial(err)
	if reply != nil || !ok || d.Rule != RuleAuditUnavailable || d.ID != "r1" {
		t.Fatalf("reply %v err %v", reply, err)
	}
	if r.Decision != "error" || r.Rule != RuleAuditUnavailable {
		t.Errorf("record %+v", r)
	}
	// fail_closed: false answers anyway.
	if reply, err, _ := runAudit(t, st, false, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`); err != nil || reply == nil {
		t.Fatalf("fail open: %v %v", reply, err)
	}
}
