package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestServerFromCommand(t *testing.T) {
	argv := []string{"npx", "-y", "pkg"}
	got := ServerFromCommand("quick", argv)
	want := Server{Name: "quick", Command: []string{"npx", "-y", "pkg"}, Transport: "stdio", Pool: 1, StartTimeout: 30 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	argv[0] = "changed"
	if got.Command[0] != "npx" {
		t.Error("ServerFromCommand did not copy argv")
	}
}

// Validate is usable on a Config built in code, e.g. from CLI flags.
func TestValidateInCode(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want []string // Problem.String() of each problem, in order
	}{
		{"default plus quick server", func(c *Config) {}, nil},
		{"default alone", func(c *Config) { c.Servers = nil }, []string{"servers: at least one server is required"}},
		{"no argv", func(c *Config) { c.Servers = []Server{ServerFromCommand("q", nil)} }, []string{
			"servers.q.command: must not be empty: give the program and its arguments, e.g. [npx, -y, package]",
		}},
		{"zero values are not defaults", func(c *Config) {
			c.Servers = []Server{{Name: "raw", URL: "https://h/mcp"}}
			c.HTTP.MaxBodyBytes = 0
		}, []string{
			"http.max_body_bytes: must be greater than 0, got 0",
			"servers.raw.transport: is empty: must be stdio, streamable or sse",
			"servers.raw.start_timeout: must be greater than 0, got 0s",
		}},
		{"duplicate names", func(c *Config) {
			c.Servers = append(c.Servers, ServerFromCommand("quick", []string{"x"}))
		}, []string{"servers.quick: duplicate server name"}},
		{"bad name, listen and transport", func(c *Config) {
			c.Listen = "127.0.0.1"
			c.Servers[0].Name = "Quick"
			c.Servers[0].Transport = "http"
		}, []string{
			`listen: must be host:port, e.g. 127.0.0.1:8080, got "127.0.0.1"`,
			`servers.Quick: invalid server name "Quick": use 1-32 characters a-z, 0-9 and -, starting with a letter (it is used as a URI scheme prefix)`,
			`servers.Quick.transport: "http" is not one of streamable, sse, stdio`,
		}},
		{"headers differing in case", func(c *Config) {
			c.Servers = []Server{{Name: "h", URL: "http://h/", Transport: "sse", StartTimeout: time.Second,
				Headers: map[string]string{"X-Key": "a", "x-key": "b", "Host": "evil", "X-Bad": "a\r\nInjected: 1"}}}
		}, []string{
			`servers.h.headers.Host: header is set by the gateway and cannot be configured`,
			`servers.h.headers.X-Bad: value contains a line break or NUL byte`,
			`servers.h.headers.x-key: duplicate header: "X-Key" and "x-key" differ only in case`,
		}},
		{"nul bytes", func(c *Config) {
			s := &c.Servers[0]
			s.Command = append(s.Command, "a\x00b")
			s.Env = map[string]string{"K": "v\x00"}
			s.Cwd = "/x\x00"
		}, []string{
			"servers.quick.command[2]: contains a NUL byte",
			"servers.quick.env.K: value contains a NUL byte",
			"servers.quick.cwd: contains a NUL byte",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Servers = []Server{ServerFromCommand("quick", []string{"srv", "--stdio"})}
			tt.edit(c)
			var got []string
			for _, p := range c.Validate() {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateSourceAsFile(t *testing.T) {
	c := Default()
	c.Source = "/etc/mcpwarden.yaml"
	if got := c.Validate().Error(); got != "/etc/mcpwarden.yaml: servers: at least one server is required" {
		t.Errorf("got %q", got)
	}
}

func TestProblemsError(t *testing.T) {
	ps := Problems{
		{File: "f.yaml", Line: 9, Col: 2, Path: "b", Msg: "second"},
		{File: "f.yaml", Line: 3, Col: 7, Path: "a", Msg: "first"},
		{File: "f.yaml", Line: 9, Col: 1, Msg: "no path"},
		{Msg: "bare"},
		{File: "f.yaml", Line: 4, Msg: "no column"},
	}
	want := strings.Join([]string{
		"bare",
		"f.yaml:3:7: a: first",
		"f.yaml:4: no column",
		"f.yaml:9:1: no path",
		"f.yaml:9:2: b: second",
	}, "\n")
	if got := ps.Error(); got != want {
		t.Errorf("Error():\n%s\nwant:\n%s", got, want)
	}
	if ps[0].Msg != "second" {
		t.Error("Error() reordered the receiver")
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"4MiB", 4 << 20, ""},
		{"4 MiB", 4 << 20, ""},
		{"4mib", 4 << 20, ""},
		{"512KiB", 512 << 10, ""},
		{"2GiB", 2 << 30, ""},
		{"10KB", 10_000, ""},
		{"3MB", 3_000_000, ""},
		{"1GB", 1_000_000_000, ""},
		{"123", 123, ""},
		{"123B", 123, ""},
		{"0", 0, ""},
		{"", 0, "expected a whole number"},
		{"MiB", 0, "expected a whole number"},
		{"-1MiB", 0, "expected a whole number"},
		{"1.5MiB", 0, "use a whole number"},
		{"4Mi", 0, `unknown unit "Mi"`},
		{"4 TiB", 0, `unknown unit "TiB"`},
		{"9223372036854775807", 9223372036854775807, ""},
		{"9223372036854775808", 0, "too large"},
		{"8589934592GiB", 0, "too large"},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseSize(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"comand", "command"},
		{"commnad", "command"},
		{"Command", "command"},
		{"header", "headers"},
		{"start-timeout", "start_timeout"},
		{"start_timout", "start_timeout"},
		{"uri", "url"},
		{"restart", ""},
		{"cmd", "command"},
		{"args", "command"},
		{"cdw", "cwd"},
		{"e", ""},
		{strings.Repeat("command", 20), ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, serverKeys); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"ab", "ba", 1}, {"command", "comand", 1}, {"abc", "abc", 0},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPaths(t *testing.T) {
	tests := []struct{ path, parent string }{
		{"servers.a.command[2]", "servers.a.command"},
		{"servers.a.command", "servers.a"},
		{`servers.a.headers."X.Y[0]"`, "servers.a.headers"},
		{`servers."a\"b.c"`, "servers"},
		{"servers", ""},
	}
	for _, tt := range tests {
		if got, ok := parentPath(tt.path); !ok || got != tt.parent {
			t.Errorf("parentPath(%q) = %q, %v; want %q", tt.path, got, ok, tt.parent)
		}
	}
	if _, ok := parentPath(""); ok {
		t.Error("parentPath(\"\") has a parent")
	}
	if got := joinKey(joinKey("servers", "a"), "X.Y[0]"); got != `servers.a."X.Y[0]"` {
		t.Errorf("joinKey = %s", got)
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\r\ncd\ref\u2028gh\u0085é*x\n")
	tests := []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {4, 2, 1}, {7, 3, 1}, {12, 4, 1}, {16, 5, 1}, {18, 5, 2}, {19, 5, 3},
	}
	for _, tt := range tests {
		if l, c := lineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
	for in, want := range map[string]int{"": 1, "a": 1, "a\n": 1, "a\nb": 2, "a\r\n\r\n": 2, "\r0": 2} {
		if got := lineCount([]byte(in)); got != want {
			t.Errorf("lineCount(%q) = %d, want %d", in, got, want)
		}
	}
}
