package authserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/authn"
	"github.com/mcpwarden/mcpwarden/internal/netguard"
)

// Limits of client registration and metadata documents.
const (
	maxMetadataBytes  = 16 << 10
	maxRedirectURIs   = 10
	maxURILen         = 2000
	maxClientName     = 200
	metadataTimeout   = 5 * time.Second
	metadataCacheTTL  = 10 * time.Minute
	maxRegisterBodyKB = 16
)

func isIntent(scope string) bool { return strings.HasPrefix(scope, authn.IntentPrefix) }

// checkIntents refuses malformed intent scopes and too many of them.
func checkIntents(scopes []string) error {
	n := 0
	for _, s := range scopes {
		if _, _, ok, err := authn.ParseIntent(s); ok {
			if err != nil {
				return err
			}
			n++
		}
	}
	if n > authn.MaxIntents {
		return fmt.Errorf("at most %d intent scopes", authn.MaxIntents)
	}
	return nil
}

// ClientMetadata is the client metadata of RFC 7591 §2 this server reads,
// in a registration request or a client ID metadata document.
type ClientMetadata struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	SoftwareID              string   `json:"software_id,omitempty"`
	SoftwareVersion         string   `json:"software_version,omitempty"`
}

// ParseClientMetadata decodes and checks client metadata: at least one
// redirect URI, each https, http on a loopback host (RFC 8252 §7.3), or a
// private-use scheme (§7.1), without fragment; grant types
// authorization_code and refresh_token only; response type code; token
// endpoint authentication none, or (registration only) a client secret.
// Unknown members are ignored, as RFC 7591 asks.
func ParseClientMetadata(data []byte, document bool) (*ClientMetadata, error) {
	var m ClientMetadata
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid client metadata: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid client metadata: trailing data")
	}
	if len(m.RedirectURIs) == 0 {
		return nil, errors.New("invalid_redirect_uri: redirect_uris is required")
	}
	if len(m.RedirectURIs) > maxRedirectURIs {
		return nil, fmt.Errorf("invalid_redirect_uri: at most %d redirect_uris", maxRedirectURIs)
	}
	for _, u := range m.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, fmt.Errorf("invalid_redirect_uri: %w", err)
		}
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code"}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return nil, fmt.Errorf("invalid_client_metadata: grant type %q is not offered to registered clients", g)
		}
	}
	for _, rt := range m.ResponseTypes {
		if rt != "code" {
			return nil, fmt.Errorf("invalid_client_metadata: response type %q is not supported", rt)
		}
	}
	switch m.TokenEndpointAuthMethod {
	case "", "none":
	case "client_secret_basic", "client_secret_post":
		if document {
			return nil, errors.New("invalid_client_metadata: a metadata document client has no secret; token_endpoint_auth_method must be none")
		}
	default:
		return nil, fmt.Errorf("invalid_client_metadata: token_endpoint_auth_method %q is not supported", m.TokenEndpointAuthMethod)
	}
	if len(m.ClientName) > maxClientName {
		m.ClientName = m.ClientName[:maxClientName]
	}
	m.ClientName = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, m.ClientName)
	return &m, nil
}

// checkRedirectURI accepts an absolute URI without fragment or
// credentials: https, http on a loopback host, or a private-use scheme
// (not one a browser would run: javascript, data, file, …).
func checkRedirectURI(s string) error {
	if len(s) > maxURILen {
		return errors.New("redirect URI too long")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	if u.Fragment != "" || strings.Contains(s, "#") || u.User != nil {
		return fmt.Errorf("%q must not carry a fragment or credentials", s)
	}
	if strings.ContainsAny(s, " \t\r\n\"'<>\\") {
		return fmt.Errorf("%q contains characters a URI cannot", s)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", s)
		}
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: http only on a loopback address (127.0.0.1, [::1], localhost)", s)
	case "javascript", "data", "file", "vbscript", "about", "blob", "ftp", "ws", "wss", "mailto", "filesystem":
		return fmt.Errorf("%q: scheme %s is not a redirect", s, u.Scheme)
	}
	for _, c := range u.Scheme {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-') {
			return fmt.Errorf("%q: invalid scheme", s)
		}
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// native reports whether a client's redirects make it a native app
// (loopback or private-use scheme), whose loopback ports may vary (RFC
// 8252 §7.3).
func native(uris []string) bool {
	for _, s := range uris {
		u, err := url.Parse(s)
		if err != nil {
			continue
		}
		if u.Scheme != "https" && (u.Scheme != "http" || isLoopbackHost(u.Hostname())) {
			return true
		}
	}
	return false
}

// serveRegister is Dynamic Client Registration (RFC 7591): open
// registration of public clients (PKCE) and of confidential ones, which
// get a secret once. Registered clients may use the code and refresh
// grants only; client credentials are for configured clients.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.DynamicRegistration {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	lim, ok := s.registerBudget(r)
	if !ok {
		w.Header().Set("Retry-After", "60")
		oauthError(w, http.StatusTooManyRequests, "temporarily_unavailable", "too many registrations; try again later")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "the request must be application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegisterBodyKB<<10))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "request too large")
		return
	}
	m, err := ParseClientMetadata(body, false)
	if err != nil {
		code, desc := "invalid_client_metadata", err.Error()
		if c, d, ok := strings.Cut(desc, ": "); ok && (c == "invalid_redirect_uri" || c == "invalid_client_metadata") {
			code, desc = c, d
		}
		oauthError(w, http.StatusBadRequest, code, desc)
		return
	}
	if m.Scope != "" {
		for _, sc := range strings.Fields(m.Scope) {
			if !slices.Contains(s.scopesSupported(), sc) && !slices.Contains(s.cfg.RequiredScopes, sc) && !isIntent(sc) && sc != "openid" {
				oauthError(w, http.StatusBadRequest, "invalid_client_metadata", fmt.Sprintf("unknown scope %q", sc))
				return
			}
		}
	}
	c := &Client{ID: "mcpw_" + randomID()[:32], Name: m.ClientName, RedirectURIs: m.RedirectURIs, GrantTypes: m.GrantTypes,
		Native: native(m.RedirectURIs), Created: s.now()}
	resp := map[string]any{
		"client_id":                  c.ID,
		"client_id_issued_at":        c.Created.Unix(),
		"redirect_uris":              c.RedirectURIs,
		"grant_types":                c.GrantTypes,
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	}
	if c.Name != "" {
		resp["client_name"] = c.Name
	}
	if m.TokenEndpointAuthMethod == "client_secret_basic" || m.TokenEndpointAuthMethod == "client_secret_post" {
		secret := randomID()
		c.SecretHash, c.AuthMethod = hashToken(secret), m.TokenEndpointAuthMethod
		resp["client_secret"] = secret
		resp["client_secret_expires_at"] = 0
		resp["token_endpoint_auth_method"] = c.AuthMethod
	}
	if err := s.store.PutClient(r.Context(), c); err != nil {
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "registration is not possible now")
		return
	}
	lim.Allow()
	s.regAll.Allow()
	s.log.Info("authserver: client registered", "client_id", c.ID, "name", c.Name, "redirect_uris", c.RedirectURIs)
	writeJSON(w, http.StatusCreated, resp, false)
}

