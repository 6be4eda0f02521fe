package intercept

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/auditargs"
	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/manifest"
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

// Behind a manifest, the record's arguments hash and view come from the
// tree and canonical bytes the manifest stage validated: they must be
// what parsing the client's arguments gives, whatever a later stage does
// to the message (here: puts a credential into the arguments).
func TestAuditArgumentsFromManifest(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte("tools:\n  q: {risk: read}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	ok, _ := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	inject := Func{N: "inject", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		nm, err := x.Msg.WithParam("arguments", []byte(`{"password":"hunter2-injected"}`))
		if err != nil {
			return nil, err
		}
		x.Msg = nm
		return next(ctx, x)
	}}
	// Large enough to be viewed while upstream: a key, 20 KiB, its repeat.
	big := `{"name":"q","arguments":{"text":"ghp_8fK2mQ9xLr4TWb7NcY1vZ3pD6sH0jA5eU2iO ` + strings.Repeat("abcdefghij0123456789", 1024) + ` token ghp_8fK2mQ9xLr4TWb7NcY1vZ3pD6sH0jA5eU2iO"}}`
	// upstream is the session's side of a call that goes upstream: once
	// the request has left, a result stage may add facts, and no stage's
	// later change reaches the arguments' view (made on another goroutine
	// for large arguments, go test -race checks it reads no fact then; on
	// the exchange's goroutine once the request is written for others).
	upstream := func(ctx context.Context, x *Exchange) (*Reply, error) {
		x.Forwarding()
		x.Sent()
		if x.Facts == nil {
			x.Facts = map[string]any{}
		}
		for i := range 100 {
			x.Facts["result."+strconv.Itoa(i)] = i
		}
		if _, ok := x.Facts[FactCanonicalArguments]; ok {
			x.Facts[FactArguments] = map[string]any{"changed": "after forwarding"}
			x.Facts[FactCanonicalArguments] = []byte(`{"changed":"after forwarding"}`)
		}
		return &Reply{Msg: ok}, nil
	}
	record := func(params string, stages ...Interceptor) *Record {
		x := exchange(t, "legacy", "s", "tools/call", params)
		st := &memStore{}
		h := NewChain(append([]Interceptor{AuditTo(nil, st, true)}, stages...)...).Then(upstream)
		if _, err := h(context.Background(), x); err != nil {
			t.Fatalf("%s: %v", params, err)
		}
		return &st.recs[0]
	}
	for _, params := range []string{
		`{"name":"q","arguments":{"b":1.50,"a":"x","nested":{"z":[1,2,{"k":"v"}]}}}`,
		`{"name":"q","arguments":{"text":"token ghp_8fK2mQ9xLr4TWb7NcY1vZ3pD6sH0jA5eU2iO here"}}`,
		`{"name":"q","arguments":{"api_key":"not-a-format","long":"` + strings.Repeat("y", 900) + `"}}`,
		`{"name":"q","arguments":{}}`,
		`{"name":"q","arguments":null}`,
		`{"name":"q"}`,
		big,
	} {
		want := record(params)
		for name, stages := range map[string][]Interceptor{"behind the manifest": {Manifests(ms), inject}, "without a manifest": {inject}} {
			got := record(params, stages...)
			if got.ArgsHash != want.ArgsHash || string(got.Args) != string(want.Args) {
				t.Errorf("%s, %s:\n got  %s %s\n want %s %s", params, name, got.ArgsHash, got.Args, want.ArgsHash, want.Args)
			}
			if strings.Contains(string(got.Args), "injected") || strings.Contains(string(got.Args), "after forwarding") {
				t.Errorf("%s, %s: the record shows what a later stage wrote: %s", params, name, got.Args)
			}
			if strings.Contains(string(got.Args), "ghp_8fK2") {
				t.Errorf("%s, %s: the key is in the view: %s", params, name, got.Args)
			}
		}
	}
}

