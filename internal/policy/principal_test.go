package policy

import "testing"

// Groups and scopes of the verified token are lists in principal; an
// unauthenticated caller has empty lists, so rules on them do not fail
// (which would deny) but simply do not match.
func TestPrincipalGroupsAndScopes(t *testing.T) {
	p, err := Parse("p.yaml", []byte(`rules:
  - id: eng-writes
    effect: allow
    when: risk == "write" && "eng" in principal.groups
  - id: scoped-admin
    effect: allow
    when: principal.scopes.exists(s, s == "mcp:admin")
  - id: ops
    effect: allow
    when: principal.subject.startsWith("ops-")
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   Input
		rule string
	}{
		{"group member", Input{Risk: "write", Principal: Principal{Subject: "a", Groups: []string{"qa", "eng"}}}, "eng-writes"},
		{"other group", Input{Risk: "write", Principal: Principal{Subject: "a", Groups: []string{"engineering"}}}, DefaultDenyRule},
		{"admin scope", Input{Risk: "destructive", Principal: Principal{Scopes: []string{"mcp:read", "mcp:admin"}}}, "scoped-admin"},
		{"scope look-alike", Input{Risk: "destructive", Principal: Principal{Scopes: []string{"mcp:admin2"}}}, DefaultDenyRule},
		{"subject rules still work", Input{Risk: "write", Principal: Principal{Subject: "ops-1"}}, "ops"},
		{"no principal", Input{Risk: "write"}, DefaultDenyRule},
	} {
		d := p.Decide(tc.in)
		if d.Rule != tc.rule || d.Error != "" {
			t.Errorf("%s: decided %+v, want rule %s", tc.name, d, tc.rule)
		}
	}
}
