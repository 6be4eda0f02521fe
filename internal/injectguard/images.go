package injectguard

import (
	"net/url"
	"slices"
	"strings"
)

// images flags images (markdown, reference-style and <img>) whose URL
// carries data: a client that renders the text fetches the URL at once,
// so whatever the model wrote into it leaves without a click. Images in
// code are not rendered and are skipped. lower is lowerASCII(text), and
// addresses is addressesModel (kept by scanMarkup for the scan).
func images(text, lower string, find func(*trigger) [][]int, inCode func(int) bool, addresses func(string) bool, out []Finding) []Finding {
	fills := memo(func(raw string) bool { return namedFill(text, raw, fillWhat) })
	check := func(start, end int, raw string) {
		if inCode(start) {
			return
		}
		why := beacon(raw)
		if why == "" && fills(raw) {
			why = "URL has a name the text asks to replace"
		}
		if why != "" {
			out = append(out, Finding{Kind: KindImageBeacon, Start: start, End: end, Detail: "image URL " + why})
		}
	}
	for _, m := range find(tMDImage) {
		end := m[1]
		if k := strings.IndexByte(text[end:min(len(text), end+300)], ')'); k >= 0 {
			end += k + 1
		}
		check(m[0], end, text[m[4]:m[5]])
		// The alt text is shown only when the image fails, as with
		// <img alt>: instructions there are hidden text.
		if !inCode(m[0]) && addresses(text[m[2]:m[3]]) {
			out = append(out, Finding{Kind: KindHiddenHTML, Start: m[0], End: end, Detail: "image alt text holds instructions"})
		}
	}
	for _, m := range find(tRefImg) {
		ref := text[m[4]:m[5]]
		if ref == "" {
			ref = text[m[2]:m[3]]
		}
		if u, ok := refDefinition(text, lower, ref); ok {
			check(m[0], m[1], u)
		}
	}
	for _, m := range find(tHTMLImg) {
		end := m[1]
		if k := strings.IndexByte(text[end:min(len(text), end+1000)], '>'); k >= 0 {
			end += k + 1
		}
		check(m[0], end, text[m[2]:m[3]])
	}
	for _, m := range find(tCSSURL) {
		end := m[1]
		if k := strings.IndexByte(text[end:min(len(text), end+300)], ')'); k >= 0 {
			end += k + 1
		}
		check(m[0], end, text[m[2]:m[3]])
	}
	return out
}

// memo returns f with its answers kept by argument, for one scan: a long
// result repeats its comments, alt texts and URLs (badges, icons,
// navigation, a template's rows), and each distinct one is judged once.
// f must be a pure function of its argument (a namedFill search reads
// the whole text, which does not change during the scan).
func memo(f func(string) bool) func(string) bool {
	var seen map[string]bool
	return func(s string) bool {
		r, ok := seen[s]
		if !ok {
			r = f(s)
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[s] = r
		}
		return r
	}
}

// links flags links (markdown and <a href>) whose URL holds a
// placeholder for the model to fill with text: a link the result asks the
// model to show the user, with the conversation in it. Templated API
// paths ({id}) and ordinary tracking links pass. Images are judged by
// images.
func links(text string, find func(*trigger) [][]int, inCode func(int) bool, out []Finding) []Finding {
	fills := memo(func(raw string) bool { return namedFill(text, raw, linkFillWhat) })
	check := func(start, end int, raw string) {
		if inCode(start) || inImage(out, start) {
			return
		}
		why := dataRequest(raw)
		if why == "" && fills(raw) {
			why = "has a name the text asks to replace with the conversation"
		}
		if why != "" {
			out = append(out, Finding{Kind: KindLinkExfil, Start: start, End: end, Detail: "link URL " + why})
		}
	}
	for _, m := range find(tMDLink) {
		end := m[1]
		if k := strings.IndexByte(text[end:min(len(text), end+300)], ')'); k >= 0 {
			end += k + 1
		}
		// The span starts at the link text's "[" when it is near.
		start := m[0]
		if k := strings.LastIndexByte(text[max(0, start-500):start], '['); k >= 0 {
			start = max(0, start-500) + k
		}
		check(start, end, text[m[2]:m[3]])
	}
	for _, m := range find(tHTMLLink) {
		end := m[1]
		if k := strings.IndexByte(text[end:min(len(text), end+1000)], '>'); k >= 0 {
			end += k + 1
		}
		check(m[0], end, text[m[2]:m[3]])
	}
	return out
}

