package authn

import (
	"fmt"
	"strings"
)

// Intent-bound grants: a token may name the tools its agent said it
// would use, as scopes "intent:SERVER/TOOL" (or "intent:SERVER/*" for
// every tool of a server). A token carrying at least one intent scope may
// call only the tools its intents name, whatever else its scopes grant;
// a token without any is not restricted this way. Intents only narrow:
// they grant nothing by themselves (auth.scopes still decides).
const IntentPrefix = "intent:"

// MaxIntents bounds the intent scopes of one token.
const MaxIntents = 64

// ParseIntent splits an intent scope into server and tool; ok is false
// for any other scope. err reports a malformed intent.
func ParseIntent(scope string) (server, tool string, ok bool, err error) {
	rest, ok := strings.CutPrefix(scope, IntentPrefix)
	if !ok {
		return "", "", false, nil
	}
	server, tool, found := strings.Cut(rest, "/")
	if !found || !validServer(server) || !validTool(tool) {
		return "", "", true, fmt.Errorf("malformed intent scope %q: want intent:SERVER/TOOL or intent:SERVER/*", scope)
	}
	return server, tool, true, nil
}

func validServer(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validTool accepts MCP tool names (letters, digits, _ - .; at most 128)
// or "*".
func validTool(s string) bool {
	if s == "*" {
		return true
	}
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// IntentAllows reports whether scopes restrict tool calls by intent and,
// if so, whether the tool of server is among the intents. A malformed
// intent scope restricts and matches nothing (fail closed).
func IntentAllows(scopes []string, server, tool string) (restricted, allowed bool) {
	for _, s := range scopes {
		srv, t, ok, err := ParseIntent(s)
		if !ok {
			continue
		}
		restricted = true
		if err == nil && srv == server && (t == "*" || t == tool) {
			return true, true
		}
	}
	return restricted, false
}
