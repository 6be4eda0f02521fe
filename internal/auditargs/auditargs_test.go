package auditargs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/canon"
)

const (
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower = "abcdefghijklmnopqrstuvwxyz"
	digit = "0123456789"
	alnum = upper + lower + digit
	b32   = upper + "234567"
)

// rnd builds deterministic test secrets so that the repository holds no
// literal a scanner would flag.
func rnd(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func pem(seed uint64) string {
	var lines []string
	for i := range 8 {
		lines = append(lines, rnd(seed+uint64(i), alnum+"+/", 64))
	}
	return "-----BEGIN RSA " + "PRIVATE KEY-----\n" + strings.Join(lines, "\n") + "\n-----END RSA PRIVATE KEY-----\n"
}

var (
	awsID     = "AK" + "IA" + rnd(1, b32, 16)
	awsSecret = rnd(2, alnum+"+/", 40)
	ghp       = "gh" + "p_" + rnd(3, alnum, 36)
	slack     = "xo" + "xb-" + rnd(4, digit, 11) + "-" + rnd(5, digit, 12) + "-" + rnd(6, alnum, 24)
	password  = rnd(7, alnum, 20) + "!#"
	privKey   = pem(8)
)

// leaks reports whether out holds a secret or any 12-byte piece of one.
func leaks(t *testing.T, out string, secret string) bool {
	t.Helper()
	if len(secret) < 12 {
		return strings.Contains(out, secret)
	}
	for i := 0; i+12 <= len(secret); i++ {
		piece := secret[i : i+12]
		if strings.TrimLeft(piece, "-ABCDEFGHIJKLMNOPQRSTUVWXYZ ") == "" {
			continue // PEM armour, not key material
		}
		if strings.Contains(out, piece) {
			return true
		}
	}
	return false
}

func view(t *testing.T, args any, lim Limits) View {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	v := RedactJSON(b, lim)
	if !json.Valid(v.JSON) {
		t.Fatalf("view is not JSON: %s", v.JSON)
	}
	return v
}

func TestNoSecretInView(t *testing.T) {
	cases := []struct {
		name   string
		args   any
		secret string
	}{
		{"aws key id nested", map[string]any{"cfg": map[string]any{"env": []any{"AWS_ACCESS_KEY_ID=" + awsID}}}, awsID},
		{"aws secret by member name", map[string]any{"aws": map[string]any{"aws_secret_access_key": awsSecret}}, awsSecret},
		{"github pat in array", map[string]any{"headers": []any{"Accept: */*", "Authorization: token " + ghp}}, ghp},
		{"slack token deep", map[string]any{"a": map[string]any{"b": map[string]any{"c": []any{map[string]any{"text": "post with " + slack}}}}}, slack},
		{"private key block", map[string]any{"files": []any{map[string]any{"path": "id_rsa", "content": privKey}}}, privKey},
		{"password member", map[string]any{"db": map[string]any{"password": password, "user": "app"}}, password},
		{"secret as member name", map[string]any{"tokens": map[string]any{ghp: "owner"}}, ghp},
		{"repeat without context", map[string]any{"password": password, "note": "it was " + password + " yesterday"}, password},
		{"client secret by name", map[string]any{"oauth": map[string]any{"client_secret": "short-1"}}, "short-1"},
		{"tokens list by name", map[string]any{"refresh_tokens": []any{"r1-abcdefgh", "r2-abcdefgh"}}, "abcdefgh"},
		{"nested under a credential name", map[string]any{"password": map[string]any{"value": "hunter2", "history": []any{"old-pw-1"}}}, "hunter2"},
		{"list under a credential name", map[string]any{"password": map[string]any{"value": "x", "history": []any{"old-pw-1"}}}, "old-pw-1"},
		{"dsn by name", map[string]any{"DATABASE_DSN": "postgres://app:pw@db/app"}, "postgres://app:pw@db/app"},
		{"base64 wrapped", map[string]any{"blob": b64("token: " + ghp + "\n")}, ghp},
		{"secret across the cut", map[string]any{"text": strings.Repeat("x", 500) + " " + ghp + strings.Repeat(" y", 300)}, ghp},
		{"secret past the item limit is never kept", map[string]any{"list": manyWith(100, ghp)}, ghp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := view(t, c.args, Limits{})
			if leaks(t, string(v.JSON), c.secret) {
				t.Fatalf("secret in view: %s", v.JSON)
			}
			if !strings.Contains(string(v.JSON), "REDACTED") && c.name != "secret past the item limit is never kept" {
				t.Errorf("no mask in view: %s", v.JSON)
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func manyWith(n int, secret string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "item"
	}
	out[n-1] = secret
	return out
}

func TestBenignKept(t *testing.T) {
	args := map[string]any{
		"sql":           "SELECT id, name FROM users WHERE id = 42 AND status = 'active'",
		"id":            "123e4567-e89b-12d3-a456-426614174000",
		"commit":        "9fceb02d0ae598e95dc970b74767f19372d61af8",
		"path":          "/home/jane/project/README.md",
		"key":           "users/42/avatar.png",
		"secret_name":   "my-app-secret",
		"password_hint": "the usual one",
		"max_tokens":    256,
		"keyboard":      "qwerty",
		"n":             3,
		"ok":            true,
		"nothing":       nil,
	}
	v := view(t, args, Limits{})
	if v.Findings != 0 || v.Truncated {
		t.Fatalf("findings %d truncated %v: %s", v.Findings, v.Truncated, v.JSON)
	}
	want := `{"commit":"9fceb02d0ae598e95dc970b74767f19372d61af8","id":"123e4567-e89b-12d3-a456-426614174000","key":"users/42/avatar.png","keyboard":"qwerty","max_tokens":256,"n":3,"nothing":null,"ok":true,"password_hint":"the usual one","path":"/home/jane/project/README.md","secret_name":"my-app-secret","sql":"SELECT id, name FROM users WHERE id = 42 AND status = 'active'"}`
	if string(v.JSON) != want {
		t.Fatalf("view\n got %s\nwant %s", v.JSON, want)
	}
}

func TestBounds(t *testing.T) {
	deep := any("leaf")
	for range 30 {
		deep = map[string]any{"d": deep}
	}
	cases := []struct {
		name string
		args any
		lim  Limits
		want string
	}{
		{"long string", map[string]any{"s": strings.Repeat("é", 10)}, Limits{MaxString: 5},
			`{"s":"éé…[truncated 16 bytes]"}`},
		{"many items", map[string]any{"a": []any{1, 2, 3, 4}}, Limits{MaxItems: 2},
			`{"a":[1,2,"[2 more items]"]}`},
		{"many members", map[string]any{"a": 1, "b": 2, "c": 3}, Limits{MaxItems: 2},
			`{"a":1,"b":2,"…":"[1 more members]"}`},
		{"deep", map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}}, Limits{MaxDepth: 2},
			`{"a":{"b":"[depth limit]"}}`},
		{"budget", map[string]any{"a": strings.Repeat("x", 30), "b": "y", "c": "z"}, Limits{MaxBytes: 40},
			`{"a":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","b":"[size limit]","…":"[1 more members]"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := view(t, c.args, c.lim)
			if string(v.JSON) != c.want || !v.Truncated {
				t.Fatalf("view %s (truncated %v), want %s", v.JSON, v.Truncated, c.want)
			}
		})
	}
	if v := view(t, deep, Limits{}); len(v.JSON) > 400 || !v.Truncated {
		t.Fatalf("deep view %d bytes: %s", len(v.JSON), v.JSON)
	}
}

func TestUnparsable(t *testing.T) {
	for _, in := range []string{`{"a":1,"a":2}`, `{`, "\"\xff\""} {
		if v := RedactJSON([]byte(in), Limits{}); string(v.JSON) != Unparsable {
			t.Errorf("%q: view %s", in, v.JSON)
		}
	}
}

// maxView bounds the size of any view under lim.
func maxView(l Limits) int {
	l = l.withDefaults()
	return l.MaxBytes + 2*(l.MaxString+40) + 64*l.MaxDepth
}

func TestSizeBound(t *testing.T) {
	wide := map[string]any{}
	for i := range 64 {
		wide[rnd(uint64(i), alnum, 8)] = []any{strings.Repeat("a", 2000), map[string]any{"x": strings.Repeat("b", 2000)}}
	}
	v := view(t, wide, Limits{})
	if len(v.JSON) > maxView(Limits{}) || !v.Truncated {
		t.Fatalf("view of %d bytes exceeds %d", len(v.JSON), maxView(Limits{}))
	}
}

// TestRedactCanonical: the shortcut gives Redact's view, and takes the
// canonical bytes as they are only when nothing changes.
func TestRedactCanonical(t *testing.T) {
	lim := Limits{MaxString: 48, MaxItems: 4, MaxDepth: 3, MaxBytes: 200}
	for _, c := range []struct {
		args string
		same bool // the view is the canonical JSON
	}{
		{`{"query":"SELECT 1","params":[42,true,null],"db":{"name":"app"}}`, true},
		{`{"text":"` + strings.Repeat("x", 48) + `"}`, true},
		{`{"text":"` + strings.Repeat("x", 49) + `"}`, false},
		{`{"password":"hunter2hunter2"}`, false},
		{`{"auth":{"token":""}}`, true}, // nothing to mask
		{`{"auth":{"token":"x"}}`, false},
		{`{"creds":[{"api_key":"abcdefgh"}]}`, false},
		{`{"k":"` + ghp + `"}`, false},
		{`{"` + ghp + `":1}`, false},
		{`{"a":1,"b":2,"c":3,"d":4}`, true},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5}`, false},
		{`[1,2,3,4,5]`, false},
		{`{"a":{"b":{"c":1}}}`, true},
		{`{"a":{"b":{"c":{"d":1}}}}`, false},
		{`{"a":{"b":[]}}`, true},
		{`["` + strings.Repeat("y", 30) + `","` + strings.Repeat("y", 30) + `","` + strings.Repeat("y", 30) + `","` + strings.Repeat("y", 30) + `"]`, true},
		{`[{"x":"` + strings.Repeat("y", 30) + `","y":"` + strings.Repeat("y", 30) + `"},{"x":"` + strings.Repeat("y", 30) + `","y":"` + strings.Repeat("y", 30) + `"}]`, true},
		{`[{"x":"` + strings.Repeat("y", 30) + `","y":"` + strings.Repeat("y", 30) + `"},{"x":"` + strings.Repeat("y", 30) + `","y":"` + strings.Repeat("y", 30) + `"},{"x":"` + strings.Repeat("y", 30) + `","y":"` + strings.Repeat("y", 30) + `"}]`, false}, // over the budget
		{`"plain"`, true},
	} {
		v, err := canon.Parse([]byte(c.args))
		if err != nil {
			t.Fatal(err)
		}
		cj, err := canon.Append(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		got, want := RedactCanonical(v, cj, lim), Redact(v, lim)
		if !bytes.Equal(got.JSON, want.JSON) || got.Findings != want.Findings || got.Truncated != want.Truncated {
			t.Errorf("%s: RedactCanonical %s %d %v, Redact %s %d %v", c.args, got.JSON, got.Findings, got.Truncated, want.JSON, want.Findings, want.Truncated)
		}
		if same := len(got.JSON) > 0 && &got.JSON[0] == &cj[0]; same != c.same {
			t.Errorf("%s: canonical bytes used: %v, want %v", c.args, same, c.same)
		}
	}
}

// BenchmarkRedactCanonical is BenchmarkRedactSmall for a caller that has
// the canonical JSON already (the audit stage).
func BenchmarkRedactCanonical(b *testing.B) {
	v, _ := canon.Parse([]byte(`{"query":"SELECT id, name FROM users WHERE id = $1","params":[42],"database":"app","limit":100}`))
	c, _ := canon.Append(nil, v)
	b.ReportAllocs()
	for b.Loop() {
		RedactCanonical(v, c, Limits{})
	}
}

// BenchmarkRedactTree is Redact of the same parsed tree: what
// BenchmarkRedactCanonical replaces.
func BenchmarkRedactTree(b *testing.B) {
	v, _ := canon.Parse([]byte(`{"query":"SELECT id, name FROM users WHERE id = $1","params":[42],"database":"app","limit":100}`))
	b.ReportAllocs()
	for b.Loop() {
		Redact(v, Limits{})
	}
}

func BenchmarkRedactSmall(b *testing.B) {
	data := []byte(`{"query":"SELECT id, name FROM users WHERE id = $1","params":[42],"database":"app","limit":100}`)
	for b.Loop() {
		RedactJSON(data, Limits{})
	}
}

func BenchmarkRedactWithSecret(b *testing.B) {
	data, _ := json.Marshal(map[string]any{"url": "https://api.example.com/v1/items", "headers": map[string]any{"Authorization": "token " + ghp}, "body": "hello"})
	for b.Loop() {
		RedactJSON(data, Limits{})
	}
}
