package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcpwarden/mcpwarden/internal/testpeers"
)

// Protocol eras the go-sdk client can be made to speak.
const (
	eraModern = "2026-07-28" // server/discover, per-request _meta, MRTR
	eraLegacy = "2025-11-25" // initialize + session, server→client requests
)

// step is one client call and what came back.
type step struct {
	Name   string
	Result any    `json:",omitempty"`
	Err    string `json:",omitempty"`
}

// transcript is everything a client session observed, in a form that can
// be compared between a direct connection and one through the gateway.
type transcript struct {
	Steps       []step
	Progress    []any    // progress notifications of the progress tool call
	Logs        []any    // notifications/message received
	Updated     []string // resources/updated URIs (first one only; they repeat)
	Sampling    []any    // sampling/createMessage requests the client served
	Elicitation []any    // elicitation/create requests the client served
}

// recorder collects server-initiated traffic of one session.
type recorder struct {
	mu        sync.Mutex
	progress  []any
	logs      []any
	updated   []string
	updatedCh chan struct{}
	sampling  []any
	elicit    []any
}

// settle waits until count (read under rec.mu) has not changed for 300ms,
// at most 3s.
func (rec *recorder) settle(count func() int) {
	last, since := -1, time.Now()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		rec.mu.Lock()
		n := count()
		rec.mu.Unlock()
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= 300*time.Millisecond {
			return
		}
	}
}

func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("marshal error: %v", err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// elicitContent fills every property of a requested schema with a value
// of its type, so each elicitation is accepted with plausible content.
func elicitContent(schema any) map[string]any {
	var s struct {
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	b, _ := json.Marshal(schema)
	_ = json.Unmarshal(b, &s)
	out := map[string]any{}
	for name, p := range s.Properties {
		switch p.Type {
		case "boolean":
			out[name] = true
		case "integer", "number":
			out[name] = 7
		case "array":
			out[name] = []any{}
		default:
			out[name] = "e2e-" + name
		}
	}
	return out
}

func newSDKClient(rec *recorder) *mcp.Client {
	c := mcp.NewClient(&mcp.Implementation{Name: "mcpwarden-e2e", Version: "1.0.0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			p := *r.Params
			p.Meta = nil
			rec.progress = append(rec.progress, jsonValue(p))
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			p := *r.Params
			p.Meta = nil
			rec.logs = append(rec.logs, jsonValue(p))
		},
		ResourceUpdatedHandler: func(_ context.Context, r *mcp.ResourceUpdatedNotificationRequest) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.updated) == 0 {
				rec.updated = append(rec.updated, r.Params.URI)
				close(rec.updatedCh)
			}
		},
		CreateMessageHandler: func(_ context.Context, r *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			rec.mu.Lock()
			rec.sampling = append(rec.sampling, jsonValue(r.Params.Messages))
			rec.mu.Unlock()
			return &mcp.CreateMessageResult{
				Content: &mcp.TextContent{Text: "e2e sampled answer"},
				Model:   "e2e-model",
				Role:    "assistant",
			}, nil
		},
		ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			rec.mu.Lock()
			rec.elicit = append(rec.elicit, r.Params.Message)
			rec.mu.Unlock()
			return &mcp.ElicitResult{Action: "accept", Content: elicitContent(r.Params.RequestedSchema)}, nil
		},
	})
	c.AddRoots(&mcp.Root{URI: "file:///tmp/e2e-root", Name: "e2e-root"})
	return c
}

