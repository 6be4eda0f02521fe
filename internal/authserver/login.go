package authserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/lazyre"
)

// Principal is a person (or workload) an Authenticator has verified.
type Principal struct {
	// Subject is the token's sub: stable for the person and unique
	// across the server's authenticators (an authenticator federating
	// several providers qualifies it, e.g. with the provider's name).
	Subject string `json:"sub"`
	// Issuer is who vouched for the person: the upstream provider's issuer
	// URL, or "" for the local administrator. Tokens carry it as idp.
	Issuer string   `json:"idp,omitempty"`
	Groups []string `json:"groups,omitempty"`
	Name   string   `json:"name,omitempty"` // display name, shown on the consent page
	// Method is the authentication method reference (RFC 8176): pwd
	// for a password, fed for federation, …
	Method string `json:"amr,omitempty"`
	// Scopes, when not nil, are the only access scopes this person may
	// grant (single sign-on: the scopes of their roles); the rest of a
	// request is dropped at sign-in, before consent. Nil: any.
	Scopes []string `json:"scopes,omitempty"`
}

// Authenticator is one way to sign in: the local administrator's
// password (PasswordAuthenticator) or an upstream identity provider
// (internal/sso). The login page lists the authenticators; the browser
// follows one to /oauth2/login/{ID}?id=FLOW, where Begin takes over with
// the browser already bound to the flow (a cookie set by the login
// page). Every other request under /oauth2/login/{ID}/ (a form post, the
// upstream provider's redirect back) goes to Handle. When the person is
// verified, the authenticator calls Completer.Complete with the flow and
// the principal, which checks again that this browser started the flow
// and continues to the consent page; on failure it calls Fail.
// Authenticators keep the flow id in their own state (a form field, the
// upstream request's state) and must check that state themselves (for
// OIDC: state and nonce, PKCE).
type Authenticator interface {
	// ID is the path segment: 1 to 32 of a-z, 0-9 and -.
	ID() string
	// Label is the sign-in button's text, e.g. "Sign in with Okta".
	Label() string
	Begin(w http.ResponseWriter, r *http.Request, flow string, c Completer)
	Handle(w http.ResponseWriter, r *http.Request, c Completer)
}

// Completer is what an Authenticator calls back.
type Completer interface {
	// Complete records who signed in for flow and sends the browser on
	// to the consent page. It is called while handling a request under
	// /oauth2/login/{ID}/ (the path says which authenticator vouched, for
	// the sign-in session).
	Complete(w http.ResponseWriter, r *http.Request, flow string, p Principal)
	// Fail shows a sign-in error; reason is shown to the person.
	Fail(w http.ResponseWriter, r *http.Request, flow string, reason string)
	// FormToken is the CSRF token for a form of flow in this browser;
	// CheckFormToken verifies one.
	FormToken(r *http.Request, flow string) string
	CheckFormToken(r *http.Request, flow, token string) bool
	// Page writes a page in the server's frame (CSP, no script) with
	// body, an html/template executed with data.
	Page(w http.ResponseWriter, status int, title string, body *template.Template, data any)
}

var authenticatorIDRe = lazyre.New(`^[a-z0-9-]{1,32}$`)

type loginPages struct {
	s       *Server
	byID    map[string]Authenticator
	order   []Authenticator
	csrfKey [32]byte
	secure  bool
}

func newLoginPages(s *Server) (*loginPages, error) {
	lp := &loginPages{s: s, byID: map[string]Authenticator{}, secure: strings.HasPrefix(s.cfg.Issuer, "https://")}
	for _, a := range s.cfg.Authenticators {
		if !authenticatorIDRe.MatchString(a.ID()) {
			return nil, errors.New("authserver: authenticator id " + a.ID() + " is not [a-z0-9-]{1,32}")
		}
		if _, dup := lp.byID[a.ID()]; dup {
			return nil, errors.New("authserver: two authenticators named " + a.ID())
		}
		lp.byID[a.ID()] = a
		lp.order = append(lp.order, a)
	}
	k, err := derivedKey(s.cfg.Key, "mcpwarden authserver csrf")
	if err != nil {
		return nil, err
	}
	lp.csrfKey = k
	return lp, nil
}

func cookieName(flow string) string {
	if len(flow) > 12 {
		flow = flow[:12]
	}
	return "mcpwarden_login_" + flow
}

