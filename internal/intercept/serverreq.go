package intercept

import (
	"encoding/json"
	"log/slog"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// Server→client requests carry text the other way round from results:
//
//   - sampling/createMessage puts the server's text in front of the
//     client's model (messages, system prompt): planted instructions reach
//     the model as surely as through a tool result, and the model's answer
//     goes back to the server, where a steered model can put the user's
//     secrets;
//   - elicitation/create in form mode asks the user to type values into a
//     form the client draws. The protocol forbids asking for sensitive
//     data that way (passwords, keys, tokens, payment data go through URL
//     mode, to a page of the server's own): a form that asks for one is
//     the phishing a compromised server can do.
//
// Both are judged by the server's manifest `results` settings, as
// notifications are. What the gateway does is logged (server, method,
// rule); a request refused during a call is also named in that call's
// record (the session notes it).
//
// In the 2026-07-28 era the same requests travel inside a call's result
// (`"resultType": "input_required"`, `inputRequests`), and the client's
// answers inside the call it retries (`inputResponses`): the results
// stage checks the first (inputRequestsRefused; a sampling request's text
// is read with the rest of the result) and masks the second
// (maskInputResponses).

// Rule ids of server→client requests.
const (
	RuleElicitationSecret = "elicitation.secret"
	RuleElicitationURL    = "elicitation.url"
	RuleSamplingPrefix    = "sampling."
)

// ServerRequests returns the filter for server→client requests (the
// session's Options.ServerRequests): a form elicitation that asks for a
// secret is refused unless `results.secrets` is monitor (noted) or off; a
// sampling request's text gets the results treatment (secrets masked,
// planted instructions neutralized, and refused where a result would be
// withheld).
func ServerRequests(ms map[string]*manifest.Manifest, log *slog.Logger) func(server string, msg *mcpwire.Message) (*mcpwire.Message, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(server string, msg *mcpwire.Message) (*mcpwire.Message, error) {
		var set manifest.Results
		if m := ms[server]; m != nil {
			set = m.Results
		}
		switch msg.Method {
		case "elicitation/create":
			if set.Secrets == manifest.SecretsOff {
				return msg, nil
			}
			rule, why := elicitationRefused(msg.Params)
			if rule == "" {
				return msg, nil
			}
			if set.Secrets == manifest.SecretsMonitor {
				log.Warn("elicitation refused (monitor: passed on)", "server", server, "rule", rule, "why", why)
				return msg, nil
			}
			return nil, &Denial{Rule: rule, Code: CodeDenied, Public: "mcpwarden refused this elicitation: " + why}
		case "sampling/createMessage":
			if len(msg.Params) == 0 {
				return msg, nil
			}
			in := cleanValue(msg.Params, set)
			if len(in.notes) > 0 {
				log.Warn("sampling request inspected", "server", server, "rule", in.rule, "monitor", in.monitorOnly, "notes", strings.Join(in.notes, "; "))
			}
			if in.withhold != "" {
				return nil, &Denial{Rule: RuleSamplingPrefix + in.rule, Code: CodeDenied,
					Public: "mcpwarden refused this sampling request: " + in.withhold + " (rule " + in.rule + ")"}
			}
			return withParams(msg, in.out)
		}
		return msg, nil
	}
}

// ClientAnswers returns the filter for the client's answers to
// server→client requests (the session's Options.ClientAnswers): the
// text of a sampling answer, the model's words going to the server, has
// its secrets masked as a result's would be (`results.secrets`), and an
// answer whose secrets cannot be masked becomes an error. Other answers
// (elicitation: what the user typed into a form the gateway let through;
// roots) pass as they are.
func ClientAnswers(ms map[string]*manifest.Manifest, log *slog.Logger) func(server, method string, msg *mcpwire.Message) *mcpwire.Message {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(server, method string, msg *mcpwire.Message) *mcpwire.Message {
		if method != "sampling/createMessage" || msg.Kind != mcpwire.KindResponse || len(msg.Result) == 0 {
			return msg
		}
		set := manifest.Results{Secrets: manifest.SecretsRedact, Injection: manifest.InjectionMonitor}
		if m := ms[server]; m != nil && m.Results.Secrets != "" {
			set.Secrets = m.Results.Secrets
		}
		if set.Secrets == manifest.SecretsOff {
			return msg
		}
		in := cleanValue(msg.Result, set)
		if len(in.notes) > 0 {
			log.Warn("sampling answer inspected", "server", server, "rule", in.rule, "monitor", in.monitorOnly, "notes", strings.Join(in.notes, "; "))
		}
		if in.withhold != "" {
			return withheldAnswer(msg, in.withhold+" (rule "+in.rule+")")
		}
		if sameBytes(in.out, msg.Result) {
			return msg
		}
		raw, err := mcpwire.Set(msg.Raw, "result", in.out)
		if err == nil {
			if nm, perr := mcpwire.Parse(raw); perr == nil {
				return nm
			}
		}
		return withheldAnswer(msg, "the masked answer is not valid")
	}
}

// withheldAnswer is the error the server gets in place of the client's
// answer msg: never nil, and never the answer itself.
func withheldAnswer(msg *mcpwire.Message, why string) *mcpwire.Message {
	raw := mcpwire.NewError(msg.ID, CodeDenied, "mcpwarden withheld the client's answer: "+why, nil)
	if e, err := mcpwire.Parse(raw); err == nil {
		return e
	}
	// Not reachable with an id the session parsed; the message is still
	// the error, for the server to read as one.
	return &mcpwire.Message{Raw: raw, Kind: mcpwire.KindError, ID: msg.ID}
}

// withParams returns msg with params p (msg itself when p is its params).
func withParams(msg *mcpwire.Message, p []byte) (*mcpwire.Message, error) {
	if sameBytes(p, msg.Params) {
		return msg, nil
	}
	raw, err := mcpwire.Set(msg.Raw, "params", p)
	if err == nil {
		var nm *mcpwire.Message
		if nm, err = mcpwire.Parse(raw); err == nil {
			return nm, nil
		}
	}
	return nil, &Denial{Rule: RuleSamplingPrefix + "rewrite", Code: CodeDenied, Public: "mcpwarden refused this sampling request: the cleaned request is not valid", Detail: err.Error()}
}

// elicitationRefused reports why an elicitation must not reach the
// user: a form that asks for a secret (elicitation.secret), or a URL-mode
// elicitation whose address is not one a person can trust at a glance
// (elicitation.url: not https, or with userinfo that puts another name
// before the real host, "https://github.com@attacker.example/").
func elicitationRefused(params []byte) (rule, why string) {
	if field, what := elicitsSecret(params); what != "" {
		return RuleElicitationSecret, "a form may not ask for " + what + " (" + field + "); sensitive data goes through URL-mode elicitation"
	}
	var p struct {
		Mode string `json:"mode"`
		URL  string `json:"url"`
	}
	if json.Unmarshal(params, &p) != nil || p.Mode != "url" {
		return "", ""
	}
	u, err := url.Parse(p.URL)
	switch {
	case err != nil || u.Host == "":
		return RuleElicitationURL, "the page's address is not a URL"
	case u.User != nil:
		return RuleElicitationURL, "the page's address puts a name before its host (" + u.User.Username() + "@), which a person reads as the site"
	case u.Scheme == "https":
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
	default:
		return RuleElicitationURL, "the page's address is not https (" + u.Scheme + ":)"
	}
	return "", ""
}

// loopbackHost: a local development server may use plain http.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// elicitsSecret reports the first field of a form elicitation that asks
// for a secret, and what kind: a property named for a credential
// (password, api_key, token, …) or for payment data, a property whose
// title or description asks for one, or a message that asks the user to
// enter one. A URL-mode elicitation asks for nothing in the form.
func elicitsSecret(params []byte) (field, why string) {
	var p struct {
		Mode            string `json:"mode"`
		Message         string `json:"message"`
		RequestedSchema struct {
			Properties map[string]struct {
				Title       string `json:"title"`
				Description string `json:"description"`
				Format      string `json:"format"`
			} `json:"properties"`
		} `json:"requestedSchema"`
	}
	if err := json.Unmarshal(params, &p); err != nil || p.Mode == "url" {
		return "", ""
	}
	props := p.RequestedSchema.Properties
	if len(props) == 0 {
		return "", ""
	}
	for name, pr := range props {
		if w := nameSecret(name); w != "" {
			return "field " + name, w
		}
		if pr.Format == "password" {
			return "field " + name, "a password"
		}
		if t := pr.Title + ". " + pr.Description; asksFor.MatchString(t) {
			if w := secretWord(t, false); w != "" {
				return "field " + name, w
			}
		}
	}
	if asksFor.MatchString(p.Message) {
		if w := secretWord(p.Message, false); w != "" {
			return "the message", w
		}
	}
	return "", ""
}

// nameSecret returns what a property's name says it holds when that is a
// secret: its words name one (password, api_key, githubToken,
// OPENAI_API_KEY, password_confirmation, card_number).
func nameSecret(name string) string { return secretWord(spellName(name), true) }

// quantityWords before a secret's name, and aboutWords after it, make the
// name one of a quantity of it or a thing about it.
var (
	quantityWords = map[string]bool{"max": true, "min": true, "num": true, "number": true, "count": true, "limit": true, "total": true, "budget": true}
	aboutWords    = map[string]bool{"count": true, "limit": true, "used": true, "budget": true, "length": true, "policy": true, "hint": true,
		"name": true, "id": true, "type": true, "expiry": true, "expires": true, "ttl": true, "url": true, "path": true, "file": true, "usage": true}
)

// spellName turns a property name into words: apiKey, api_key, api-key
// and API_KEY all become "api key".
func spellName(name string) string {
	var b strings.Builder
	prevLower := false
	for _, c := range name {
		switch {
		case c == '_' || c == '-' || c == '.':
			b.WriteByte(' ')
			prevLower = false
		case c >= 'A' && c <= 'Z':
			if prevLower {
				b.WriteByte(' ')
			}
			b.WriteRune(c + 'a' - 'A')
			prevLower = false
		default:
			b.WriteRune(c)
			prevLower = c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		}
	}
	return b.String()
}

// secretWords: what a form must not ask for, by the words that name it
// (case-insensitive, on word boundaries), one group per kind of
// secretKinds; the last group is a bare token.
var secretWords = regexp.MustCompile(`(?i)\b(?:(pass ?words?|passwd|pass ?phrases?|pwd)|(api ?keys?|access ?keys?|secret ?keys?|private ?keys?|signing ?keys?|client ?secrets?|secrets?)|((?:access|auth|bearer|refresh|session|api|personal access|github|gitlab|slack|oauth|npm|pypi) ?tokens?)|(seed ?phrases?|recovery ?phrases?|mnemonic)|(credit ?card(?: number)?|card ?numbers?|cvv|cvc|card security ?code|iban)|(one[ -]time ?(?:code|password)|otp|2fa ?code|mfa ?code|verification ?code|pin)|(ssn|social ?security ?number)|(tokens?))\b`)

var secretKinds = []string{"a password", "a key or secret", "a token", "a wallet's recovery phrase", "payment data", "a one-time code or PIN", "a social security number", "a token"}

// secretWord returns what text names that a form must not ask for, or
// "": not a quantity of one or a thing about one (max_tokens,
// token_count, a password policy, a secret's name). A bare "token" counts
// only in a name (free text speaks of tokens of a model's budget too);
// there, the kind of token must be said.
func secretWord(text string, name bool) string {
	for _, m := range secretWords.FindAllStringSubmatchIndex(text, -1) {
		before, after := wordsOf(text[:m[0]]), wordsOf(text[m[1]:])
		if len(before) > 0 && quantityWords[before[len(before)-1]] || len(after) > 0 && aboutWords[after[0]] {
			continue
		}
		if k := kindOf(m, name); k != "" {
			return k
		}
	}
	return ""
}

// wordsOf splits text into lower-case words of letters and digits.
func wordsOf(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f)
	})
}