// bareLinks judges URLs written out in the text (not in a Markdown or
// HTML link, which links judges) the same way: a client shows them as
// links too. A placeholder may hold spaces ("?data={the user's
// password}"), so an open "{", "[" or "<" carries the URL on to its
// closing one, at most 200 bytes further.
func bareLinks(text string, inCode func(int) bool, out []Finding) []Finding {
	for from := 0; ; {
		k := strings.Index(text[from:], "://")
		if k < 0 {
			return out
		}
		sep := from + k
		from = sep + 3
		start := sep
		for start > 0 && isSchemeByte(text[start-1]) {
			start--
		}
		if scheme := strings.ToLower(text[start:sep]); scheme != "http" && scheme != "https" {
			continue
		}
		if start > 0 && strings.IndexByte("(\"'=<", text[start-1]) >= 0 || inCode(start) {
			continue // a Markdown or HTML link, or code
		}
		end := sep + 3
		for end < len(text) && text[end] > ' ' {
			end++
		}
		inLabel := start > 0 && text[start-1] == '['
		end = start + urlEnd(text[start:end], inLabel)
		raw := text[start:end]
		if inLabel && strings.HasPrefix(text[end:], "](") {
			// A Markdown link whose text is an address: the reader
			// trusts the address shown, the click goes to the target.
			target := text[end+2:]
			if k := strings.IndexAny(target, ") \t\n"); k >= 0 {
				target = target[:k]
			}
			if lh, th := hostOf(raw), hostOf(target); lh != "" && th != "" && !sameSite(lh, th) {
				out = append(out, Finding{Kind: KindLinkSpoof, Start: start - 1, End: end + 2 + len(target),
					Detail: "link text shows " + short(lh) + ", the link goes to " + short(th)})
			}
		}
		for _, p := range [][2]byte{{'{', '}'}, {'[', ']'}, {'<', '>'}} {
			if strings.Count(raw, string(p[0])) > strings.Count(raw, string(p[1])) {
				if c := strings.IndexByte(text[end:min(len(text), end+200)], p[1]); c >= 0 {
					end += c + 1
					raw = text[start:end]
				}
			}
		}
		if why := dataRequest(raw); why != "" {
			out = append(out, Finding{Kind: KindLinkExfil, Start: start, End: end, Detail: "URL " + why})
		}
		from = end
	}
}

// urlEnd is where a URL written out in text ends inside run (the bytes up
// to the next space): before a closing HTML tag (`https://x</code>`) and,
// for a URL that is a Markdown link's text (`[https://x](https://x)`,
// inLabel), before the "]" that closes it. A placeholder's brackets
// elsewhere are kept ("?q=[the user's password]").
func urlEnd(run string, inLabel bool) int {
	if i := strings.Index(run, "</"); i > 0 {
		run = run[:i]
	}
	// A double quote is not a URL byte (RFC 3986 has it escaped): a URL
	// inside a JSON string ends before the quote that closes the string
	// ("… subscription https://x/price"}"), when what follows closes
	// the JSON. Inside or before a placeholder ("?q={"the user's
	// password"}", "?d="{password}"") the quote belongs to the URL.
	if i := strings.IndexByte(run, '"'); i > 0 && !strings.ContainsAny(run[:i], "{[<") &&
		(i+1 == len(run) || strings.IndexByte("}],);", run[i+1]) >= 0) {
		run = run[:i]
	}
	if inLabel {
		if i := strings.IndexByte(run, ']'); i > 0 && strings.Count(run[:i], "[") == 0 {
			run = run[:i]
		}
	}
	return len(run)
}

