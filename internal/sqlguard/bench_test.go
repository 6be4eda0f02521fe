package sqlguard

import "testing"

// The target: a typical query is judged in 50 µs or less.
func BenchmarkCheckTypical(b *testing.B) {
	q := `SELECT u.name, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.created_at > now() - interval '30 days' AND o.status = 'paid' GROUP BY u.name ORDER BY n DESC LIMIT 20`
	o := Options{Mode: ReadOnly, NoTautology: true, Tables: []string{"users", "orders"}}
	for b.Loop() {
		if d := Check(q, o); !d.Allow {
			b.Fatal(d)
		}
	}
}

func BenchmarkCheckSimple(b *testing.B) {
	for b.Loop() {
		if d := Check(`SELECT * FROM invoices WHERE id = 42`, ro); !d.Allow {
			b.Fatal(d)
		}
	}
}