// browser is the hash of this browser's binding cookie for flow.
func (lp *loginPages) browser(r *http.Request, flow string) string {
	c, err := r.Cookie(cookieName(flow))
	if err != nil || c.Value == "" {
		return ""
	}
	return hashToken(c.Value)
}

// bound loads flow's request and checks that this browser started it.
func (lp *loginPages) bound(r *http.Request, flow string) (*Request, bool) {
	if flow == "" || len(flow) > 64 {
		return nil, false
	}
	req, err := lp.s.storage.request(r.Context(), flow)
	if err != nil || req.Browser == "" {
		return nil, false
	}
	b := lp.browser(r, flow)
	if b == "" || !hmac.Equal([]byte(b), []byte(req.Browser)) {
		return nil, false
	}
	return req, true
}

func (lp *loginPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PathLogin:
		lp.start(w, r)
	case r.URL.Path == PathConsent:
		lp.consent(w, r)
	case r.URL.Path == PathLogout:
		lp.logout(w, r)
	default:
		rest := strings.TrimPrefix(r.URL.Path, PathLogin+"/")
		id, sub, _ := strings.Cut(rest, "/")
		a, ok := lp.byID[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if sub == "" && r.Method == http.MethodGet {
			flow := r.URL.Query().Get("id")
			req, ok := lp.bound(r, flow)
			if !ok || req.User != nil {
				lp.Fail(w, r, flow, "This sign-in link is not valid in this browser. Start again from your application.")
				return
			}
			a.Begin(w, r, flow, lp)
			return
		}
		a.Handle(w, r, lp)
	}
}

// start is where op sends the browser: it binds the browser to the flow
// and offers the authenticators (or goes straight to the only one).
func (lp *loginPages) start(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	flow := r.URL.Query().Get("id")
	req, err := lp.s.storage.request(r.Context(), flow)
	if err != nil || req.User != nil || req.Browser != "" {
		lp.Fail(w, r, "", "This sign-in link is not valid (expired or used). Start again from your application.")
		return
	}
	secret := randomID()
	req.Browser = hashToken(secret)
	if err := lp.s.store.PutRequest(r.Context(), req); err != nil {
		lp.Fail(w, r, "", "Sign-in is not possible right now.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName(flow), Value: secret, Path: "/oauth2/", HttpOnly: true,
		Secure: lp.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(requestTTL / time.Second)})
	if se := lp.session(r, req); se != nil {
		// Signed in before in this browser: straight to the consent page.
		req.Browser = hashToken(secret)
		lp.signedIn(w, r, req, *se.User, se.AuthTime, false, se.Authenticator)
		return
	}
	if len(lp.order) == 0 {
		lp.Fail(w, r, "", "No way to sign in is configured on this gateway (auth.authorization_server.admin, or single sign-on).")
		return
	}
	type choice struct{ Label, URL string }
	var cs []choice
	for _, a := range lp.order {
		cs = append(cs, choice{a.Label(), PathLogin + "/" + a.ID() + "?id=" + url.QueryEscape(flow)})
	}
	c, _ := lp.s.store.Client(r.Context(), req.ClientID)
	lp.Page(w, http.StatusOK, "Sign in", chooseTmpl, map[string]any{"Choices": cs, "Client": clientLabel(c, req.ClientID)})
}

func clientLabel(c *Client, id string) string {
	if c != nil && c.Name != "" {
		return c.Name + " (" + id + ")"
	}
	return id
}

func (lp *loginPages) Complete(w http.ResponseWriter, r *http.Request, flow string, p Principal) {
	req, ok := lp.bound(r, flow)
	if !ok || req.User != nil {
		lp.Fail(w, r, flow, "This sign-in is not valid in this browser. Start again from your application.")
		return
	}
	if p.Subject == "" {
		lp.Fail(w, r, flow, "The sign-in did not say who you are.")
		return
	}
	// Which authenticator vouched: the path it was reached by.
	aid, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, PathLogin+"/"), "/")
	lp.signedIn(w, r, req, p, lp.s.now(), true, aid)
}