// isMetadataClientID reports whether a client_id is a URL, naming a
// client ID metadata document.
func isMetadataClientID(id string) bool {
	return strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://")
}

// Fetcher fetches client ID metadata documents with the rules of any
// fetch a stranger can trigger: https only, to public addresses only
// (netguard decides, and the connection is pinned to the checked
// address), no redirects, 5 seconds, 16 KiB.
type Fetcher struct {
	// AllowLoopback lets tests serve documents from a loopback
	// httptest.Server (http or https).
	AllowLoopback bool
	// TLS, when set, is the TLS configuration (tests: their server's
	// certificate pool).
	TLS *tls.Config
}

// checkMetadataURL checks a client_id URL's form: https, a host, a path,
// no query, fragment, credentials, dot segments.
func checkMetadataURL(id string, allowHTTP bool) (*url.URL, error) {
	if len(id) > maxURILen {
		return nil, errors.New("client_id URL too long")
	}
	u, err := url.Parse(id)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("client_id is not an absolute URL")
	}
	if u.Scheme != "https" && !(allowHTTP && u.Scheme == "http") {
		return nil, errors.New("client_id URL must be https")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(id, "#") {
		return nil, errors.New("client_id URL must not carry credentials, a query or a fragment")
	}
	if u.Path == "" || u.Path == "/" {
		return nil, errors.New("client_id URL must have a path")
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, errors.New("client_id URL must not have dot segments")
		}
	}
	return u, nil
}

// Client fetches and checks the document of client id, which must name
// itself as client_id.
func (f *Fetcher) Client(ctx context.Context, id string) (*Client, error) {
	u, err := checkMetadataURL(id, f.AllowLoopback)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("client_id URL must be https")
	}
	opts := netguard.Options{}
	if f.AllowLoopback {
		opts.AllowPrefixes = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	pin, d := netguard.Pin(ctx, id, opts)
	if !d.Allow {
		return nil, fmt.Errorf("client_id URL refused: %s", d.Reason)
	}
	tr := &http.Transport{
		DialContext:            pin.DialContext,
		TLSHandshakeTimeout:    metadataTimeout,
		ResponseHeaderTimeout:  metadataTimeout,
		MaxResponseHeaderBytes: 8 << 10,
		DisableKeepAlives:      true,
		Proxy:                  nil,
	}
	if f.TLS != nil {
		tr.TLSClientConfig = f.TLS.Clone()
	}
	hc := &http.Client{Transport: tr, Timeout: metadataTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("redirects are not followed") }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if len(body) > maxMetadataBytes {
		return nil, fmt.Errorf("document larger than %d bytes", maxMetadataBytes)
	}
	return ParseMetadataDocument(id, body)
}

// ParseMetadataDocument checks a client ID metadata document fetched
// from id.
func ParseMetadataDocument(id string, body []byte) (*Client, error) {
	m, err := ParseClientMetadata(body, true)
	if err != nil {
		return nil, err
	}
	if m.ClientID != id {
		return nil, errors.New("the document's client_id is not the URL it was fetched from")
	}
	return &Client{ID: id, Name: m.ClientName, RedirectURIs: m.RedirectURIs, GrantTypes: m.GrantTypes,
		Native: native(m.RedirectURIs), Metadata: true}, nil
}
