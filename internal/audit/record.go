// Package audit keeps the tamper-evident record of every exchange: the
// record schema, the SQLite store with its hash chain and Merkle tree,
// signed checkpoints, and the verifier.
package audit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// SchemaVersion is the "v" member of every record (docs/audit.md).
const SchemaVersion = 2

// Entry is a stored record decoded: schema version 2 (a version 1 record
// decodes to the same struct, without args and effect).
type Entry struct {
	V            int             `json:"v"`
	Seq          int64           `json:"seq"`
	Prev         string          `json:"prev"`
	ID           string          `json:"id"`
	Time         string          `json:"time"`
	RPCID        string          `json:"rpc_id,omitempty"`
	Session      string          `json:"session,omitempty"`
	Transport    string          `json:"transport,omitempty"`
	Era          string          `json:"era,omitempty"`
	TraceID      string          `json:"trace_id,omitempty"`
	SpanID       string          `json:"span_id,omitempty"`
	ParentSpanID string          `json:"parent_span_id,omitempty"`
	TraceState   string          `json:"tracestate,omitempty"`
	Subject      string          `json:"subject,omitempty"`
	Issuer       string          `json:"issuer,omitempty"`
	ClientID     string          `json:"client_id,omitempty"`
	Server       string          `json:"server,omitempty"`
	Method       string          `json:"method"`
	Name         string          `json:"name,omitempty"`
	ArgsSHA256   string          `json:"args_sha256,omitempty"`
	Args         json.RawMessage `json:"args,omitempty"`
	PromptHash   string          `json:"prompt_hash,omitempty"`
	Decision     string          `json:"decision"`
	Rule         string          `json:"rule,omitempty"`
	Mode         string          `json:"mode,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	GatewayNS    int64           `json:"gateway_ns"`
	UpstreamNS   int64           `json:"upstream_ns"`
	TotalNS      int64           `json:"total_ns"`
	RequestBytes int             `json:"request_bytes"`
	ResultBytes  int             `json:"result_bytes"`
	ErrorCode    int             `json:"error_code,omitempty"`
	Effect       []EntryEffect   `json:"effect,omitempty"`
}

// EntryEffect is one downstream effect of a record.
type EntryEffect struct {
	Kind        string `json:"kind"`
	Target      string `json:"target,omitempty"`
	Operation   string `json:"op,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Role        string `json:"role,omitempty"`
	Rows        *int64 `json:"rows,omitempty"`
	Error       string `json:"error,omitempty"`
}

// ParseEntry decodes a stored record.
func ParseEntry(data []byte) (*Entry, error) {
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("audit: record: %w", err)
	}
	return &e, nil
}

// encodeBody writes the members of r after v, seq and prev, closing the
// object. It runs on the caller's goroutine so that the writer only adds
// the three chain members.
func encodeBody(b []byte, r *intercept.Record) []byte {
	b = append(b, `,"id":`...)
	b = canon.AppendString(b, r.ID)
	b = append(b, `,"time":"`...)
	b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = field(b, "rpc_id", r.RPCID)
	b = field(b, "session", r.Session)
	b = field(b, "transport", r.Transport)
	b = field(b, "era", r.Era)
	b = field(b, "trace_id", r.TraceID)
	b = field(b, "span_id", r.SpanID)
	b = field(b, "parent_span_id", r.ParentSpanID)
	b = field(b, "tracestate", r.TraceState)
	b = field(b, "subject", r.Subject)
	b = field(b, "issuer", r.Issuer)
	b = field(b, "client_id", r.ClientID)
	b = field(b, "server", r.Server)
	b = append(b, `,"method":`...)
	b = canon.AppendString(b, r.Method)
	b = field(b, "name", r.Name)
	b = field(b, "args_sha256", r.ArgsHash)
	if len(r.Args) > 0 {
		// Canonical JSON made by auditargs: written as is.
		b = append(b, `,"args":`...)
		b = append(b, r.Args...)
	}
	b = field(b, "prompt_hash", r.PromptHash)
	b = append(b, `,"decision":`...)
	b = canon.AppendString(b, r.Decision)
	b = field(b, "rule", r.Rule)
	b = field(b, "mode", r.Mode)
	b = field(b, "reason", r.Reason)
	gw := r.Total - r.Upstream
	if gw < 0 {
		gw = 0
	}
	b = num(b, "gateway_ns", int64(gw))
	b = num(b, "upstream_ns", int64(r.Upstream))
	b = num(b, "total_ns", int64(r.Total))
	b = num(b, "request_bytes", int64(r.ReqBytes))
	b = num(b, "result_bytes", int64(r.RespBytes))
	if r.ErrorCode != 0 {
		b = num(b, "error_code", int64(r.ErrorCode))
	}
	if len(r.Effects) > 0 {
		b = append(b, `,"effect":[`...)
		for i, e := range r.Effects {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"kind":`...)
			b = canon.AppendString(b, e.Kind)
			b = field(b, "target", e.Target)
			b = field(b, "op", e.Operation)
			b = field(b, "fingerprint", e.Fingerprint)
			b = field(b, "role", e.Role)
			if e.RowsKnown {
				b = num(b, "rows", e.Rows)
			}
			b = field(b, "error", e.Error)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// encodeHead writes the chain members that open a record.
func encodeHead(b []byte, seq int64, prev [32]byte) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, SchemaVersion, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"prev":"`...)
	b = appendHex(b, prev[:])
	return append(b, '"')
}

func field(b []byte, k, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	return canon.AppendString(b, v)
}

func num(b []byte, k string, v int64) []byte {
	b = append(b, ',', '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}

func appendHex(b, src []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range src {
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}
