package downstream

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// The HTTP front as an OAuth 2.1 resource server: every request to the
// MCP endpoints carries a bearer token or is refused with a challenge
// that points at the Protected Resource Metadata; the verified principal
// rides in the request context to the chain, and a session belongs to
// the principal that opened it.

// authenticate checks the bearer token when auth is on (HTTPOptions.Auth
// returns a validator).
func (h *HTTP) authenticate(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.validator()
		if v == nil {
			next(w, r)
			return
		}
		p, err := validate(r, v)
		if err != nil {
			var ae *authn.Error
			if !errors.As(err, &ae) {
				ae = &authn.Error{Code: authn.ErrInvalidToken, Description: "token rejected", Err: err}
			}
			h.logRefusal(r, ae)
			writeAuthError(w, v, ae, nil)
			return
		}
		ctx := intercept.WithPrincipal(r.Context(), intercept.Principal{
			Subject: p.Subject, Issuer: p.Issuer, ClientID: p.ClientID, Groups: p.Groups, Scopes: p.Scopes, TokenID: p.JTI,
		})
		next(w, r.WithContext(ctx))
	}
}

// refusalLog spaces the log lines of refused tokens: a flood of bad
// tokens must not become a flood of log lines. One front per process.
var refusalLog = rate.NewLimiter(rate.Every(time.Second), 20)

// logRefusal logs a refused request: at info for a token that failed a
// check (the internal cause names the claim or key, never the token), at
// debug for a missing one, the first step of every OAuth client.
func (h *HTTP) logRefusal(r *http.Request, e *authn.Error) {
	if e.Code == authn.ErrInvalidRequest {
		h.log.Debug("request refused: no bearer token", "path", r.URL.Path, "remote", r.RemoteAddr)
		return
	}
	if refusalLog.Allow() {
		h.log.Info("request refused: bearer token", "error", e.Code, "reason", e.Description, "detail", e.Err,
			"path", r.URL.Path, "remote", r.RemoteAddr)
	}
}

func validate(r *http.Request, v *authn.Validator) (*authn.Principal, error) {
	tok, berr := authn.BearerToken(r.Header)
	if berr != nil {
		return nil, berr
	}
	return v.Validate(r.Context(), tok)
}

func (h *HTTP) validator() *authn.Validator {
	if h.o.Auth == nil {
		return nil
	}
	return h.o.Auth()
}

// writeAuthError answers 401 (no or bad token) or 403 (insufficient
// scope) with the RFC 6750 challenge. body, when set, is the JSON-RPC
// error of a refused call; otherwise an OAuth error object.
func writeAuthError(w http.ResponseWriter, v *authn.Validator, e *authn.Error, body []byte) {
	hd := w.Header()
	hd.Set("WWW-Authenticate", v.Challenge(e))
	hd.Set("Content-Type", "application/json")
	if body == nil {
		body, _ = json.Marshal(map[string]string{"error": e.Code, "error_description": e.Description})
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(authn.Status(e))
	_, _ = w.Write(body)
}

// serveMetadata serves the Protected Resource Metadata at the paths
// RFC 9728 derives from the resource URL; 404 when auth is off.
func (h *HTTP) serveMetadata(w http.ResponseWriter, r *http.Request) {
	v := h.validator()
	if v == nil || !slices.Contains(authn.MetadataPaths(v.Config().Resource), r.URL.EscapedPath()) {
		http.NotFound(w, r)
		return
	}
	v.ServeMetadata(w, r)
}

// serveIssuer serves the gateway's issuer metadata and JWKS when it is
// its own issuer (auth.issuer local); 404 otherwise.
func (h *HTTP) serveIssuer(w http.ResponseWriter, r *http.Request) {
	v := h.validator()
	if v == nil {
		http.NotFound(w, r)
		return
	}
	v.ServeIssuer(w, r)
}

// owns reports whether the request's principal opened session hs: a
// session id is not a credential, so another principal presenting it is
// treated as if the session did not exist. When it does, the request's
// token is counted among those the session was used with, so that its
// revocation ends the session (EndTokenSessions).
func owns(r *http.Request, hs *httpSession) bool {
	p, _ := intercept.PrincipalFrom(r.Context())
	q := hs.sess.Peer().Principal
	if p.Subject != q.Subject || p.Issuer != q.Issuer {
		return false
	}
	hs.usedToken(p.TokenID)
	return true
}

// maxSessionTokens bounds the token ids a session remembers; a client
// refreshes its token every few minutes, so a long session forgets the
// oldest, long expired ones.
const maxSessionTokens = 16

// usedToken records that token jti authenticated a request of hs.
func (hs *httpSession) usedToken(jti string) {
	if jti == "" {
		return
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if slices.Contains(hs.tokens, jti) {
		return
	}
	if len(hs.tokens) == maxSessionTokens {
		hs.tokens = slices.Delete(hs.tokens, 0, 1)
	}
	hs.tokens = append(hs.tokens, jti)
}

func (hs *httpSession) usedBy(jti string) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return slices.Contains(hs.tokens, jti)
}

// EndTokenSessions ends every session a request authenticated by token
// jti was made on, or, for a subject key (authn.SubjectKey), every session
// of that subject, as a DELETE would: a revoked token's sessions end, and
// with them their children and the credentials minted for those. It
// returns how many ended.
func (h *HTTP) EndTokenSessions(jti string) int {
	if jti == "" {
		return 0
	}
	bySubject := strings.HasPrefix(jti, authn.SubjectPrefix)
	h.mu.Lock()
	var ended []*httpSession
	for id, hs := range h.sessions {
		p := hs.sess.Peer().Principal
		if bySubject && p.Subject != "" && authn.SubjectKey(p.Issuer, p.Subject) == jti || !bySubject && hs.usedBy(jti) {
			delete(h.sessions, id)
			ended = append(ended, hs)
		}
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, hs := range ended {
		wg.Add(1)
		go func() { defer wg.Done(); hs.close() }()
	}
	wg.Wait()
	return len(ended)
}

// principal is the request's verified principal (zero when auth is off).
func principal(r *http.Request) intercept.Principal {
	p, _ := intercept.PrincipalFrom(r.Context())
	return p
}

// watchScope lets st answer 403 with an insufficient_scope challenge
// when the chain refuses the request for a missing scope before any
// other event was sent.
func (h *HTTP) watchScope(r *http.Request, st *postStream) *http.Request {
	v := h.validator()
	if v == nil {
		return r
	}
	ctx, ch := intercept.WithScopeChallenge(r.Context())
	st.forbid = func(w http.ResponseWriter, reply []byte) bool {
		s := ch.Scope()
		if s == "" {
			return false
		}
		writeAuthError(w, v, &authn.Error{Code: authn.ErrInsufficientScope,
			Description: "token lacks the scope this call needs", Scope: s}, reply)
		return true
	}
	return r.WithContext(ctx)
}

// detached keeps the request's values (the principal) for work that
// outlives the HTTP request.
func detached(r *http.Request) context.Context { return context.WithoutCancel(r.Context()) }
