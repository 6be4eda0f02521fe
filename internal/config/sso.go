package config

import (
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SSO is auth.authorization_server.sso: people sign in to the embedded
// authorization server through the company's OpenID Connect provider
// (internal/sso), and their groups decide which scopes they may grant.
type SSO struct {
	// Issuer is the provider's issuer URL, exactly as its tokens' iss.
	Issuer   string
	ClientID string
	// ClientSecret is a secret://NAME reference, never the secret.
	ClientSecret string
	// Scopes asked for besides openid (default profile, email).
	Scopes      []string
	GroupsClaim string
	// Roles by name: members of any of the groups get the role and may be
	// granted its scopes. Groups no role names get nothing.
	Roles                           map[string]SSORole
	AllowedDomains, AllowedSubjects []string
}

// SSORole is one role of auth.authorization_server.sso.roles.
type SSORole struct {
	Groups, Scopes []string
}

var (
	ssoKeys     = []string{"issuer", "client_id", "client_secret", "scopes", "groups_claim", "roles", "allowed_domains", "allowed_subjects"}
	ssoRoleKeys = []string{"groups", "scopes"}
)

func (d *decoder) sso(path string, raw *yaml.Node) *SSO {
	s := &SSO{GroupsClaim: DefaultGroupsClaim}
	es, ok := d.mapping(path, raw)
	if !ok {
		return s
	}
	for _, e := range es {
		p := joinKey(path, e.name)
		if !slices.Contains(ssoKeys, e.name) {
			d.unknown(p, e, ssoKeys)
			continue
		}
		v := d.field(p, e)
		if v == nil {
			continue
		}
		switch e.name {
		case "issuer":
			s.Issuer, _ = d.str(p, v)
		case "client_id":
			s.ClientID, _ = d.str(p, v)
		case "client_secret":
			s.ClientSecret, _ = d.str(p, v)
		case "groups_claim":
			s.GroupsClaim, _ = d.str(p, v)
		case "scopes":
			s.Scopes, _ = d.strList(p, v)
		case "allowed_domains":
			s.AllowedDomains, _ = d.strList(p, v)
		case "allowed_subjects":
			s.AllowedSubjects, _ = d.strList(p, v)
		case "roles":
			s.Roles = d.ssoRoles(p, v)
		}
	}
	return s
}

func (d *decoder) ssoRoles(path string, raw *yaml.Node) map[string]SSORole {
	es, ok := d.mapping(path, raw)
	if !ok {
		return nil
	}
	roles := make(map[string]SSORole, len(es))
	for _, e := range es {
		p := joinKey(path, e.name)
		d.mark(p, e.key)
		var r SSORole
		if res, ok := d.mapping(p, e.val); ok {
			for _, re := range res {
				rp := joinKey(p, re.name)
				if !slices.Contains(ssoRoleKeys, re.name) {
					d.unknown(rp, re, ssoRoleKeys)
					continue
				}
				v := d.field(rp, re)
				if v == nil {
					continue
				}
				l, _ := d.strList(rp, v)
				switch re.name {
				case "groups":
					r.Groups = l
				case "scopes":
					r.Scopes = l
				}
			}
		}
		roles[e.name] = r
	}
	return roles
}

// validateSSO checks auth.authorization_server.sso (only reached with
// issuer: embedded). The client secret is a reference; every role names
// groups and scopes the gateway defines, so a typo cannot grant nothing
// or something else silently.
func (c *Config) validateSSO(v *validator, s *SSO) {
	const p = "auth.authorization_server.sso"
	if s.Issuer == "" {
		v.addf(p+".issuer", "required: the identity provider's issuer URL, e.g. https://idp.example.com/realms/acme")
	} else if err := checkAuthURL(s.Issuer, true); err != nil {
		v.addf(p+".issuer", "%v", err)
	}
	if strings.TrimSpace(s.ClientID) == "" || strings.ContainsAny(s.ClientID, "\r\n\x00") {
		v.addf(p+".client_id", "required: the client id the identity provider gave the gateway")
	}
	switch cs := s.ClientSecret; {
	case cs == "":
		v.addf(p+".client_secret", "required: secret://NAME, the client secret stored with mcpwarden secret set NAME")
	case strings.HasPrefix(cs, "secret://"):
		if !secretNameRe.MatchString(strings.TrimPrefix(cs, "secret://")) {
			v.addf(p+".client_secret", "invalid secret name in %q", cs)
		}
	default:
		v.addf(p+".client_secret", "a secret is never written into the config: store it with mcpwarden secret set NAME and write secret://NAME")
	}
	for i, sc := range s.Scopes {
		if err := checkScopeName(sc); err != nil {
			v.addf(joinIndex(p+".scopes", i), "%v", err)
		}
	}
	if strings.TrimSpace(s.GroupsClaim) == "" {
		v.addf(p+".groups_claim", "must not be empty")
	}
	if len(s.Roles) == 0 && v.ok(p+".roles") {
		v.addf(p+".roles", "required: at least one role mapping groups to scopes (a person in no mapped group cannot sign in)")
	}
	a := c.Auth
	for _, name := range slices.Sorted(maps.Keys(s.Roles)) {
		rp := joinKey(p+".roles", name)
		r := s.Roles[name]
		if strings.TrimSpace(name) == "" {
			v.addf(rp, "empty role name")
		}
		if len(r.Groups) == 0 && v.ok(rp+".groups") {
			v.addf(rp+".groups", "required: the groups (as the identity provider names them) that have this role")
		}
		for i, g := range r.Groups {
			if g == "" || strings.ContainsAny(g, "\r\n\x00") {
				v.addf(joinIndex(rp+".groups", i), "must be a non-empty group name")
			}
		}
		if len(r.Scopes) == 0 && v.ok(rp+".scopes") {
			v.addf(rp+".scopes", "required: the scopes this role may be granted")
		}
		for i, sc := range r.Scopes {
			if _, ok := a.Scopes[sc]; !ok && !slices.Contains(a.RequiredScopes, sc) {
				v.addf(joinIndex(rp+".scopes", i), "scope %q is not defined in auth.scopes or auth.required_scopes", sc)
			}
		}
	}
	for i, dm := range s.AllowedDomains {
		if dm == "" || strings.ContainsAny(dm, "@/: \t\r\n\x00") || strings.HasPrefix(dm, ".") || !strings.Contains(dm, ".") {
			v.addf(joinIndex(p+".allowed_domains", i), "must be a domain name such as example.com, got %q", dm)
		}
	}
	for i, sub := range s.AllowedSubjects {
		if sub == "" || strings.ContainsAny(sub, "\r\n\x00") {
			v.addf(joinIndex(p+".allowed_subjects", i), "must be a non-empty subject (the sub claim)")
		}
	}
}
