package audit

import (
	"bytes"
	"context"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// TestRecordV2 stores the members schema version 2 added (args, effect)
// and reads them back from a log that verifies.
func TestRecordV2(t *testing.T) {
	loc, k := newLog(t, 3, Options{})
	s, err := Open(loc, Options{Key: k})
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord(3)
	r.Args = []byte(`{"db":{"password":"[REDACTED:by-name]"},"q":"UPDATE t SET x = $1"}`)
	r.Effects = []intercept.Effect{{Kind: "sql", Target: "app", Operation: "UPDATE", Fingerprint: "5f2a", Role: "mcpw_eph_1", Rows: 0, RowsKnown: true},
		{Kind: "http", Target: "api.example.com", Error: "timeout"}}
	if err := s.Append(r); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := verifyLoc(t, loc, k); !rep.OK || rep.Records != 4 {
		t.Fatalf("report %+v %v", rep, rep.FirstBad)
	}
	rd, err := OpenReader(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var last []byte
	rd.Query(context.Background(), Filter{AfterSeq: 2}, func(_ int64, data []byte) error { last = bytes.Clone(data); return nil })
	if !bytes.HasPrefix(last, []byte(`{"v":2,"seq":3,`)) || !bytes.Contains(last, []byte(`"args_sha256":"ab","args":{"db":`)) ||
		!bytes.HasSuffix(last, []byte(`"effect":[{"kind":"sql","target":"app","op":"UPDATE","fingerprint":"5f2a","role":"mcpw_eph_1","rows":0},{"kind":"http","target":"api.example.com","error":"timeout"}]}`)) {
		t.Fatalf("record %s", last)
	}
	e, err := ParseEntry(last)
	if err != nil {
		t.Fatal(err)
	}
	if e.V != 2 || len(e.Effect) != 2 || e.Effect[0].Rows == nil || *e.Effect[0].Rows != 0 || e.Effect[1].Rows != nil || string(e.Args) != string(r.Args) {
		t.Fatalf("entry %+v", e)
	}
}

// TestVerifyAcceptsV1 keeps stores written before version 2 verifiable.
func TestVerifyAcceptsV1(t *testing.T) {
	v1 := []byte(`{"v":1,"seq":0,"prev":"` + string(bytes.Repeat([]byte("0"), 64)) + `","id":"x","time":"2026-01-01T00:00:00Z","method":"ping","decision":"allow","gateway_ns":0,"upstream_ns":0,"total_ns":0,"request_bytes":0,"result_bytes":0}`)
	if ri := inspect(v1); !ri.ok || ri.id != "x" {
		t.Fatalf("v1 record not accepted: %+v", ri)
	}
	if ri := inspect(bytes.Replace(v1, []byte(`"v":1`), []byte(`"v":9`), 1)); ri.ok {
		t.Fatal("unknown version accepted")
	}
}
