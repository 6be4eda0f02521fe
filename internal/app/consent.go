package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/mcpwarden/mcpwarden/internal/auditargs"
	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/consent"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// consentPath is where serve shows consent requests.
const consentPath = "/consent/"

// consenting is the Grant Access window of serve: its chain stage and
// its page. Nil when consent is off.
type consenting struct {
	stage intercept.Interceptor
	page  http.Handler
	base  atomic.Pointer[string] // the page's base URL, known once listening
}

// openConsent builds the broker, stage and page from the configuration
// serve starts with (consent settings change only on restart). Every
// decision is written to the audit trail like an exchange.
func openConsent(cfg *config.Config, aud *auditing, log *slog.Logger) (*consenting, error) {
	c := cfg.Consent
	if c.Mode == "" || c.Mode == config.ConsentOff {
		return nil, nil
	}
	file := c.File
	if file == "" {
		dir, err := StateDir()
		if err != nil {
			return nil, fmt.Errorf("consent: %w; set consent.file", err)
		}
		file = filepath.Join(dir, "grants.json")
	}
	b, err := consent.New(file, c.GrantTTL)
	if err != nil {
		return nil, err
	}
	cs := &consenting{}
	record := newRecorder(aud, log)
	page := consent.NewPage(b, consentPath)
	page.OnDecision = func(r consent.Request) {
		auditDecision(record, r)
		log.Info("consent decided", "decision", r.Decision, "principal", r.Principal, "server", r.Server, "tool", r.Tool, "by", r.By)
	}
	cs.page = page
	cs.stage = intercept.Consent(intercept.ConsentOptions{
		Broker: b,
		Risks:  c.Risks,
		URL: func(id string) string {
			base := ""
			if p := cs.base.Load(); p != nil {
				base = *p
			}
			return base + consentPath + id
		},
		ShowArgs: func(raw []byte) string { return string(auditargs.RedactJSON(raw, auditargs.Defaults).JSON) },
	})
	if c.URL != "" {
		u := strings.TrimSuffix(c.URL, "/")
		cs.base.Store(&u)
	}
	return cs, nil
}

// listening tells the stage the address serve listens on, unless the
// configuration gave the page's URL.
func (c *consenting) listening(addr string) {
	if c == nil {
		return
	}
	u := "http://" + addr
	c.base.CompareAndSwap(nil, &u)
}

// stageOrNil is the chain stage: a pass-through when consent is off.
func (c *consenting) stageOrNil() intercept.Interceptor {
	if c == nil {
		return intercept.Consent(intercept.ConsentOptions{})
	}
	return c.stage
}

// auditDecision writes one consent decision: method consent/decision,
// the tool's server and name, the approver as subject, decision allow
// (granted) or deny (denied), the requesting principal in the reason.
func auditDecision(rec recorder, r consent.Request) {
	e := event{Method: "consent/decision", Server: r.Server, Name: r.Tool, Subject: r.By, Reason: "for " + r.Principal}
	if r.Decision != "granted" {
		e.Deny, e.Rule, e.Reason = true, "consent.denied", "denied by "+r.By+" for "+r.Principal
	}
	rec.record(e)
}