// exercise runs the same sequence of calls on a fresh session over t and
// returns what it saw.
func exercise(ctx context.Context, tb testing.TB, tr mcp.Transport, era string) (transcript, error) {
	rec := &recorder{updatedCh: make(chan struct{})}
	client := newSDKClient(rec)
	cs, err := client.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: era})
	if err != nil {
		return transcript{}, fmt.Errorf("connect: %w", err)
	}
	defer cs.Close()
	var tx transcript
	add := func(name string, res any, err error) {
		s := step{Name: name}
		if err != nil {
			s.Err = err.Error()
		} else {
			s.Result = jsonValue(res)
		}
		tx.Steps = append(tx.Steps, s)
	}
	add("initialize", cs.InitializeResult(), nil)
	if got := cs.InitializeResult().ProtocolVersion; got != era {
		return tx, fmt.Errorf("negotiated protocol version %q, want %q", got, era)
	}

	r1, err := cs.ListTools(ctx, nil)
	add("tools/list", r1, err)
	r2, err := cs.ListPrompts(ctx, nil)
	add("prompts/list", r2, err)
	r3, err := cs.ListResources(ctx, nil)
	add("resources/list", r3, err)
	r4, err := cs.ListResourceTemplates(ctx, nil)
	add("resources/templates/list", r4, err)

	call := func(name string, args map[string]any, meta mcp.Meta) {
		p := &mcp.CallToolParams{Name: name, Arguments: args, Meta: meta}
		res, err := cs.CallTool(ctx, p)
		add("tools/call "+name, res, err)
	}
	call("test_simple_text", nil, nil)
	call("test_tool_with_progress", nil, mcp.Meta{"progressToken": "e2e-progress-1"})
	// The go-sdk client runs notification handlers asynchronously, so a
	// notification that arrived just before the response may be handled
	// after CallTool returned: wait for the count to settle.
	rec.settle(func() int { return len(rec.progress) })
	rec.mu.Lock()
	tx.Progress = rec.progress
	rec.mu.Unlock()

	if era == eraLegacy {
		add("logging/setLevel", struct{}{}, cs.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: "debug"}))
		call("test_tool_with_logging", nil, nil)
	} else {
		call("test_tool_with_logging", nil, mcp.Meta{mcp.MetaKeyLogLevel: "debug"})
	}
	rec.settle(func() int { return len(rec.logs) })
	rec.mu.Lock()
	tx.Logs = rec.logs
	rec.mu.Unlock()

	call("test_error_handling", nil, nil)
	call("test_sampling", map[string]any{"prompt": "What is 2+2?"}, nil)
	call("test_elicitation", map[string]any{"message": "Pick a username"}, nil)
	// Multi-round-trip tools: input_required in the modern era; the server
	// turns them into server→client requests for a legacy client.
	call("test_input_required_result_elicitation", nil, nil)
	call("test_input_required_result_sampling", nil, nil)
	call("test_input_required_result_list_roots", nil, nil)
	call("test_input_required_result_request_state", nil, nil)
	call("test_input_required_result_multi_round", nil, nil)

	for _, uri := range []string{"test://static-text", "test://static-binary", "test://template/42/data"} {
		res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		add("resources/read "+uri, res, err)
	}
	gp, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "test_simple_prompt"})
	add("prompts/get test_simple_prompt", gp, err)
	gp, err = cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "test_prompt_with_arguments",
		Arguments: map[string]string{"arg1": "one", "arg2": "two"}})
	add("prompts/get test_prompt_with_arguments", gp, err)
	cr, err := cs.Complete(ctx, &mcp.CompleteParams{
		Ref:      &mcp.CompleteReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"},
		Argument: mcp.CompleteParamsArgument{Name: "arg1", Value: "o"},
	})
	add("completion/complete", cr, err)
	if era == eraLegacy {
		add("ping", struct{}{}, cs.Ping(ctx, nil))
	}

	// everything-server announces test://watched-resource every 3s to
	// subscribers.
	err = cs.Subscribe(ctx, &mcp.SubscribeParams{URI: "test://watched-resource"})
	add("resources/subscribe", struct{}{}, err)
	if err == nil {
		select {
		case <-rec.updatedCh:
		case <-time.After(8 * time.Second):
		case <-ctx.Done():
		}
		add("resources/unsubscribe", struct{}{}, cs.Unsubscribe(ctx, &mcp.UnsubscribeParams{URI: "test://watched-resource"}))
	}

	rec.mu.Lock()
	tx.Updated = rec.updated
	tx.Sampling = rec.sampling
	tx.Elicitation = rec.elicit
	rec.mu.Unlock()
	return tx, nil
}

// sdkTarget builds a transport to one way of reaching everything-server.
type sdkTarget struct {
	name string
	// start returns the transport and, for stdio targets, the command the
	// transport will start (so its process tree can be checked).
	start func(t *testing.T) (mcp.Transport, *exec.Cmd)
}

