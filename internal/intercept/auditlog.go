package intercept

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// AuditLog completes each exchange's record and writes it as one
// structured log line. It stands in for the audit store until that exists,
// and sits first in the chain so that it sees every decision.
func AuditLog(log *slog.Logger) Interceptor {
	return Func{N: "auditlog", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		reply, err := next(ctx, x)
		r := x.Record
		r.Total = time.Since(r.Time)
		r.Server, r.Name = x.Server, x.Name
		r.Subject = x.Peer.Principal.Subject
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
			r.Decision = "allow"
			if reply != nil && reply.Msg != nil {
				r.RespBytes = len(reply.Msg.Raw)
				if reply.Msg.Kind == mcpwire.KindError {
					code, _ := mcpwire.Get(reply.Msg.Error, "code")
					r.ErrorCode = atoiSafe(code)
				}
			}
		}
		if log.Enabled(ctx, slog.LevelInfo) {
			log.LogAttrs(ctx, slog.LevelInfo, "exchange",
				slog.String("id", r.ID),
				slog.String("session", r.Session),
				slog.String("era", r.Era),
				slog.String("transport", r.Transport),
				slog.String("rpc_id", r.RPCID),
				slog.String("method", r.Method),
				slog.String("server", r.Server),
				slog.String("name", r.Name),
				slog.String("decision", r.Decision),
				slog.String("rule", r.Rule),
				slog.String("reason", r.Reason),
				slog.Int("error_code", r.ErrorCode),
				slog.Int64("upstream_us", r.Upstream.Microseconds()),
				slog.Int64("total_us", r.Total.Microseconds()),
				slog.Int("request_bytes", r.ReqBytes),
				slog.Int("response_bytes", r.RespBytes),
			)
		}
		return reply, err
	}}
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
