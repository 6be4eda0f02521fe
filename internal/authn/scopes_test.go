package authn

import (
	"slices"
	"testing"
)

func TestScopesAuthorize(t *testing.T) {
	s := Scopes{
		"mcp:read":       {Risks: []string{"read"}},
		"mcp:files":      {Servers: []string{"files"}},
		"mcp:files:read": {Servers: []string{"files"}, Risks: []string{"read"}},
		"mcp:deploy":     {Servers: []string{"ci"}, Tools: []string{"deploy"}},
		"mcp:admin":      {Servers: []string{"*"}},
		"mcp:any-tool":   {Tools: []string{"echo"}},
	}
	cases := []struct {
		name    string
		granted []string
		call    Call
		ok      bool
		needed  []string
	}{
		{"read scope, read tool", []string{"mcp:read"}, Call{Server: "files", Kind: KindTool, Name: "read_file", Risk: "read"}, true, nil},
		{"read scope, write tool", []string{"mcp:read"}, Call{Server: "files", Kind: KindTool, Name: "write_file", Risk: "write"}, false, []string{"mcp:files", "mcp:admin"}},
		{"read scope, unknown risk fails closed", []string{"mcp:read"}, Call{Server: "mem", Kind: KindTool, Name: "x"}, false, []string{"mcp:admin"}},
		{"server scope", []string{"mcp:files"}, Call{Server: "files", Kind: KindTool, Name: "delete", Risk: "destructive"}, true, nil},
		{"server scope, other server", []string{"mcp:files"}, Call{Server: "ci", Kind: KindTool, Name: "deploy", Risk: "external"}, false, []string{"mcp:deploy", "mcp:admin"}},
		{"server+risk", []string{"mcp:files:read"}, Call{Server: "files", Kind: KindTool, Name: "list", Risk: "read"}, true, nil},
		{"server+risk, wrong risk", []string{"mcp:files:read"}, Call{Server: "files", Kind: KindTool, Name: "rm", Risk: "destructive"}, false, []string{"mcp:files", "mcp:admin"}},
		{"tool scope", []string{"mcp:deploy"}, Call{Server: "ci", Kind: KindTool, Name: "deploy"}, true, nil},
		{"tool scope, look-alike tool", []string{"mcp:deploy"}, Call{Server: "ci", Kind: KindTool, Name: "deploy2"}, false, []string{"mcp:admin"}},
		{"tool scope does not grant prompts", []string{"mcp:deploy"}, Call{Server: "ci", Kind: KindPrompt, Name: "deploy"}, false, []string{"mcp:read", "mcp:admin"}},
		{"tool-only grant on any server", []string{"mcp:any-tool"}, Call{Server: "mem", Kind: KindTool, Name: "echo"}, true, nil},
		{"prompt counts as read", []string{"mcp:read"}, Call{Server: "mem", Kind: KindPrompt, Name: "p"}, true, nil},
		{"resource counts as read", []string{"mcp:files:read"}, Call{Server: "files", Kind: KindResource, Name: "file:///a"}, true, nil},
		{"wildcard", []string{"mcp:admin"}, Call{Server: "x", Kind: KindTool, Name: "y"}, true, nil},
		{"unconfigured scope grants nothing", []string{"root", "admin"}, Call{Server: "files", Kind: KindTool, Name: "r", Risk: "read"}, false, []string{"mcp:files:read", "mcp:files", "mcp:read", "mcp:admin"}},
		{"no scopes", nil, Call{Server: "files", Kind: KindTool, Name: "r", Risk: "read"}, false, []string{"mcp:files:read", "mcp:files", "mcp:read", "mcp:admin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, needed := s.Authorize(tc.granted, tc.call)
			if ok != tc.ok || !slices.Equal(needed, tc.needed) {
				t.Errorf("Authorize = %v %v, want %v %v", ok, needed, tc.ok, tc.needed)
			}
		})
	}
	if ok, _ := Scopes(nil).Authorize(nil, Call{Server: "x", Kind: KindTool, Name: "y"}); !ok {
		t.Error("nil Scopes must allow")
	}
}
