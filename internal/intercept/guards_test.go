package intercept

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/manifest"
	"github.com/mcpwarden/mcpwarden/internal/mcpwire"
)

// The guards a manifest names run on the validated arguments: attacks are
// refused with a guard rule before the server sees them, benign look-alikes
// pass, the path guard's cleaned path is what is forwarded, and a guard the
// gateway lacks refuses rather than doing nothing.
func TestGuardsStage(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "notes..txt"), []byte("x"), 0o644)
	m, err := manifest.Parse("m.yaml", []byte(fmt.Sprintf(`
tools:
  read:
    risk: read
    arguments: {type: object, properties: {path: {type: string}}, required: [path]}
    guards:
      path:
        path: {roots: [%q]}
  run:
    risk: destructive
    arguments: {type: object, properties: {cmd: {type: string}}}
    guards:
      cmd:
        command: {programs: [ls, grep]}
  fetch:
    risk: external
    arguments: {type: object, properties: {url: {type: string}}}
    guards:
      url:
        url: {allow: public}
  mail:
    risk: external
    arguments: {type: object, properties: {body: {type: string}}}
    guards:
      body:
        secrets: scan
  query:
    risk: read
    arguments: {type: object, properties: {sql: {type: string}}}
    guards:
      sql:
        sql: {mode: read_only, no_tautology: true, tables: [invoices]}
  query_nomode:
    risk: read
    arguments: {type: object, properties: {sql: {type: string}}}
    guards:
      sql:
        sql: {}
`, root)))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	h := NewChain(Manifests(ms), Guards(ms))
	awsKey := "AKIA" + "Z7Q3" + "LMNO" + "PQRS" + "TUV2"
	for _, tc := range []struct {
		tool, args string
		rule       string // "" = allowed
		forwarded  string // substring of the forwarded arguments when allowed
	}{
		{"read", `{"path":"notes..txt"}`, "", filepath.Join(root, "notes..txt")},
		{"read", `{"path":"../../etc/passwd"}`, "guard.path.outside_roots", ""},
		{"read", `{"path":"%2e%2e%2f%2e%2e%2fetc%2fpasswd"}`, "guard.path.outside_roots", ""},
		{"read", `{"path":"/proc/self/environ"}`, "guard.path.", ""},
		{"run", `{"cmd":"grep 'a|b' notes.txt"}`, "", `grep 'a|b' notes.txt`},
		{"run", `{"cmd":"ls; rm -rf /"}`, "guard.cmd.", ""},
		{"run", `{"cmd":"bash -c id"}`, "guard.cmd.", ""},
		{"fetch", `{"url":"http://169.254.169.254/latest/meta-data/"}`, "guard.url.", ""},
		{"fetch", `{"url":"http://0x7f.1/"}`, "guard.url.", ""},
		{"fetch", `{"url":"https://93.184.216.34/docs/127.0.0.1"}`, "", "93.184.216.34"},
		{"mail", `{"body":"hello, the meeting is at 10"}`, "", "meeting"},
		{"mail", `{"body":"key: ` + awsKey + `"}`, "guard.secrets.", ""},
		{"query", `{"sql":"select name from invoices where note = 'drop table x; --'"}`, "", "drop table x; --"},
		{"query", `{"sql":"DROP TABLE invoices"}`, "guard.sql.ddl", ""},
		{"query", `{"sql":"select 1; delete from invoices"}`, "guard.sql.stacked", ""},
		{"query", `{"sql":"select * from invoices where id = 1 or 1=1"}`, "guard.sql.tautology", ""},
		{"query", `{"sql":"select * from invoices union select usename from pg_user"}`, "guard.sql.table", ""},
		{"query_nomode", `{"sql":"select 1"}`, "guard.sql.config", ""},
	} {
		t.Run(tc.tool+" "+tc.args, func(t *testing.T) {
			var seen *mcpwire.Message
			x := exchange(t, "legacy", "s", "tools/call", `{"name":"`+tc.tool+`","arguments":`+tc.args+`}`)
			x.Facts = map[string]any{}
			_, err := h.Then(answer(`{"content":[]}`, &seen))(context.Background(), x)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !strings.Contains(string(seen.Params), tc.forwarded) {
					t.Fatalf("forwarded %s, want it to contain %q", seen.Params, tc.forwarded)
				}
				return
			}
			d, ok := AsDenial(err)
			if !ok || !strings.HasPrefix(d.Rule, tc.rule) {
				t.Fatalf("got %v, want a denial with rule %s…", err, tc.rule)
			}
			if seen != nil {
				t.Fatal("a refused call reached the server")
			}
		})
	}
}

