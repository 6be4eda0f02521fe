package sso

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseClaims(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, payload, claim string
		groups               []string
		err                  string
	}{
		{"list", `{"sub":"a","groups":["x","y"]}`, "groups", []string{"x", "y"}, ""},
		{"string", `{"sub":"a","groups":"x"}`, "groups", []string{"x"}, ""},
		{"missing", `{"sub":"a"}`, "groups", nil, ""},
		{"null", `{"sub":"a","groups":null}`, "groups", nil, ""},
		{"namespaced name with dots wins", `{"https://acme.test/groups":["x"],"https":{"//acme":{"test/groups":["y"]}}}`, "https://acme.test/groups", []string{"x"}, ""},
		{"nested", `{"realm_access":{"roles":["x"]}}`, "realm_access.roles", []string{"x"}, ""},
		{"nested missing", `{"realm_access":{"other":["x"]}}`, "realm_access.roles", nil, ""},
		{"nested through a list", `{"realm_access":[{"roles":["x"]}]}`, "realm_access.roles", nil, ""},
		{"number in list", `{"groups":["x",1]}`, "groups", nil, "not a string or a list"},
		{"object", `{"groups":{"x":true}}`, "groups", nil, "not a string or a list"},
		{"empty group", `{"groups":["x",""]}`, "groups", nil, "empty"},
		{"too long", `{"groups":["` + strings.Repeat("a", maxGroupBytes+1) + `"]}`, "groups", nil, "longer"},
		{"too many", `{"groups":[` + strings.Repeat(`"g",`, maxGroups) + `"g"]}`, "groups", nil, "more than"},
		{"sub not a string", `{"sub":1}`, "groups", nil, "sub"},
		{"iat not a number", `{"iat":"soon"}`, "groups", nil, "iat"},
		{"trailing data", `{"sub":"a"} {}`, "groups", nil, "trailing"},
		{"not an object", `["groups"]`, "groups", nil, "claims"},
		{"distributed (Entra overage)", `{"_claim_names":{"groups":"src1"},"_claim_sources":{"src1":{"endpoint":"https://graph.example"}}}`, "groups", nil, "distributed"},
		{"another distributed claim", `{"groups":["x"],"_claim_names":{"roles":"src1"}}`, "groups", []string{"x"}, ""},
	}
	for _, c := range cases {
		got, err := parseClaims([]byte(c.payload), c.claim)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want error with %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got.Groups, c.groups) {
			t.Errorf("%s: %v %+v", c.name, err, got)
		}
	}
	// email_verified as a string (some IdPs) counts; anything else not.
	for in, want := range map[string]bool{`true`: true, `"true"`: true, `false`: false, `"yes"`: false, `1`: false} {
		c, err := parseClaims([]byte(`{"email_verified":`+in+`}`), "groups")
		if err != nil || c.EmailVerified != want {
			t.Errorf("email_verified %s: %v %v", in, c.EmailVerified, err)
		}
	}
}

func TestMap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		groups        []string
		roles, scopes []string
	}{
		{[]string{"engineering"}, []string{"developer"}, []string{"mcp:read"}},
		{[]string{"mcp-admins", "engineering", "contractors"}, []string{"admin", "developer"}, []string{"mcp:admin", "mcp:read"}},
		{[]string{"MCP-ADMINS", "mcp-admins ", "admin", "developer"}, nil, nil}, // role names are not groups
		{nil, nil, nil},
	}
	for _, c := range cases {
		r, s := mapping.Map(c.groups)
		if !slices.Equal(r, c.roles) || !slices.Equal(s, c.scopes) {
			t.Errorf("%q: %q %q, want %q %q", c.groups, r, s, c.roles, c.scopes)
		}
	}
	if r, s := (Mapping{}).Map([]string{"mcp-admins"}); r != nil || s != nil {
		t.Errorf("empty mapping gave %q %q", r, s)
	}
}

// FuzzParseClaims: any payload either fails or yields groups within the
// limits, and the mapping gives only roles it defines.
func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{
		`{"sub":"a","groups":["engineering","mcp-admins"]}`, `{"groups":"mcp-admins"}`,
		`{"realm_access":{"roles":["mcp-admins"]}}`, `{"groups":[1,2]}`, `{"groups":{"a":1}}`,
		`{"email":"a@example.com","email_verified":"true","iat":1.5e9}`, `{"groups":["\u0000"]}`, `{}`, `null`, `[`,
	} {
		f.Add([]byte(s), "groups")
	}
	f.Add([]byte(`{"realm_access":{"roles":["mcp-admins"]}}`), "realm_access.roles")
	f.Fuzz(func(t *testing.T, payload []byte, claim string) {
		c, err := parseClaims(payload, claim)
		if err != nil {
			return
		}
		if len(c.Groups) > maxGroups {
			t.Fatalf("%d groups", len(c.Groups))
		}
		for _, g := range c.Groups {
			if g == "" || len(g) > maxGroupBytes || !utf8.ValidString(g) {
				t.Fatalf("group %q passed", g)
			}
		}
		roles, _ := mapping.Map(c.Groups)
		for _, r := range roles {
			if r != "admin" && r != "developer" {
				t.Fatalf("role %q", r)
			}
		}
		allowed(c, []string{"example.com"}, []string{"bob"})
	})
}