func stdioTarget(name string, argv func(t *testing.T) []string) sdkTarget {
	return sdkTarget{name: name, start: func(t *testing.T) (mcp.Transport, *exec.Cmd) {
		a := argv(t)
		cmd := exec.Command(a[0], a[1:]...)
		errb := &syncBuffer{}
		cmd.Stderr = errb
		t.Cleanup(func() {
			checkRace(t, name, errb.String())
			if t.Failed() {
				t.Logf("%s stderr:\n%s", name, tail(errb.String(), 6000))
			}
		})
		return &mcp.CommandTransport{Command: cmd, TerminateDuration: 3 * time.Second}, cmd
	}}
}

// TestGoSDKClient runs the same go-sdk client session through the gateway
// and directly against everything-server, in both protocol eras, and
// requires identical results.
func TestGoSDKClient(t *testing.T) {
	t.Parallel()
	directStdio := stdioTarget("everything-server (stdio)", func(t *testing.T) []string {
		return []string{testpeers.EverythingServer(t)}
	})
	gatewayRun := stdioTarget("mcpwarden run", func(t *testing.T) []string {
		return []string{gatewayBin, "run", "--", testpeers.EverythingServer(t)}
	})
	directHTTP := sdkTarget{name: "everything-server -http -stateless=false", start: func(t *testing.T) (mcp.Transport, *exec.Cmd) {
		return &mcp.StreamableClientTransport{Endpoint: everythingHTTP(t), MaxRetries: -1}, nil
	}}
	// A session-mode everything-server answers server/discover with an
	// error, so a modern client falls back to initialize: the 2026-07-28
	// reference is the stateless server.
	directHTTPStateless := sdkTarget{name: "everything-server -http -stateless=true", start: func(t *testing.T) (mcp.Transport, *exec.Cmd) {
		return &mcp.StreamableClientTransport{Endpoint: everythingHTTPMode(t, true), MaxRetries: -1}, nil
	}}
	gatewayServe := sdkTarget{name: "mcpwarden serve (http)", start: func(t *testing.T) (mcp.Transport, *exec.Cmd) {
		g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
		return &mcp.StreamableClientTransport{Endpoint: g.URL, MaxRetries: -1}, nil
	}}
	gatewaySSE := sdkTarget{name: "mcpwarden serve (legacy sse)", start: func(t *testing.T) (mcp.Transport, *exec.Cmd) {
		g := startServe(t, "servers:\n"+stdioServerYAML(t, "everything"))
		return &mcp.SSEClientTransport{Endpoint: g.Base + "/sse"}, nil
	}}

	cases := []struct {
		name            string
		era             string
		gateway, direct sdkTarget
	}{
		{"run-stdio/modern", eraModern, gatewayRun, directStdio},
		{"run-stdio/legacy", eraLegacy, gatewayRun, directStdio},
		{"serve-http/modern", eraModern, gatewayServe, directHTTPStateless},
		{"serve-http/legacy", eraLegacy, gatewayServe, directHTTP},
		{"serve-sse/legacy", eraLegacy, gatewaySSE, directHTTP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxT(t, 90*time.Second)
			var (
				wg         sync.WaitGroup
				want, got  transcript
				werr, gerr error
			)
			dtr, _ := c.direct.start(t)
			gtr, gcmd := c.gateway.start(t)
			wg.Add(2)
			go func() { defer wg.Done(); want, werr = exercise(ctx, t, dtr, c.era) }()
			var kids []proc
			go func() {
				defer wg.Done()
				got, gerr = exercise(ctx, t, gtr, c.era)
			}()
			if gcmd != nil {
				// Snapshot the run gateway's children while the session is up.
				waitFor(10*time.Second, func() bool {
					if gcmd.Process == nil {
						return false
					}
					kids = descendants(gcmd.Process.Pid)
					return len(kids) > 0
				})
			}
			wg.Wait()
			if werr != nil {
				t.Fatalf("direct session (%s): %v", c.direct.name, werr)
			}
			if gerr != nil {
				t.Fatalf("gateway session (%s): %v", c.gateway.name, gerr)
			}
			checkTranscript(t, c.era, want)
			if c.gateway.name == gatewayServe.name && c.era == eraModern {
				maskGatewayProgressToken(t, &got)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s differs from %s (-direct +gateway):\n%s", c.gateway.name, c.direct.name, diff)
			}
			if gcmd != nil {
				if len(kids) == 0 {
					t.Errorf("mcpwarden run had no child process while the session was up")
				}
				assertGone(t, "after the mcpwarden run session closed", kids, 5*time.Second)
			}
		})
	}
}

