package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/mcpwarden/mcpwarden/internal/authn"
)

// LocalSubjectPrefix starts the subject of a local administrator
// (local:NAME). Subjects from outside (SSO, token exchange) may not start
// with it, so none can pass for a local administrator.
const LocalSubjectPrefix = "local:"

// RFC 8693 names.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
)

// Workload is a trusted workload identity issuer for token exchange (RFC
// 8693): a CI system or platform that gives its jobs OIDC tokens (GitHub
// Actions, GitLab, Kubernetes service accounts, cloud workload identity).
// A job presents such a token and gets a gateway access token, without
// any stored secret.
type Workload struct {
	// Issuer is the workload token's iss, exactly; its keys come from its
	// OpenID discovery document.
	Issuer string
	// Audience is the aud the workload token must carry (what the job
	// asks its platform for, e.g. the gateway's origin).
	Audience string
	// Subjects are the sub values allowed, exactly, or ending in * for a
	// prefix ("repo:acme/app:*").
	Subjects []string
	// Scopes are the scopes such a job may ask for.
	Scopes []string
}

// workloads holds the validators of the trusted issuers, built on first
// use (each fetches its issuer's keys itself).
type workloads struct {
	mu  sync.Mutex
	val map[string]*authn.Validator
}

func (s *Server) workload(iss string) (*Workload, *authn.Validator, error) {
	i := slices.IndexFunc(s.cfg.Workloads, func(w Workload) bool { return w.Issuer == iss })
	if i < 0 {
		return nil, nil, errors.New("the token's issuer is not a trusted workload issuer")
	}
	w := &s.cfg.Workloads[i]
	s.wl.mu.Lock()
	defer s.wl.mu.Unlock()
	if s.wl.val == nil {
		s.wl.val = map[string]*authn.Validator{}
	}
	v, ok := s.wl.val[iss]
	if !ok {
		var err error
		if v, err = authn.New(authn.Config{Issuer: w.Issuer, Resource: w.Audience, Now: s.now}); err != nil {
			return nil, nil, err
		}
		s.wl.val[iss] = v
	}
	return w, v, nil
}

// subjectAllowed matches sub against patterns: exact, or a prefix ending
// in *.
func subjectAllowed(patterns []string, sub string) bool {
	for _, p := range patterns {
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(sub, pre) {
				return true
			}
		} else if p == sub {
			return true
		}
	}
	return false
}

// unverifiedIssuer reads iss from a JWT without checking it, only to pick
// the validator that will.
func unverifiedIssuer(token string) (string, error) {
	jws, err := jose.ParseSignedCompact(token, authn.Algorithms)
	if err != nil {
		return "", errors.New("subject_token is not a signed JWT")
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil || c.Iss == "" {
		return "", errors.New("subject_token has no issuer")
	}
	return c.Iss, nil
}

// exchange is the token exchange grant: a workload's OIDC token for an
// access token of this gateway. No client authentication: the subject
// token is the credential. Actor tokens (delegation) are refused.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if len(s.cfg.Workloads) == 0 {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "token exchange is not configured")
		return
	}
	tok := f.Get("subject_token")
	switch {
	case tok == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "subject_token is required")
		return
	case !slices.Contains([]string{TokenTypeJWT, TokenTypeIDToken, TokenTypeAccess}, f.Get("subject_token_type")):
		oauthError(w, http.StatusBadRequest, "invalid_request", "subject_token_type must be a JWT, ID token or access token type")
		return
	case f.Get("actor_token") != "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "actor tokens (delegation) are not supported")
		return
	case f.Get("requested_token_type") != "" && f.Get("requested_token_type") != TokenTypeAccess:
		oauthError(w, http.StatusBadRequest, "invalid_request", "only access tokens are issued")
		return
	}
	for _, a := range f["audience"] {
		if a != s.cfg.Resource && a != s.cfg.Issuer {
			oauthError(w, http.StatusBadRequest, "invalid_target", "this server issues tokens only for "+s.cfg.Resource)
			return
		}
	}
	scopes := strings.Fields(f.Get("scope"))
	iss, err := unverifiedIssuer(tok)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	}
	wl, v, err := s.workload(iss)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	}
	p, err := v.Validate(r.Context(), tok)
	if err != nil {
		desc := "subject_token rejected"
		var ae *authn.Error
		if errors.As(err, &ae) {
			desc += ": " + ae.Description
		}
		s.log.Info("authserver: token exchange refused", "issuer", iss, "err", err)
		oauthError(w, http.StatusBadRequest, "invalid_grant", desc)
		return
	}
	// local:NAME is the local administrators' namespace: no outside
	// identity may take a subject in it, whatever the patterns allow.
	if strings.HasPrefix(p.Subject, LocalSubjectPrefix) {
		s.log.Info("authserver: token exchange refused: subject in the local namespace", "issuer", iss, "sub", p.Subject)
		oauthError(w, http.StatusBadRequest, "invalid_grant", "this workload may not use the gateway")
		return
	}
	if !subjectAllowed(wl.Subjects, p.Subject) {
		s.log.Info("authserver: token exchange refused: subject not allowed", "issuer", iss, "sub", p.Subject)
		oauthError(w, http.StatusBadRequest, "invalid_grant", "this workload may not use the gateway")
		return
	}
	if len(scopes) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "scope is required")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(wl.Scopes, sc) && !isIntent(sc) {
			oauthError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("scope %q is not allowed for this workload", sc))
			return
		}
	}
	if err := checkIntents(scopes); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_scope", err.Error())
		return
	}
	now := s.now()
	a := &Access{JTI: randomID()[:22], ClientID: "token-exchange", Subject: p.Subject, Scopes: scopes, Issued: now,
		Expires: now.Add(s.cfg.AccessTokenTTL)}
	claims := map[string]any{
		"iss": s.cfg.Issuer, "sub": p.Subject, "aud": s.cfg.Resource, "scope": strings.Join(scopes, " "),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": a.Expires.Unix(), "jti": a.JTI,
		"client_id": a.ClientID, "idp": iss,
	}
	at, err := s.sign(r.Context(), claims)
	if err != nil {
		s.log.Error("authserver: token exchange: signing failed", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "the token could not be signed")
		return
	}
	if err := s.store.AddAccess(r.Context(), a); err != nil {
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "try again")
		return
	}
	s.log.Info("authserver: token exchanged", "idp", iss, "sub", p.Subject, "scope", claims["scope"])
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "issued_token_type": TokenTypeAccess, "token_type": "Bearer",
		"expires_in": int(time.Until(a.Expires) / time.Second), "scope": claims["scope"],
	}, false)
}

// sign makes a JWT access token with the server's key.
func (s *Server) sign(ctx context.Context, claims map[string]any) (string, error) {
	k, err := s.currentKey(ctx)
	if err != nil {
		return "", err
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: k.Algorithm(), Key: k.Private()},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader(jose.HeaderKey("kid"), k.KeyID()))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := sg.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
