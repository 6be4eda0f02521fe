package e2e

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// With OTEL_EXPORTER_OTLP_ENDPOINT set, serve exports a span per exchange
// whose ids are the audit record's, a child of the client's span. The
// receiver here decodes OTLP/HTTP protobuf as the OpenTelemetry Collector
// does (no collector runs here).
func TestTracingSpansMatchRecords(t *testing.T) {
	type span struct{ trace, id, parent, name string }
	var mu sync.Mutex
	var spans []span
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans = append(spans, span{hex.EncodeToString(s.TraceId), hex.EncodeToString(s.SpanId), hex.EncodeToString(s.ParentSpanId), s.Name})
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Write(out)
	}))
	defer otlp.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.URL)

	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "audit.db")
	g := startServe(t, fmt.Sprintf("audit:\n  store: %s\nservers:\n%s", store, stdioServerYAML(t, "ev")))
	c := newRawClient(t, g.URL)
	c.initialize()
	const trace, client = "5bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	c.result("tools/call", map[string]any{"name": "test_simple_text", "arguments": map[string]any{},
		"_meta": map[string]any{"traceparent": "00-" + trace + "-" + client + "-01"}})
	g.Stop() // flushes the batch of spans

	out, err := auditCLI(t, "query", "--store", store, "--trace", trace, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		SpanID string `json:"span_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &rec); err != nil || rec.SpanID == "" {
		t.Fatalf("record: %q %v", out, err)
	}
	mu.Lock()
	defer mu.Unlock()
	found := false
	for _, s := range spans {
		if s.trace == trace {
			found = true
			if s.id != rec.SpanID || s.parent != client || s.name != "tools/call test_simple_text" {
				t.Errorf("span %+v, record span %s", s, rec.SpanID)
			}
		}
	}
	if !found || len(spans) < 2 {
		t.Fatalf("spans received: %+v", spans)
	}
}
