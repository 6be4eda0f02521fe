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
