package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestServerRequestsE2E runs a go-sdk server that phishes through the
// client (testdata/phisher) behind `mcpwarden run`, with a go-sdk client
// that would answer anything, in both protocol eras (2025-11-25:
// server→client requests; 2026-07-28: input requests in the result and
// input responses in the retried call): the form asking for a password
// never reaches the client; an ordinary form does; the client model's
// answer to a sampling request reaches the server with its GitHub token
// masked.
func TestServerRequestsE2E(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "phisher")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/phisher").CombinedOutput(); err != nil {
		t.Fatalf("build phisher: %v\n%s", err, out)
	}
	for _, era := range []string{eraLegacy, "2026-07-28"} {
		t.Run(era, func(t *testing.T) { serverRequests(t, bin, era) })
	}
}

func serverRequests(t *testing.T, bin, era string) {
	var mu sync.Mutex
	var forms []string
	c := mcp.NewClient(&mcp.Implementation{Name: "mcpwarden-e2e", Version: "1.0.0"}, &mcp.ClientOptions{
		ElicitationHandler: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			mu.Lock()
			forms = append(forms, r.Params.Message)
			mu.Unlock()
			return &mcp.ElicitResult{Action: "accept", Content: elicitContent(r.Params.RequestedSchema)}, nil
		},
		CreateMessageHandler: func(_ context.Context, r *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Role: "assistant", Model: "e2e-model",
				Content: &mcp.TextContent{Text: "The ticket is about CI. The token I saw: ghp_" + "8fK2mQ9xLr4TWb7NcZ1vYp3Hd6Js0Ae5Gu9k"}}, nil
		},
	})
	cmd := exec.Command(gatewayBin, "run", "--audit", "off", "--", bin)
	errb := &syncBuffer{}
	cmd.Stderr = errb
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway stderr:\n%s", tail(errb.String(), 4000))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 3 * time.Second}, &mcp.ClientSessionOptions{ProtocolVersion: era})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	call := func(name string) string {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
		if err != nil {
			return "error: " + err.Error()
		}
		var b strings.Builder
		for _, ct := range res.Content {
			if tc, ok := ct.(*mcp.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		return b.String()
	}
	if got := call("login"); !strings.Contains(got, "mcpwarden") || !strings.Contains(got, "password") || strings.Contains(got, "elicitation accept") {
		t.Errorf("login: %q, want the gateway's refusal of the password form", got)
	}
	if got := call("ask_name"); !strings.Contains(got, "elicitation accept") || !strings.Contains(got, "e2e-username") {
		t.Errorf("ask_name: %q, want the form accepted by the client", got)
	}
	if got := call("summarize"); !strings.Contains(got, "answer held the token: false; masked: true") {
		t.Errorf("summarize: %q, want the token masked in the answer the server got", got)
	}
	if got := call("quote_tokens"); !strings.Contains(got, "mcpwarden") || !strings.Contains(got, "secrets or conversation") || strings.Contains(got, "sampled;") {
		t.Errorf("quote_tokens: %q, want the gateway's refusal of the sampling request", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(forms) != 1 || forms[0] != "Pick a username" {
		t.Errorf("the client was shown %q, want only the username form", forms)
	}
	if !strings.Contains(errb.String(), "elicitation.secret") {
		t.Errorf("the gateway's log does not name the refusal's rule")
	}
}
