package consent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// Page serves the "Grant Access" window under a path prefix such as
// /consent/: GET PREFIX+ID shows the request, POST PREFIX+ID decides it.
//
// The page is for a person in a browser, so a decision must come from the
// page itself: the form carries a token bound to the request (HMAC with a
// per-process key), and the POST must be same-origin as browsers declare
// it (Sec-Fetch-Site, Origin). The page cannot be framed (no clickjacking)
// and is never cached.
type Page struct {
	Broker *Broker
	Prefix string
	// OnDecision, if set, hears every decision (for the audit trail).
	OnDecision func(r Request)
	// Approver names who decided, from the request (e.g. the signed-in
	// user); nil: "local user".
	Approver func(*http.Request) string

	key []byte
}

// NewPage builds the page handler.
func NewPage(b *Broker, prefix string) *Page {
	k := make([]byte, 32)
	rand.Read(k)
	return &Page{Broker: b, Prefix: prefix, key: k}
}

func (p *Page) token(id string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var page = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>mcpwarden: grant access?</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{color:#57606a}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
pre{background:#f6f8fa;padding:.8rem;overflow:auto;max-height:16rem;white-space:pre-wrap;word-break:break-all}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.8rem;border-radius:6px;border:1px solid #8c959f;cursor:pointer}
#grant{background:#1f883d;color:#fff;border-color:#1a7f37}.risk{font-weight:bold}
</style></head><body>
{{if .Done}}<h1 id="result">Access {{.Done}}</h1>
<p>{{if eq .Done "granted"}}The agent can retry its call now.{{else}}The call stays refused.{{end}} You can close this window.</p>
{{else}}<h1>An agent wants to use a tool for the first time</h1>
<dl>
<dt>Agent</dt><dd id="principal">{{.R.Principal}}</dd>
<dt>Server</dt><dd id="server">{{.R.Server}}</dd>
<dt>Tool</dt><dd id="tool">{{.R.Tool}}</dd>
{{if .R.Risk}}<dt>Risk</dt><dd class="risk" id="risk">{{.R.Risk}}</dd>{{end}}
<dt>Asked</dt><dd>{{.R.Created.Format "2006-01-02 15:04:05 MST"}}</dd>
</dl>
<p>Arguments of the call that asked (secrets masked):</p>
<pre id="args">{{.R.Args}}</pre>
<p>Granting lets this agent call this tool of this server{{if .TTL}} for {{.TTL}}{{end}}; the call itself still passes every other check.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="token" value="{{.Token}}">
<button id="grant" name="decision" value="grant" type="submit">Grant Access</button>
<button id="deny" name="decision" value="deny" type="submit">Deny</button>
</form>{{end}}
</body></html>
`))

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on the form POST, which the origin check refuses.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	id, ok := strings.CutPrefix(r.URL.Path, p.Prefix)
	if !ok || id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		req, ok := p.Broker.Lookup(id, now)
		if !ok {
			http.Error(w, "This request does not exist, has expired or was already decided.", http.StatusNotFound)
			return
		}
		p.render(w, http.StatusOK, map[string]any{"R": req, "Token": p.token(id), "Action": p.Prefix + id, "TTL": p.Broker.grantTTL})
	case http.MethodPost:
		if site := r.Header.Get("Sec-Fetch-Site"); site != "same-origin" {
			http.Error(w, "Decisions are made from the consent page in a browser.", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !sameHost(o, r.Host) {
			http.Error(w, "Cross-origin decisions are refused.", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Bad form.", http.StatusBadRequest)
			return
		}
		if !hmac.Equal([]byte(r.PostForm.Get("token")), []byte(p.token(id))) {
			http.Error(w, "This form is not the one the gateway served.", http.StatusForbidden)
			return
		}
		var grant bool
		switch r.PostForm.Get("decision") {
		case "grant":
			grant = true
		case "deny":
		default:
			http.Error(w, "decision must be grant or deny", http.StatusBadRequest)
			return
		}
		by := "local user"
		if p.Approver != nil {
			by = p.Approver(r)
		}
		req, err := p.Broker.Decide(id, grant, by, now)
		if err != nil {
			status := http.StatusInternalServerError
			if err == ErrNoRequest {
				status = http.StatusNotFound
			}
			http.Error(w, err.Error(), status)
			return
		}
		if p.OnDecision != nil {
			p.OnDecision(req)
		}
		p.render(w, http.StatusOK, map[string]any{"Done": req.Decision})
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *Page) render(w http.ResponseWriter, status int, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = page.Execute(w, data)
}

// sameHost reports whether an Origin header names host.
func sameHost(origin, host string) bool {
	_, rest, ok := strings.Cut(origin, "://")
	return ok && strings.EqualFold(rest, host)
}
