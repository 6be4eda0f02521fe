package telemetry

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

func TestSpanCarriesRecordIDs(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr := New(sdktrace.NewSimpleSpanProcessor(exp), resource.Empty())
	t0 := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tr.Span(&intercept.Record{ID: "d313bb494e6f5ee93d127aef", Time: t0, Total: 3 * time.Millisecond, Upstream: 2 * time.Millisecond,
		Method: "tools/call", Server: "db", Name: "query", Decision: "allow", RPCID: "7", Session: "s1",
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "14cb4760e01d61e1", ParentSpanID: "b7ad6b7169203331"})
	tr.Span(&intercept.Record{ID: "e1", Time: t0, Total: time.Millisecond, Method: "tools/call", Name: "rm", Decision: "deny",
		Rule: "policy.no-delete", TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"})
	tr.Span(&intercept.Record{ID: "e2", Method: "ping", TraceID: "short", SpanID: "x"}) // no ids: no span
	spans := exp.GetSpans()                                                             // the simple processor exports at End; Shutdown would clear them
	defer tr.Shutdown(context.Background())
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	if s.SpanContext.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || s.SpanContext.SpanID().String() != "14cb4760e01d61e1" ||
		s.Parent.SpanID().String() != "b7ad6b7169203331" || !s.Parent.IsRemote() || s.SpanKind != trace.SpanKindServer {
		t.Errorf("span ids: trace %s span %s parent %s", s.SpanContext.TraceID(), s.SpanContext.SpanID(), s.Parent.SpanID())
	}
	if s.Name != "tools/call query" || !s.StartTime.Equal(t0) || s.EndTime.Sub(s.StartTime) != 3*time.Millisecond {
		t.Errorf("span %q %v–%v", s.Name, s.StartTime, s.EndTime)
	}
	want := map[attribute.Key]string{"mcp.method.name": "tools/call", "gen_ai.tool.name": "query", "mcpwarden.audit_id": "d313bb494e6f5ee93d127aef",
		"mcpwarden.server": "db", "mcp.session.id": "s1", "jsonrpc.request.id": "7"}
	for _, kv := range s.Attributes {
		if w, ok := want[kv.Key]; ok {
			if kv.Value.AsString() != w {
				t.Errorf("%s = %q", kv.Key, kv.Value.AsString())
			}
			delete(want, kv.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing attributes %v", want)
	}
	d := spans[1]
	if d.Parent.IsValid() || d.SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || d.Status.Code != codes.Error {
		t.Errorf("deny span: parent %v trace %s status %v", d.Parent, d.SpanContext.TraceID(), d.Status)
	}
}

func TestEnabled(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	if Enabled() {
		t.Error("enabled without an endpoint")
	}
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	if !Enabled() {
		t.Error("not enabled with an endpoint")
	}
	t.Setenv("OTEL_SDK_DISABLED", "true")
	if Enabled() {
		t.Error("enabled with OTEL_SDK_DISABLED")
	}
}

func BenchmarkSpan(b *testing.B) {
	tr := New(sdktrace.NewBatchSpanProcessor(tracetest.NewNoopExporter()), resource.Empty())
	defer tr.Shutdown(context.Background())
	r := &intercept.Record{ID: "d313bb494e6f5ee93d127aef", Time: time.Now(), Total: 3 * time.Millisecond, Upstream: 2 * time.Millisecond,
		Method: "tools/call", Server: "db", Name: "query", Decision: "allow", RPCID: "7", Session: "s1",
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "14cb4760e01d61e1", ParentSpanID: "b7ad6b7169203331"}
	b.ReportAllocs()
	for b.Loop() {
		tr.Span(r)
	}
}
