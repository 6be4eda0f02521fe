package audit

import (
	"net/url"
	"strings"
	"testing"
)

func TestParsePGLocation(t *testing.T) {
	for _, tc := range []struct {
		in, schema, err string
	}{
		{"postgres:postgres://u@h/db?sslmode=verify-full", DefaultPGSchema, ""},
		{"postgres:postgresql://u@h:5433/db?search_path=audit_chain", "audit_chain", ""},
		{"postgres:host=h dbname=db search_path=a1_b", "a1_b", ""},
		{"postgres:secret://audit-dsn", "", ""},
		// Attacks on the schema name, which goes into DDL unquoted.
		{"postgres:postgres://u@h/db?search_path=a;DROP%20TABLE%20x", "", "search_path"},
		{"postgres:postgres://u@h/db?search_path=a,public", "", "search_path"},
		{"postgres:postgres://u@h/db?search_path=%22Audit%22", "", "search_path"},
		{"postgres:postgres://u@h/db?search_path=", "", "search_path"},
		{"postgres:", "", "needs a DSN"},
		{"postgres:postgres://u:pw@[::1/db", "", "does not parse"},
	} {
		loc, err := ParseLocation(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || loc.Postgres != strings.TrimPrefix(tc.in, "postgres:") {
			t.Errorf("%s: %+v %v", tc.in, loc, err)
			continue
		}
		if tc.schema != "" {
			if _, schema, err := PGTarget(loc.Postgres); err != nil || schema != tc.schema {
				t.Errorf("%s: schema %q %v, want %q", tc.in, schema, err, tc.schema)
			}
		}
	}
	if _, _, err := PGTarget("secret://x"); err == nil {
		t.Error("an unresolved secret:// reference was taken for a DSN")
	}
}

func TestRedactStore(t *testing.T) {
	for in, want := range map[string]string{
		"postgres:postgres://u:hunter2@h/db?sslmode=disable":          "postgres:postgres://u@h:5432/db?search_path=mcpwarden_audit",
		"postgres:postgres://u@h/db?password=hunter2&search_path=a_b": "postgres:postgres://u@h:5432/db?search_path=a_b",
		"postgres:host=h port=5433 password=hunter2 dbname=db user=u": "postgres:postgres://u@h:5433/db?search_path=mcpwarden_audit",
		"postgres:host=h password='hunter 2' dbname=db user=u":        "postgres:postgres://u@h:5432/db?search_path=mcpwarden_audit",
		"postgres:host=/run/postgresql dbname=db user=u":              "postgres:postgres://u@/db?host=%2Frun%2Fpostgresql&search_path=mcpwarden_audit",
		"postgres:postgres://u:hunter2@[::1/db":                       "postgres:(a DSN that does not parse)",
		"postgres:secret://audit-dsn":                                 "postgres:secret://audit-dsn",
		"sqlite:/var/lib/a.db":                                        "sqlite:/var/lib/a.db",
		// A look-alike: a user called password keeps its name.
		"postgres:postgres://password@h/db": "postgres:postgres://password@h:5432/db?search_path=mcpwarden_audit",
	} {
		if got := RedactStore(in); got != want {
			t.Errorf("RedactStore(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPGLocation: whatever surrounds a password in a DSN, neither the
// parse error nor the redacted form depends on it: both are the same with
// another password of the same kind in its place.
func FuzzPGLocation(f *testing.F) {
	for _, s := range [][3]string{
		{"h", "/db?sslmode=disable", "hunter2"},
		{"[::1", "/db", "p@ss:w/rd"},
		{"h:5432", "?search_path=x;drop", "a b c"},
		{"", "", "'quoted'"},
		{"h", "/db?password=other", "x%y"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, host, rest, pw string) {
		if pw == "" || strings.ContainsAny(pw, " '\\\t\n\r\f\v") {
			return
		}
		other := strings.Repeat("Q", len(pw)) // same length, no syntax
		dsns := func(pw string) []string {
			d := []string{"postgres:postgres://" + url.UserPassword("u", pw).String() + "@" + host + rest}
			if host != "" && !strings.ContainsAny(host, " '\\=\t\n\r\f\v") {
				// key=value: a host value that is one word (after
				// "host= ", libpq reads the next word as the host).
				d = append(d, "postgres:host="+host+" password="+pw+" "+rest, "postgres:host="+host+" password='"+pw+"' "+rest)
			}
			return d
		}
		a, b := dsns(pw), dsns(other)
		for i := range a {
			_, errA := ParseLocation(a[i])
			_, errB := ParseLocation(b[i])
			if errA != nil && errB != nil && errA.Error() != errB.Error() {
				t.Fatalf("ParseLocation(%q) error depends on the password: %v", a[i], errA)
			}
			if ra, rb := RedactStore(a[i]), RedactStore(b[i]); ra != rb && (errA == nil) == (errB == nil) {
				t.Fatalf("RedactStore(%q) = %q depends on the password (%q with another)", a[i], ra, rb)
			}
		}
	})
}
