package intercept

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The hand-written encoder produces valid JSON that decodes to the same
// values, whatever the strings hold.
func TestRecordAppendJSON(t *testing.T) {
	r := &Record{
		ID: "abc", Time: time.Date(2026, 11, 25, 1, 2, 3, 4, time.UTC), Session: "s",
		RPCID: `"x\"y"`, Method: "tools/call", Name: "bad\x00\n\t\\\u2028\xff名",
		Decision: "deny", Rule: "r", ErrorCode: -32001, Upstream: 1500 * time.Microsecond,
		Total: 2 * time.Millisecond, ReqBytes: 10, RespBytes: 20,
	}
	b := r.AppendJSON(nil)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	want := map[string]any{
		"time": "2026-11-25T01:02:03.000000004Z", "msg": "exchange", "id": "abc", "session": "s",
		"rpc_id": `"x\"y"`, "method": "tools/call", "name": "bad\x00\n\t\\\u2028\ufffd名",
		"decision": "deny", "rule": "r", "error_code": float64(-32001), "upstream_us": float64(1500),
		"total_us": float64(2000), "request_bytes": float64(10), "response_bytes": float64(20),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("extra keys in %s", b)
	}
	if strings.ContainsAny(string(b), "\n\r") {
		t.Errorf("raw line break in %q", b)
	}
}

func BenchmarkRecordAppendJSON(b *testing.B) {
	r := &Record{ID: "0123456789abcdef01234567", Time: time.Now(), Session: "0123456789abcdef0123456789abcdef",
		Era: "legacy", Transport: "http", RPCID: "42", Method: "tools/call", Server: "files", Name: "read_file",
		Decision: "allow", Upstream: time.Millisecond, Total: time.Millisecond, ReqBytes: 100, RespBytes: 200}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
}
