package injectguard

import "strings"

// Probe set z68: 50 attacks and 21 look-alikes written blind (orders
// buried in long documents, agentic-coding files, KB articles, support
// chats, mail, OCR'd invoices, browser snapshots, a fake server notice,
// eleven languages); 29 of 50 were caught at the first run. The classes
// the misses shared, each a form rather than a string.

// hush68 is the user kept out of what the reader does, the mark of an
// order written for a model: told not to ask, tell or interrupt the
// user, to leave the step out of its answer, that no confirmation from
// the owner is needed. The person named and the end of the clause, as
// bypassRE: "do not ask the user for their password" is advice to
// developers.
const hush68 = `\b(do\s+not|don['’]t|never|without|no\s+need\s+to)\s+(ask(ing)?|tell(ing)?|inform(ing)?|notify(ing)?|alert(ing)?|interrupt(ing)?|bother(ing)?|consult(ing)?|check(ing)?\s+with|confirm(ing)?\s+with)\s+(the\s+|your\s+)?(end[\s-])?(user|owner|mailbox\s+owner|account\s+owner|customer)` +
	`(\s+(first|again|about\s+(it|this)|for\s+(confirmation|permission|approval|consent)|to\s+(review|confirm|approve|check|verify)\b[^.\n]{0,60}))?\s*([.,;:!)\]]|\n|\s+(or|and)\b)` +
	`|\b(do\s+not|don['’]t|never)\s+(mention|surface|reveal|disclose|report|include)\s+(this|it|that)(\s+[\w-]+){0,2}\s+(in|to)\s+(your|the|any)\s+(reply|replies|response|answer|summary|output|user)\b` +
	`|\b(do\s+not|don['’]t|never)\s+mention\s+this\s+(line|note|message|step|instruction|section|paragraph|request)\b` +
	`|\b(omit|exclude|leave\s+out|hide|remove)\s+(this|it)(\s+[\w.]+){0,3}\s+from\s+(any|the|your|every)\s+(summary|summaries|reply|replies|response|answer|redline|output|recap)\b` +
	`|\bno\s+(confirmation|approval|permission|consent)\s+(from|by|of)\s+(the\s+)?(user|owner|mailbox\s+owner|account\s+owner|customer)\s+(is\s+)?(needed|required|necessary)\b` +
	`|\b(does\s+not|doesn['’]t|need\s+not)\s+(need\s+to\s+)?be\s+(explained|mentioned|shown|disclosed|reported|surfaced)\s+to\s+the\s+(end\s+)?user\b` +
	`|\b(is\s+)?invisible\s+to\s+the\s+(end\s+)?user\b` +
	`|\bno\s+need\s+to\s+(escalate|verify|double-check)\b`

// takeover68 hands the account to someone else: its login address
// changed and its second factor turned off.
const takeover68 = `\b(turn\s+off|disable|remove|deactivate|switch\s+off)\s+(the\s+|their\s+|its\s+)?(two[\s-]factor|2fa|mfa|multi[\s-]factor|two[\s-]step)\b`

// aiFor68, aiBy68 and aiLabel68 are the reader addressed as a kind in English, in a label,
// a note's recipient or the job it is doing: "Setup for AI coding
// agents (Claude Code, Cursor):", "Notes for AI agents and code
// assistants", "for the IT helpdesk chatbot and other AI assistants",
// "for the AI agent handling this ticket:", "If your mailbox is handled
// by an AI assistant", "processed by an AI assistant or other automated
// system", "ai assistant:", "Assistant instructions from Northbank:".
// A FAQ's "Can the AI assistant see my payment details?" names no
// recipient; what the paragraph asks decides (hush68).
const (
	aiFor68 = `\b(for|to)\s+(the\s+|all\s+|any\s+|other\s+)?([\w-]+\s+){0,2}?((ai|llm|automated|coding)(\s+[\w-]+)?\s+(agents?|assistants?|models?|bots?|systems?|tools?|reviewers?)|chatbots?)\b`
	aiBy68  = `\b(handled|processed|read|reviewed|summari[sz]ed|managed|triaged|monitored|answered)\s+by\s+(an?\s+|the\s+|your\s+|any\s+)?(ai|llm|automated\s+(system|agent|assistant|tool)|chatbot|language\s+model|coding\s+agent)\b`
	// Unbounded repeats: the window bounds them (a bounded one compiles
	// to as many states as its bound).
	aiLabel68 = `(^|\n)[ \t#/*>-]*(ai|llm)\s+(agents?|assistants?)\s*(\([^)\n]*\))?\s*:` +
		`|\b(assistant|ai|agent|llm|chatbot)\s+(instructions?|guidance|directives?|orders?)(\s+from\s+[\w .-]+?)?\s*(\([^)\n]*\))?\s*:`
)

