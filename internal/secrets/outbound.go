package secrets

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Most gitleaks rules end a secret at a quote, a space, a semicolon, an
// escaped newline or the end of the text. In text that leaves through a
// call, a secret is as often cut by URL and host-name punctuation: a path
// segment (/k/SECRET/pixel.gif), a DNS label (SECRET.attacker.example), a
// query (?k=SECRET&x=1). The outbound engine also accepts those as ends.
const (
	gitleaksEnd = `(?:[\x60'"\s;]|\\[nr]|$)`
	outboundEnd = `(?:[\x60'"\s;/.?&#,:@)\]>]|\\[nr]|$)`
)

// Outbound returns the engine for arguments a call sends out (the secrets
// guard): the built-in rules with URL and host-name punctuation as
// secret ends too. Results keep the Default engine, whose ends are
// gitleaks' own.
var Outbound = sync.OnceValue(func() *Engine {
	e, err := Load(relaxEnds(rulesJSON), relaxEnds(extraJSON))
	if err != nil {
		panic(fmt.Sprintf("secrets: embedded rules: %v", err))
	}
	return e
})

// relaxEnds rewrites the rules' trailing end class to outboundEnd.
func relaxEnds(data []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return data // Load reports the error
	}
	rules, _ := doc["rules"].([]any)
	for _, r := range rules {
		m, _ := r.(map[string]any)
		if re, ok := m["regex"].(string); ok && strings.HasSuffix(re, gitleaksEnd) {
			m["regex"] = strings.TrimSuffix(re, gitleaksEnd) + outboundEnd
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data
	}
	return out
}

// keywordList is the lower-case keywords of the built-in rules, read
// without compiling any rule (building the engine takes tens of
// milliseconds; reading the keywords, about one).
var keywordList = sync.OnceValue(func() []string {
	var f fileRules
	var g fileRules
	_ = json.Unmarshal(rulesJSON, &f)
	_ = json.Unmarshal(extraJSON, &g)
	var out []string
	for _, r := range append(f.Rules, g.Rules...) {
		for _, k := range r.Keywords {
			out = append(out, asciiLower(k))
		}
	}
	return out
})

// MayContain reports whether Scan could find anything in text: whether
// text, or a base64 run of it decoded as Scan decodes them, holds a
// keyword of some rule, or text has what Scan decodes otherwise (percent
// escapes, non-ASCII such as zero-width characters). A false answer is
// certain, and costs no rule compilation: callers that check a few short
// values (a configuration) use it to spare a process the engine.
func MayContain(text string) bool {
	if hasKeyword(text) {
		return true
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '%' || c >= 0x80 {
			return true
		}
		if !isB64(c) {
			i++
			continue
		}
		j := i
		for j < len(text) && isB64(text[j]) {
			j++
		}
		if j-i >= minEncoded {
			if dec, ok := decodeB64(text[i:j]); ok && hasKeyword(dec) {
				return true
			}
		}
		i = j
	}
	return false
}

func hasKeyword(text string) bool {
	lower := asciiLower(text)
	for _, k := range keywordList() {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}
