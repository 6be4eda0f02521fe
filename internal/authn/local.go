package authn

import (
	"encoding/json"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// Paths the gateway serves when it is its own issuer (Config.Keys or
// Config.KeySource): RFC
// 8414 metadata at the well-known path of an issuer without a path, and
// the JWKS it names.
const (
	WellKnownAS = "/.well-known/oauth-authorization-server"
	JWKSPath    = "/.well-known/jwks.json"
)

// LocalIssuer reports whether the validator's keys are its own (served,
// never fetched).
func (v *Validator) LocalIssuer() bool { return len(v.cfg.Keys) > 0 || v.cfg.KeySource != nil }

// IssuerMetadata is the RFC 8414 document of the gateway as issuer. It
// names no authorization or token endpoint: tokens come from
// `mcpwarden token issue`, not from an interactive flow.
func (v *Validator) IssuerMetadata() []byte {
	md := map[string]any{
		"issuer":                                v.cfg.Issuer,
		"jwks_uri":                              v.cfg.Issuer + JWKSPath,
		"response_types_supported":              []string{},
		"grant_types_supported":                 []string{},
		"token_endpoint_auth_methods_supported": []string{"none"},
	}
	if names := v.cfg.Scopes.Names(); len(names) > 0 {
		md["scopes_supported"] = names
	}
	b, _ := json.Marshal(md)
	return b
}

// ServeIssuer writes the issuer metadata or the JWKS (public keys only),
// by path; 404 for a validator of an external issuer.
func (v *Validator) ServeIssuer(w http.ResponseWriter, r *http.Request) {
	if !v.LocalIssuer() || (r.URL.Path != WellKnownAS && r.URL.Path != JWKSPath) {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	body := v.IssuerMetadata()
	if r.URL.Path == JWKSPath {
		// The keys that verify now: during a rotation's overlap the
		// retired key too, so others can check the tokens it signed.
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
		if s := v.keys.snap.Load(); s != nil {
			v.keys.refreshIfStale(s, v.now())
			for _, k := range s.live(v.now()) {
				set.Keys = append(set.Keys, k.Public())
			}
		}
		body, _ = json.Marshal(set)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}
