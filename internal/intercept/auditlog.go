package intercept

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/auditargs"
	"github.com/mcpwarden/mcpwarden/internal/canon"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// AuditStore keeps records durably. Append returns once the record is
// stored (or could not be).
type AuditStore interface {
	Append(r *Record) error
}

// PromptHashKey is the _meta key a client uses to hand the gateway a hash
// of the prompt that led to a request.
const PromptHashKey = "io.mcpwarden/promptHash"

// RuleAuditUnavailable refuses a call whose record could not be stored.
const RuleAuditUnavailable = "audit.unavailable"

// AuditLog completes each exchange's record and hands it to sink once
// the reply is known. It sits first in the chain so that it sees every
// decision.
func AuditLog(sink func(*Record)) Interceptor { return AuditTo(sink, nil, false) }

// AuditTo is AuditLog that also appends every record to store before the
// reply is released. With failClosed, a record that cannot be stored
// turns the reply into a refusal (rule audit.unavailable).
func AuditTo(sink func(*Record), store AuditStore, failClosed bool) Interceptor {
	return Func{N: "auditlog", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		var params []byte // as the client sent them: later stages may rewrite x.Msg
		var early *argsView
		if store != nil {
			params = describeRequest(x)
			early = viewWhileUpstream(x, params)
		}
		reply, err := next(ctx, x)
		r := x.Record
		if store != nil {
			switch {
			case early != nil && early.done != nil:
				<-early.done
				r.ArgsHash, r.Args = early.hash, early.view
			case early != nil && early.made:
				// Made once the request was written (OnSent).
			default:
				describeArguments(x, params)
			}
		}
		r.Total = time.Since(r.Time)
		r.Server, r.Name = x.Server, x.Name
		if x.Peer != nil {
			r.Subject = x.Peer.Principal.Subject
			r.Issuer, r.ClientID = x.Peer.Principal.Issuer, x.Peer.Principal.ClientID
		}
		if r.Mode == "" {
			r.Mode = "enforce"
		}
		switch d, ok := AsDenial(err); {
		case ok:
			d.ID = r.ID
			r.Decision, r.Rule, r.Reason, r.ErrorCode = "deny", d.Rule, d.Public, d.Code
			if d.Code == CodeUnavailable {
				r.Decision = "error"
			}
		case err != nil:
			r.Decision, r.Reason = "error", err.Error()
			if errors.Is(err, context.Canceled) {
				r.Reason = "cancelled"
			}
		default:
			if r.Decision == "" { // a stage may have answered in the server's place (results withheld)
				r.Decision = "allow"
			}
			if reply != nil && reply.Msg != nil {
				r.RespBytes = len(reply.Msg.Raw)
				if reply.Msg.Kind == mcpwire.KindError {
					code, _ := mcpwire.Get(reply.Msg.Error, "code")
					r.ErrorCode = atoiSafe(code)
				}
			}
		}
		if store != nil {
			if serr := store.Append(r); serr != nil && failClosed {
				r.Decision, r.Rule, r.Reason, r.ErrorCode = "error", RuleAuditUnavailable, serr.Error(), CodeInternalError
				if sink != nil {
					sink(r)
				}
				return nil, &Denial{Rule: RuleAuditUnavailable, Code: CodeInternalError,
					Public: "gateway: the audit record could not be stored", Detail: serr.Error(), ID: r.ID}
			}
		}
		if sink != nil {
			sink(r)
		}
		return reply, err
	}}
}

// describeRequest fills the record's trace context and prompt hash from
// the request, before the stages that pass the trace on upstream, and
// returns the request's params for describeArguments.
func describeRequest(x *Exchange) []byte {
	r := x.Record
	var params []byte
	if x.Msg != nil {
		params = x.Msg.Params
	}
	meta := mcpwire.Meta(params) // found once for the three members read
	if tp, ok := metaString(meta, "traceparent"); ok {
		if trace, parent, ok := parseTraceparent(tp); ok {
			r.TraceID, r.ParentSpanID = trace, parent
			if ts, ok := metaString(meta, "tracestate"); ok && len(ts) <= 512 {
				r.TraceState = ts
			}
		}
	}
	if r.TraceID == "" {
		// One string for both ids: one allocation instead of two.
		ids := randHex(24)
		r.TraceID, r.SpanID = ids[:32], ids[32:]
	} else {
		r.SpanID = randHex(8)
	}
	if ph, ok := metaString(meta, PromptHashKey); ok && len(ph) <= 256 {
		r.PromptHash = ph
	}
	return params
}

// describeArguments fills the record's arguments hash and redacted view
// from params, the request's params as the client sent them. It runs once
// the inner stages are done: when the manifest stage validated the
// arguments it left their tree and canonical bytes as facts, and those
// are used instead of parsing and encoding the arguments a second time.
func describeArguments(x *Exchange, params []byte) {
	args, ok := callArguments(x.Method, params)
	if !ok {
		return
	}
	v, c := manifestArguments(x)
	x.Record.ArgsHash, x.Record.Args = viewArguments(args, v, c)
}

