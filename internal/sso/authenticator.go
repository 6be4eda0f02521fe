package sso

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/authserver"
)

// AuthenticatorID is the authenticator's path segment: the login page
// sends the browser to /oauth2/login/sso, and the IdP redirects back to
// CallbackPath.
const AuthenticatorID = "sso"

// CallbackPath is the redirect URI's path, under the gateway's origin:
// register ORIGIN + CallbackPath at the identity provider.
const CallbackPath = authserver.PathLogin + "/" + AuthenticatorID + "/callback"

// Authenticator plugs the relying party into the embedded authorization
// server's login page.
type Authenticator struct {
	rp    *RP
	label string
	log   *slog.Logger
}

// NewAuthenticator wraps rp, whose RedirectURL must end in CallbackPath;
// label is the sign-in button's text.
func NewAuthenticator(rp *RP, label string, log *slog.Logger) (*Authenticator, error) {
	if rp.CallbackPath() != CallbackPath {
		return nil, errors.New("sso: redirect URL must end in " + CallbackPath)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Authenticator{rp: rp, label: label, log: log}, nil
}

func (a *Authenticator) ID() string    { return AuthenticatorID }
func (a *Authenticator) Label() string { return a.label }

// Begin sends the browser to the identity provider.
func (a *Authenticator) Begin(w http.ResponseWriter, r *http.Request, flow string, c authserver.Completer) {
	to, err := a.rp.Begin(r.Context(), w, flow)
	if err != nil {
		a.log.Warn("sso: sign-in not started", "err", err)
		c.Fail(w, r, flow, "The identity provider cannot be reached right now. Try again later.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}

// Handle is the callback: the IdP's answer is checked and the person
// handed to the authorization server, with their roles as groups.
func (a *Authenticator) Handle(w http.ResponseWriter, r *http.Request, c authserver.Completer) {
	if r.URL.Path != CallbackPath || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	flow, p, err := a.rp.Callback(r.Context(), r)
	if err == nil && strings.HasPrefix(p.Subject, "local:") {
		// The local administrator's namespace: never a federated person.
		err = errors.New("sso: subject in the local namespace")
	}
	if err != nil {
		a.log.Info("sso: sign-in refused", "err", err)
		reason := "The sign-in could not be completed. Start again from your application."
		switch {
		case errors.Is(err, ErrUnreachable):
			reason = "The identity provider cannot be reached right now. Try again later."
		case errors.Is(err, ErrNoRole):
			reason = "Your account is in no group that may use this gateway. Ask an administrator."
		case errors.Is(err, ErrNotAllowed):
			reason = "Your account may not use this gateway. Ask an administrator."
		}
		c.Fail(w, r, flow, reason)
		return
	}
	a.log.Info("sso: signed in", "sub", p.Subject, "idp", p.Issuer, "roles", p.Roles)
	c.Complete(w, r, flow, authserver.Principal{
		Subject: p.Subject, Issuer: p.Issuer, Name: p.Name, Groups: p.Roles, Method: "fed", Scopes: p.Scopes,
	})
}
