package sqlguard

import (
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// FuzzCheck: Check never panics (nor recovers from one), every denial
// names a rule, an allowed query is one SELECT without INTO, locking or a
// writing top-level CTE (under an EXPLAIN or not) when read through pg_query_go's own protobuf
// tree, and the tree the guard judges is the parser's whole tree.
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
				if d.Rule == "" || d.Reason == "" || d.Rule == RuleInternal {
					t.Fatalf("%q: denial without rule or reason, or a recovered panic: %+v", q, d)
				}
				continue
			}
			// An independent look through pg_query_go's protobuf tree: one
			// SELECT (or EXPLAIN of one), with no INTO, no locking and no
			// data-modifying CTE.
			tree, err := pg.Parse(q)
			var sel *pg.SelectStmt
			if err == nil && len(tree.Stmts) == 1 {
				st := tree.Stmts[0].Stmt
				if ex := st.GetExplainStmt(); ex != nil {
					st = ex.Query
				}
				sel = st.GetSelectStmt()
			}
			if sel == nil {
				t.Fatalf("allowed %q, which is not one SELECT (%v)", q, err)
			} else if sel.IntoClause != nil || len(sel.LockingClause) > 0 {
				t.Fatalf("allowed %q with INTO or a locking clause", q)
			} else if wc := sel.WithClause; wc != nil {
				for _, c := range wc.Ctes {
					if c.GetCommonTableExpr().GetCtequery().GetSelectStmt() == nil {
						t.Fatalf("allowed %q with a CTE that is not a SELECT", q)
					}
				}
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