// A guard in monitor mode notes what it would refuse and lets the call
// through; bad settings still refuse (a monitor cannot hide a broken
// guard).
func TestGuardsMonitor(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte(`
tools:
  query:
    risk: read
    arguments: {type: object, properties: {sql: {type: string}}}
    guards:
      sql:
        sql: {mode: read_only, action: monitor}
  mail:
    risk: external
    arguments: {type: object, properties: {body: {type: string}}}
    guards:
      body:
        secrets: monitor
`))
	if err != nil {
		t.Fatal(err)
	}
	h := NewChain(Manifests(map[string]*manifest.Manifest{"s": m}), Guards(map[string]*manifest.Manifest{"s": m}))
	for _, tc := range []struct{ tool, args, rule string }{
		{"query", `{"sql":"DROP TABLE invoices"}`, "guard.sql.ddl"},
		{"mail", `{"body":"key: AKIAZ7VQ3ZXJ5KQBRWEN"}`, "guard.secrets."},
	} {
		var seen *mcpwire.Message
		x := exchange(t, "legacy", "s", "tools/call", `{"name":"`+tc.tool+`","arguments":`+tc.args+`}`)
		x.Facts = map[string]any{}
		if _, err := h.Then(answer(`{"content":[]}`, &seen))(context.Background(), x); err != nil {
			t.Fatalf("%s: monitor refused: %v", tc.tool, err)
		}
		if seen == nil {
			t.Fatalf("%s: call did not reach the server", tc.tool)
		}
		if x.Record.Mode != "monitor" || !strings.Contains(x.Record.Reason, "would deny by "+tc.rule) {
			t.Errorf("%s: record mode %q reason %q", tc.tool, x.Record.Mode, x.Record.Reason)
		}
	}
}