// maskGatewayProgressToken handles the one known divergence: stateless
// (2026-07-28) traffic shares one stdio child among clients, so the
// gateway gives each call a gateway-unique progress token upstream (one
// client must not capture another's progress) and maps it back on the
// notifications. test_tool_with_progress echoes the token it saw, which is
// therefore the gateway's. The notifications the client receives must
// still carry its own token; that part is compared strictly.
func maskGatewayProgressToken(t *testing.T, tx *transcript) {
	t.Helper()
	for i, s := range tx.Steps {
		if s.Name != "tools/call test_tool_with_progress" {
			continue
		}
		b, _ := json.Marshal(s.Result)
		var r struct {
			Content []struct{ Text string } `json:"content"`
		}
		_ = json.Unmarshal(b, &r)
		if len(r.Content) == 1 && strings.HasPrefix(r.Content[0].Text, "mw-") {
			t.Logf("known divergence: the upstream saw gateway progress token %q instead of the client's (multiplexed stdio child)", r.Content[0].Text)
			fixed := strings.Replace(string(b), `"text":"`+r.Content[0].Text+`"`, `"text":"e2e-progress-1"`, 1)
			var v any
			_ = json.Unmarshal([]byte(fixed), &v)
			tx.Steps[i].Result = v
		}
	}
}

// checkTranscript asserts that the reference run itself exercised what the
// comparison relies on, so that "equal" is not "equally empty".
func checkTranscript(t *testing.T, era string, tx transcript) {
	t.Helper()
	var names []string
	for _, s := range tx.Steps {
		names = append(names, s.Name)
	}
	byName := map[string]step{}
	for _, s := range tx.Steps {
		byName[s.Name] = s
	}
	mustOK := []string{"tools/list", "prompts/list", "resources/list", "resources/templates/list",
		"tools/call test_simple_text", "tools/call test_tool_with_progress", "tools/call test_tool_with_logging",
		"tools/call test_input_required_result_elicitation", "tools/call test_input_required_result_sampling",
		"tools/call test_input_required_result_list_roots", "resources/read test://static-text",
		"prompts/get test_simple_prompt", "completion/complete", "resources/subscribe"}
	if era == eraLegacy {
		mustOK = append(mustOK, "tools/call test_sampling", "tools/call test_elicitation", "ping", "logging/setLevel")
	}
	for _, n := range mustOK {
		s, ok := byName[n]
		if !ok {
			t.Errorf("direct run: no step %q (steps: %s)", n, strings.Join(names, ", "))
			continue
		}
		if s.Err != "" {
			t.Errorf("direct run: %s failed: %s", n, s.Err)
		}
		if strings.HasPrefix(n, "tools/call ") {
			if m, ok := s.Result.(map[string]any); ok && m["isError"] == true {
				t.Errorf("direct run: %s returned a tool error: %v", n, s.Result)
			}
		}
	}
	if len(tx.Progress) != 3 {
		t.Errorf("direct run: %d progress notifications, want 3: %v", len(tx.Progress), tx.Progress)
	}
	if len(tx.Logs) == 0 {
		t.Errorf("direct run: no log notifications from test_tool_with_logging")
	}
	if len(tx.Updated) == 0 {
		t.Errorf("direct run: no resources/updated after subscribing")
	}
	if len(tx.Sampling) == 0 || len(tx.Elicitation) == 0 {
		t.Errorf("direct run: sampling handler called %d times, elicitation %d times", len(tx.Sampling), len(tx.Elicitation))
	}
	sort.Strings(names)
}
