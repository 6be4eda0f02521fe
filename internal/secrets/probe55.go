package secrets

import "strings"

// prefixedEnd is the end a results rule anchored at a vendor prefix
// accepts: gitleaks' own (gitleaksEnd) and the punctuation code and
// URLs put after a token.
//
// Probe set z55 (Semgrep's secret-rule tests): a token that names its
// vendor (AIza…, api_org_…, hf_…) was missed in a result when a comma,
// a closing bracket, an XML tag or the next query parameter followed it
// ("?key=AIza…&name=x", "(api_org_…)", "<foo>api_org_…</foo>") or the
// backslash of an escaped quote (\"api_org_…\" in a JSON string), because
// gitleaks ends every such token at a quote, a space or ';' only. The
// prefix already says what the token is, so its end may be any
// punctuation that cannot be part of it. Rules that read a keyword and a
// value (generic-api-key and the vendor-keyword rules) keep gitleaks' end:
// there "key=value," is as often code as a secret.
const prefixedEnd = `(?:[\x60'"\s;,)<>&\]}|\\]|\\[nr]|$)`

// prefixedEnds rewrites the rules of a rules file whose regex begins at a
// word boundary with its capture ("\b(" and a vendor prefix) and ends with
// gitleaksEnd to end with prefixedEnd.
func prefixedEnds(data []byte) []byte {
	return rewriteEnds(data, func(re string) bool { return strings.HasPrefix(re, `\b(`) }, prefixedEnd)
}
