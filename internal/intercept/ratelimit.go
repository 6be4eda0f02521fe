package intercept

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/policy"
	"github.com/mcpwarden/mcpwarden/internal/ratelimit"
)

// RateLimit applies the policy file's rate limits to tools/call,
// prompts/get and resources/read. It runs after the policy stage, so only
// calls that would otherwise go through spend tokens. A refusal says when
// a token will be there: in the message and as data.retry_after_seconds.
func RateLimit(l *ratelimit.Limiter) Interceptor {
	return Func{N: "ratelimit", F: func(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
		if l == nil || !policy.Applies(x.Method) {
			return next(ctx, x)
		}
		c := ratelimit.Call{Server: x.Server, Tool: x.Name}
		c.Risk, _ = x.Facts[FactRisk].(string)
		if x.Peer != nil {
			c.Session = x.Peer.SessionID
			if p := x.Peer.Principal; p.Subject != "" {
				c.Principal = p.Subject + "@" + p.Issuer
			}
		}
		if d := l.Allow(c, time.Now()); !d.Allow {
			secs := math.Ceil(d.RetryAfter.Seconds()*10) / 10
			return nil, &Denial{Rule: d.Rule, Code: CodeDenied, RetryAfter: d.RetryAfter,
				Public: fmt.Sprintf("rate limit %s reached: retry in %.1fs", d.Rule, secs)}
		}
		return next(ctx, x)
	}}
}
