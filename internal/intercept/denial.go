package intercept

import (
	"errors"
	"fmt"
	"time"
)

// JSON-RPC and MCP error codes the gateway emits.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	// CodeDenied is the gateway's own code for a policy refusal. It sits in
	// the implementation-defined server error range.
	CodeDenied = -32001
	// CodeUnavailable means the upstream that owns the target is down.
	CodeUnavailable = -32002
	// CodeURLElicitationRequired asks the client to have its user open a
	// URL before retrying (MCP 2025-11-25).
	CodeURLElicitationRequired = -32042
)

// Denial is a refusal by a stage. Public is safe to show the client; Detail
// is for the audit record only. ID ties the client's error to the record.
type Denial struct {
	Rule   string // stable rule id, e.g. "wire.duplicate-key"
	Code   int    // JSON-RPC error code; CodeDenied when zero
	Public string // shown to the client
	Detail string // internal only
	ID     string // audit record id, filled by the audit stage
	// RetryAfter, when set, tells the client when the same call can
	// succeed (rate limits).
	RetryAfter time.Duration
	// Link, when set, is a page the person behind the client can open to
	// resolve the refusal (the consent page).
	Link string
	// ElicitID, with Link and CodeURLElicitationRequired, makes the
	// refusal a URL elicitation: the client shows Link to its user and
	// retries when notifications/elicitation/complete names this id.
	ElicitID string
	// Scope, when set, is the OAuth scope (space-separated) a token needs
	// for the refused call (insufficient_scope).
	Scope string
}

func (d *Denial) Error() string {
	if d.Detail != "" {
		return fmt.Sprintf("denied by %s: %s (%s)", d.Rule, d.Public, d.Detail)
	}
	return fmt.Sprintf("denied by %s: %s", d.Rule, d.Public)
}

// Deny builds a Denial with the default code.
func Deny(rule, public, detail string) *Denial {
	return &Denial{Rule: rule, Code: CodeDenied, Public: public, Detail: detail}
}

// AsDenial finds a Denial in err's chain. It runs on every exchange:
// errors.AsType matches as errors.As does, without errors.As's target
// escaping to the heap on each call.
func AsDenial(err error) (*Denial, bool) {
	return errors.AsType[*Denial](err)
}
