// Package telemetry exports one OpenTelemetry span per exchange, with the
// ids the audit record carries: the span is the record's span_id, in the
// record's trace_id, a child of the client's span when the client sent a
// traceparent. A trace in the tracing backend and a record in the audit
// store then name each other.
package telemetry

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// Tracer turns finished exchanges into spans.
type Tracer struct {
	tp *sdktrace.TracerProvider
	tr trace.Tracer
}

// Enabled reports whether the environment asks for OTLP traces: an
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
// set, and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none.
func Enabled() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// FromEnv builds a Tracer that exports over OTLP/HTTP as the standard
// OTEL_* variables say (endpoint, headers, timeout, service name).
func FromEnv(ctx context.Context, version string) (*Tracer, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "mcpwarden"), attribute.String("service.version", version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return New(sdktrace.NewBatchSpanProcessor(exp), res), nil
}

// New builds a Tracer on a span processor (tests pass a synchronous one).
func New(sp sdktrace.SpanProcessor, res *resource.Resource) *Tracer {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(sp),
		sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(recordIDs{}),
		// Every exchange is audited; every one is traced. OTEL_TRACES_SAMPLER
		// is not read: a sampler would drop spans the records point to.
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
	)
	return &Tracer{tp: tp, tr: tp.Tracer("github.com/mcpwarden/mcpwarden")}
}

// Shutdown flushes what is buffered.
func (t *Tracer) Shutdown(ctx context.Context) error { return t.tp.Shutdown(ctx) }

type idsKey struct{}

type ids struct {
	trace trace.TraceID
	span  trace.SpanID
}

// recordIDs hands the SDK the record's ids, put in the context by Span;
// random ones otherwise.
type recordIDs struct{}

func (recordIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	if v, ok := ctx.Value(idsKey{}).(*ids); ok {
		return v.trace, v.span
	}
	var t trace.TraceID
	for t == (trace.TraceID{}) {
		putUint64(t[:8], rand.Uint64())
		putUint64(t[8:], rand.Uint64())
	}
	return t, randomSpan()
}

func (recordIDs) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	if v, ok := ctx.Value(idsKey{}).(*ids); ok {
		return v.span
	}
	return randomSpan()
}

func randomSpan() trace.SpanID {
	var s trace.SpanID
	for s == (trace.SpanID{}) {
		putUint64(s[:], rand.Uint64())
	}
	return s
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

// Span records r, a finished exchange, as a server span from r.Time to
// r.Time + r.Total.
func (t *Tracer) Span(r *intercept.Record) {
	var id ids
	if !decodeHex(id.trace[:], r.TraceID) || !decodeHex(id.span[:], r.SpanID) {
		return // the audit stage fills both; a record without them has nothing to link
	}
	ctx := context.WithValue(context.Background(), idsKey{}, &id)
	if r.ParentSpanID != "" {
		var parent trace.SpanID
		if decodeHex(parent[:], r.ParentSpanID) {
			ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: id.trace, SpanID: parent, TraceFlags: trace.FlagsSampled, Remote: true,
			}))
		}
	}
	name := r.Method
	if r.Name != "" {
		name += " " + r.Name
	}
	attrs := []attribute.KeyValue{
		attribute.String("mcp.method.name", r.Method),
		attribute.String("jsonrpc.request.id", r.RPCID),
		attribute.String("mcpwarden.audit_id", r.ID),
		attribute.String("mcpwarden.decision", r.Decision),
		attribute.Int64("mcpwarden.upstream_ns", int64(r.Upstream)),
		attribute.Int64("mcpwarden.gateway_ns", int64(max(r.Total-r.Upstream, 0))),
	}
	for _, kv := range [][2]string{{"mcp.session.id", r.Session}, {"mcpwarden.server", r.Server}, {"mcpwarden.target", r.Name},
		{"mcpwarden.rule", r.Rule}, {"mcpwarden.transport", r.Transport}, {"enduser.id", r.Subject}} {
		if kv[1] != "" {
			attrs = append(attrs, attribute.String(kv[0], kv[1]))
		}
	}
	if r.Method == "tools/call" && r.Name != "" {
		attrs = append(attrs, attribute.String("gen_ai.tool.name", r.Name))
	}
	_, span := t.tr.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(r.Time), trace.WithAttributes(attrs...))
	switch {
	case r.Decision != "allow":
		span.SetStatus(codes.Error, r.Decision+" "+r.Rule)
	case r.ErrorCode != 0:
		span.SetAttributes(attribute.Int("rpc.jsonrpc.error_code", r.ErrorCode))
		span.SetStatus(codes.Error, "upstream error")
	}
	span.End(trace.WithTimestamp(r.Time.Add(r.Total)))
}

func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}