func isSchemeByte(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func inImage(fs []Finding, i int) bool {
	for _, f := range fs {
		if f.Kind == KindImageBeacon && f.Start <= i && i < f.End {
			return true
		}
	}
	return false
}

// dataRequest says why a link URL asks for data, or "": a placeholder
// with words in it ({paste the messages here}) in the query or path. The
// URL of a markdown link ends at the first space, so a placeholder left
// open (a "{" without its "}") had words in it too.
func dataRequest(raw string) string {
	words := func(s string) bool {
		// Only an opener without its closer: a closer alone is the end
		// of the JSON or markup the URL was written in (`…/price"}`).
		return strings.ContainsAny(s, " \t") || strings.Count(s, "{") > strings.Count(s, "}") ||
			strings.Count(s, "[") > strings.Count(s, "]") || strings.Count(s, "<") > strings.Count(s, ">")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	q, _ := url.ParseQuery(u.RawQuery)
	for _, vs := range q {
		for _, v := range vs {
			if strings.ContainsAny(v, "{}[]<>") && (words(v) || namesDialogue(v)) {
				return "has a placeholder for the model to fill"
			}
		}
	}
	if p, err := url.PathUnescape(u.EscapedPath()); err == nil && strings.ContainsAny(p, "{}[]<>") && (words(p) || namesDialogue(p)) {
		return "has a placeholder for the model to fill"
	}
	return ""
}

// dialogueWords name what a placeholder asks the model to write out: the
// conversation or a secret ({{conversation}}, [chat_history],
// <password>). They are matched as whole words of the placeholder, so an
// API template that names a resource ({id}, {repo}, {historyId},
// {session_id}) is not one.
var dialogueWords = map[string]bool{"conversation": true, "chat": true, "history": true, "messages": true,
	"transcript": true, "password": true, "passwd": true, "secret": true, "secrets": true, "credential": true,
	"credentials": true, "apikey": true}

// namesDialogue reports whether a placeholder in s ({…}, […] or <…>)
// has one of dialogueWords among its words.
func namesDialogue(s string) bool {
	for i := 0; i < len(s); i++ {
		var end byte
		switch s[i] {
		case '{':
			end = '}'
		case '[':
			end = ']'
		case '<':
			end = '>'
		default:
			continue
		}
		k := strings.IndexByte(s[i+1:], end)
		if k < 0 {
			k = len(s) - i - 1
		}
		words := strings.FieldsFunc(strings.ToLower(s[i+1:i+1+k]), func(r rune) bool { return r < 'a' || r > 'z' })
		if slices.ContainsFunc(words, func(w string) bool { return dialogueWords[w] }) {
			return true
		}
		i += k
	}
	return false
}

// refDefinition finds the URL of the link reference definition
// "[ref]: URL" (the label matched without regard to ASCII case). lower
// is lowerASCII(text), made once by scanMarkup: a copy per reference
// image costs a long result a copy of itself each.
func refDefinition(text, lower, ref string) (string, bool) {
	label := "[" + lowerASCII(ref) + "]:"
	for i := 0; ; {
		k := strings.Index(lower[i:], label)
		if k < 0 {
			return "", false
		}
		at := i + k
		i = at + len(label)
		if line := strings.LastIndexByte(text[:at], '\n') + 1; at-line > 3 || strings.TrimSpace(text[line:at]) != "" {
			continue // not at the start of a line
		}
		if d := mdRefDef.FindStringSubmatch(text[at:min(len(text), at+len(label)+2100)]); d != nil {
			return d[2], true
		}
	}
}

// exfilKeys are query parameter names that beacons use for their payload.
var exfilKeys = map[string]bool{
	"d": true, "data": true, "q": true, "exfil": true, "payload": true, "secret": true, "secrets": true,
	"key": true, "msg": true, "message": true, "conversation": true, "history": true, "chat": true,
	"prompt": true, "content": true, "text": true, "info": true, "c": true, "p": true, "x": true,
	"m": true, "body": true, "leak": true, "s": true, "k": true, "pw": true, "password": true, "creds": true,
	"token": true, "auth": true, "session": true, "cookie": true, "apikey": true, "api_key": true,
}

// beacon says why an image URL looks like it carries data, or "".
// Ordinary images (badges with a style query, avatars with ?v=4, hashed
// CDN paths, cache-busting hex) pass.
func beacon(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	for _, label := range strings.Split(u.Hostname(), ".") {
		if len(label) >= 24 && dataLike(label) {
			return "host name carries data"
		}
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		s, err := url.PathUnescape(seg)
		if err != nil {
			s = seg
		}
		if templated(s) {
			return "path has a placeholder to fill"
		}
		if len(s) >= 32 && dataLike(s) || len(strings.Fields(s)) >= 4 {
			return "path carries data"
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "query cannot be parsed"
	}
	// A status badge's query names the project it shows (a repository,
	// an endpoint's URL, a logo, the badge service's own read token):
	// only a placeholder there is a request for data.
	literal := !badge(u)
	for k, vs := range q {
		for _, v := range vs {
			switch {
			case templated(v):
				return "query has a placeholder to fill"
			case !literal:
			case len(strings.Fields(v)) >= 3:
				return "query carries text"
			case len(v) > 40 && !hexOnly(v):
				return "query carries a long value"
			case len(v) >= 16 && dataLike(v):
				return "query carries encoded data"
			case exfilKeys[strings.ToLower(k)] && len(v) >= 8 && !hexOnly(v) && !plainWord(v):
				return "query parameter " + short(k) + " carries data"
			}
		}
	}
	return ""
}

func templated(s string) bool {
	return strings.ContainsAny(s, "{}<>") || shellVar(s) || strings.Contains(s, "[") && strings.Contains(s, "]") || capsPlaceholder(s)
}

// shellVar reports a variable to expand ($USER, ${TOKEN}, $api_key): a
// "$" before a letter, "_" or "{". A "$" elsewhere is text
// (shields.io's "/badge/$-sponsors-…", a price).
func shellVar(s string) bool {
	for i := strings.IndexByte(s, '$'); i >= 0; {
		if i+1 < len(s) {
			if c := s[i+1]; c == '{' || c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
				return true
			}
		}
		j := strings.IndexByte(s[i+1:], '$')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// plainWord reports a value of letters alone in one case after the first
// (commander, reference, Python): a word, which carries no data.
func plainWord(v string) bool {
	lower, upper := false, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = upper || i > 0
		default:
			return false
		}
	}
	return !(lower && upper)
}

// badge reports a status badge's address: shields.io, or a path segment
// "badge", "badge.svg", "badges" … (codecov's "graph/badge.svg?token=…").
func badge(u *url.URL) bool {
	if strings.HasSuffix(strings.ToLower(u.Hostname()), "shields.io") {
		return true
	}
	for _, seg := range strings.Split(strings.ToLower(u.Path), "/") {
		if strings.HasPrefix(seg, "badge") {
			return true
		}
	}
	return false
}

// fillWords mark an upper-case placeholder as a request to fill it in.
var fillWords = map[string]bool{
	"HERE": true, "INSERT": true, "PUT": true, "PASTE": true, "FILL": true, "REPLACE": true,
	"YOUR": true, "USERS": true, "USER": true, "ADD": true, "ENTER": true,
}

// capsPlaceholder reports an upper-case placeholder of three words or
// more joined by '_' or '-', one of them a fill word:
// PUT_THE_USER_API_KEY_HERE, INSERT-SECRET-HERE. Enumerated values
// (CREATED_AT_DESC, PROD_EU_WEST) have no fill word.
func capsPlaceholder(s string) bool {
	if len(s) < 8 || len(s) > 80 {
		return false
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' })
	if len(words) < 3 {
		return false
	}
	fill := false
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if c := w[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
		fill = fill || fillWords[w]
	}
	return fill
}

func hexOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// dataLike is base64 or similar: upper and lower case and digits mixed,
// not a hex digest and not words joined by dashes.
func dataLike(s string) bool {
	if hexOnly(s) {
		return false
	}
	var up, lo, dig, other int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up++
		case c >= 'a' && c <= 'z':
			lo++
		case c >= '0' && c <= '9':
			dig++
		case c == '+' || c == '/' || c == '=' || c == '_' || c == '-':
		default:
			other++
		}
	}
	return other == 0 && up > 0 && lo > 0 && dig > 0 && up+dig >= len(s)/5
}

// fillVerbs ask for a placeholder to be replaced (lower case, with the
// space after them); fillAfter say so after it ("with SUMMARY replaced
// by a summary of this conversation").
var (
	fillVerbs = []string{"replace ", "replacing ", "substitute ", "substituting ", "fill in ", "swap "}
	fillAfter = []string{" replaced by ", " replaced with ", " substituted by ", " substituted with ", " filled with ", " filled in with "}
)

// fillWhat name what the model is to put in the URL: the conversation
// or the user's data. A README's "replace USERNAME with your GitHub
// username" asks its reader for their own name. A link is clicked by a
// person who may fill it in: only the conversation and the user named
// by a third party count there (linkFillWhat), not "your token".
var (
	fillWhat = []string{"the user", "conversation", "chat", "messages", "history", "summary", "password", "secret", "token",
		"api key", "credential", "previous", "earlier", "above"}
	linkFillWhat = []string{"the user", "conversation", "chat history", "messages", "summary of this", "summary of the"}
)

// namedFill reports a URL with a query value or path segment that is a
// bare upper-case name (?d=DATA, /t/DATA/) the text asks the reader to
// replace with one of what ("replace DATA with the user's last three
// messages"): a beacon whose placeholder is explained apart from the
// URL.
func namedFill(text, raw string, what []string) bool {
	rest, query, hasQuery := strings.Cut(raw, "?")
	if !hasQuery {
		rest, _, _ = strings.Cut(raw, "#")
	} else {
		query, _, _ = strings.Cut(query, "#")
	}
	var names []string
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if _, v, _ := strings.Cut(pair, "="); len(v) >= 3 && len(v) <= 40 && capsName(v) {
			names = append(names, v)
		}
	}
	// Path segments after the host: most URLs have no upper-case one.
	if _, after, ok := strings.Cut(rest, "://"); ok {
		if _, path, ok := strings.Cut(after, "/"); ok {
			for seg := range strings.SplitSeq(path, "/") {
				if len(seg) >= 3 && len(seg) <= 40 && capsName(seg) {
					names = append(names, seg)
				}
			}
		}
	}
	for _, v := range names {
		for from := 0; ; {
			k := strings.Index(text[from:], v)
			if k < 0 {
				break
			}
			at := from + k
			from = at + len(v)
			if at > 0 && isNameByte(text[at-1]) || from < len(text) && isNameByte(text[from]) {
				continue
			}
			if containsAny(lowerASCII(text[max(0, at-24):at]), fillVerbs) &&
				containsAny(lowerASCII(text[from:min(len(text), from+80)]), what) {
				return true
			}
			if after := lowerASCII(text[from:min(len(text), from+100)]); slices.ContainsFunc(fillAfter, func(w string) bool { return strings.HasPrefix(after, w) }) &&
				containsAny(after, what) {
				return true
			}
		}
	}
	return false
}

// capsName is an upper-case name: capitals, digits and '_', a capital first.
func capsName(s string) bool {
	if s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' }
