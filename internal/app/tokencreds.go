package app

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/creds"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/revocation"
)

// Token revocation is a trigger for just-in-time credentials, beside
// child exit, session end, idle timeout and shutdown: when this process
// hears that a token is revoked (the Redis channel, or the machine's
// revocation file), the credentials minted for sessions that token opened
// are revoked at once, then every session a request with that token was
// made on ends (which ends their children).

// boundGrant is a minted credential with the one revocation it gets,
// whichever trigger comes first; its audit record names that trigger.
type boundGrant struct {
	g    creds.Credential
	b    *backend
	jti  string // the token whose session minted it; "" for pooled children
	sub  string // its subject's key (authn.SubjectKey); "" likewise
	done string // what a revocation does, for the audit record
	once sync.Once
}

// end revokes the grant once and audits it with done as the reason.
func (bg *boundGrant) end(done string) {
	bg.once.Do(func() {
		l := bg.g.Info()
		ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
		defer cancel()
		if err := bg.g.Revoke(ctx); err != nil { // logged by the broker
			bg.b.audit.record(event{Method: "credentials/revoke", Server: l.Server, Name: l.ID, Deny: true,
				Rule: "credentials.revoke_failed", Reason: err.Error()})
			return
		}
		bg.b.audit.record(event{Method: "credentials/revoke", Server: l.Server, Name: l.ID, Reason: done})
	})
}

// grantsByToken holds the live grants of session-scoped children by the
// id of the token that opened their session, and by its subject's key.
var grantsByToken = struct {
	sync.Mutex
	m map[string][]*boundGrant
}{m: map[string][]*boundGrant{}}

func bindToken(bg *boundGrant) {
	grantsByToken.Lock()
	defer grantsByToken.Unlock()
	for _, id := range []string{bg.jti, bg.sub} {
		if id != "" {
			grantsByToken.m[id] = append(grantsByToken.m[id], bg)
		}
	}
}

func unbindToken(bg *boundGrant) {
	grantsByToken.Lock()
	defer grantsByToken.Unlock()
	for _, id := range []string{bg.jti, bg.sub} {
		if id == "" {
			continue
		}
		l := slices.DeleteFunc(grantsByToken.m[id], func(x *boundGrant) bool { return x == bg })
		if len(l) == 0 {
			delete(grantsByToken.m, id)
		} else {
			grantsByToken.m[id] = l
		}
	}
}

// sessionToken is the id of the token of the request that is opening a
// session-scoped child, and its subject's key ("" without auth, or for
// run's stdio front).
func sessionToken(ctx context.Context) (jti, sub string) {
	p, _ := intercept.PrincipalFrom(ctx)
	if p.Subject != "" {
		sub = authn.SubjectKey(p.Issuer, p.Subject)
	}
	return p.TokenID, sub
}

// sessionEnders end the sessions a token was used on: one per running
// HTTP front (Serve registers its own).
var sessionEnders = struct {
	sync.Mutex
	m map[int]func(jti string) int
	n int
}{m: map[int]func(string) int{}}

func addSessionEnder(f func(jti string) int) (remove func()) {
	sessionEnders.Lock()
	defer sessionEnders.Unlock()
	sessionEnders.n++
	id := sessionEnders.n
	sessionEnders.m[id] = f
	return func() {
		sessionEnders.Lock()
		delete(sessionEnders.m, id)
		sessionEnders.Unlock()
	}
}

// tokenRevoked acts on a revocation heard, of a token id or of a
// subject's key (every token of the subject): the grants first (so the
// credential is gone before its child is told to stop), then the
// sessions. It runs off the caller's goroutine: the Redis subscription
// must keep answering pings meanwhile. The channel it returns is closed
// once the credentials are revoked (the sessions may still be ending).
func tokenRevoked(jti string) <-chan struct{} {
	revoked := make(chan struct{})
	grantsByToken.Lock()
	gs := grantsByToken.m[jti]
	delete(grantsByToken.m, jti)
	grantsByToken.Unlock()
	sessionEnders.Lock()
	var enders []func(string) int
	for _, f := range sessionEnders.m {
		enders = append(enders, f)
	}
	sessionEnders.Unlock()
	if len(gs) == 0 && len(enders) == 0 {
		close(revoked)
		return revoked
	}
	go func() {
		var wg sync.WaitGroup
		for _, bg := range gs {
			wg.Add(1)
			what := "token " + jti
			if strings.HasPrefix(jti, authn.SubjectPrefix) {
				what = "every token of its subject"
			}
			go func() { defer wg.Done(); bg.end(what + " revoked: " + bg.done) }()
		}
		wg.Wait()
		close(revoked)
		ended := 0
		for _, f := range enders {
			ended += f(jti)
		}
		if log := revocationLog.Load(); log != nil && (len(gs) > 0 || ended > 0) {
			log.Info("token revoked: its sessions ended and their credentials were revoked",
				"revoked", jti, "sessions", ended, "credentials", len(gs))
		}
	}()
	return revoked
}

// revocationLog is the log of the process's revocation store.
var revocationLog atomic.Pointer[slog.Logger]

// revocationPollEvery is how often a gateway without a shared store
// looks at the machine's revocation file for new entries.
const revocationPollEvery = time.Second

// watchRevocationFile turns additions to the machine's revocation file
// (written by `token revoke` in another process) into tokenRevoked
// calls, for as long as the process runs.
func watchRevocationFile(f *revocation.File) {
	_, _ = f.Fresh() // what is there at start was revoked before any session
	go func() {
		t := time.NewTicker(revocationPollEvery)
		defer t.Stop()
		for range t.C {
			ids, err := f.Fresh()
			if err != nil {
				continue // the validator refuses every token meanwhile
			}
			for _, jti := range ids {
				tokenRevoked(jti)
			}
		}
	}()
}
