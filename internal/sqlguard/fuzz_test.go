package sqlguard

import (
	"strings"
	"testing"
)

// FuzzCheck: Check never panics, every denial names a rule, an allowed
// query is one statement without a write keyword at the start, and the
// tree the guard judges is the parser's whole tree.
func FuzzCheck(f *testing.F) {
	for _, tc := range attacks {
		f.Add(tc.sql)
	}
	for _, tc := range benign {
		f.Add(tc.sql)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) <= 4096 { // pg_query_go's protobuf path is slow on deep trees
			sameTree(t, q)
		}
		for _, o := range []Options{ro, pinned, funcs} {
			d := Check(q, o)
			if !d.Allow {
				if d.Rule == "" || d.Reason == "" {
					t.Fatalf("denial without rule or reason: %+v", d)
				}
				continue
			}
			head := strings.ToUpper(strings.TrimSpace(q))
			for _, w := range []string{"INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "COPY", "SET ", "GRANT", "DO ", "CALL"} {
				if strings.HasPrefix(head, w) {
					t.Fatalf("allowed %q", q)
				}
			}
		}
	})
}
