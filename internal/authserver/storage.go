package authserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage adapts the Store to op.Storage: the checks op leaves to its
// storage (PKCE S256 required, resource indicators, single-use codes,
// refresh rotation with reuse detection) are made here.
type storage struct{ s *Server }

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
)

func randomID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret is how a client secret is kept (Client.SecretHash).
func HashSecret(secret string) string { return hashToken(secret) }

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// opRequest is a Request as op sees it.
type opRequest struct {
	r   *Request
	aud []string
}

func (a *opRequest) GetID() string         { return a.r.ID }
func (a *opRequest) GetACR() string        { return "" }
func (a *opRequest) GetAMR() []string      { return amr(a.r.User) }
func (a *opRequest) GetAudience() []string { return a.aud }
func (a *opRequest) GetAuthTime() time.Time {
	return a.r.AuthTime
}
func (a *opRequest) GetClientID() string { return a.r.ClientID }
func (a *opRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.r.Challenge, Method: oidc.CodeChallengeMethodS256}
}
func (a *opRequest) GetNonce() string                   { return a.r.Nonce }
func (a *opRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *opRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a *opRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseModeQuery }
func (a *opRequest) GetScopes() []string                { return a.r.Scopes }
func (a *opRequest) GetState() string                   { return a.r.State }
func (a *opRequest) GetSubject() string {
	if a.r.User == nil {
		return ""
	}
	return a.r.User.Subject
}
func (a *opRequest) Done() bool { return a.r.User != nil && a.r.Consented }

func amr(p *Principal) []string {
	if p == nil || p.Method == "" {
		return nil
	}
	return []string{p.Method}
}

// refreshRequest is a refresh token being used.
type refreshRequest struct {
	ref    *Refresh
	scopes []string
	aud    []string
}

func (r *refreshRequest) GetAMR() []string            { return amr(r.ref.User) }
func (r *refreshRequest) GetAudience() []string       { return r.aud }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.ref.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.ref.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.ref.User.Subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// ccRequest is a client credentials grant: the client is the subject.
type ccRequest struct {
	clientID string
	scopes   []string
	aud      []string
}

func (c *ccRequest) GetSubject() string    { return c.clientID }
func (c *ccRequest) GetAudience() []string { return c.aud }
func (c *ccRequest) GetScopes() []string   { return c.scopes }

func (st *storage) aud() []string { return []string{st.s.cfg.Resource} }

// CreateAuthRequest stores an authorization request op has validated
// (client, redirect URI, response type), after the checks OAuth 2.1 and
// this gateway add.
func (st *storage) CreateAuthRequest(ctx context.Context, ar *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if ar.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if ar.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256 (plain is not accepted)")
	}
	if l := len(ar.CodeChallenge); l != 43 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge must be a base64url SHA-256 (43 characters)")
	}
	if m, _ := ctx.Value(modeKey{}).(string); m != "" && m != string(oidc.ResponseModeQuery) {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode=query is supported")
	}
	if slices.Contains(ar.Prompt, oidc.PromptNone) {
		// There is no sign-in session to reuse: every authorization
		// needs the person.
		return nil, oidc.ErrLoginRequired().WithDescription("prompt=none: sign-in is needed")
	}
	if ar.ResponseType != oidc.ResponseTypeCode {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_type=code is supported")
	}
	res, _ := ctx.Value(resourceKey{}).([]string)
	for _, r := range res {
		if r != st.s.cfg.Resource {
			return nil, oidc.ErrInvalidTarget().WithDescription("this server issues tokens only for the resource %s", st.s.cfg.Resource)
		}
	}
	scopes := slices.Clone(ar.Scopes)
	if err := checkIntents(scopes); err != nil {
		return nil, oidc.ErrInvalidScope().WithDescription("%s", err.Error())
	}
	c, err := st.s.client(ctx, ar.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithParent(err)
	}
	if slices.Contains(c.GrantTypes, string(oidc.GrantTypeRefreshToken)) && !slices.Contains(scopes, oidc.ScopeOfflineAccess) {
		// Refresh tokens for every client registered for them: MCP
		// clients rarely ask for offline_access by name.
		scopes = append(scopes, oidc.ScopeOfflineAccess)
	}
	r := &Request{ID: randomID(), ClientID: ar.ClientID, RedirectURI: ar.RedirectURI, State: ar.State, Nonce: ar.Nonce,
		Scopes: scopes, Challenge: ar.CodeChallenge, Created: st.s.now(), MaxAge: ar.MaxAge,
		ForceLogin: slices.Contains(ar.Prompt, oidc.PromptLogin) || (ar.MaxAge != nil && *ar.MaxAge == 0)}
	if err := st.s.store.PutRequest(ctx, r); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &opRequest{r: r, aud: st.aud()}, nil
}

