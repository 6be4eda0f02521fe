package sso

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mcpwarden/mcpwarden/internal/authn"
)

// Limits on what an ID token may carry; beyond them the sign-in is
// refused rather than truncated, so no group is silently dropped.
const (
	maxGroups     = 1000
	maxGroupBytes = 512
	maxPathDepth  = 8
)

// Role is what members of some groups get: a role name and the scopes
// it lets them be granted.
type Role struct {
	Name   string
	Groups []string
	Scopes []string
}

// Mapping turns the IdP's groups into roles and scopes. The zero Mapping
// gives nobody anything.
type Mapping struct {
	Roles []Role
}

// Map returns the roles and the scopes (sorted, without duplicates)
// that groups earn. Groups the mapping does not name earn nothing; the
// comparison is exact (case and spaces matter), so "Admins" is not
// "admins".
func (m Mapping) Map(groups []string) (roles, scopes []string) {
	for _, r := range m.Roles {
		if slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(groups, g) }) {
			roles = append(roles, r.Name)
			scopes = append(scopes, r.Scopes...)
		}
	}
	slices.Sort(roles)
	slices.Sort(scopes)
	return slices.Compact(roles), slices.Compact(scopes)
}

// idClaims are the claims read from a verified ID token.
type idClaims struct {
	Iss, Sub, Azp, Nonce string
	Email                string
	EmailVerified        bool
	Name                 string
	Groups               []string
	Iat                  int64
}

// parseClaims reads the claims of a verified ID token's payload;
// groupsClaim names the groups claim. A groups claim of the wrong type,
// or too large, is an error: the sign-in is refused, never granted with
// fewer groups than the IdP meant (a missing claim is no groups).
func parseClaims(payload []byte, groupsClaim string) (*idClaims, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if dec.More() {
		return nil, errors.New("claims: trailing data")
	}
	c := &idClaims{}
	var err error
	str := func(name string) string {
		var s string
		if raw, ok := m[name]; ok && err == nil && string(raw) != "null" {
			if json.Unmarshal(raw, &s) != nil {
				err = fmt.Errorf("claim %s: not a string", name)
			}
		}
		return s
	}
	num := func(name string) int64 {
		var n json.Number
		if raw, ok := m[name]; ok && err == nil && string(raw) != "null" {
			if json.Unmarshal(raw, &n) != nil {
				err = fmt.Errorf("claim %s: not a number", name)
				return 0
			}
			f, e := n.Float64()
			if e != nil {
				err = fmt.Errorf("claim %s: not a number", name)
			}
			return int64(f)
		}
		return 0
	}
	c.Iss, c.Sub, c.Azp, c.Nonce = str("iss"), str("sub"), str("azp"), str("nonce")
	c.Email, c.Name = str("email"), str("name")
	if c.Name == "" {
		c.Name = str("preferred_username")
	}
	c.Iat = num("iat")
	if err != nil {
		return nil, err
	}
	if raw, ok := m["email_verified"]; ok {
		// Some IdPs send "true" as a string.
		switch string(raw) {
		case "true", `"true"`:
			c.EmailVerified = true
		}
	}
	raw, ok := lookup(m, groupsClaim)
	if !ok {
		// Entra ID sends a reference instead of the groups when there are
		// too many (group overage); without them nobody gets a role.
		var names map[string]json.RawMessage
		if json.Unmarshal(m["_claim_names"], &names) == nil {
			if _, dist := names[groupsClaim]; dist {
				return nil, fmt.Errorf("claim %s: sent as a distributed claim (too many groups for the token?): have the provider send only the groups assigned to this application", groupsClaim)
			}
		}
	}
	if ok {
		if c.Groups, err = authn.ClaimStrings(raw, ""); err != nil {
			return nil, fmt.Errorf("claim %s: %w", groupsClaim, err)
		}
	}
	if len(c.Groups) > maxGroups {
		return nil, fmt.Errorf("claim %s: %d groups, more than %d", groupsClaim, len(c.Groups), maxGroups)
	}
	for _, g := range c.Groups {
		if g == "" || len(g) > maxGroupBytes || !utf8.ValidString(g) {
			return nil, fmt.Errorf("claim %s: a group is empty, longer than %d bytes or not UTF-8", groupsClaim, maxGroupBytes)
		}
	}
	return c, nil
}

// lookup finds a claim by its exact name, else, for a name with dots, by
// walking nested objects (Keycloak's realm_access.roles). The exact name
// wins, so namespaced claims such as https://example.com/groups work.
func lookup(m map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if raw, ok := m[name]; ok {
		return raw, true
	}
	parts := strings.Split(name, ".")
	if len(parts) < 2 || len(parts) > maxPathDepth {
		return nil, false
	}
	cur := m
	for i, p := range parts {
		raw, ok := cur[p]
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return raw, true
		}
		cur = nil
		if json.Unmarshal(raw, &cur) != nil || cur == nil {
			return nil, false
		}
	}
	return nil, false
}

// allowed reports whether the allow-lists admit a user: with none set,
// everyone the IdP signs in; otherwise a listed subject, or a verified
// email in a listed domain (compared case-insensitively, exact domain:
// sub.example.com is not example.com).
func allowed(c *idClaims, domains, subjects []string) bool {
	if len(domains) == 0 && len(subjects) == 0 {
		return true
	}
	if slices.Contains(subjects, c.Sub) {
		return true
	}
	if !c.EmailVerified {
		return false
	}
	at := strings.LastIndexByte(c.Email, '@')
	if at <= 0 || at == len(c.Email)-1 {
		return false
	}
	d := c.Email[at+1:]
	return slices.ContainsFunc(domains, func(x string) bool { return strings.EqualFold(x, d) })
}