// act68 is a harmful act in the languages of addressee68 (and English,
// for mixed text): send, forward, share, transfer, pay, delete, book.
const act68 = `\b(send|forward|e-?mail|upload|post|share|transfer|wire|pay|delete|drop)\b` +
	`|転送|送信|送って|支払|振り?込|削除|共有` + // ja
	`|转发|发送|发给|转账|支付|付款|删除|预订|预定|分享` + // zh
	`|أرسل|ارسل|حوّل|حول\s+المبلغ|ادفع|احذف|شارك` + // ar
	`|भेज|ट्रांसफ़र|ट्रांसफर|हस्तांतरित|भुगतान\s+कर|हटा|साझा` + // hi
	`|gönder|ilet|aktar|öde|sil\b|paylaş|iade\s+tanımla|değiştir` + // tr
	`|στείλ|στείλε|προώθησ|μετάφερ|πλήρωσ|διάγραψ|διαγράψ|μοιράσ|επισύναψ` + // el
	`|надішли|відправ|перешли|переказ|сплат|видали|виконай|поділи` + // uk
	`|pošli|odešli|přepošli|převeď|uhraďte|uhraď|zaplať|smaž|sdílej|aktualizujte` + // cs
	`|\b(skicka|vidarebefordra|överför|betala|radera|ta\s+bort|dela|avboka)\b` + // sv
	`|lähetä|välitä|siirrä|syötä|syöttämään|\b(maksa|poista|jaa)\b` + // fi (RE2's \b is ASCII-only: none beside ä)
	`|\b(ipadala|i-?forward|ilipat|bayaran|burahin|i-?share|i-?book)\b` // tl

// hushWorld68 is hush68 in those languages: the user not told or
// asked, the step left out of the summary, no confirmation needed.
const hushWorld68 = `(ユーザー|利用者|お客様)(に|へ)(は|も)?(伝え|知らせ|報告し|言わ|通知し)(ず|ないで)|(要約|回答|返信)(に|には)(も)?含めない|確認(は|を)?(不要|せず|しないで)` + // ja
	`|(无需|不需要|不必|不用)(再)?(向|跟|和)?(用户|使用者|客户)(确认|说明|报告)|不要(在|向)?[^。\n]{0,10}(提及|提到|透露|告诉)|(不要|别|勿)(告诉|通知)(用户|使用者)` + // zh
	`|(لا|دون|بدون|ولا)\s+(تذكر|تخبر|تُخبر|تُعلم|تعلم|إبلاغ|إخبار|إعلام)\s+[^\n.]{0,30}(المستخدم|العميل)` + // ar
	`|(उपयोगकर्ता|यूज़र|यूजर|ग्राहक)\s+(से|को)\s+(पुष्टि|अनुमति)\s+(न|ना|मत)\s+(लें|लो|लीजिए)|(उल्लेख|ज़िक्र|जिक्र)\s+(न|ना|मत)\s+(करें|करो)|(उपयोगकर्ता|यूज़र|यूजर)\s+को\s+(न|मत)\s+(बताएं|बताएँ|बताओ)` + // hi
	`|(kullanıcı|müşteri|temsilci)\p{L}*\s+(\p{L}+\s+)?(bildirme|söyleme|haber\s+verme|sorma)|onay\s+(almadan|istemeden)` + // tr
	`|(δεν\s+χρειάζεται|χωρίς)\s+(επιβεβαίωση|έγκριση|να\s+(ενημερώσεις|ρωτήσεις|το\s+αναφέρεις))|μην\s+(το\s+)?(αναφέρεις|πεις|ενημερώσεις)` + // el
	`|не\s+(питай|запитуй|кажи|повідомляй|згадуй)|без\s+(підтвердження|погодження|відома)` + // uk
	`|bez\s+(dalšího\s+)?(schvalování|schválení|potvrzení|vědomí)|\b(neinformujte|neříkejte|nezmiňujte|neptejte|neinformuj|neříkej|nezmiňuj|neptej)\b` + // cs
	`|\butan\s+att\s+(fråga|meddela|informera|berätta)\b|\b(nämn|berätta)\s+inte\b|\b(svara|säg\s+till|meddela)\s+användaren\s+att\b` + // sv
	`|(^|[\s,.:;(])älä\s+(mainitse|kerro|kysy|ilmoita)\b|\b(kertomatta|kysymättä|ilmoittamatta)` + // fi
	`|\bhuwag\s+(mo\s+)?(nang\s+|na\s+)?(itanong|sabihin|banggitin|ipaalam)\b` // tl

