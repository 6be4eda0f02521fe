package mcpwire

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRecoverID(t *testing.T) {
	big := strings.Repeat("x", 2000)
	for _, c := range []struct {
		name, head, tail string
		id               string // "" for none
		method           bool
	}{
		{"duplicate key inside the result", `{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"t","description":"a","description":"b"}]}}`, "", "7", false},
		{"cut inside the result", `{"jsonrpc":"2.0","id":"req-1","result":{"content":[{"type":"text","text":"` + big[:400], `xxxx"}]}}`, `"req-1"`, false},
		{"request cut inside its params", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"arguments":{"text":"` + big[:400], `xxxx"}}}`, "3", true},
		{"id last, as the TypeScript SDK writes it", `{"result":{"content":[{"type":"text","text":"` + big[:400], `xxxx"}]},"jsonrpc":"2.0","id":12}`, "12", false},
		{"request with the id last", `{"method":"tools/call","params":{"arguments":{"q":"` + big[:400], `xx"}},"jsonrpc":"2.0","id":"a-1" }` + "\r", `"a-1"`, true},
		{"two id keys", `{"jsonrpc":"2.0","id":1,"ID":2,"result":{"x":"` + big[:400], `"}}`, "", false},
		{"id of a nested object at the end", `{"jsonrpc":"2.0","result":{"x":"` + big[:400], `x","item":{"id":5}}}`, "", false},
		{"id inside a string at the end", `{"jsonrpc":"2.0","result":{"x":"` + big[:400], `x \",\"id\":5}"}`, "", false},
		{"escaped quote in a string id", `{"result":{"x":"` + big[:400], `x"},"id":"a\"b"}`, "", false},
		{"not an object", `[1,2,3`, `]`, "", false},
		{"nothing", ``, ``, "", false},
		{"a value that is not an id", `{"result":"` + big[:400], `x","id":true}`, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tail := c.tail
			if tail == "" {
				tail = c.head
			}
			id, method := RecoverID([]byte(c.head), []byte(tail))
			if string(id) != c.id || method != c.method {
				t.Fatalf("RecoverID = %s, %v; want %s, %v", id, method, c.id, c.method)
			}
		})
	}
}

// FuzzRecoverID: any input gives either no id or a string or number that
// is valid JSON, and never panics.
func FuzzRecoverID(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":7,"result":{"a":1,"a":2}}`), []byte(`,"id":9}`))
	f.Add([]byte(`{"method":"x","params":{"q":"`), []byte(`"},"id":"k"}`))
	f.Fuzz(func(t *testing.T, head, tail []byte) {
		id, _ := RecoverID(head, tail)
		if id == nil {
			return
		}
		if !json.Valid(id) || id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9') {
			t.Fatalf("id %q is not a string or number", id)
		}
	})
}
