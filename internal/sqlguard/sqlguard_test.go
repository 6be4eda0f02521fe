package sqlguard

import (
	"fmt"
	"strings"
	"testing"
)

func TestAttacks(t *testing.T) {
	if len(attacks) < 60 {
		t.Fatalf("only %d attacks in the corpus", len(attacks))
	}
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			d := Check(tc.sql, tc.o)
			if d.Allow {
				t.Fatalf("allowed %q", tc.sql)
			}
			if d.Rule != tc.rule {
				t.Fatalf("rule %s (%s), want %s", d.Rule, d.Reason, tc.rule)
			}
			if d.Reason == "" {
				t.Fatal("no reason")
			}
		})
	}
}

func TestBenign(t *testing.T) {
	if len(benign) < 40 {
		t.Fatalf("only %d benign cases in the corpus", len(benign))
	}
	for _, tc := range benign {
		t.Run(tc.name, func(t *testing.T) {
			if d := Check(tc.sql, tc.o); !d.Allow {
				t.Fatalf("refused %q: %s: %s", tc.sql, d.Rule, d.Reason)
			}
		})
	}
}

// Without no_tautology an injected OR 1=1 is still only a read; the check
// is the operator's choice.
func TestTautologyIsOptional(t *testing.T) {
	q := `SELECT * FROM users WHERE name = '' OR '1'='1'`
	if d := Check(q, ro); !d.Allow {
		t.Fatalf("refused without no_tautology: %+v", d)
	}
	if d := Check(q, strict); d.Rule != RuleTautology {
		t.Fatalf("with no_tautology: %+v", d)
	}
}

// Constant expressions that are false or unknown are not tautologies.
func TestNotTautologies(t *testing.T) {
	for _, cond := range []string{
		"1=2", "'a'='b'", "FALSE", "NOT TRUE", "NULL", "NULL = NULL", "1 IS NULL", "2<1",
		"'x' IN ('y', 'z')", "5 BETWEEN 6 AND 10", "'abc' LIKE 'b%'", "'abc' NOT LIKE 'a%'",
		"1/0 = 1", "'a' IS DISTINCT FROM 'a'", "NOT NOT FALSE", "1=1 AND 1=2", "'f'", "0::bool",
		"'1e400'::float8 = 1", "'nan'::float8 = 'nan'::float8", "email = name", "length('a') = 1",
		"id = 1 AND id = id + 0", "5 NOT BETWEEN 1 AND 10", "'x' NOT IN ('x')",
		"EXISTS (SELECT 1 FROM orders)", "EXISTS (SELECT 1 LIMIT 0)", "(SELECT 2) = 1", "1 IN (SELECT 2)",
		"(SELECT 1 WHERE false) = 1", "1 = ALL (ARRAY[1, 2])", "3 = ANY (ARRAY[1, 2])", "name IS DISTINCT FROM name",
		"EXISTS (SELECT 1 UNION SELECT 2 FROM orders)",
		"3 = ANY ('{1,2}'::int[])", "1 = ALL ('{1,2}')", "id = ANY ('{1,2}'::int[])", "'c' = ANY ('{a,b}')",
		"1 = ANY ('{\"1\"x}')", "1 = ANY ('[1:2]={1,1}')", "NULL = ANY ('{1}')", "1 = ANY ('{}'::int[])",
	} {
		q := "SELECT * FROM users WHERE id = 7 OR " + cond
		if d := Check(q, strict); !d.Allow {
			t.Errorf("%s: refused as %s (%s)", cond, d.Rule, d.Reason)
		}
	}
}

// Deep nesting, long inputs and odd bytes are refused or judged, never a
// crash or a hang.
func TestHostileShapes(t *testing.T) {
	for _, q := range []string{
		"SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"SELECT " + strings.Repeat("NOT ", 20000) + "TRUE",
		"SELECT 1 WHERE " + strings.Repeat("1=1 OR ", 5000) + "TRUE",
		"SELECT * FROM " + strings.Repeat("(SELECT * FROM ", 2000) + "users" + strings.Repeat(") s", 2000),
		strings.Repeat("/*", 10000),
		"SELECT '" + strings.Repeat("\\'", 10000) + "'",
		"SELECT 1 WHERE 'a' LIKE '" + strings.Repeat("%a", 5000) + "'",
	} {
		d := Check(q, strict)
		if d.Allow && strings.Contains(q, "1=1 OR") {
			t.Errorf("allowed a tautology of %d bytes", len(q))
		}
		if !d.Allow && d.Rule == "" {
			t.Errorf("denial without a rule for %.40q", q)
		}
	}
}

func TestLike(t *testing.T) {
	for _, tc := range []struct {
		s, p string
		want bool
	}{
		{"abc", "a%", true}, {"abc", "%c", true}, {"abc", "a_c", true}, {"abc", "%", true},
		{"", "%", true}, {"abc", "b%", false}, {"a%c", `a\%c`, true}, {"abc", `a\%c`, false},
		{"aXbXc", "%b%c", true}, {"abc", "abcd", false}, {"ab", "a", false},
	} {
		if got := like(tc.s, tc.p); got != tc.want {
			t.Errorf("like(%q, %q) = %v", tc.s, tc.p, got)
		}
	}
}

func TestParseSettings(t *testing.T) {
	o, err := ParseSettings([]byte(`{"mode":"read_only","no_tautology":true,"tables":["invoices","public.users"],"functions":["count"]}`))
	if err != nil || o.Mode != ReadOnly || !o.NoTautology || len(o.Tables) != 2 || len(o.Functions) != 1 {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range []string{
		`{}`, `null`, `"read_only"`, `[]`, `{"mode":"read-only"}`, `{"mode":"READ_ONLY"}`, `{"Mode":"read_only"}`,
		`{"mode":"read_only","no_tautologgy":true}`, `{"mode":"read_only","no_tautology":"yes"}`,
		`{"mode":"read_only","tables":"users"}`, `{"mode":"read_only","tables":[]}`, `{"mode":"read_only","tables":[""]}`,
		`{"mode":"read_only","tables":[" users"]}`, `{"mode":"read_only","functions":[1]}`, `{"mode":1}`,
	} {
		if o, err := ParseSettings([]byte(bad)); err == nil {
			t.Errorf("%s accepted as %+v", bad, o)
		}
	}
}

// Check is safe for concurrent use (decoders are pooled): every goroutine
// gets the decisions a serial run gets.
func TestConcurrent(t *testing.T) {
	want := make([]Decision, len(attacks))
	for i, tc := range attacks {
		want[i] = Check(tc.sql, tc.o)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for round := 0; round < 5; round++ {
				for i, tc := range attacks {
					if d := Check(tc.sql, tc.o); d != want[i] {
						done <- fmt.Errorf("%s: %+v, serial %+v", tc.name, d, want[i])
						return
					}
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// Reasons quote the query's names and the parser's message without
// control characters (they reach logs and terminals).
func TestReasonsArePrintable(t *testing.T) {
	for _, q := range []string{
		"SELECT \"pg_sleep\x1b[2J\"(1) FROM \"x\x07\"",
		"SELECT * FROM \"evil\x1b]8;;http://x\x07\"",
		"SELECT 1 FROM \x1b[31m",
	} {
		d := Check(q, pinned)
		if d.Allow || strings.ContainsAny(d.Reason, "\x1b\x07") {
			t.Errorf("%q: %+v", q, d)
		}
	}
}