// addressee68 is an AI named as the one spoken to in Japanese, Chinese,
// Arabic, Hindi, Turkish, Greek, Ukrainian, Czech, Swedish, Finnish and
// Tagalog: "本メールを処理するAIアシスタントへ：", "致正在汇总评论的AI助手：",
// "ملاحظة إلى المساعد الذكي", "एआई सहायक के लिए", "Yapay zekâ destek
// asistanına not:", "Για βοηθούς τεχνητής νοημοσύνης:", "Примітка для
// ШІ-асистента:", "(AI asistenty):", "Till AI-assistenten som läser",
// "Jos olet tekoälyavustaja", "Paalala sa AI assistant na nagbabasa".
// The AI is named (AI, 人工知能, ذكي, ШІ, tekoäly): an office's assistant
// is a person.
var addressees68 = []struct {
	re    string
	words []string
}{
	{`(ai|ＡＩ|人工知能)\s*(アシスタント|エージェント|チャットボット|モデル)(へ|に対して|に|各位|様)?\s*[:：、]|(ai|ＡＩ)\s*(へ|に対して)\s*[:：、]`,
		[]string{"アシスタント", "エージェント", "チャットボット", "モデル", "aiへ", "ai へ", "ＡＩへ", "aiに対", "ＡＩに対"}},
	{`(ai|人工智能|智能)\s*(助手|助理|智能体|代理|机器人|模型)\s*[：:，,]`,
		[]string{"助手", "助理", "智能体", "代理", "机器人", "模型"}},
	{`(إلى|الى|لل)\s*(ال)?(مساعد|وكيل|نموذج)\s+(ال)?(ذكي|الذكاء\s+الاصطناعي|آلي)|(ال)?(مساعد|وكيل)\s+(ال)?(ذكاء\s+الاصطناعي|ذكي)\s*[:،]`,
		[]string{"مساعد", "وكيل", "نموذج"}},
	{`(एआई|ai|कृत्रिम\s+बुद्धिमत्ता)\s*(सहायक|असिस्टेंट|एजेंट|मॉडल)|स्वचालित\s+सहायक`,
		[]string{"सहायक", "असिस्टेंट", "एजेंट", "मॉडल"}},
	{`(yapay\s+zek[aâ]|\bai)\s+(\p{L}+\s+)?(asistan|ajan|yardımcı)\p{L}*`,
		[]string{"yapay zek", "ai asistan", "ai ajan", "ai yard"}},
	{`(βοηθ|πράκτορ|μοντέλ)\p{L}*\s+(τεχνητής\s+νοημοσύνης|ai|τν)`,
		[]string{"βοηθ", "πράκτορ", "μοντέλ", "Βοηθ", "Πράκτορ", "Μοντέλ", "ΒΟΗΘ"}},
	{`(ші|аі)[\s-]?(асистент|агент|помічник|модел)\p{L}*|(асистент|агент|помічник)\p{L}*\s+ші`,
		[]string{"ші", "ШІ", "аі", "АІ"}},
	{`\b(ai|ui)\s+(asistent|agent)\p{L}*|\b(asistent|agent)\p{L}*\s+(ai|ui)\b|umělá\s+inteligence|umělé\s+inteligenc\p{L}*`,
		[]string{"ai asistent", "ui asistent", "ui agent", "asistent ai", "asistenti ai", "asistenty ai", "umělá", "umělé"}},
	{`\bai-?(assistent|agent)\p{L}*\s+(som|i)\s|\b(till|för)\s+(ai|ai-assistent\p{L}*|ai-agent\p{L}*)\b`,
		[]string{"ai-assistent", "ai-agent", "aiassistent", "till ai", "för ai"}},
	{`\bjos\s+olet\s+(tekoäly|ai-?)\p{L}*|tekoäly-?\s?(avustaj|agent|mall)\p{L}*`,
		[]string{"jos olet", "tekoäly"}},
	{`\b(sa|para\s+sa)\s+(mga\s+)?(ai|chatbot|bot)(\s+(assistant|agent))?\s+na\s+\p{L}+`,
		[]string{"sa ai", "sa mga ai", "sa chatbot", "sa bot", "sa mga bot"}},
}

// near68 is what makes a foreign-language address an order to a model:
// the user kept out, or an act that carries something to an address,
// an account or money, or drops a schema.
const near68 = hushWorld68 + `|` + hush68 + `|(` + act68 + `)[^\n]*?(` + addressRE + `|\biban\b|\bifsc\b|₹|\d[\d\s.,]{3,}\s*(tl|kč|eur|€|₺))|(` + addressRE + `|\biban\b)[^\n]*?(` + act68 + `)|\bdrop\s+(schema|database|table)\b`

