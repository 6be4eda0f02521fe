// Package intercept is where every client request meets policy. A stage
// checks the Exchange, calls next, then may inspect or rewrite the Reply.
// Stages never see transports: downstream and upstream meet only through
// the terminal Handler the session supplies.
package intercept

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// Handler answers one exchange.
type Handler func(ctx context.Context, x *Exchange) (*Reply, error)

// Interceptor is one stage of the chain.
type Interceptor interface {
	Name() string
	Intercept(ctx context.Context, x *Exchange, next Handler) (*Reply, error)
}

// Func adapts a function to an Interceptor.
type Func struct {
	N string
	F func(ctx context.Context, x *Exchange, next Handler) (*Reply, error)
}

func (f Func) Name() string { return f.N }
func (f Func) Intercept(ctx context.Context, x *Exchange, next Handler) (*Reply, error) {
	return f.F(ctx, x, next)
}

// Chain is an ordered, immutable list of stages.
type Chain struct {
	stages []Interceptor
}

// NewChain builds a chain; the first stage sees the exchange first.
func NewChain(stages ...Interceptor) *Chain {
	return &Chain{stages: slices.Clone(stages)}
}

// Then returns the handler that runs every stage and finally h.
func (c *Chain) Then(h Handler) Handler {
	if c == nil {
		return h
	}
	for _, st := range slices.Backward(c.stages) {
		next := h
		h = func(ctx context.Context, x *Exchange) (*Reply, error) {
			return st.Intercept(ctx, x, next)
		}
	}
	return h
}

// Peer describes the client side of an exchange.
type Peer struct {
	SessionID       string // gateway session id ("" for stateless)
	Era             string // "legacy" or "modern"
	ProtocolVersion string
	Transport       string // "stdio", "http", "sse"
	Principal       Principal
	RemoteAddr      string
	// URLElicitation: the client declared URL-mode elicitation at
	// initialize, so it shows a refusal's page to its user itself.
	URLElicitation bool
	// Notify sends a notification to the client outside any request (its
	// stream for unsolicited messages); nil when there is none.
	Notify func(msg []byte) error
}

// Principal is the authenticated identity behind a request. Empty until
// an authentication stage fills it.
type Principal struct {
	Subject  string
	Issuer   string
	ClientID string
	Groups   []string // from the token's groups claim
	Scopes   []string // granted by the token
	// TokenID is the jti of the token that authenticated the request: a
	// revocation of it ends the sessions it was used on, and the
	// credentials minted for them (app).
	TokenID string
}

// Exchange is one client message on its way through the chain.
type Exchange struct {
	Peer   *Peer
	Msg    *mcpwire.Message // the message as received (strictly decoded)
	Method string
	// Server is the upstream the request targets and Name the tool, prompt
	// or resource there, without the aggregation prefix. The session fills
	// both before the chain runs; Server is "" when the request has no
	// single target (lists, initialize with several servers) or names an
	// unknown one.
	Server string
	Name   string
	// Facts lets stages hand findings to later stages.
	Facts map[string]any
	// Record is the audit record being filled in.
	Record *Record
	// onForward is what runs when the request leaves for its upstream;
	// onSent, once it has been written to it.
	onForward, onSent []func()
}

// OnForward registers fn to run when the request is about to be sent to
// its upstream: every request stage has run by then. fn runs on the
// exchange's goroutine, at most once; it never runs for a request that a
// stage answered or refused, or that no upstream serves.
func (x *Exchange) OnForward(fn func()) { x.onForward = append(x.onForward, fn) }

// Forwarding runs what OnForward registered. The session calls it just
// before a request goes upstream.
func (x *Exchange) Forwarding() { runOnce(&x.onForward) }

// OnSent registers fn to run once the request has been written to its
// upstream, before the connection waits for the answer: work that does not
// need the answer is then done while the server works, not while the
// client waits. Every request stage has run by then. fn runs on the
// exchange's goroutine, at most once. It does not run when a stage
// answered or refused the request, when no upstream serves it, or when
// the connection cannot tell the moment (an https upstream): who
// registers fn must then do the work after the answer.
func (x *Exchange) OnSent(fn func()) { x.onSent = append(x.onSent, fn) }

// Sent runs what OnSent registered. Upstream connections call it through
// the call's context (upstream.SentKey).
func (x *Exchange) Sent() { runOnce(&x.onSent) }

// runOnce runs and forgets the functions in *fns.
func runOnce(fns *[]func()) {
	run := *fns
	*fns = nil
	for _, fn := range run {
		fn()
	}
}

// Reply is the final answer to a request: a result or an error response,
// already carrying the client's id. Nil for notifications.
type Reply struct {
	Msg *mcpwire.Message
}

// Record is the audit view of one exchange. Stages add to it; the audit
// stage writes it once the reply is known.
type Record struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Session   string    `json:"session,omitempty"`
	Era       string    `json:"era,omitempty"`
	Transport string    `json:"transport,omitempty"`
	RPCID     string    `json:"rpc_id,omitempty"`
	Method    string    `json:"method"`
	Server    string    `json:"server,omitempty"`
	Name      string    `json:"name,omitempty"`
	Decision  string    `json:"decision"` // allow | deny | error
	Rule      string    `json:"rule,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	// W3C trace context: the client's trace when params._meta carries a
	// traceparent, a new one otherwise. SpanID is the gateway's span;
	// ParentSpanID the client's.
	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	TraceState   string `json:"tracestate,omitempty"`
	// ArgsHash is the hex SHA-256 of the canonical (RFC 8785) arguments of
	// tools/call and prompts/get; PromptHash is what the client put in
	// _meta["io.mcpwarden/promptHash"].
	ArgsHash   string `json:"args_sha256,omitempty"`
	PromptHash string `json:"prompt_hash,omitempty"`
	// Args is the audit view of the arguments: canonical JSON with
	// secrets masked and big values cut (internal/auditargs).
	Args json.RawMessage `json:"args,omitempty"`
	// Effects are what the call did downstream, as stages report them
	// with Exchange.AddEffect.
	Effects   []Effect      `json:"effect,omitempty"`
	Mode      string        `json:"mode,omitempty"` // enforce | monitor
	Upstream  time.Duration `json:"upstream_ns,omitempty"`
	Total     time.Duration `json:"total_ns"`
	ReqBytes  int           `json:"request_bytes"`
	RespBytes int           `json:"response_bytes"`
	ErrorCode int           `json:"error_code,omitempty"`
}