// asyncArgs is the size of arguments from which their view is made on
// another goroutine once the request leaves for its upstream: a 64 KiB
// argument's view (every string through the secrets engine, the canonical
// form and its hash) is about a quarter of the gateway's CPU for the call,
// which a lone caller would otherwise wait for on top of the server's
// time. Smaller arguments' views (a few µs) are made on the exchange's own
// goroutine once the request is written (OnSent), which costs no hand-off.
const asyncArgs = 16 << 10

// argsView is an arguments view made while the request is upstream. A
// large one is made on another goroutine: hash and view are set when done
// is closed. A small one is put in the record by the exchange's goroutine
// once the request is written: made is then true. Neither happens when
// the request never went upstream, or its connection did not say when it
// was written.
type argsView struct {
	done chan struct{}
	made bool
	hash string
	view json.RawMessage
}

// viewWhileUpstream arranges for the arguments' view to be made while the
// request is upstream, once every request stage has run (the manifest's
// facts are final), rather than after the answer. Facts are read on the
// exchange's goroutine: the result stages may add facts while a large
// view is made.
func viewWhileUpstream(x *Exchange, params []byte) *argsView {
	args, ok := callArguments(x.Method, params)
	if !ok {
		return nil
	}
	a := &argsView{}
	if len(args) < asyncArgs {
		x.OnSent(func() {
			v, c := manifestArguments(x)
			x.Record.ArgsHash, x.Record.Args = viewArguments(args, v, c)
			a.made = true
		})
		return a
	}
	x.OnForward(func() {
		v, c := manifestArguments(x)
		a.done = make(chan struct{})
		go func() {
			defer close(a.done)
			a.hash, a.view = viewArguments(args, v, c)
		}()
	})
	return a
}

// callArguments returns the arguments member of a tools/call or
// prompts/get request's params.
func callArguments(method string, params []byte) ([]byte, bool) {
	if method != "tools/call" && method != "prompts/get" {
		return nil, false
	}
	args, ok := mcpwire.Get(params, "arguments")
	return args, ok && len(args) > 0
}

// manifestArguments returns the arguments' tree and canonical bytes as
// the manifest stage left them, or nil when it did not validate them. No
// stage changes either once set.
func manifestArguments(x *Exchange) (v any, c []byte) {
	c, _ = x.Facts[FactCanonicalArguments].([]byte)
	if c != nil {
		v = x.Facts[FactArguments]
	}
	return v, c
}

// viewArguments returns the hex SHA-256 of the canonical arguments and
// their audit view. v and c are the manifest's tree and canonical bytes,
// or nil to parse args.
func viewArguments(args []byte, v any, c []byte) (hash string, view json.RawMessage) {
	if c == nil || string(args) == "null" { // the manifest reads null as {}
		var err error
		if v, err = canon.Parse(args); err != nil {
			return "", json.RawMessage(auditargs.Unparsable)
		}
		// Canonical JSON is about as long as the arguments: sized once
		// instead of grown from nothing in several steps.
		if c, err = canon.Append(make([]byte, 0, len(args)+len(args)/8+16), v); err != nil {
			return "", auditargs.Redact(v, auditargs.Defaults).JSON
		}
	}
	h := sha256.Sum256(c)
	// Encoded on the stack: hex.EncodeToString's buffer of 64 bytes
	// would be a second allocation beside the string's.
	var hx [2 * sha256.Size]byte
	hex.Encode(hx[:], h[:])
	// Most arguments hold nothing to mask or cut: their view is the
	// canonical JSON just hashed.
	return string(hx[:]), auditargs.RedactCanonical(v, c, auditargs.Defaults).JSON
}

// metaString is mcpwire.MetaString on the _meta object already found.
func metaString(meta []byte, key string) (string, bool) {
	if meta == nil {
		return "", false
	}
	return mcpwire.StringMember(meta, key)
}

// parseTraceparent accepts a version-00 W3C traceparent
// (00-<32 hex>-<16 hex>-<2 hex>) with non-zero ids.
func parseTraceparent(s string) (trace, parent string, ok bool) {
	if len(s) < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' || s[:2] == "ff" {
		return "", "", false
	}
	if s[:2] == "00" && len(s) != 55 {
		return "", "", false
	}
	trace, parent = s[3:35], s[36:52]
	if !isLowerHex(s[:2]) || !isLowerHex(trace) || !isLowerHex(parent) || !isLowerHex(s[53:55]) ||
		trace == "00000000000000000000000000000000" || parent == "0000000000000000" {
		return "", "", false
	}
	return trace, parent, true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// randHex returns n random bytes in hex. Trace ids need uniqueness, not
// secrecy: the runtime's generator is enough and needs no system call.
func randHex(n int) string {
	var b [24]byte
	for i := 0; i < n; i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	var h [2 * len(b)]byte
	hex.Encode(h[:], b[:n])
	return string(h[:2*n])
}

func atoiSafe(b []byte) int {
	n, neg := 0, false
	for i, c := range b {
		if i == 0 && c == '-' {
			neg = true
			continue
		}
		if c < '0' || c > '9' || n > 1<<30 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
