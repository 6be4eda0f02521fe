package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixed example from the documentation.
const exampleYAML = `listen: 127.0.0.1:8080
servers:
  files:
    command: [npx, -y, "@modelcontextprotocol/server-filesystem", /srv/data]
  remote:
    url: https://mcp.example.com/mcp      # Streamable HTTP
  old:
    url: https://old.example.com/sse
    transport: sse                        # legacy HTTP+SSE
`

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	c, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: unexpected error:\n%v", err)
	}
	return c
}

func TestParseExample(t *testing.T) {
	got := mustParse(t, exampleYAML)
	want := Default()
	want.Source = "test.yaml"
	want.Servers = []Server{
		{Name: "files", Command: []string{"npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv/data"},
			Transport: "stdio", Pool: 1, StartTimeout: 30 * time.Second},
		{Name: "remote", URL: "https://mcp.example.com/mcp", Transport: "streamable", StartTimeout: 30 * time.Second},
		{Name: "old", URL: "https://old.example.com/sse", Transport: "sse", StartTimeout: 30 * time.Second},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	s, ok := got.Server("old")
	if !ok || s.Transport != TransportSSE {
		t.Errorf("Server(old) = %+v, %v", s, ok)
	}
	if _, ok := got.Server("nope"); ok {
		t.Error("Server(nope) found")
	}
	s, _ = got.Server("files")
	s.Pool = 7 // Server returns a pointer into the config
	if got.Servers[0].Pool != 7 {
		t.Error("Server did not return a pointer into Servers")
	}
}

const fullYAML = `listen: "[::1]:9000"
log:
  level: debug
  format: text
http:
  allowed_origins: [https://app.example.com, "http://localhost:3000"]
  allowed_hosts: [gateway.internal, 10.0.0.7]
  max_body_bytes: 8MiB
  max_message_bytes: 1048576
  session_idle_timeout: 1h30m
  request_timeout: 45s
servers:
  zeta:
    command: [node, server.js, --port, 8080]
    env: {API_KEY: secret://zeta-api-key, DEBUG: true, EMPTY: ""}
    cwd: /opt/zeta
    transport: stdio
    pool: 4
    start_timeout: 1m
  alpha:
    url: http://127.0.0.1:9100/mcp
    transport: streamable
    headers:
      Authorization: secret://alpha-auth
      X-Trace: "1"
    start_timeout: 5s
`

func TestParseFull(t *testing.T) {
	got := mustParse(t, fullYAML)
	want := &Config{
		Listen: "[::1]:9000",
		Log:    Log{Level: "debug", Format: "text"},
		HTTP: HTTP{
			AllowedOrigins:     []string{"https://app.example.com", "http://localhost:3000"},
			AllowedHosts:       []string{"gateway.internal", "10.0.0.7"},
			MaxBodyBytes:       8 << 20,
			MaxMessageBytes:    1 << 20,
			SessionIdleTimeout: 90 * time.Minute,
			RequestTimeout:     45 * time.Second,
		},
		Servers: []Server{ // file order, not sorted
			{Name: "zeta", Command: []string{"node", "server.js", "--port", "8080"},
				Env: map[string]string{"API_KEY": "secret://zeta-api-key", "DEBUG": "true", "EMPTY": ""}, Cwd: "/opt/zeta",
				Transport: "stdio", Pool: 4, StartTimeout: time.Minute},
			{Name: "alpha", URL: "http://127.0.0.1:9100/mcp", Transport: "streamable",
				Headers:      map[string]string{"Authorization": "secret://alpha-auth", "X-Trace": "1"},
				StartTimeout: 5 * time.Second},
		},
		Audit:  defaultAudit(),
		Source: "test.yaml",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if p := got.Validate(); len(p) != 0 {
		t.Errorf("Validate of a parsed config: %v", p)
	}
}

// Writing every default explicitly gives the same Config as leaving them
// out, and both equal Default() plus the server.
func TestParseDefaultsRoundTrip(t *testing.T) {
	minimal := mustParse(t, "servers:\n  s:\n    command: [srv]\n")
	explicit := mustParse(t, `listen: 127.0.0.1:8080
log: {level: info, format: json}
http:
  allowed_origins: []
  allowed_hosts: []
  max_body_bytes: 4MiB
  max_message_bytes: 4 MiB
  session_idle_timeout: 10m
  request_timeout: 5m
servers:
  s:
    command: [srv]
    transport: stdio
    pool: 1
    start_timeout: 30s
`)
	want := Default()
	want.Source = "test.yaml"
	want.Servers = []Server{ServerFromCommand("s", []string{"srv"})}
	if diff := cmp.Diff(want, minimal); diff != "" {
		t.Errorf("minimal config (-want +got):\n%s", diff)
	}
	// allowed_origins: [] is an explicit empty list, not nil.
	explicit.HTTP.AllowedOrigins, explicit.HTTP.AllowedHosts = nil, nil
	if diff := cmp.Diff(minimal, explicit); diff != "" {
		t.Errorf("explicit defaults differ from implicit ones (-minimal +explicit):\n%s", diff)
	}
}

// servers may be left out of a file (run -c FILE uses only log and limits);
// Validate, which serve calls, still requires them.
func TestParseWithoutServers(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "listen: 127.0.0.1:1\n", "servers:\n", "servers: ~\n"} {
		c, err := Parse("f.yaml", []byte(src))
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if c.Servers != nil {
			t.Errorf("Parse(%q): servers %v", src, c.Servers)
		}
		if got := c.Validate().Error(); got != "f.yaml: servers: at least one server is required" {
			t.Errorf("Parse(%q).Validate() = %q", src, got)
		}
	}
}

func TestParseNullMeansAbsent(t *testing.T) {
	got := mustParse(t, "listen:\nlog:\nhttp:\n  request_timeout: ~\nservers:\n  s:\n    command: [x]\n    pool:\n")
	if got.Listen != DefaultListen || got.HTTP.RequestTimeout != DefaultRequestTimeout || got.Servers[0].Pool != 1 {
		t.Errorf("nulls did not keep defaults: %+v", got)
	}
}

func TestParseAnchorsAndMerge(t *testing.T) {
	got := mustParse(t, `servers:
  a: &a
    command: [srv, --a]
    env: &env {K: v, L: w}
    start_timeout: 10s
  b:
    <<: *a
    env:
      <<: *env
      L: override
    pool: 3
  c:
    <<: [{url: "http://h/mcp"}, {url: "http://ignored/", transport: sse}]
`)
	want := []Server{
		{Name: "a", Command: []string{"srv", "--a"}, Env: map[string]string{"K": "v", "L": "w"},
			Transport: "stdio", Pool: 1, StartTimeout: 10 * time.Second},
		{Name: "b", Command: []string{"srv", "--a"}, Env: map[string]string{"K": "v", "L": "override"},
			Transport: "stdio", Pool: 3, StartTimeout: 10 * time.Second},
		{Name: "c", URL: "http://h/mcp", Transport: "sse", StartTimeout: 30 * time.Second},
	}
	if diff := cmp.Diff(want, got.Servers); diff != "" {
		t.Errorf("servers (-want +got):\n%s", diff)
	}
}

// pos is the expected position and path of one problem; msg is a
// substring of the message.
type pos struct {
	line, col int
	path, msg string
}

func problemsOf(t *testing.T, src string) Problems {
	t.Helper()
	c, err := Parse("bad.yaml", []byte(src))
	if err == nil {
		t.Fatalf("Parse succeeded, want problems; config %+v", c)
	}
	if c != nil {
		t.Errorf("Parse returned a config with an error")
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error is %T, want Problems: %v", err, err)
	}
	return ps
}

func assertProblems(t *testing.T, ps Problems, want []pos) {
	t.Helper()
	if len(ps) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i := 0; i < len(ps) && i < len(want); i++ {
		p, w := ps[i], want[i]
		if p.Line != w.line || p.Col != w.col || p.Path != w.path || !strings.Contains(p.Msg, w.msg) || p.File != "bad.yaml" {
			t.Errorf("problem %d:\n got  %s\n want bad.yaml:%d:%d: %s: …%s…", i, p, w.line, w.col, w.path, w.msg)
		}
	}
}

// Every kind of mistake in one file: all are reported, in line order, at
// the offending node.
func TestParseManyProblems(t *testing.T) {
	const src = `listen: 127.0.0.1:8080
lgo:
  level: debug
http:
  max_body_bytes: 4XB
  session_idle_timeout: 10 minutes
  allowed_origin: [https://a.example]
  request_timeout: 5m
  request_timeout: 6m
servers:
  files:
    command: [npx, server]
    comand: [x]
    pool: 65
  remote:
    url: ftp://mcp.example.com
    headers: yes
  both:
    command: [a]
    url: https://x.example
  neither:
    cwd: /tmp
  Bad_Name:
    command: [b]
    start_timeout: 30
  typed:
    command: npx server
    pool: two
    transport: streamble
`
	ps := problemsOf(t, src)
	assertProblems(t, ps, []pos{
		{2, 1, "lgo", `unknown key (did you mean "log"?)`},
		{5, 19, "http.max_body_bytes", `invalid size "4XB": unknown unit "XB"`},
		{6, 25, "http.session_idle_timeout", `invalid duration "10 minutes"`},
		{7, 3, "http.allowed_origin", `unknown key (did you mean "allowed_origins"?)`},
		{9, 3, "http.request_timeout", "duplicate key (first defined at line 8)"},
		{13, 5, "servers.files.comand", `unknown key (did you mean "command"?)`},
		{14, 11, "servers.files.pool", "must be between 1 and 64, got 65"},
		{16, 10, "servers.remote.url", `unsupported URL scheme "ftp"`},
		{17, 14, "servers.remote.headers", "expected a mapping, got a string"},
		{18, 3, "servers.both", "command and url are mutually exclusive"},
		{21, 3, "servers.neither", "missing command or url"},
		{23, 3, "servers.Bad_Name", `invalid server name "Bad_Name"`},
		{25, 20, "servers.Bad_Name.start_timeout", "duration 30 has no unit: write e.g. 30s"},
		{27, 14, "servers.typed.command", "expected a list of strings, got a string"},
		{28, 11, "servers.typed.pool", "expected an integer, got a string"},
		{29, 16, "servers.typed.transport", `"streamble" is not one of streamable, sse, stdio (did you mean "streamable"?)`},
	})
	// Error(): one line per problem, file:line:col: path: msg.
	lines := strings.Split(ps.Error(), "\n")
	if len(lines) != len(ps) {
		t.Fatalf("Error() has %d lines, want %d", len(lines), len(ps))
	}
	if want := `bad.yaml:13:5: servers.files.comand: unknown key (did you mean "command"?)`; lines[5] != want {
		t.Errorf("Error() line 6 = %q, want %q", lines[5], want)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []pos
	}{
		{"empty servers", "servers: {}\n", []pos{{1, 1, "servers", "at least one server is required"}}},
		{"top level list", "- a\n", []pos{{1, 1, "", "expected a mapping, got a list"}}},
		{"syntax error", "servers:\n  a: [x\n", []pos{{2, 0, "", "invalid YAML: did not find expected ',' or ']'"}}},
		{"syntax error far", "x: [a, b\n\n\ny: 1\n", []pos{{4, 0, "", "invalid YAML: did not find expected ',' or ']'"}}},
		{"syntax error line 1", "a: b: c\n", []pos{{1, 0, "", "invalid YAML: mapping values are not allowed in this context"}}},
		{"syntax error indentation", "a:\n  b: c\n d: e\n", []pos{{3, 0, "", "invalid YAML: did not find expected key"}}},
		{"syntax error scanner", "a: b\n  c: d\n", []pos{{2, 0, "", "invalid YAML: mapping values are not allowed"}}},
		{"tab indentation", "servers:\n\ta: {}\n", []pos{{2, 0, "", "invalid YAML"}}},
		{"two documents", "servers: {a: {command: [x]}}\n---\nlisten: x\n", []pos{{2, 1, "", "more than one YAML document"}}},
		{"unknown anchor", "listen: x\nservers:\n  a: *nope\n", []pos{{3, 6, "", `unknown anchor "nope"`}}},
		{"bad listen", "listen: localhost\nservers: {a: {command: [x]}}\n", []pos{{1, 9, "listen", "must be host:port"}}},
		{"listen port", "listen: 'h:99999'\nservers: {a: {command: [x]}}\n", []pos{{1, 9, "listen", "port must be a number"}}},
		{"log enum", "log: {level: warning, format: xml}\nservers: {a: {command: [x]}}\n", []pos{
			{1, 14, "log.level", `"warning" is not one of debug, info, warn, error`},
			{1, 31, "log.format", `"xml" is not one of json, text`},
		}},
		{"origins", "http:\n  allowed_origins: ['*', https://a.example/, 'https://b.example:8443', x]\nservers: {a: {command: [x]}}\n", []pos{
			{2, 21, "http.allowed_origins[0]", `"*" is not allowed`},
			{2, 26, "http.allowed_origins[1]", "without path"},
			{2, 72, "http.allowed_origins[3]", "must be scheme://host[:port]"},
		}},
		{"origins that never match", "http:\n  allowed_origins: ['https://App.example.com', 'https://a.example:443', 'http://a.example:80', 'http://a.example:8080']\nservers: {a: {command: [x]}}\n", []pos{
			{2, 21, "http.allowed_origins[0]", `browsers send origins in lower case, write "https://app.example.com"`},
			{2, 48, "http.allowed_origins[1]", "browsers leave out the default port, write https://a.example"},
			{2, 73, "http.allowed_origins[2]", "browsers leave out the default port, write http://a.example"},
		}},
		{"hosts", "http:\n  allowed_hosts: [ok.example, 'h:80', '*.example', '::1']\nservers: {a: {command: [x]}}\n", []pos{
			{2, 31, "http.allowed_hosts[1]", "without a port"},
			{2, 39, "http.allowed_hosts[2]", "without scheme, port or wildcard"},
		}},
		{"list item type", "http:\n  allowed_hosts: [a, {b: c}, ~]\nservers: {a: {command: [x]}}\n", []pos{
			{2, 22, "http.allowed_hosts[1]", "expected a string, got a mapping"},
			{2, 30, "http.allowed_hosts[2]", "expected a string, got null"},
		}},
		{"sizes", "http:\n  max_body_bytes: 0\n  max_message_bytes: 1.5MiB\nservers: {a: {command: [x]}}\n", []pos{
			{2, 19, "http.max_body_bytes", "must be greater than 0"},
			{3, 22, "http.max_message_bytes", "use a whole number"},
		}},
		{"size overflow", "http:\n  max_body_bytes: 99999999999GiB\nservers: {a: {command: [x]}}\n", []pos{
			{2, 19, "http.max_body_bytes", "too large"},
		}},
		{"durations", "http:\n  session_idle_timeout: 500ms\n  request_timeout: -1s\nservers: {a: {command: [x]}}\n", []pos{
			{2, 25, "http.session_idle_timeout", "must be at least 1s, got 500ms"},
			{3, 20, "http.request_timeout", "must be greater than 0"},
		}},
		{"section wrong type", "http: [a]\nlog: text\nservers: {a: {command: [x]}}\n", []pos{
			{1, 7, "http", "expected a mapping, got a list"},
			{2, 6, "log", "expected a mapping, got a string"},
		}},
		{"server null", "servers:\n  a:\n", []pos{{2, 3, "servers.a", "missing command or url"}}},
		{"server wrong type", "servers:\n  a: [x]\n", []pos{{2, 6, "servers.a", "expected a mapping, got a list"}}},
		{"empty command", "servers:\n  a: {command: []}\n", []pos{{2, 7, "servers.a.command", "must not be empty"}}},
		{"empty program", "servers:\n  a: {command: ['', x]}\n", []pos{{2, 17, "servers.a.command[0]", "program name is empty"}}},
		{"command item type", "servers:\n  a:\n    command: [x, [y]]\n", []pos{{3, 18, "servers.a.command[1]", "expected a string, got a list"}}},
		{"url without host", "servers:\n  a: {url: 'https:///mcp'}\n", []pos{{2, 12, "servers.a.url", "missing host"}}},
		{"url no scheme", "servers:\n  a: {url: example.com/mcp}\n", []pos{{2, 12, "servers.a.url", "missing scheme"}}},
		{"url credentials", "servers:\n  a: {url: 'https://u:p@h/'}\n", []pos{{2, 12, "servers.a.url", "must not contain credentials"}}},
		{"stdio fields on url server", "servers:\n  a:\n    url: https://h/\n    env: {A: b}\n    cwd: /x\n    pool: 1\n", []pos{
			{4, 5, "servers.a.env", "only allowed with command"},
			{5, 10, "servers.a.cwd", "only allowed with command"},
			{6, 11, "servers.a.pool", "only allowed with command"},
		}},
		{"http fields on command server", "servers:\n  a:\n    command: [x]\n    headers: {A: b}\n    transport: sse\n", []pos{
			{4, 5, "servers.a.headers", "only allowed with url"},
			{5, 16, "servers.a.transport", `"sse" needs url`},
		}},
		{"stdio transport with url", "servers:\n  a: {url: 'http://h/', transport: stdio}\n", []pos{
			{2, 36, "servers.a.transport", `"stdio" needs command`},
		}},
		{"relative cwd", "servers:\n  a: {command: [x], cwd: data}\n", []pos{{2, 26, "servers.a.cwd", "must be an absolute path"}}},
		{"env problems", "servers:\n  a:\n    command: [x]\n    env:\n      1BAD: x\n      OK:\n      GOOD: [x]\n", []pos{
			{5, 7, "servers.a.env.1BAD", "invalid environment variable name"},
			{6, 7, "servers.a.env.OK", "value is null"},
			{7, 13, "servers.a.env.GOOD", "expected a string, got a list"},
		}},
		{"header problems", "servers:\n  a:\n    url: http://h/\n    headers:\n      X-A: '1'\n      x-a: '2'\n      Mcp-Session-Id: s\n      'Bad Name': v\n", []pos{
			{6, 7, "servers.a.headers.x-a", "names are case-insensitive (first defined at line 5)"},
			{7, 7, "servers.a.headers.Mcp-Session-Id", "set by the gateway"},
			{8, 7, `servers.a.headers."Bad Name"`, "invalid header name"},
		}},
		{"pool zero and start timeout zero", "servers:\n  a: {command: [x], pool: 0, start_timeout: 0s}\n", []pos{
			{2, 27, "servers.a.pool", "must be between 1 and 64, got 0"},
			{2, 45, "servers.a.start_timeout", "must be greater than 0"},
		}},
		{"pool overflow", "servers:\n  a: {command: [x], pool: 99999999999999999999}\n", []pos{
			{2, 27, "servers.a.pool", "expected an integer, got a number"}, // yaml resolves it as a float
		}},
		{"server names", "servers:\n  a__b: {command: [x]}\n  '9lives': {command: [x]}\n  " + strings.Repeat("x", 33) + ": {command: [x]}\n", []pos{
			{2, 3, "servers.a__b", `"__" is reserved`},
			{3, 3, "servers.9lives", "invalid server name"},
			{4, 3, "servers." + strings.Repeat("x", 33), "invalid server name"},
		}},
		{"non-string key", "servers:\n  a: {command: [x]}\n  [k]: {command: [x]}\n", []pos{{3, 3, "servers", "mapping keys must be strings"}}},
		{"custom tag", "servers:\n  a: {command: [x], cwd: !env HOME}\n", []pos{{2, 26, "servers.a.cwd", "expected a string, got a value tagged !env"}}},
		{"unknown without suggestion", "servers:\n  a: {command: [x], restart: always}\n", []pos{
			{2, 21, "servers.a.restart", "unknown key (expected one of command, env, cwd, url, transport, headers, pool, start_timeout, manifest, sandbox, credentials)"},
		}},
		{"suggestion for dash", "http: {max-body-bytes: 1}\nservers: {a: {command: [x]}}\n", []pos{
			{1, 8, "http.max-body-bytes", `did you mean "max_body_bytes"?`},
		}},
		{"merge of a scalar", "servers:\n  a: {<<: x, command: [y]}\n", []pos{{2, 11, "servers.a", "merge (<<) value must be a mapping"}}},
		{"self merge", "servers:\n  a: &a {<<: *a, command: [y]}\n", []pos{{2, 14, "servers.a", "refers to a mapping that contains it"}}},
		{"typo does not cascade", "servers:\n  a: {comand: [x]}\n", []pos{
			{2, 7, "servers.a.comand", `unknown key (did you mean "command"?)`}, // not also "missing command or url"
		}},
		{"duplicate server", "servers:\n  a: {command: [x]}\n  b: {command: [x]}\n  a: {url: http://h/}\n", []pos{
			{4, 3, "servers.a", "duplicate key (first defined at line 2)"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, problemsOf(t, tt.src), tt.want)
		})
	}
}

// A billion-laughs style document must be cut off by the node budget, not
// expanded.
func TestParseAliasBomb(t *testing.T) {
	// Each level merges the previous one ten times: walking it naively
	// visits 10^30 mappings.
	var b strings.Builder
	b.WriteString("x0: &a0 {k: v}\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "x%d: &a%d {<<: [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("servers:\n  s:\n    command: [x]\n    env:\n      <<: *a29\n")
	start := time.Now()
	ps := problemsOf(t, b.String())
	if time.Since(start) > 5*time.Second {
		t.Errorf("alias bomb took %v", time.Since(start))
	}
	found := false
	for _, p := range ps {
		found = found || strings.Contains(p.Msg, "document too large")
	}
	if !found {
		t.Errorf("no node-budget problem in:\n%v", ps)
	}
}

func TestParseTooBig(t *testing.T) {
	data := []byte("servers: {a: {command: [x]}}\n" + strings.Repeat("#", maxFileSize))
	ps := problemsOf(t, string(data))
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "larger than") {
		t.Errorf("got %v", ps)
	}
}

func TestParseTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("servers: {a: {command: [x]}}\n")
	for i := range 500 {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	ps := problemsOf(t, b.String())
	if len(ps) != maxProblemsShow+1 || !strings.Contains(ps[len(ps)-1].Msg, "300 more not shown") {
		t.Errorf("got %d problems, last %v", len(ps), ps[len(ps)-1])
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mcpwarden.yaml")
	if err := os.WriteFile(path, []byte(exampleYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != path || len(c.Servers) != 3 {
		t.Errorf("Load: source %q, %d servers", c.Source, len(c.Servers))
	}

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}

	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", maxFileSize+10)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(big)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].File != big {
		t.Errorf("Load(big) = %v", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("servers:\n  a:\n    url: ftp://h\n    comand: [x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	// Sorted by position although Validate's problem (the URL) is found
	// after the decoder's (the key).
	want := bad + `:3:10: servers.a.url: unsupported URL scheme "ftp": use http or https` + "\n" +
		bad + `:4:5: servers.a.comand: unknown key (did you mean "command"?)`
	if err == nil || err.Error() != want {
		t.Errorf("Load(bad) error:\n%v\nwant:\n%s", err, want)
	}
}
