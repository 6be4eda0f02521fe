package authserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"html/template"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"
)

// PasswordAuthenticator signs in the local administrator, meant for the
// first set-up (before single sign-on is configured). The password comes
// from the secrets backend: either a bcrypt hash ($2a$/$2b$/$2y$) or the
// password itself, compared as HMAC-SHA-256 digests in constant time.
// Attempts are rate-limited per client address and for the account as a
// whole, so guessing is slow even from many addresses.
type PasswordAuthenticator struct {
	User     string
	Password string // the secret's value: a bcrypt hash or the password

	once    sync.Once
	mu      sync.Mutex
	perIP   map[string]*rate.Limiter
	account *rate.Limiter
	key     [32]byte
}

// Failed attempts allowed: per address 5 at once then one every 12 s;
// for the account 20 at once then one every 3 s.
var (
	ipRate      = rate.Every(12 * time.Second)
	ipBurst     = 5
	accountRate = rate.Every(3 * time.Second)
	acctBurst   = 20
	maxIPs      = 10000
)

func (p *PasswordAuthenticator) init() {
	p.once.Do(func() {
		p.perIP = map[string]*rate.Limiter{}
		p.account = rate.NewLimiter(accountRate, acctBurst)
		copy(p.key[:], randomID())
	})
}

func (p *PasswordAuthenticator) ID() string    { return "password" }
func (p *PasswordAuthenticator) Label() string { return "Sign in as the local administrator" }

var passwordTmpl = template.Must(template.New("password").Parse(`{{if .Error}}<p><strong>{{.Error}}</strong></p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.Flow}}">
<input type="hidden" name="csrf" value="{{.Token}}">
<p><label>User <input name="user" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>`))

func (p *PasswordAuthenticator) form(w http.ResponseWriter, r *http.Request, flow string, c Completer, status int, msg string) {
	c.Page(w, status, "Sign in", passwordTmpl, map[string]any{
		"Action": PathLogin + "/" + p.ID() + "/submit", "Flow": flow, "Token": c.FormToken(r, flow), "Error": msg})
}

func (p *PasswordAuthenticator) Begin(w http.ResponseWriter, r *http.Request, flow string, c Completer) {
	p.form(w, r, flow, c, http.StatusOK, "")
}

func (p *PasswordAuthenticator) Handle(w http.ResponseWriter, r *http.Request, c Completer) {
	p.init()
	if r.URL.Path != PathLogin+"/"+p.ID()+"/submit" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		c.Fail(w, r, "", "Invalid form.")
		return
	}
	flow := r.PostForm.Get("id")
	if !c.CheckFormToken(r, flow, r.PostForm.Get("csrf")) {
		c.Fail(w, r, flow, "The form was not sent from this page. Start again from your application.")
		return
	}
	ipl := p.limiter(r)
	if ipl.Tokens() < 1 || p.account.Tokens() < 1 {
		w.Header().Set("Retry-After", "15")
		p.form(w, r, flow, c, http.StatusTooManyRequests, "Too many failed attempts. Wait a little and try again.")
		return
	}
	if p.Password == "" || !p.check(r.PostForm.Get("user"), r.PostForm.Get("password")) {
		// Failures spend the budget; a successful sign-in does not.
		ipl.Allow()
		p.account.Allow()
		p.form(w, r, flow, c, http.StatusUnauthorized, "Wrong user or password.")
		return
	}
	c.Complete(w, r, flow, Principal{Subject: LocalSubjectPrefix + p.User, Name: p.User, Method: "pwd"})
}

// limiter is the failure budget of the request's address.
func (p *PasswordAuthenticator) limiter(r *http.Request) *rate.Limiter {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	p.mu.Lock()
	l, ok := p.perIP[ip]
	if !ok {
		if len(p.perIP) >= maxIPs {
			clear(p.perIP) // a flood of addresses still meets the account limit
		}
		l = rate.NewLimiter(ipRate, ipBurst)
		p.perIP[ip] = l
	}
	p.mu.Unlock()
	return l
}

// check compares user and password; both are always compared, so timing
// does not tell which was wrong.
func (p *PasswordAuthenticator) check(user, password string) bool {
	userOK := subtle.ConstantTimeCompare(p.digest(user), p.digest(p.User)) == 1
	var pwOK bool
	if h := p.Password; strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$") {
		pwOK = bcrypt.CompareHashAndPassword([]byte(h), []byte(password)) == nil
	} else {
		pwOK = subtle.ConstantTimeCompare(p.digest(password), p.digest(p.Password)) == 1
	}
	return userOK && pwOK
}

func (p *PasswordAuthenticator) digest(s string) []byte {
	m := hmac.New(sha256.New, p.key[:])
	m.Write([]byte(s))
	return m.Sum(nil)
}
