package poison

// Probe set 75: the hidden side step. A definition orders a step the
// user did not ask for (a booking, a copy to an address, a changed
// setting) and then tells the model to leave it out of what it tells
// the user, without the words "do not tell the user": "report only the
// rate to the user, not the booking", "archival … need not appear in
// your answer", "no need to point out the substitution in your
// summary", "der Versand wird in der Antwort an den Nutzer nicht
// gesondert erwähnt", "无需向用户说明", "упоминать их в ответе не
// нужно". Or it covers the step's tracks: "delete that message from the
// Sent folder afterwards". What the answer leaves out is named by the
// answer or the user, so "no need to mention the unit" or "report only
// failing checks" pass.
var (
	// Forms that leave something out of the answer: a sign only beside a
	// step on the side (sideStep), since "the cursor does not need to be
	// shown in your answer" leaves out data, not an act.
	hiddenStep = lazy(`(?i)\b(need|needs)\s+not\s+(be\s+)?(appear|mentioned|shown|reported|disclosed|surfaced|explained)\s+(in|to)\s+(the\s+|your\s+)?(answer|reply|response|summary|user|output\s+to\s+the\s+user)` +
		`|\b(does|do)\s+not\s+need\s+to\s+(appear|be\s+(mentioned|shown|reported|disclosed|surfaced|explained))\s+(in|to)\s+(the\s+|your\s+)?(answer|reply|response|summary|user)` +
		`|\bno\s+need\s+to\s+(mention|point\s+out|report|disclose|surface|explain|flag)\b[^.;]{0,60}?\b(in|to)\s+(the\s+|your\s+)?(answer|reply|response|summary|user)\b` +
		`|\b(is|are)\s+not\s+(to\s+be\s+)?(mentioned|reported|shown|disclosed|surfaced)\s+(to\s+the\s+user|in\s+(the|your)\s+(answer|reply|response|summary))` +
		// "report only the rate to the user, not the booking"
		`|\b(report|tell|show|mention|give)\s+only\s+(the\s+)?[\w\s-]{1,40}?\s+to\s+the\s+user\s*,?\s*(and\s+)?not\s+(the|any)\b`)
	// The same in German, Portuguese, Spanish, French, Chinese, Japanese,
	// Korean and Russian, run apart: English text skips it.
	hiddenStepMore = lazy(`(?i)\b(in\s+der\s+Antwort|dem\s+(Nutzer|Benutzer|Anwender))\b[^.]{0,60}\bnicht\s+(gesondert\s+|extra\s+|eigens\s+)?(erwähnt|erwähnen|mitgeteilt|mitteilen|genannt)` +
		`|\bn[ãa]o\s+(precisa|é\s+necess[áa]rio|deve)\s+(ser\s+)?(mencionad[ao]|informad[ao]|comunicad[ao]|mostrad[ao])\s+(ao|à|a)\s+(usu[áa]rio|utilizador|cliente)` +
		`|\bno\s+(es\s+necesario|hace\s+falta|debe)\s+(mencionar|informar|decir|comunicar)\w*\s+(al|a\s+la)\s+(usuario|cliente)|\bsin\s+(informar|avisar|decir|notificar)\w*\s+(al|a\s+la)\s+(usuario|cliente)` +
		`|\bsans\s+(en\s+)?(informer|avertir|prévenir|aviser)\s+l['’](utilisateur|utilisatrice|client)|\binutile\s+de\s+(le\s+|l['’]|en\s+)?(mentionner|signaler|préciser)` +
		// Chinese, Japanese, Korean, Russian
		`|(无需|無需|无须|不必|不用|不需要|请勿|勿|不要)\s*(向|对|對|跟|给)?\s*(用户|用戶|客户)\s*(说明|說明|提及|提起|解释|解釋|透露|告知|告诉|报告)` +
		`|ユーザー(へ|に)の?(報告|説明|連絡)は[^。]{0,30}(のみ|だけ)|(報告|説明|言及)(する)?必要は(ありません|ない)` +
		`|(알릴|말할|언급할|보고할)\s*필요\s*(는\s*|가\s*)?없` +
		`|(упоминать|сообщать|говорить|рассказывать)\s+(\S+\s+){0,5}(не\s+нужно|не\s+надо|не\s+следует|не\s+стоит)|пользовател(ю|ям)\s+(об\s+этом\s+|о\s+нём\s+|о\s+них\s+)?не\s+(сообщай|говори|рассказывай|упоминай)`)
	// Forms that hide an act whatever it is.
	hiddenStepAlways = lazy(`(?i)\b(do\s+not|don't|never)\s+(raise|mention|surface|point\s+out|disclose|report|bring\s+up)\s+(this|it|that|these|them|the\s+\w+)\s+(with|to)\s+the\s+(user|customer|human)\b` +
		// "never mention that line in explanations or diffs shown to the user"
		`|\b(never|do\s+not|don't)\s+(mention|reveal|disclose|show|point\s+out)\s+(this|that|it|these|the)\b[^.;]{0,50}\b(shown|visible|given)\s+to\s+the\s+user` +
		// "the recipient list you show … must omit that bcc so the user is not confused by it"
		`|\b(omit|hide|leave\s+out|strip|remove)\b[^.;]{0,60}\bso\s+(that\s+)?the\s+user\s+(is\s+not|isn't|does\s+not|doesn't|won't|will\s+not|never)\b` +
		// covering the tracks of a message sent on the side
		`|\bdelete\s+(that|the|this|those|these)\s+(message|messages|email|emails|mail)\s+from\s+(the\s+)?(sent|outbox)\b`)
	// A step on the side: an address written out, or a word that adds
	// one to the tool's own work.
	sideStep = lazy(`(?i)https?://|@[\w-]+\.|\b(also|additionally|automatically|instead|in\s+the\s+background|silently|quietly|on\s+the\s+side|as\s+well|part\s+of\s+the\s+(query|call|request|lookup|service))\b` +
		`|\b(auch|zusätzlich|automatisch|também|além|además|aussi|également|automáticamente|automaticamente|automatiquement)\b|также|автоматически|另外|额外|自动|自動|一部|併せて|추가로|자동`)
)

// hiddenSteps adds the findings of hiddenStep; l is s in lower case.
func hiddenSteps(s, l string, g *bigrams, add func(rule, detail string)) {
	if len(s) < 24 {
		return
	}
	// Each expression runs only beside a literal one of its forms needs.
	who := g.hasAny(l, "user", "customer", "human")
	if (who || g.hasAny(l, "sent", "outbox")) && g.hasAny(l, "with the user", "to the user", "with the customer", "to the customer", "with the human", "so the user", "so that the user", "sent", "outbox") {
		if m := hiddenStepAlways.FindString(s); m != "" {
			add("poison.concealment", "tells the model to keep a step out of what it tells the user: "+quoteShort(m))
			return
		}
	}
	english := (who || g.hasAny(l, "answer", "reply", "response", "summary")) &&
		g.hasAny(l, "need not", "needs not", "not need to", "no need to", "not to be ", "not mentioned", "not reported", "not shown", "not disclosed", "not surfaced", " only ")
	m := ""
	if english {
		m = hiddenStep.FindString(s)
	}
	if m == "" && (!isASCII(s) || g.hasAny(l, "nicht", "no es ", "no hace ", "no debe ", "sin ", "sans ", "inutile")) {
		m = hiddenStepMore.FindString(s)
	}
	if m != "" && sideStep.MatchString(s) {
		add("poison.concealment", "tells the model to keep a step out of what it tells the user: "+quoteShort(m))
	}
}