func (st *storage) request(ctx context.Context, id string) (*Request, error) {
	r, err := st.s.store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.s.now().Sub(r.Created) > requestTTL {
		return nil, errors.New("authorization request expired")
	}
	return r, nil
}

func (st *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := st.request(ctx, id)
	if err != nil {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown or expired authorization request").WithParent(err)
	}
	return &opRequest{r: r, aud: st.aud()}, nil
}

// AuthRequestByCode spends the code: it works once, within codeTTL. A
// second use revokes what the first one got (the code was stolen, or
// the client is broken).
func (st *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := st.s.store.TakeCode(ctx, code)
	if errors.Is(err, ErrCodeSpent) {
		st.s.revokeGrant(ctx, r.ID, "authorization code used twice")
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if st.s.now().After(r.CodeExpires) {
		return nil, errors.New("authorization code expired")
	}
	return &opRequest{r: r, aud: st.aud()}, nil
}

func (st *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	r, err := st.request(ctx, id)
	if err != nil {
		return err
	}
	if r.Code != "" {
		return errors.New("authorization request has a code already")
	}
	r.Code, r.CodeExpires = code, st.s.now().Add(codeTTL)
	return st.s.store.PutRequest(ctx, r)
}

func (st *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return st.s.store.DeleteRequest(ctx, id)
}

// grantOf is the grant an access token belongs to: the authorization
// request (whose id is also the refresh family's), or none.
func grantOf(tr op.TokenRequest) string {
	switch t := tr.(type) {
	case *opRequest:
		return t.r.ID
	case *refreshRequest:
		return t.ref.Family
	}
	return ""
}

func (st *storage) clientOf(tr op.TokenRequest) string {
	switch t := tr.(type) {
	case *opRequest:
		return t.r.ClientID
	case *refreshRequest:
		return t.ref.ClientID
	case *ccRequest:
		return t.clientID
	}
	return ""
}

func (st *storage) CreateAccessToken(ctx context.Context, tr op.TokenRequest) (string, time.Time, error) {
	now := st.s.now()
	a := &Access{JTI: randomID()[:22], Grant: grantOf(tr), ClientID: st.clientOf(tr), Subject: tr.GetSubject(),
		Scopes: accessScopes(tr.GetScopes()), Issued: now, Expires: now.Add(st.s.cfg.AccessTokenTTL)}
	if a.Grant != "" {
		if revoked, err := st.s.store.GrantRevoked(ctx, a.Grant); err != nil || revoked {
			return "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("the grant was revoked")
		}
	}
	if err := st.s.store.AddAccess(ctx, a); err != nil {
		return "", time.Time{}, err
	}
	return a.JTI, a.Expires, nil
}

// CreateAccessAndRefreshTokens issues an access token and a new refresh
// token: for a code, the first of a new family (whose id is the
// request's); for a refresh token, the next of its family, which keeps
// the family's expiry (rotation does not extend a grant).
func (st *storage) CreateAccessAndRefreshTokens(ctx context.Context, tr op.TokenRequest, _ string) (string, string, time.Time, error) {
	var ref *Refresh
	now := st.s.now()
	switch t := tr.(type) {
	case *opRequest:
		ref = &Refresh{Family: t.r.ID, ClientID: t.r.ClientID, User: t.r.User, Scopes: t.r.Scopes, AuthTime: t.r.AuthTime,
			Expires: now.Add(st.s.cfg.RefreshTokenTTL)}
	case *refreshRequest:
		cp := *t.ref
		cp.Used = false
		ref = &cp
	default:
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	jti, exp, err := st.CreateAccessToken(ctx, tr)
	if err != nil {
		return "", "", time.Time{}, err
	}
	token := randomID()
	ref.Hash = hashToken(token)
	if err := st.s.store.PutRefresh(ctx, ref); err != nil {
		return "", "", time.Time{}, err
	}
	return jti, token, exp, nil
}

// TokenRequestByRefreshToken uses a refresh token: each works once. A
// token presented again revokes its whole family, access tokens
// included: either it was stolen or its client is broken, and the
// server cannot tell which copy is the legitimate one.
func (st *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	ref, err := st.s.store.UseRefresh(ctx, hashToken(token))
	if errors.Is(err, ErrRefreshReused) {
		st.s.revokeGrant(ctx, ref.Family, "refresh token reused")
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if st.s.now().After(ref.Expires) {
		return nil, errors.New("refresh token expired")
	}
	if revoked, err := st.s.store.GrantRevoked(ctx, ref.Family); err != nil || revoked {
		return nil, errors.New("refresh token revoked")
	}
	return &refreshRequest{ref: ref, scopes: ref.Scopes, aud: st.aud()}, nil
}

func (st *storage) TerminateSession(context.Context, string, string) error { return nil }

const refreshPrefix = "rt:"

// GetRefreshTokenInfo answers for the revocation endpoint.
func (st *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	h := hashToken(token)
	ref, err := st.s.store.Refresh(ctx, h)
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return ref.User.Subject, refreshPrefix + h, nil
}

// RevokeToken (RFC 7009): a refresh token ends its family and every
// access token of it; an access token is revoked on its own. Either is
// recorded in the revocation store, so the gateway refuses the access
// tokens on their next call. Unknown tokens are not an error.
func (st *storage) RevokeToken(ctx context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	if h, ok := strings.CutPrefix(tokenOrID, refreshPrefix); ok {
		ref, err := st.s.store.Refresh(ctx, h)
		if err != nil {
			return nil
		}
		if ref.ClientID != clientID {
			return oidc.ErrUnauthorizedClient().WithDescription("the token was not issued to this client")
		}
		st.s.revokeGrant(ctx, ref.Family, "refresh token revoked by its client")
		return nil
	}
	a, err := st.s.store.Access(ctx, tokenOrID)
	if err != nil {
		return nil
	}
	if a.ClientID != clientID {
		return oidc.ErrUnauthorizedClient().WithDescription("the token was not issued to this client")
	}
	if err := st.s.store.RevokeAccess(ctx, a.JTI); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if st.s.cfg.Revoker != nil {
		if err := st.s.cfg.Revoker.Revoke(ctx, a.JTI, a.Expires); err != nil {
			return oidc.ErrServerError().WithDescription("revocation store unavailable").WithParent(err)
		}
	}
	return nil
}

// signingKey and publicKey adapt the gateway's key to op.
type signingKey struct{ k SigningKey }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return s.k.Algorithm() }
func (s signingKey) Key() any                                    { return s.k.Private() }
func (s signingKey) ID() string                                  { return s.k.KeyID() }

type publicKey struct{ k jose.JSONWebKey }

func (p publicKey) ID() string                         { return p.k.KeyID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.SignatureAlgorithm(p.k.Algorithm) }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.Key }

func (st *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := st.s.currentKey(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (st *storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	k, err := st.s.currentKey(ctx)
	if err != nil {
		return nil, err
	}
	return []jose.SignatureAlgorithm{k.Algorithm()}, nil
}

func (st *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := st.s.publicKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (st *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := st.s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	return &opClient{c: c, s: st.s}, nil
}

// AuthorizeClientIDSecret compares SHA-256 hashes in constant time: the
// secrets are random 256-bit values, so a fast hash is enough.
func (st *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := st.s.client(ctx, id)
	if err != nil {
		return err
	}
	if c.SecretHash == "" || subtle.ConstantTimeCompare([]byte(c.SecretHash), []byte(hashToken(secret))) != 1 {
		return errors.New("invalid client secret")
	}
	return nil
}

func (st *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (st *storage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errors.New("userinfo is not served")
}

// SetIntrospectionFromToken (RFC 7662) describes an access token this
// server issued and has not revoked; anything else is inactive.
func (st *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, _ string, _ string) error {
	a, err := st.s.store.Access(ctx, tokenID)
	if err != nil {
		return err
	}
	if a.Revoked || !st.s.now().Before(a.Expires) {
		return errors.New("token inactive")
	}
	resp.Scope = a.Scopes
	resp.ClientID = a.ClientID
	resp.TokenType = "Bearer"
	resp.Expiration = oidc.FromTime(a.Expires)
	resp.IssuedAt = oidc.FromTime(a.Issued)
	resp.Subject = a.Subject
	resp.Audience = st.aud()
	resp.Issuer = st.s.cfg.Issuer
	resp.JWTID = a.JTI
	return nil
}

func (st *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest puts the granted scopes (op leaves them
// out of access tokens) and who signed in into the token.
func (st *storage) GetPrivateClaimsFromRequest(_ context.Context, tr op.TokenRequest, _ []string) (map[string]any, error) {
	claims := map[string]any{"scope": strings.Join(accessScopes(tr.GetScopes()), " ")}
	var p *Principal
	switch t := tr.(type) {
	case *opRequest:
		p = t.r.User
	case *refreshRequest:
		p = t.ref.User
	}
	if p != nil {
		if len(p.Groups) > 0 {
			claims["groups"] = p.Groups
		}
		if p.Name != "" {
			claims["name"] = p.Name
		}
		if p.Issuer != "" {
			claims["idp"] = p.Issuer
		}
	}
	return claims, nil
}

func (st *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT client authentication is not supported")
}

func (st *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT bearer grant is not supported")
}

func (st *storage) Health(context.Context) error { return nil }

// ClientCredentials authenticates a client for the client credentials
// grant: only clients configured with a secret and that grant.
func (st *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	if err := st.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	c, err := st.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.GrantTypes(), oidc.GrantTypeClientCredentials) {
		return nil, errors.New("client is not allowed the client_credentials grant")
	}
	return c, nil
}

// ClientCredentialsTokenRequest grants the scopes asked for, each of
// which the client must be allowed.
func (st *storage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := st.s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, oidc.ErrInvalidScope().WithDescription("scope is required")
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) && !isIntent(sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %q is not allowed for this client", sc)
		}
	}
	if err := checkIntents(scopes); err != nil {
		return nil, oidc.ErrInvalidScope().WithDescription("%s", err.Error())
	}
	return &ccRequest{clientID: id, scopes: scopes, aud: st.aud()}, nil
}

// accessScopes are the scopes an access token carries: the OpenID
// Connect ones mean nothing to the gateway.
func accessScopes(s []string) []string {
	return slices.DeleteFunc(slices.Clone(s), func(x string) bool {
		switch x {
		case oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopePhone, oidc.ScopeAddress, oidc.ScopeOfflineAccess:
			return true
		}
		return false
	})
}

// opClient is a Client as op sees it.
type opClient struct {
	c *Client
	s *Server
}

func (o *opClient) GetID() string                    { return o.c.ID }
func (o *opClient) RedirectURIs() []string           { return o.c.RedirectURIs }
func (o *opClient) PostLogoutRedirectURIs() []string { return nil }
func (o *opClient) ApplicationType() op.ApplicationType {
	if o.c.Native {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}
func (o *opClient) AuthMethod() oidc.AuthMethod {
	if o.c.SecretHash == "" {
		return oidc.AuthMethodNone
	}
	if o.c.AuthMethod == string(oidc.AuthMethodPost) {
		return oidc.AuthMethodPost
	}
	return oidc.AuthMethodBasic
}
func (o *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (o *opClient) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, len(o.c.GrantTypes))
	for i, g := range o.c.GrantTypes {
		out[i] = oidc.GrantType(g)
	}
	return out
}
func (o *opClient) LoginURL(id string) string {
	return o.s.cfg.Issuer + PathLogin + "?id=" + id
}
func (o *opClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (o *opClient) IDTokenLifetime() time.Duration      { return 5 * time.Minute }
func (o *opClient) DevMode() bool                       { return false }
func (o *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (o *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (o *opClient) IsScopeAllowed(scope string) bool {
	return slices.Contains(o.s.cfg.Scopes, scope) || slices.Contains(o.s.cfg.RequiredScopes, scope) || isIntent(scope)
}
func (o *opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (o *opClient) ClockSkew() time.Duration             { return 0 }

// client finds a client: registered, or (client_id an https URL) from its
// metadata document.
func (s *Server) client(ctx context.Context, id string) (*Client, error) {
	if isMetadataClientID(id) {
		if !s.cfg.MetadataDocuments {
			return nil, errors.New("client ID metadata documents are not accepted here")
		}
		if c, err := s.store.Client(ctx, id); err == nil && c.Metadata && s.now().Before(c.Expires) {
			return c, nil
		}
		c, err := s.cfg.Fetch.Client(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("client metadata document: %w", err)
		}
		c.Created, c.Expires = s.now(), s.now().Add(metadataCacheTTL)
		if err := s.store.PutClient(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	}
	c, err := s.store.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Configured && !s.configured[id] {
		return nil, ErrNotFound
	}
	return c, nil
}