// kindOf names the group of secretWords that m matched; a bare token
// (the expression's last group) only when name is set.
func kindOf(m []int, name bool) string {
	for g := 1; g*2+1 < len(m); g++ {
		if m[g*2] >= 0 {
			if g == len(secretKinds) && !name {
				return ""
			}
			return secretKinds[g-1]
		}
	}
	return ""
}

// asksFor: the text asks the user to give something (a title or a
// message that only mentions a token, "Token budget", does not).
var asksFor = regexp.MustCompile(`(?i)\b(?:enter|type|paste|provide|input|give|share|submit|confirm|re-?enter|fill in|supply|send|need|required?|your)\b`)

// inputRequestsRefused reports the rule and reason to withhold a result
// for: an input request (2026-07-28) that is a form elicitation asking
// for a secret, unless `secrets` is monitor or off.
func inputRequestsRefused(result []byte, set manifest.Results) (rule, why string) {
	if set.Secrets == manifest.SecretsOff || set.Secrets == manifest.SecretsMonitor {
		return "", ""
	}
	raw, ok := mcpwire.Get(result, "inputRequests")
	if !ok {
		return "", ""
	}
	var reqs map[string]struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if json.Unmarshal(raw, &reqs) != nil {
		return "", ""
	}
	for _, r := range reqs {
		if r.Method != "elicitation/create" {
			continue
		}
		if rule, why := elicitationRefused(r.Params); rule != "" {
			return rule, "the server's elicitation: " + why
		}
	}
	return "", ""
}