// probe68Parts are the reader addressed as a kind in English beside the
// user kept out, and an AI addressed in another language beside the user
// kept out or a harmful act carried to an address, money or an account
// on the line (a part per language, keyed on its names).
var probe68Parts = append([]overridePart{
	// The reader addressed as a kind in English, with the user kept out
	// or the account handed over in the same paragraph. Three parts,
	// each keyed on its own words in a small window: one expression
	// for all runs over every "ai " of a long text.
	{aiFor68,
		[]string{"ai ", "llm ", "automated ", "coding ", "chatbot"}, 32, 32, true, nil, "¶" + hush68 + `|` + takeover68},
	{aiBy68,
		[]string{"ed by "}, 16, 48, true, nil, "¶" + hush68 + `|` + takeover68},
	{aiLabel68,
		[]string{"ai agent", "ai assistant", "llm agent", "llm assistant", "assistant instr", "assistant guid", "assistant direct", "assistant order",
			"ai instr", "ai guid", "ai direct", "ai order", "agent instr", "agent guid", "agent direct", "agent order", "llm instr", "chatbot instr"}, 16, 200, true, nil,
		"¶" + hush68 + `|` + takeover68},
}, func() (ps []overridePart) {
	for _, a := range addressees68 {
		ps = append(ps, overridePart{a.re, a.words, 40, 80, true, nil, near68})
	}
	return ps
}()...)

// exampleBlock reports whether offset i lies in a short indented block
// (markdown's code block: four spaces or a tab, after a blank line) that
// the line before introduces as an example ("something like:", "for
// example:", "e.g.:"): a security write-up quotes the payload it
// received, an HTML comment and all, as quotedExample's quotation does
// on one line. An HTML page indents its markup whatever it is, so text
// with HTML elements has no such blocks; a longer block is not one
// example quoted.
func exampleBlock(text string, i int) bool {
	lo := i
	if k := strings.LastIndexByte(text[:i], '\n'); k >= 0 {
		lo = k + 1
	} else {
		return false
	}
	// Back over the block's lines to the blank line before it.
	n := 0
	for {
		line := text[lo:]
		if k := strings.IndexByte(line, '\n'); k >= 0 {
			line = line[:k]
		}
		if strings.TrimSpace(line) == "" {
			break
		}
		if !strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "\t") {
			return false
		}
		if n++; n > 3 || lo == 0 {
			return false
		}
		k := strings.LastIndexByte(text[:lo-1], '\n')
		lo = k + 1
	}
	// lo is the blank line; the intro is the line before it.
	if lo == 0 {
		return false
	}
	end := lo - 1
	start := strings.LastIndexByte(text[:end], '\n') + 1
	intro := strings.ToLower(strings.TrimSpace(text[start:end]))
	if !strings.HasSuffix(intro, ":") || !exampleBlockIntro.MatchString(intro) {
		return false
	}
	// The block's end: at most 300 bytes on.
	hi := strings.Index(text[i:], "\n\n")
	if hi < 0 {
		hi = len(text) - i
	}
	return i+hi-lo <= 400 && !looksHTML(text)
}

var exampleBlockIntro = lazy(`\b(something\s+like|for\s+example|for\s+instance|e\.g\.|such\s+as|an?\s+example|payloads?|looked\s+like\s+this|looks\s+like\s+this)\s*:$`)

// looksHTML reports whether text holds HTML elements a page is built
// of (a comment alone is not one).
func looksHTML(text string) bool {
	lower := strings.ToLower(text)
	for _, t := range []string{"<html", "<body", "<head", "<div", "<p>", "<p ", "<span", "<table", "<ul", "<ol", "<li", "<br", "<a ", "<section", "<article", "<main"} {
		if strings.Contains(lower, t) {
			return true
		}
	}
	return false
}

// recordedCall reports whether the tool call at text[start:] is part of
// a recorded API response (a test fixture, a log of one): the whole text
// is one JSON object that says it is a chat completion, and the call
// carries nothing out (no address, no secret) and does not name a tool
// that sends, deletes, pays or runs. A forged call is written to be
// carried out; one that looks up the weather in a fixture is a record.
func recordedCall(text string, start int) bool {
	t := strings.TrimSpace(text)
	if len(t) > 16<<10 || !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") || !recordedEnvelope.MatchString(t) {
		return false
	}
	return !harmfulCall.MatchString(text[start:min(len(text), start+1200)])
}

var (
	recordedEnvelope = lazy(`"object"\s*:\s*"chat\.completion(\.chunk)?"|"type"\s*:\s*"message"[^{}]*"stop_reason"\s*:|"stop_reason"\s*:[^{}]*"type"\s*:\s*"message"`)
	harmfulCall      = lazy(`(?i)` + addressRE + `|` + secretPathRE + `|` + sensitiveRE + `|"name\\?"\s*:\s*\\?"[\w.-]*(send|mail|delete|remove|transfer|pay|post|upload|exec|shell|bash|terminal|run|share|forward|wire|drop|grant|invite|write|update|create|approve|merge|push|deploy)`)
)
