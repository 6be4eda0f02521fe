package sink

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logs "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/mcpwarden/mcpwarden/internal/audit"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// fakeCollector follows the OTLP/HTTP specification for logs: POST
// /v1/logs with a binary protobuf ExportLogsServiceRequest, answered 200
// with an ExportLogsServiceResponse (a partial_success when it rejects
// records) or 503 to ask for a retry. It decodes with the official
// generated types. No OpenTelemetry Collector can be installed here.
type fakeCollector struct {
	mu       sync.Mutex
	records  []*logs.LogRecord
	resource map[string]string
	fail     int   // answer 503 to this many requests first
	reject   int64 // then claim to reject this many records once
}

func (f *fakeCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != OTLPLogsPath || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "bad request line or content type", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req collogs.ExportLogsServiceRequest
	if err := proto.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var resp collogs.ExportLogsServiceResponse
	if f.reject > 0 {
		resp.PartialSuccess = &collogs.ExportLogsPartialSuccess{RejectedLogRecords: f.reject, ErrorMessage: "too old"}
		f.reject = 0
	} else {
		for _, rl := range req.ResourceLogs {
			f.resource = map[string]string{}
			for _, kv := range rl.GetResource().GetAttributes() {
				f.resource[kv.Key] = kv.GetValue().GetStringValue()
			}
			for _, sl := range rl.ScopeLogs {
				if sl.GetScope().GetName() != OTLPScope {
					http.Error(w, "scope "+sl.GetScope().GetName(), http.StatusBadRequest)
					return
				}
				f.records = append(f.records, sl.LogRecords...)
			}
		}
	}
	out, _ := proto.Marshal(&resp)
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func attr(lr *logs.LogRecord, k string) string {
	for _, kv := range lr.Attributes {
		if kv.Key == k {
			if s := kv.GetValue().GetStringValue(); s != "" {
				return s
			}
			return fmt.Sprint(kv.GetValue().GetIntValue())
		}
	}
	return ""
}

func TestOTLPSink(t *testing.T) {
	dir := t.TempDir()
	loc := audit.Location{Path: filepath.Join(dir, "audit.db"), Sync: "normal"}
	s, err := audit.Open(loc, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		r := &intercept.Record{ID: fmt.Sprintf("r%d", i), Time: time.Now(), Method: "tools/call", Server: "db", Name: "query",
			Decision: "allow", TraceID: fmt.Sprintf("%032x", i+1), SpanID: fmt.Sprintf("%016x", i+1)}
		if i%5 == 0 {
			r.Decision, r.Rule = "deny", "sql.write"
		}
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	fake := &fakeCollector{fail: 1, reject: 2}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	// A request that times out is retried (at least once), and the
	// collector may have kept it: the long timeout keeps a loaded machine
	// (a CI run with browsers beside it) from turning a slow answer into
	// the duplicate the check below reads as a retry bug.
	o, err := OpenOTLP(srv.URL+"/", map[string]string{"deployment.environment": "test", "service.name": "not-this"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if o.URL != srv.URL+OTLPLogsPath {
		t.Fatalf("url %s", o.URL)
	}
	count := func() int { fake.mu.Lock(); defer fake.mu.Unlock(); return len(fake.records) }
	deliverAll(t, loc, o, filepath.Join(dir, ".otlp.cursor"), func() bool { return count() >= 20 })
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.fail != 0 || fake.reject != 0 {
		t.Fatalf("the 503 and the partial success were not both met: fail %d reject %d", fake.fail, fake.reject)
	}
	// A 503 and a partial success were both retried: every record
	// arrived, none twice.
	seen := map[string]bool{}
	for _, lr := range fake.records {
		id := attr(lr, "mcpwarden.audit.record_id")
		if seen[id] {
			t.Errorf("record %s delivered twice", id)
		}
		seen[id] = true
		body := lr.GetBody().GetStringValue()
		e, err := audit.ParseEntry([]byte(body))
		if err != nil || e.ID != id {
			t.Fatalf("body is not the stored record %s: %v %q", id, err, body)
		}
		if ts, _ := time.Parse(time.RFC3339Nano, e.Time); uint64(ts.UnixNano()) != lr.TimeUnixNano {
			t.Errorf("%s: time %d, record %s", id, lr.TimeUnixNano, e.Time)
		}
		if hex.EncodeToString(lr.TraceId) != e.TraceID || hex.EncodeToString(lr.SpanId) != e.SpanID {
			t.Errorf("%s: trace %x span %x, record %s %s", id, lr.TraceId, lr.SpanId, e.TraceID, e.SpanID)
		}
		wantSev := logs.SeverityNumber_SEVERITY_NUMBER_INFO
		if e.Decision == "deny" {
			wantSev = logs.SeverityNumber_SEVERITY_NUMBER_WARN
			if attr(lr, "mcpwarden.rule") != "sql.write" {
				t.Errorf("%s: rule attribute %q", id, attr(lr, "mcpwarden.rule"))
			}
		}
		if lr.SeverityNumber != wantSev || attr(lr, "mcpwarden.decision") != e.Decision ||
			attr(lr, "mcpwarden.server") != "db" || attr(lr, "mcpwarden.name") != "query" || attr(lr, "mcpwarden.audit.seq") != fmt.Sprint(e.Seq) {
			t.Errorf("%s: severity %v attributes %v", id, lr.SeverityNumber, lr.Attributes)
		}
	}
	if len(seen) != 20 {
		t.Fatalf("%d distinct records, want 20", len(seen))
	}
	if fake.resource["service.name"] != "mcpwarden" || fake.resource["deployment.environment"] != "test" {
		t.Errorf("resource %v", fake.resource)
	}
}

func TestOTLPURL(t *testing.T) {
	for _, u := range []string{"http://collector.example:4318", "ftp://127.0.0.1/", "http://user:pw@127.0.0.1:4318"} {
		if _, err := OpenOTLP(u, nil, 0); err == nil || !strings.Contains(err.Error(), "otlp sink: url") {
			t.Errorf("%s: err %v", u, err)
		}
	}
	o, err := OpenOTLP("https://collector.example/v1/logs", nil, 0)
	if err != nil || o.URL != "https://collector.example/v1/logs" {
		t.Fatalf("%v %v", o, err)
	}
}
