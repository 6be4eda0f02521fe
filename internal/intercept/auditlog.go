package intercept

import (
	"context"
	"errors"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// AuditLog completes each exchange's record and hands it to sink once
// the reply is known. It sits first in the chain so that it sees every
// decision.
func AuditLog(sink func(*Record)) Interceptor {
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
		if sink != nil {
			sink(r)
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
