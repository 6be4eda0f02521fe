package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func mustNew(t testing.TB, rules ...Rule) *Limiter {
	t.Helper()
	l, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBurstThenRefill(t *testing.T) {
	l := mustNew(t, Rule{ID: "r", Per: []string{ByPrincipal}, Rate: 1, Burst: 3})
	c := Call{Principal: "alice"}
	for i := range 3 {
		if d := l.Allow(c, t0); !d.Allow {
			t.Fatalf("call %d refused: %+v", i, d)
		}
	}
	d := l.Allow(c, t0)
	if d.Allow || d.Rule != "r" || d.RetryAfter != time.Second {
		t.Fatalf("4th call in the same instant: %+v, want refused by r, retry after 1s", d)
	}
	if d := l.Allow(c, t0.Add(999*time.Millisecond)); d.Allow {
		t.Fatalf("allowed before a token refilled")
	}
	if d := l.Allow(c, t0.Add(time.Second)); !d.Allow {
		t.Fatalf("refused after a token refilled: %+v", d)
	}
	// Another principal has its own bucket.
	if d := l.Allow(Call{Principal: "bob"}, t0); !d.Allow {
		t.Fatalf("bob refused by alice's bucket: %+v", d)
	}
}

func TestSelectors(t *testing.T) {
	l := mustNew(t, Rule{ID: "writes", Risks: []string{"write", "destructive"}, Servers: []string{"db"}, Rate: 1, Burst: 1})
	w := Call{Server: "db", Tool: "insert", Risk: "write"}
	if !l.Allow(w, t0).Allow || l.Allow(w, t0).Allow {
		t.Fatal("want one write allowed then one refused")
	}
	// A read, or a write on another server, is not limited by the rule.
	for _, c := range []Call{{Server: "db", Tool: "select", Risk: "read"}, {Server: "files", Tool: "write", Risk: "write"}} {
		for range 5 {
			if d := l.Allow(c, t0); !d.Allow {
				t.Fatalf("%+v refused by a rule that does not select it: %+v", c, d)
			}
		}
	}
	// Without Per, every matching call shares one bucket.
	if l.Allow(Call{Server: "db", Tool: "drop", Risk: "destructive", Principal: "carol"}, t0).Allow {
		t.Fatal("a destructive call by another principal got a token from the shared, empty bucket")
	}
}

// A call refused by one rule must not spend the tokens other rules granted.
func TestRefusedCallCostsNothing(t *testing.T) {
	l := mustNew(t,
		Rule{ID: "wide", Rate: 1, Burst: 2},
		Rule{ID: "narrow", Tools: []string{"hot"}, Rate: 1, Burst: 1},
	)
	if !l.Allow(Call{Tool: "hot"}, t0).Allow {
		t.Fatal("first hot call refused")
	}
	if d := l.Allow(Call{Tool: "hot"}, t0); d.Allow || d.Rule != "narrow" {
		t.Fatalf("second hot call: %+v, want refused by narrow", d)
	}
	// wide gave one token to the first call and got the second back.
	if d := l.Allow(Call{Tool: "cold"}, t0); !d.Allow {
		t.Fatalf("cold call refused: the refused hot call spent wide's token: %+v", d)
	}
	if d := l.Allow(Call{Tool: "cold"}, t0); d.Allow || d.Rule != "wide" {
		t.Fatalf("third call: %+v, want refused by wide", d)
	}
}

// Keys are length-prefixed: values cannot run into one another.
func TestKeysDoNotCollide(t *testing.T) {
	l := mustNew(t, Rule{ID: "r", Per: []string{ByPrincipal, ByTool}, Rate: 1, Burst: 1})
	if !l.Allow(Call{Principal: "a:b", Tool: "c"}, t0).Allow {
		t.Fatal("first call refused")
	}
	if d := l.Allow(Call{Principal: "a", Tool: "b:c"}, t0); !d.Allow {
		t.Fatalf("a different (principal, tool) pair shared a bucket: %+v", d)
	}
}

func TestBucketsAreBounded(t *testing.T) {
	l := mustNew(t, Rule{ID: "r", Per: []string{BySession}, Rate: 1, Burst: 1})
	for i := range maxBuckets {
		l.Allow(Call{Session: fmt.Sprint(i)}, t0)
	}
	// Every bucket is empty: a new key is refused rather than grow the map.
	if d := l.Allow(Call{Session: "new"}, t0); d.Allow {
		t.Fatal("a new key was admitted past the bound while every bucket was in use")
	}
	// Once they refill, idle buckets are dropped and new keys get one.
	if d := l.Allow(Call{Session: "new"}, t0.Add(2*time.Second)); !d.Allow {
		t.Fatalf("new key refused after the old buckets refilled: %+v", d)
	}
	if n := len(l.rules[0].buckets); n > maxBuckets {
		t.Fatalf("%d buckets kept, bound is %d", n, maxBuckets)
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"10/s": 10, "60/m": 1, "7200/h": 2, " 1.5 / s ": 1.5, "86400/d": 1} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "10", "10/x", "-1/s", "0/s", "x/s", "Inf/s", "NaN/m", "10/"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func TestNewRefusesBadRules(t *testing.T) {
	for _, r := range []Rule{
		{ID: "a", Rate: 0, Burst: 1},
		{ID: "b", Rate: 1, Burst: 0},
		{ID: "c", Rate: 1, Burst: 1, Per: []string{"ip"}},
	} {
		if _, err := New([]Rule{r}); err == nil {
			t.Errorf("New accepted %+v", r)
		}
	}
	if l, err := New(nil); l != nil || err != nil {
		t.Errorf("New(nil) = %v, %v; want nil, nil", l, err)
	}
	if d := (*Limiter)(nil).Allow(Call{}, t0); !d.Allow {
		t.Error("a nil Limiter refused a call")
	}
}

func BenchmarkAllow(b *testing.B) {
	l := mustNew(b,
		Rule{ID: "per-user", Per: []string{ByPrincipal, ByTool}, Rate: 1e9, Burst: 1 << 30},
		Rule{ID: "writes", Risks: []string{"write"}, Rate: 1e9, Burst: 1 << 30},
	)
	c := Call{Principal: "alice@https://idp", Tool: "query", Server: "db", Risk: "read"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if !l.Allow(c, now).Allow {
			b.Fatal("refused")
		}
	}
}