// signedIn records who signed in for req and sends the browser on to
// the consent page; a fresh sign-in (not a session's) starts a session
// for the browser, remembering the authenticator that vouched.
func (lp *loginPages) signedIn(w http.ResponseWriter, r *http.Request, req *Request, p Principal, authTime time.Time, fresh bool, authenticator string) {
	flow := req.ID
	if p.Scopes != nil {
		// OpenID scopes and intents grant nothing by themselves: kept.
		req.Scopes = slices.DeleteFunc(req.Scopes, func(s string) bool {
			return len(accessScopes([]string{s})) == 1 && !isIntent(s) && !slices.Contains(p.Scopes, s)
		})
	}
	req.User, req.AuthTime = &p, authTime
	if err := lp.s.store.PutRequest(r.Context(), req); err != nil {
		lp.Fail(w, r, flow, "Sign-in is not possible right now.")
		return
	}
	if fresh {
		lp.s.log.Info("authserver: signed in", "sub", p.Subject, "idp", p.Issuer, "client_id", req.ClientID)
		if lp.s.cfg.SessionTTL > 0 && lp.byID[authenticator] != nil {
			secret := randomID()
			se := &Session{Hash: hashToken(secret), User: &p, AuthTime: authTime, Expires: authTime.Add(lp.s.cfg.SessionTTL), Authenticator: authenticator}
			if err := lp.s.store.PutSession(r.Context(), se); err == nil {
				http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/oauth2/", HttpOnly: true,
					Secure: lp.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(lp.s.cfg.SessionTTL / time.Second)})
			}
		}
	} else {
		lp.s.log.Info("authserver: signed in (session)", "sub", p.Subject, "idp", p.Issuer, "client_id", req.ClientID)
	}
	http.Redirect(w, r, PathConsent+"?id="+url.QueryEscape(flow), http.StatusSeeOther)
}

func (lp *loginPages) Fail(w http.ResponseWriter, r *http.Request, _ string, reason string) {
	lp.Page(w, http.StatusBadRequest, "Sign-in failed", failTmpl, reason)
}

