package sink

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	logs "go.opentelemetry.io/proto/otlp/logs/v1"
	resource "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"
)

// OTLPLogsPath is the OTLP/HTTP logs endpoint, appended to the base URL
// unless it already ends with it.
const OTLPLogsPath = "/v1/logs"

// OTLPScope names the instrumentation scope of the audit log records.
const OTLPScope = "io.mcpwarden.audit"

// OTLP exports records as OpenTelemetry log records over OTLP/HTTP
// (binary protobuf), the form every collector and most log back ends
// take. Each log record's body is the record's stored bytes, unchanged,
// so it can be verified later; the fields one filters on (record id,
// decision, server, method, tool, subject, rule) are attributes as well,
// and the record's trace and span ids are the log record's, which links
// it to the exchange's span. OTLP has no deduplication: a batch delivered
// again after a failure arrives twice, with the same
// mcpwarden.audit.record_id.
type OTLP struct {
	URL      string
	resource *resource.Resource
	client   *http.Client
}

// OpenOTLP checks the URL; attrs are added to the resource besides
// service.name=mcpwarden.
func OpenOTLP(base string, attrs map[string]string, timeout time.Duration) (*OTLP, error) {
	if _, err := CheckHTTPURL(base); err != nil {
		return nil, fmt.Errorf("otlp sink: url: %w", err)
	}
	u := strings.TrimSuffix(base, "/")
	if !strings.HasSuffix(u, OTLPLogsPath) {
		u += OTLPLogsPath
	}
	res := &resource.Resource{Attributes: []*common.KeyValue{str("service.name", "mcpwarden")}}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if k != "service.name" {
			res.Attributes = append(res.Attributes, str(k, attrs[k]))
		}
	}
	return &OTLP{URL: u, resource: res, client: newHTTPClient(timeout)}, nil
}

func (o *OTLP) Name() string { return "otlp:" + origin(o.URL) }

func str(k, v string) *common.KeyValue {
	return &common.KeyValue{Key: k, Value: &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: v}}}
}

// otlpHead is what a log record's fields and attributes come from.
type otlpHead struct {
	ID       string `json:"id"`
	Seq      int64  `json:"seq"`
	Time     string `json:"time"`
	TraceID  string `json:"trace_id"`
	SpanID   string `json:"span_id"`
	Server   string `json:"server"`
	Method   string `json:"method"`
	Name     string `json:"name"`
	Subject  string `json:"subject"`
	Decision string `json:"decision"`
	Rule     string `json:"rule"`
	Mode     string `json:"mode"`
}

// logRecord turns one stored record into a log record. A record that is
// not the JSON it should be is still exported, as its bytes, with the
// time of export: the sink never drops what the store holds.
func logRecord(r Record, now time.Time) *logs.LogRecord {
	lr := &logs.LogRecord{
		ObservedTimeUnixNano: uint64(now.UnixNano()),
		SeverityNumber:       logs.SeverityNumber_SEVERITY_NUMBER_INFO,
		SeverityText:         "INFO",
		Body:                 &common.AnyValue{Value: &common.AnyValue_StringValue{StringValue: string(r.Data)}},
		EventName:            "mcpwarden.audit.record",
	}
	var h otlpHead
	if json.Unmarshal(r.Data, &h) != nil {
		lr.TimeUnixNano = lr.ObservedTimeUnixNano
		return lr
	}
	if t, err := time.Parse(time.RFC3339Nano, h.Time); err == nil {
		lr.TimeUnixNano = uint64(t.UnixNano())
	} else {
		lr.TimeUnixNano = lr.ObservedTimeUnixNano
	}
	if h.Decision != "" && h.Decision != "allow" {
		lr.SeverityNumber, lr.SeverityText = logs.SeverityNumber_SEVERITY_NUMBER_WARN, "WARN"
	}
	if b, err := hex.DecodeString(h.TraceID); err == nil && len(b) == 16 {
		lr.TraceId = b
	}
	if b, err := hex.DecodeString(h.SpanID); err == nil && len(b) == 8 {
		lr.SpanId = b
	}
	add := func(k, v string) {
		if v != "" {
			lr.Attributes = append(lr.Attributes, str(k, v))
		}
	}
	add("mcpwarden.audit.record_id", h.ID)
	lr.Attributes = append(lr.Attributes, &common.KeyValue{Key: "mcpwarden.audit.seq",
		Value: &common.AnyValue{Value: &common.AnyValue_IntValue{IntValue: h.Seq}}})
	add("mcpwarden.decision", h.Decision)
	add("mcpwarden.rule", h.Rule)
	add("mcpwarden.mode", h.Mode)
	add("mcpwarden.server", h.Server)
	add("rpc.method", h.Method)
	add("mcpwarden.name", h.Name)
	add("enduser.id", h.Subject)
	return lr
}

// Deliver exports the batch as one request. A partial success (the
// collector refused some records) is a failed delivery: retried, then
// counted as dead letters, never silently lost.
func (o *OTLP) Deliver(ctx context.Context, recs []Record) error {
	now := time.Now()
	sl := &logs.ScopeLogs{Scope: &common.InstrumentationScope{Name: OTLPScope}, LogRecords: make([]*logs.LogRecord, len(recs))}
	for i, r := range recs {
		sl.LogRecords[i] = logRecord(r, now)
	}
	body, err := proto.Marshal(&collogs.ExportLogsServiceRequest{ResourceLogs: []*logs.ResourceLogs{{Resource: o.resource, ScopeLogs: []*logs.ScopeLogs{sl}}}})
	if err != nil {
		return fmt.Errorf("otlp sink: %w", err)
	}
	resp, err := postRead(ctx, o.client, o.URL, http.Header{"Content-Type": {"application/x-protobuf"}}, body)
	if err != nil {
		return fmt.Errorf("otlp sink: %w", err)
	}
	var out collogs.ExportLogsServiceResponse
	if len(resp) > 0 && proto.Unmarshal(resp, &out) == nil {
		if ps := out.GetPartialSuccess(); ps != nil && ps.GetRejectedLogRecords() > 0 {
			return fmt.Errorf("otlp sink: collector rejected %d of %d records: %s", ps.GetRejectedLogRecords(), len(recs), ps.GetErrorMessage())
		}
	}
	return nil
}

func (o *OTLP) Close() error { o.client.CloseIdleConnections(); return nil }
