package cli

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mcpwarden/mcpwarden/internal/audit"
)

func TestDescribeSQLEffect(t *testing.T) {
	three := int64(3)
	ef := audit.EntryEffect{Kind: "sql", Target: "app", Operation: "UPDATE", Fingerprint: "-42", Role: "mcpw_1", Rows: &three,
		Error: "attribution: window shared with 2 concurrent calls"}
	got := describeEffect(ef)
	if want := "sql UPDATE on app: 3 rows (statement -42, as mcpw_1, attribution: window shared with 2 concurrent calls)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	ef.Error = "statements not read: timeout"
	if got := describeEffect(ef); !strings.Contains(got, "failed: statements not read") {
		t.Errorf("a failure: %s", got)
	}
}

// TestStatementLookupWithoutDatabase: what replay says without asking a
// database: a utility statement's text is never looked up (PostgreSQL 15
// keeps its values), a fingerprint that is no queryid is said to be one,
// and no database to ask means no lookup at all.
func TestStatementLookupWithoutDatabase(t *testing.T) {
	if l, err := newStatementLookup("", "", io.Discard); l != nil || err != nil {
		t.Fatalf("no --db, no -c: %v %v", l, err)
	}
	// A DSN nothing listens on: never dialled for these effects.
	l, err := newStatementLookup("postgres://nobody@127.0.0.1:1/x?connect_timeout=1", "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, ok := l.text(ctx, "db", audit.EntryEffect{Kind: "sql", Operation: "ALTER", Fingerprint: "7"})
	if !ok || st.Text != "" || !strings.Contains(st.Unavailable, "not shown") {
		t.Errorf("utility statement: %+v", st)
	}
	st, ok = l.text(ctx, "db", audit.EntryEffect{Kind: "sql", Operation: "UPDATE", Fingerprint: "5f2a"})
	if !ok || !strings.Contains(st.Unavailable, "not a pg_stat_statements queryid") {
		t.Errorf("hex fingerprint: %+v", st)
	}
	if _, ok := l.text(ctx, "db", audit.EntryEffect{Kind: "http", Fingerprint: "1"}); ok {
		t.Error("an http effect has no statement")
	}
	if len(l.conns)+len(l.errs) != 0 {
		t.Error("a database was dialled")
	}
	st, ok = l.text(ctx, "db", audit.EntryEffect{Kind: "sql", Operation: "UPDATE", Fingerprint: "7"})
	if !ok || st.Text != "" || !strings.Contains(st.Unavailable, "statement text not read") {
		t.Errorf("unreachable database: %+v", st)
	}
}
