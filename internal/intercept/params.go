package intercept

import "context"

type paramHeadersKey struct{}

// WithParamHeaders carries a 2026-07-28 request's Mcp-Param-* headers
// (canonical names → values) from the client-facing transport to an HTTP
// upstream, which sends them with the same request. The server checks them
// against the body, as the spec requires of it; the gateway's own
// decisions are made from the body.
func WithParamHeaders(ctx context.Context, h map[string][]string) context.Context {
	if len(h) == 0 {
		return ctx
	}
	return context.WithValue(ctx, paramHeadersKey{}, h)
}

// ParamHeaders returns what WithParamHeaders stored, or nil.
func ParamHeaders(ctx context.Context) map[string][]string {
	h, _ := ctx.Value(paramHeadersKey{}).(map[string][]string)
	return h
}