// maskInputResponses masks the secrets in the sampling answers of a
// retried call's inputResponses (2026-07-28): the model's text going to
// the server, as ClientAnswers does for the session era. An answer whose
// secrets cannot be masked refuses the call.
func maskInputResponses(x *Exchange, set manifest.Results) error {
	if set.Secrets == manifest.SecretsOff {
		return nil
	}
	raw, ok := mcpwire.Get(x.Msg.Params, "inputResponses")
	if !ok {
		return nil
	}
	var resps map[string]json.RawMessage
	if json.Unmarshal(raw, &resps) != nil {
		return nil
	}
	sec := set.Secrets
	if sec == "" {
		sec = manifest.SecretsRedact
	}
	out := raw
	for k, v := range resps {
		if _, sampled := mcpwire.Get(v, "model"); !sampled {
			continue // an elicitation's or a roots answer
		}
		in := cleanValue(v, manifest.Results{Secrets: sec, Injection: manifest.InjectionMonitor})
		if in.withhold != "" {
			return Deny(RuleSamplingPrefix+in.rule, "mcpwarden withheld the client's sampling answer: "+in.withhold, "")
		}
		if sameBytes(in.out, v) {
			continue
		}
		var err error
		if out, err = mcpwire.Set(out, k, in.out); err != nil {
			return Deny(RuleSamplingPrefix+"rewrite", "the client's sampling answer could not be forwarded", err.Error())
		}
	}
	if sameBytes(out, raw) {
		return nil
	}
	params, err := mcpwire.Set(x.Msg.Params, "inputResponses", out)
	if err == nil {
		var msgRaw []byte
		if msgRaw, err = mcpwire.Set(x.Msg.Raw, "params", params); err == nil {
			var m *mcpwire.Message
			if m, err = mcpwire.Parse(msgRaw); err == nil {
				x.Msg = m
				return nil
			}
		}
	}
	return Deny(RuleSamplingPrefix+"rewrite", "the client's sampling answer could not be forwarded", err.Error())
}