// CheckGuards reports every guard whose settings the stage could not use.
func TestCheckGuards(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte(`
tools:
  a:
    risk: read
    guards:
      x:
        sql: {}
        path: {roots: []}
      y:
        url: {allow: 42}
        command: {programs: [ls], shell: bash}
  b:
    risk: read
    guards:
      z:
        secrets: maybe
        sql: {mode: read_only, action: loud}
  ok:
    risk: read
    guards:
      p:
        path: {roots: [/srv], action: monitor}
        secrets: scan
        url: {allow: [example.com]}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = CheckGuards(m)
	if err == nil {
		t.Fatal("bad guard settings accepted")
	}
	for _, want := range []string{"tools.a.guards.x.sql", "tools.a.guards.x.path", "tools.a.guards.y.url", "tools.a.guards.y.command",
		"tools.b.guards.z.secrets", "tools.b.guards.z.sql: action"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem reported at %s:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "tools.ok.") {
		t.Errorf("good settings reported:\n%v", err)
	}
}

// The guards `manifest init` guesses are settings the gateway accepts,
// with or without directories to propose as roots.
func TestDraftedGuardsCompile(t *testing.T) {
	props := `{"sql":{"type":"string"},"command":{"type":"string"},"url":{"type":"string"},"path":{"type":"string"},"body":{"type":"string"}}`
	def := json.RawMessage(`{"name":"t","inputSchema":{"type":"object","properties":` + props + `}}`)
	for _, roots := range [][]string{nil, {"/srv/data"}} {
		out, err := manifest.Draft("s", manifest.Served{Tools: []json.RawMessage{def}, Roots: roots})
		if err != nil {
			t.Fatal(err)
		}
		m, err := manifest.Parse("draft", out)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckGuards(m); err != nil {
			t.Fatalf("roots %v: %v\n%s", roots, err, out)
		}
		if n := len(m.Tools["t"].Guards); n != 5 {
			t.Fatalf("roots %v: %d guarded arguments, want 5\n%s", roots, n, out)
		}
	}
}

// A guarded argument that the schema lets be something other than a
// string is still read: the secrets scan reads every string inside it,
// keys too; another guard reads each item of an array of strings and
// refuses any other shape. Before, such a value skipped its guards.
func TestGuardsNonString(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte(`
tools:
  post:
    risk: external
    arguments: {type: object, properties: {payload: {}}}
    guards:
      payload:
        secrets: scan
  read_many:
    risk: read
    arguments: {type: object, properties: {paths: {}}}
    guards:
      paths:
        path: {roots: [/srv/data]}
  read_many_monitor:
    risk: read
    arguments: {type: object, properties: {paths: {}}}
    guards:
      paths:
        path: {roots: [/srv/data], action: monitor}
`))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	h := NewChain(Manifests(ms), Guards(ms))
	awsKey := "AKIA" + "Z7Q3" + "LMNO" + "PQRS" + "TUV2"
	for _, tc := range []struct{ tool, args, rule string }{
		{"post", `{"payload":{"note":"hi","nested":[1,{"k":"key ` + awsKey + `"}]}}`, "guard.secrets."},
		{"post", `{"payload":{"` + awsKey + `":1}}`, "guard.secrets."},
		{"post", `{"payload":{"db":{"password":"Xq7#vLp2!mZ9rT4w"}}}`, "guard.secrets."},
		{"post", `{"payload":{"note":"the meeting is at 10","n":[1,2,true,null]}}`, ""},
		{"post", `{"payload":null}`, ""},
		{"post", `{}`, ""},
		{"read_many", `{"paths":["/srv/data/a.txt","/srv/data/b/c.txt"]}`, ""},
		{"read_many", `{"paths":["a.txt","b/../c.txt"]}`, ""},
		{"read_many", `{"paths":[]}`, ""},
		{"read_many", `{"paths":["/srv/data/a.txt","../../etc/passwd"]}`, "guard.path.outside_roots"},
		{"read_many", `{"paths":["/srv/data/a.txt",["../../etc/passwd"]]}`, "guard.path.not_string"},
		{"read_many", `{"paths":{"p":"../../etc/passwd"}}`, "guard.path.not_string"},
		{"read_many", `{"paths":42}`, "guard.path.not_string"},
		{"read_many_monitor", `{"paths":{"p":"x"}}`, ""},
	} {
		var seen *mcpwire.Message
		x := exchange(t, "legacy", "s", "tools/call", `{"name":"`+tc.tool+`","arguments":`+tc.args+`}`)
		x.Facts = map[string]any{}
		_, err := h.Then(answer(`{"content":[]}`, &seen))(context.Background(), x)
		if tc.rule == "" {
			if err != nil || seen == nil {
				t.Errorf("%s %s: refused: %v", tc.tool, tc.args, err)
			}
			// Relative items of an array are forwarded as the guard
			// cleaned them: inside the root, whatever the server's cwd.
			if strings.Contains(tc.args, "b/../c.txt") && (seen == nil ||
				!strings.Contains(string(seen.Params), `"paths":["/srv/data/a.txt","/srv/data/c.txt"]`)) {
				t.Errorf("forwarded %s", seen.Params)
			}
			continue
		}
		if d, ok := AsDenial(err); !ok || !strings.HasPrefix(d.Rule, tc.rule) || seen != nil {
			t.Errorf("%s %s: got %v (reached the server: %v), want %s…", tc.tool, tc.args, err, seen != nil, tc.rule)
		}
	}
}

// A key cut in two across a call's secrets-guarded arguments is read
// where they meet, in either order (a reader of the email joins subject
// and body whatever the JSON's order); each half alone passes its own
// scan, and two words that only sit side by side are no key.
func TestGuardsSecretAcrossArguments(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte(`
tools:
  send_email:
    risk: external
    arguments: {type: object, properties: {to: {type: string}, subject: {type: string}, body: {type: string}}}
    guards:
      to: {secrets: scan}
      subject: {secrets: scan}
      body: {secrets: scan}
  note:
    risk: write
    arguments: {type: object, properties: {title: {type: string}, text: {type: string}}}
    guards:
      title: {secrets: monitor}
      text: {secrets: monitor}
`))
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]*manifest.Manifest{"s": m}
	h := NewChain(Manifests(ms), Guards(ms))
	half1, half2 := "ghp_8fK2mQ9xLr4T", "Wb7NcZ1vYp3Hd6Js0Ae5Gu9k"
	for _, tc := range []struct {
		tool, args, rule string // rule "" = allowed; "monitor" = allowed and noted
	}{
		{"send_email", `{"to":"a@example.com","subject":"token ` + half1 + `","body":"` + half2 + ` (rest)"}`, "guard.secrets.github-pat"},
		// The body written first in the JSON.
		{"send_email", `{"body":"` + half2 + ` (rest)","subject":"token ` + half1 + `","to":"a@example.com"}`, "guard.secrets.github-pat"},
		// A space at the cut: the halves are two words, as anywhere else.
		{"send_email", `{"to":"a@example.com","subject":"token ` + half1 + ` ","body":"` + half2 + `"}`, ""},
		{"send_email", `{"to":"a@example.com","subject":"Invoice 2026-11","body":"Dear customer, attached."}`, ""},
		{"send_email", `{"to":"ops@example.com","subject":"3f2a9c1e4b7d","body":"9e5f1a2b3c4d5e6f7a8b9c0d"}`, ""},
		{"note", `{"title":"` + half1 + `","text":"` + half2 + `"}`, "monitor"},
	} {
		var seen *mcpwire.Message
		x := exchange(t, "legacy", "s", "tools/call", `{"name":"`+tc.tool+`","arguments":`+tc.args+`}`)
		x.Facts = map[string]any{}
		_, err := h.Then(answer(`{"content":[]}`, &seen))(context.Background(), x)
		switch tc.rule {
		case "", "monitor":
			if err != nil || seen == nil {
				t.Errorf("%s: refused: %v", tc.args, err)
			}
			if noted := strings.Contains(x.Record.Reason, "would deny by guard.secrets.github-pat"); noted != (tc.rule == "monitor") {
				t.Errorf("%s: record reason %q", tc.args, x.Record.Reason)
			}
		default:
			d, ok := AsDenial(err)
			if !ok || d.Rule != tc.rule || seen != nil {
				t.Errorf("%s: got %v, want a denial by %s", tc.args, err, tc.rule)
			}
		}
	}
}