func (lp *loginPages) FormToken(r *http.Request, flow string) string {
	m := hmac.New(sha256.New, lp.csrfKey[:])
	m.Write([]byte(flow))
	m.Write([]byte{0})
	m.Write([]byte(lp.browser(r, flow)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (lp *loginPages) CheckFormToken(r *http.Request, flow, token string) bool {
	if lp.browser(r, flow) == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(lp.FormToken(r, flow)))
}

// sessionCookie names the browser's sign-in session.
const sessionCookie = "mcpwarden_session"

// session is the browser's sign-in session, if it may serve req: not
// expired, not older than the request's max_age, no prompt=login, and
// its authenticator still configured.
func (lp *loginPages) session(r *http.Request, req *Request) *Session {
	if lp.s.cfg.SessionTTL <= 0 || req.ForceLogin {
		return nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	se, err := lp.s.store.Session(r.Context(), hashToken(c.Value))
	if err != nil || se.User == nil || lp.byID[se.Authenticator] == nil || !lp.s.now().Before(se.Expires) {
		return nil
	}
	if req.MaxAge != nil && lp.s.now().Sub(se.AuthTime) > time.Duration(*req.MaxAge)*time.Second {
		return nil
	}
	return se
}

// logout ends the browser's sign-in session (POST from this origin).
func (lp *loginPages) logout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if !lp.sameOrigin(r) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		_ = lp.s.store.DeleteSession(r.Context(), hashToken(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/oauth2/", HttpOnly: true, Secure: lp.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	lp.Page(w, http.StatusOK, "Signed out", failTmpl, "You are signed out of this gateway.")
}

// sameOrigin refuses a form post whose Origin is another site's (the
// cookie and token already bind it; this is the belt to those braces).
func (lp *loginPages) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == lp.s.cfg.Issuer
}

// consent shows what the client asks for (GET) and records the answer
// (POST).
func (lp *loginPages) consent(w http.ResponseWriter, r *http.Request) {
	var flow string
	switch r.Method {
	case http.MethodGet:
		flow = r.URL.Query().Get("id")
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			lp.Fail(w, r, "", "Invalid form.")
			return
		}
		flow = r.PostForm.Get("id")
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	req, ok := lp.bound(r, flow)
	if !ok || req.User == nil || req.Consented {
		lp.Fail(w, r, flow, "This consent page is not valid in this browser. Start again from your application.")
		return
	}
	if r.Method == http.MethodGet {
		c, _ := lp.s.store.Client(r.Context(), req.ClientID)
		var scopes, intents []string
		for _, s := range accessScopes(req.Scopes) {
			if srv, tool, ok, err := authn.ParseIntent(s); ok && err == nil {
				intents = append(intents, srv+" / "+tool)
			} else {
				scopes = append(scopes, s)
			}
		}
		redirect, _ := url.Parse(req.RedirectURI)
		w.Header().Set("Content-Security-Policy", pageCSP(formTarget(req.RedirectURI)))
		lp.Page(w, http.StatusOK, "Grant access", consentTmpl, map[string]any{
			"Client": clientLabel(c, req.ClientID), "Redirect": redirectLabel(redirect),
			"User": displayName(req.User), "Scopes": scopes, "Intents": intents, "Refresh": containsOffline(req.Scopes),
			"Flow": flow, "Token": lp.FormToken(r, flow), "Action": PathConsent,
		})
		return
	}
	if !lp.sameOrigin(r) || !lp.CheckFormToken(r, flow, r.PostForm.Get("csrf")) {
		lp.Fail(w, r, flow, "The form was not sent from this page. Start again from your application.")
		return
	}
	if r.PostForm.Get("decision") != "grant" {
		_ = lp.s.store.DeleteRequest(r.Context(), flow)
		u, _ := url.Parse(req.RedirectURI)
		q := u.Query()
		q.Set("error", "access_denied")
		q.Set("error_description", "the user denied access")
		if req.State != "" {
			q.Set("state", req.State)
		}
		q.Set("iss", lp.s.cfg.Issuer)
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	req.Consented = true
	if err := lp.s.store.PutRequest(r.Context(), req); err != nil {
		lp.Fail(w, r, flow, "Sign-in is not possible right now.")
		return
	}
	http.Redirect(w, r, PathCallback+"?id="+url.QueryEscape(flow), http.StatusSeeOther)
}

// redirectLabel is where the browser goes back to, as the consent page
// names it: the origin, or the scheme of a private-use redirect.
func redirectLabel(u *url.URL) string {
	if u.Host == "" {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + u.Host
}

func containsOffline(s []string) bool {
	for _, x := range s {
		if x == "offline_access" {
			return true
		}
	}
	return false
}

func displayName(p *Principal) string {
	if p.Name != "" {
		return p.Name + " (" + p.Subject + ")"
	}
	return p.Subject
}

// formTarget is the CSP source of a redirect URI: browsers apply
// form-action to the redirects that follow the consent form's post, which
// end at the client.
func formTarget(redirect string) string {
	u, err := url.Parse(redirect)
	if err != nil {
		return ""
	}
	ok := func(s string) bool {
		return s != "" && !strings.ContainsAny(s, " ;,'\"\t\r\n")
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && ok(u.Host):
		return u.Scheme + "://" + u.Host
	case ok(u.Scheme):
		return u.Scheme + ":"
	}
	return ""
}

// pageCSP allows nothing but the page itself and forms to this origin
// (and to extra): no script, no style, no frames around it.
func pageCSP(extra string) string {
	fa := "'self'"
	if extra != "" {
		fa += " " + extra
	}
	return "default-src 'none'; form-action " + fa + "; frame-ancestors 'none'; base-uri 'none'"
}

// Page writes a server page.
func (lp *loginPages) Page(w http.ResponseWriter, status int, title string, body *template.Template, data any) {
	h := w.Header()
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", pageCSP(""))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" with the page's own form posts, which sameOrigin
	// refuses; other sites still get no Referer.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	var b strings.Builder
	if err := body.Execute(&b, data); err != nil {
		lp.s.log.Error("authserver: page", "err", err)
		return
	}
	_ = frameTmpl.Execute(w, map[string]any{"Title": title, "Body": template.HTML(b.String())})
}

var (
	frameTmpl = template.Must(template.New("frame").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · mcpwarden</title></head>
<body><main><h1>{{.Title}}</h1>
{{.Body}}
</main></body></html>
`))
	chooseTmpl = template.Must(template.New("choose").Parse(`<p>Sign in to let <strong>{{.Client}}</strong> use this gateway.</p>
<ul>{{range .Choices}}<li><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul>`))
	failTmpl    = template.Must(template.New("fail").Parse(`<p>{{.}}</p>`))
	consentTmpl = template.Must(template.New("consent").Parse(`<p>Signed in as <strong>{{.User}}</strong>.</p>
<p><strong>{{.Client}}</strong> asks for access to this gateway. It will be sent back to <code>{{.Redirect}}</code>.</p>
{{if .Scopes}}<p>Scopes:</p><ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{if .Intents}}<p>Only these tools:</p><ul>{{range .Intents}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{if .Refresh}}<p>Access continues until you revoke it or it expires (refresh tokens).</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.Flow}}">
<input type="hidden" name="csrf" value="{{.Token}}">
<button type="submit" name="decision" value="grant">Grant Access</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`))
)