// A small call's arguments view is in the record as soon as the upstream
// connection says the request is written, so that a lone caller does not
// wait for it after the answer. Without that word (a stage answered, an
// https upstream) it is made after the answer, as TestAuditToRecord's
// calls show.
func TestAuditViewMadeWhenSent(t *testing.T) {
	msg, err := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"q","arguments":{"b":1,"a":"x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	x := &Exchange{Msg: msg, Method: msg.Method, Peer: &Peer{}, Record: &Record{ID: "r1", Time: time.Now(), Method: msg.Method}}
	ok, _ := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`))
	var atSent Record
	h := NewChain(AuditTo(nil, &memStore{}, true)).Then(func(ctx context.Context, x *Exchange) (*Reply, error) {
		if x.Record.Args != nil {
			t.Errorf("view made before the request was written: %s", x.Record.Args)
		}
		x.Sent()
		atSent = *x.Record
		x.Sent() // at most once
		return &Reply{Msg: ok}, nil
	})
	if _, err := h(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(`{"a":"x","b":1}`))
	if atSent.ArgsHash != hex.EncodeToString(sum[:]) || string(atSent.Args) != `{"a":"x","b":1}` {
		t.Fatalf("when the request was written: hash %q, view %s", atSent.ArgsHash, atSent.Args)
	}
	if x.Record.ArgsHash != atSent.ArgsHash || string(x.Record.Args) != string(atSent.Args) {
		t.Fatalf("final record: hash %q, view %s", x.Record.ArgsHash, x.Record.Args)
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

// TestAuditArgsRedacted: the record keeps the arguments with every secret
// masked, however deep, and a hash of the original.
func TestAuditArgsRedacted(t *testing.T) {
	aws := "AK" + "IA" + "Z7Q3LMNOPQRSTUV2"
	ghp := "gh" + "p_" + "Xk29aPq7LmN3bV8cR5tY1wE6uI0oZs4dF2gH"
	slack := "xo" + "xb-" + "21436587091-209876543210-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7"
	pemKey := "-----BEGIN OPENSSH " + "PRIVATE KEY-----\\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n" +
		"QyNTUxOQAAACDx9k3Lq2Vb8Wm4Zr7Tn1Yc5Xh0Ju6Pe3Ka9Sd2Fg8HwAAAJgQx7Zp9Xm3Rt\\n" +
		"-----END OPENSSH PRIVATE KEY-----"
	pw := "Tr0ub4dor&3-horse!"
	raw := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"deploy","arguments":{` +
		`"env":{"AWS_ACCESS_KEY_ID":"` + aws + `","region":"eu-west-1"},` +
		`"steps":[{"run":"git clone https://x:` + ghp + `@github.com/acme/app"},{"notify":{"text":"done ` + slack + `"}}],` +
		`"files":[{"path":"/root/.ssh/id_ed25519","content":"` + pemKey + `"}],` +
		`"db":{"password":"` + pw + `"},"note":"pw was ` + pw + `"}}}`
	st := &memStore{}
	if _, err, _ := runAudit(t, st, true, raw); err != nil || len(st.recs) != 1 {
		t.Fatalf("err %v, %d records", err, len(st.recs))
	}
	r := st.recs[0]
	args := string(r.Args)
	for _, sec := range []string{aws, ghp, slack, pw, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUA", "QyNTUxOQAAACDx9k3Lq2Vb8"} {
		if strings.Contains(args, sec) {
			t.Errorf("secret %.10s… in record args: %s", sec, args)
		}
	}
	for _, kept := range []string{`"region":"eu-west-1"`, `"path":"/root/.ssh/id_ed25519"`, "REDACTED"} {
		if !strings.Contains(args, kept) {
			t.Errorf("args lost %s: %s", kept, args)
		}
	}
	if len(r.ArgsHash) != 64 {
		t.Errorf("args hash %q", r.ArgsHash)
	}
}

func TestAddEffect(t *testing.T) {
	x := &Exchange{Record: &Record{}}
	x.AddEffect(Effect{Kind: "sql", Target: "app", Operation: "UPDATE", Fingerprint: "a1b2", Rows: 3, RowsKnown: true, Role: strings.Repeat("é", 200)})
	if e := x.Record.Effects[0]; len(e.Role) > 256 || !utf8.ValidString(e.Role) || e.Rows != 3 {
		t.Fatalf("effect %+v", e)
	}
	for range 40 {
		x.AddEffect(Effect{Kind: "sql"})
	}
	es := x.Record.Effects
	if len(es) != MaxEffects || es[MaxEffects-1].Kind != "more" || es[MaxEffects-1].Rows != 41-(MaxEffects-1) {
		t.Fatalf("%d effects, last %+v", len(es), es[len(es)-1])
	}
}

// BenchmarkDescribeRequest is what the audit stage adds to a tools/call
// before it goes on: trace context, the arguments' hash and their
// redacted view.
func BenchmarkDescribeRequest(b *testing.B) {
	msg, err := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT id, name FROM users WHERE id = $1","params":[42],"database":"app","limit":100},"_meta":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x := &Exchange{Msg: msg, Method: msg.Method, Record: &Record{}}
		describeArguments(x, describeRequest(x))
	}
}

