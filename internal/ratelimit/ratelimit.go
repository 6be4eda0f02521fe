// Package ratelimit holds local token-bucket limits on calls, keyed by
// principal, session, server, tool or risk class. It is a pure engine:
// callers pass plain values and a clock reading.
//
// Every rule that matches a call must have a token for it. Tokens are
// taken with reservations, so a call refused by one rule gives back what
// the others had granted: a refused call costs nothing.
package ratelimit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Dimensions a rule can key its buckets by.
const (
	ByPrincipal = "principal"
	BySession   = "session"
	ByServer    = "server"
	ByTool      = "tool"
	ByRisk      = "risk"
)

// Dimensions lists the valid values of Rule.Per.
var Dimensions = []string{ByPrincipal, BySession, ByServer, ByTool, ByRisk}

// maxBuckets bounds the buckets one rule keeps. Past it, buckets that have
// refilled completely (holding no memory of recent calls) are dropped; if
// none has, the rule refuses new keys rather than grow without bound.
const maxBuckets = 100_000

// Call is what a rule is matched and keyed on.
type Call struct {
	Principal string // subject@issuer, or "" when unauthenticated
	Session   string
	Server    string
	Tool      string // tool or prompt name, or resource URI
	Risk      string
}

func (c Call) get(dim string) string {
	switch dim {
	case ByPrincipal:
		return c.Principal
	case BySession:
		return c.Session
	case ByServer:
		return c.Server
	case ByTool:
		return c.Tool
	case ByRisk:
		return c.Risk
	}
	return ""
}

// Rule is one limit. Servers, Tools and Risks select the calls it applies
// to (empty: all); Per names the dimensions that get a bucket each (empty:
// one bucket for every matching call).
type Rule struct {
	ID      string
	Servers []string
	Tools   []string
	Risks   []string
	Per     []string
	Rate    float64 // tokens per second
	Burst   int
}

// ParseRate reads "N/s", "N/m", "N/h" (or "N/d") into tokens per second.
func ParseRate(s string) (float64, error) {
	n, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("rate %q: want N/s, N/m, N/h or N/d", s)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("rate %q: %q is not a positive number", s, n)
	}
	per := map[string]float64{"s": 1, "m": 60, "h": 3600, "d": 86400}[strings.TrimSpace(unit)]
	if per == 0 {
		return 0, fmt.Errorf("rate %q: unit must be s, m, h or d", s)
	}
	return v / per, nil
}

// Decision is the outcome for one call.
type Decision struct {
	Allow      bool
	Rule       string        // the refusing rule
	RetryAfter time.Duration // when a token of that rule will be there
}

// Limiter applies a set of rules. Safe for concurrent use.
type Limiter struct {
	rules []*bucketSet
}

type bucketSet struct {
	Rule
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New checks the rules and builds a Limiter; nil when there are none.
func New(rules []Rule) (*Limiter, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	l := &Limiter{}
	for _, r := range rules {
		if r.Rate <= 0 || r.Burst < 1 {
			return nil, fmt.Errorf("rate limit %s: rate and burst must be positive", r.ID)
		}
		for _, d := range r.Per {
			if !slices.Contains(Dimensions, d) {
				return nil, fmt.Errorf("rate limit %s: unknown dimension %q", r.ID, d)
			}
		}
		l.rules = append(l.rules, &bucketSet{Rule: r, buckets: map[string]*rate.Limiter{}})
	}
	return l, nil
}

// Allow takes a token from every rule that matches c, or none at all.
func (l *Limiter) Allow(c Call, now time.Time) Decision {
	if l == nil {
		return Decision{Allow: true}
	}
	var held []*rate.Reservation
	for _, b := range l.rules {
		if !b.matches(c) {
			continue
		}
		lim := b.bucket(c, now)
		if lim == nil {
			cancelAll(held, now)
			return Decision{Rule: b.ID, RetryAfter: time.Second}
		}
		r := lim.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			cancelAll(held, now)
			return Decision{Rule: b.ID, RetryAfter: d}
		}
		held = append(held, r)
	}
	return Decision{Allow: true}
}

func cancelAll(rs []*rate.Reservation, now time.Time) {
	for _, r := range rs {
		r.CancelAt(now)
	}
}

func (b *bucketSet) matches(c Call) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(b.Servers, c.Server) && in(b.Tools, c.Tool) && in(b.Risks, c.Risk)
}

// bucket returns the limiter of c's key, or nil when the rule is full.
func (b *bucketSet) bucket(c Call, now time.Time) *rate.Limiter {
	var key strings.Builder
	for _, d := range b.Per {
		v := c.get(d)
		// Length-prefixed, so no value can forge another key's boundary.
		key.WriteString(strconv.Itoa(len(v)))
		key.WriteByte(':')
		key.WriteString(v)
	}
	k := key.String()
	b.mu.Lock()
	defer b.mu.Unlock()
	if lim := b.buckets[k]; lim != nil {
		return lim
	}
	if len(b.buckets) >= maxBuckets {
		for old, lim := range b.buckets {
			if lim.TokensAt(now) >= float64(b.Burst) {
				delete(b.buckets, old)
			}
		}
		if len(b.buckets) >= maxBuckets {
			return nil
		}
	}
	lim := rate.NewLimiter(rate.Limit(b.Rate), b.Burst)
	b.buckets[k] = lim
	return lim
}
