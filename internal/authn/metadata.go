package authn

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// WellKnownPRM is the RFC 9728 well-known path of Protected Resource
// Metadata.
const WellKnownPRM = "/.well-known/oauth-protected-resource"

// MetadataURL is where the metadata of resource is published: the
// well-known path inserted between the host and the resource's path
// (RFC 9728 §3.1), https://gw.example.com/mcp →
// https://gw.example.com/.well-known/oauth-protected-resource/mcp.
func MetadataURL(resource string) string {
	u, err := url.Parse(resource)
	if err != nil {
		return ""
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
	return u.String() + WellKnownPRM + path
}

// MetadataPaths are the request paths the metadata is served at on this
// gateway: the path-suffixed form for the resource and the bare
// well-known path, which clients that do not insert the path ask for.
func MetadataPaths(resource string) []string {
	out := []string{WellKnownPRM}
	if u, err := url.Parse(resource); err == nil {
		if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
			out = append(out, WellKnownPRM+p)
		}
	}
	return out
}

// Metadata is the Protected Resource Metadata document (RFC 9728 §2).
func (v *Validator) Metadata() []byte {
	scopes := slices.Clone(v.cfg.RequiredScopes)
	for _, s := range v.cfg.Scopes.Names() {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	md := map[string]any{
		"resource":                 v.cfg.Resource,
		"authorization_servers":    []string{v.cfg.Issuer},
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "mcpwarden",
	}
	if len(scopes) > 0 {
		md["scopes_supported"] = scopes
	}
	b, _ := json.Marshal(md)
	return b
}

// ServeMetadata writes the metadata document.
func (v *Validator) ServeMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "max-age=300")
	// Browser-based clients read it cross-origin; it holds nothing secret.
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(v.Metadata())
}

// Challenge is the WWW-Authenticate value for a refusal (RFC 6750 §3,
// RFC 9728 §5.1). A request without a token gets no error code.
func (v *Validator) Challenge(e *Error) string {
	var b strings.Builder
	b.WriteString("Bearer ")
	if e != nil && e.Description != "missing bearer token" {
		b.WriteString(`error="` + e.Code + `", error_description="` + quoteSafe(e.Description) + `", `)
		if e.Scope != "" {
			b.WriteString(`scope="` + quoteSafe(e.Scope) + `", `)
		}
	} else if len(v.cfg.RequiredScopes) > 0 {
		b.WriteString(`scope="` + quoteSafe(strings.Join(v.cfg.RequiredScopes, " ")) + `", `)
	}
	b.WriteString(`resource_metadata="` + quoteSafe(MetadataURL(v.cfg.Resource)) + `"`)
	return b.String()
}

// Status is the HTTP status of a refusal: 403 for a valid token that
// lacks a scope, 401 otherwise.
func Status(e *Error) int {
	if e.Code == ErrInsufficientScope {
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

// InsufficientScope is the refusal of a call that needs scope.
func (v *Validator) InsufficientScope(scope string) *Error {
	need := slices.Clone(v.cfg.RequiredScopes)
	if !slices.Contains(need, scope) {
		need = append(need, scope)
	}
	return &Error{Code: ErrInsufficientScope, Description: "token lacks the scope this call needs", Scope: strings.Join(need, " ")}
}

// quoteSafe drops the characters a quoted-string cannot hold unescaped;
// the values are the gateway's own texts and validated names.
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