// A generated trace and span id are random lower hex of their sizes, in
// one allocation; beside a client's trace, the span id is one and the
// traceparent read another.
func TestDescribeRequestIDs(t *testing.T) {
	plain, err := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	traced, err := mcpwire.Parse([]byte(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 100 {
		x := &Exchange{Msg: plain, Record: &Record{}}
		describeRequest(x)
		r := x.Record
		if len(r.TraceID) != 32 || len(r.SpanID) != 16 || !isLowerHex(r.TraceID) || !isLowerHex(r.SpanID) ||
			seen[r.TraceID] || seen[r.SpanID] || r.TraceID == strings.Repeat("0", 32) {
			t.Fatalf("trace %q span %q", r.TraceID, r.SpanID)
		}
		seen[r.TraceID], seen[r.SpanID] = true, true
	}
	for _, tc := range []struct {
		msg  *mcpwire.Message
		want float64
	}{{plain, 1}, {traced, 2}} {
		x := &Exchange{Msg: tc.msg, Record: &Record{}}
		if n := testing.AllocsPerRun(100, func() { *x.Record = Record{}; describeRequest(x) }); n != tc.want {
			t.Errorf("%s: %v allocations, want %v", tc.msg.Raw, n, tc.want)
		}
	}
}

// The arguments hash is the hex SHA-256 of their canonical form, in one
// allocation.
func TestViewArgumentsHash(t *testing.T) {
	args := []byte(`{"b":1,"a":"x"}`)
	hash, _ := viewArguments(args, nil, nil)
	sum := sha256.Sum256([]byte(`{"a":"x","b":1}`))
	if hash != hex.EncodeToString(sum[:]) {
		t.Fatalf("hash %s", hash)
	}
	c := []byte(`{"a":"x","b":1}`)
	v, err := canon.Parse(c)
	if err != nil {
		t.Fatal(err)
	}
	if raceEnabled {
		return // allocation counts vary under the race detector
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // see TestViewArgumentsParsedAllocs
	base := testing.AllocsPerRun(100, func() { auditargs.RedactCanonical(v, c, auditargs.Defaults) })
	if n := testing.AllocsPerRun(100, func() { viewArguments(args, v, c) }); n != base+1 {
		t.Errorf("%v allocations, want %v (the view's and the hash's)", n, base+1)
	}
}

// Without the manifest's tree, the arguments are parsed and their
// canonical form is made in one buffer, not grown step by step: the view
// costs the tree, the encoder's own work, one buffer and the hash, and
// what the redaction costs.
func TestViewArgumentsParsedAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	// A collection empties the redaction's pools, which costs whatever
	// runs next allocations of its own.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, a := range []string{
		`{"text":"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123"}`,
		`{"sql":"SELECT id, name FROM users WHERE id = $1","params":[42],"database":"app","limit":100}`,
	} {
		args := []byte(a)
		v, err := canon.Parse(args)
		if err != nil {
			t.Fatal(err)
		}
		c, err := canon.Canonicalize(args)
		if err != nil {
			t.Fatal(err)
		}
		parse := testing.AllocsPerRun(100, func() { canon.Parse(args) })
		redact := testing.AllocsPerRun(100, func() { auditargs.RedactCanonical(v, c, auditargs.Defaults) })
		// What the encoder allocates besides its buffer (sorting keys).
		enc := testing.AllocsPerRun(100, func() { canon.Append(make([]byte, 0, 4*len(args)), v) }) - 1
		if n := testing.AllocsPerRun(100, func() { viewArguments(args, nil, nil) }); n != parse+enc+redact+2 {
			t.Errorf("%s: %v allocations, want %v", a, n, parse+enc+redact+2)
		}
		if _, view := viewArguments(args, nil, nil); string(view) != string(c) {
			t.Errorf("%s: view %s, want %s", a, view, c)
		}
	}
}
