package poison

import "strings"

// Probe set 75: the user's confirmation waived in other words than
// skipAsking's "do not ask the user for confirmation": "no confirmation
// is needed", "without asking the user", "without waiting for human
// approvals", "without showing a confirmation prompt", "must not be
// shown to the user for confirmation", a title that ends "do not ask
// the user", and the same in French, Spanish, German, Portuguese,
// Korean, Japanese, Chinese and Russian ("sans demander de
// confirmation", "사용자에게 다시 묻지 말고"). Statements of what a
// tool does pass: "if true, deletes without asking" (no order: the
// -s form), "requires confirmation", "confirmation is needed".
var (
	waiveConsent = lazy(`(?i)\bno\s+(further\s+|user\s+|additional\s+|explicit\s+|separate\s+)?(confirmation|approval|consent)\s+(is\s+|will\s+be\s+)?(needed|required|necessary)\b` +
		`|\bwithout\s+(first\s+)?(asking|consulting|checking\s+with|confirming\s+with)\s+(the\s+user|the\s+human|the\s+customer|them|anyone)\b` +
		`|\bwithout\s+(waiting\s+for|requiring|needing|seeking|getting|requesting)\s+(any\s+|the\s+|a\s+)?(human|user|manual|explicit|their|the\s+user'?s)?\s*(approvals?|confirmations?|consent|reviews?|sign-?off)\b` +
		`|\bwithout\s+(showing|displaying|presenting)\s+(a\s+|any\s+|the\s+)?(confirmation|approval|consent)\s+(prompt|dialog|step|screen)` +
		`|\b(must|should|shall|need)\s+not\s+be\s+(shown|presented|sent)\s+to\s+the\s+user\s+for\s+(confirmation|approval|consent)` +
		`|(^|[;:,.]\s*)(do\s+not|don't|never)\s+ask\s+(the\s+user|the\s+human|them)\s*([.;!)"]|$)`)
	// The same in other languages, run apart: English text skips it.
	waiveConsentMore = lazy(`(?i)\bsans\s+(demander|attendre|solliciter)\s+(de\s+|la\s+|sa\s+|leur\s+|d['’]|l['’])?(confirmation|validation|accord|autorisation|approbation)` +
		`|\bsin\s+(pedir|solicitar|esperar)\s+(la\s+|su\s+)?(confirmaci[óo]n|aprobaci[óo]n|autorizaci[óo]n|permiso)|\bno\s+(pidas|pida|solicites|solicite)\s+(la\s+)?confirmaci[óo]n` +
		`|\bohne\s+(vorherige\s+)?(Rückfrage|Bestätigung|Nachfrage|Zustimmung)` +
		`|\bsem\s+(pedir|solicitar|aguardar)\s+(a\s+)?(confirma[çc][ãa]o|aprova[çc][ãa]o|autoriza[çc][ãa]o)` +
		`|(사용자|유저|고객)(에게|께)\s*(다시\s*)?(묻지|확인하지|물어보지|확인을\s*받지)\s*(말고|않고)|확인\s*(창|절차|메시지)[^.]{0,20}(표시하지|생략)` +
		`|(ユーザー|利用者)に(確認|尋ね|聞か|許可を求め)(せず|ずに|ないで)|確認(なし|不要)で` +
		`|(无需|無需|无须|不需要|不必)(用户|用戶)?(确认|確認|同意|批准)|不要(询问|詢問|征求)(用户|用戶)` +
		`|без\s+(подтверждения|согласия)\s+(пользовател|клиент)|не\s+спрашивая\s+пользовател`)
	// "Whatever setting the user asked to change, also set …": an
	// addition to every call, whatever the user wanted.
	whateverAlso = lazy(`(?i)\b(whatever|whichever|regardless\s+of\s+(what|which))\s+(\w+\s+){0,2}(the\s+user|they)\s+(asked|asks|requested|requests|wants?|wanted|chose|chooses|picks?|names?)\b[^.;]{0,60}\b(also|additionally|always)\s+(set|add|send|call|include|change|forward|cc|bcc)\b`)
)

// consentOrders adds the findings above; l is s in lower case.
func consentOrders(s, l string, g *bigrams, add func(rule, detail string)) {
	if len(s) < 16 {
		return
	}
	if !isASCII(s) || g.hasAny(l, "no ", "without", "not be", "ask", "sans ", "sin ", "sem ", "ohne ") && g.hasAny(l, "no further", "no user ", "no confirmation", "no approval", "no consent", "no additional", "no explicit", "no separate", "without ",
		"not be shown", "not be presented", "not be sent", "sans ", "sin ", "sem ", "ohne ", "no pida", "no solicite") || g.contains(l, "ask") && askEnds(l) {
		m := waiveConsent.FindString(s)
		if m == "" && (!isASCII(s) || g.hasAny(l, "sans ", "sin ", "sem ", "ohne ", "no pida", "no solicite")) {
			m = waiveConsentMore.FindString(s)
		}
		if m != "" && !thirdPerson(s, m) {
			add("poison.skip-confirmation", "tells the model not to ask the user: "+quoteShort(strings.TrimSpace(m)))
		}
	}
	if g.contains(l, "whatever") || g.contains(l, "whichever") || g.contains(l, "regardless") {
		if m := whateverAlso.FindString(s); m != "" {
			add("poison.user-override", "tells the model to add to every call whatever the user asked: "+quoteShort(m))
		}
	}
}

// thirdPerson reports whether the waiver m follows a verb in the -s
// form ("if true, deletes without asking the user", "runs silently
// without asking"): a statement of what the tool does, not an order.
func thirdPerson(s, m string) bool {
	i := strings.Index(s, m)
	if i <= 0 || !strings.HasPrefix(strings.ToLower(m), "without") {
		return false
	}
	before := strings.Fields(s[max(0, i-40):i])
	for j := len(before) - 1; j >= 0; j-- {
		if strings.HasSuffix(before[j], ",") || strings.HasSuffix(before[j], ";") {
			return false // "grant it to whoever asks, without asking the user"
		}
		w := strings.ToLower(strings.Trim(before[j], ":()"))
		if strings.HasSuffix(w, "ly") {
			continue // an adverb: "deletes immediately without asking"
		}
		return len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss")
	}
	return false
}

// askEnds reports whether l has "ask the user" (them, the human) with
// nothing after it in its clause: "…; do not ask the user".
func askEnds(l string) bool {
	for _, w := range []string{"ask the user", "ask them", "ask the human"} {
		for i := strings.Index(l, w); i >= 0; {
			rest := strings.TrimLeft(l[i+len(w):], " ")
			if rest == "" || strings.IndexByte(".;!)\"", rest[0]) >= 0 {
				return true
			}
			j := strings.Index(l[i+1:], w)
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return false
}
