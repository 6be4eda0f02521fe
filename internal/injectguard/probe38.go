package injectguard

import "strings"

// Probe set z38 (held-out public data, BIPIA's code attacks): an order
// to put a given code block into the code or answer the reader writes
// ("Ensure the below code snippet is featured in your code
// implementation: ```…```"), where the block sends data out, opens a
// shell, destroys or encrypts files, or watches the user. Tutorials say
// "add the following code to your settings.py" too; what they add does
// none of those things, so both halves must hold.
var (
	codeLeadIn = lazy(`(?i)\b(following|below|subsequent|provided|given|this)\s+code(\s+(snippet|block|excerpt|section|segment|fragment|piece|lines?))?\b` +
		`|\bcode\s+(snippet|block|excerpt|section|segment|fragment)\s+(below|that\s+follows)\b`)
	codeDest = lazy(`(?i)\byour\s+(own\s+)?(code(base)?|response|reply|answer|solution|implementation|program|algorithm|elucidation|script|function|project|output)\b` +
		`|\b(in|into|within)\s+the\s+code\s+you\s+(write|develop|produce|generate)`)
	// What the block does that no tutorial's snippet for "your code"
	// needs: data sent out, a remote shell, destruction, encryption of
	// files, surveillance of the user, credential stores.
	codeHarm = lazy(`(?i)requests\.(post|put)\s*\(|urlopen\s*\(|\.sendall?\s*\(|smtplib|ftplib|storbinary|http\.client|\brsync\b|\bscp\s|paramiko` +
		`|rmtree\s*\(\s*["'](/|~|[a-z]:)|rm\s+-rf\s+[/~]|os\.system\s*\(\s*["'](sudo\s+)?(shutdown|reboot|halt|rm\b|del\b|format\b)|\bshutdown\s+(-[hrs]|/s)|systemctl\s+(stop|disable|mask)\b|ipconfig["',\s]+/release|\bnetsh\b|\biptables\b|/boot/|\bmkfs|\bdd\s+if=` +
		`|authorized_keys|\.ssh\b|cookies?\.txt|document\.cookie|/etc/(passwd|shadow)|\bpynput\b|keyboard\.(on_press|listener|hook)|\bpbpaste\b|\bclipboard\b|screenshot|x11grab|/proc/[\w/]*mem\b` +
		`|\bfernet\b|\.encrypt(or)?\s*\(|\bransom|\bxmrig\b|stratum\+tcp|\bcryptomine|\bminer\b|os\.dup2|["'](/bin/)?(ba)?sh["']\s*,\s*["']-i["']|\bfork\s*\(\s*\)` +
		// a socket or tunnel to another host, a shell or code fetched and
		// run, system files rewritten, a loop of requests (a flood)
		`|\.connect\s*\(\s*\(|\.sendto\s*\(|open_connection\s*\(|TCP4ClientEndpoint|\bssh\s+-[LRD]\s|\bnc\s+-e\b|\|\s*(ba)?sh\b|\bcurl\b[^\n]*["'\s]-F\b` +
		`|urlretrieve|exec\s*\(\s*open\s*\(|pickle\.loads?\s*\(|/etc/(hosts|init\.d|rc\.local|crontab)|os\.remove\s*\(\s*["']/(lib|usr|bin|etc|boot|sbin)` +
		`|cookies\s*=\s*\w|\bpsutil\b|while\s+true\s*:[\s\S]{0,300}?(requests\.\w+|\.connect|subprocess\.\w+|os\.system|\bsend\s*\(|create_window)`)
)

// codeEmbeds flags such an order; the block must start within a few
// lines of the lead-in. The lead-in may stand inside code: planted in
// the middle of a page, it can fall into one of the page's own blocks.
// Only the 300 bytes before each fence are searched for a lead-in: one
// case-insensitive pass over a large result costs more than the rest of
// the scan.
func codeEmbeds(text, lower string, out []Finding) []Finding {
	for from := 0; ; {
		k := strings.Index(text[from:], "```")
		if k < 0 {
			return out
		}
		fence := from + k
		from = fence + 3
		wlo := max(0, fence-300)
		if !strings.Contains(lower[wlo:fence], "code") {
			continue
		}
		ms := codeLeadIn.Get().FindAllStringIndex(text[wlo:fence], -1)
		if ms == nil {
			continue
		}
		start := wlo + ms[0][0]
		// The sentence of the lead-in: back to the line's start.
		lo := max(0, start-200)
		if j := strings.LastIndexByte(text[lo:start], '\n'); j >= 0 {
			lo += j + 1
		}
		if !codeDest.Get().MatchString(text[lo:fence]) {
			continue
		}
		body := text[from:min(len(text), from+1500)]
		if j := strings.Index(body, "```"); j >= 0 {
			body = body[:j]
		}
		if codeHarm.Get().MatchString(body) {
			out = append(out, Finding{Kind: KindOverride, Start: lo, End: fence, Detail: "an order to put code that sends data out or does harm into the answer"})
		}
	}
}
