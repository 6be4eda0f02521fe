// Package metrics counts what the gateway does, for Prometheus: exchanges
// by method, server and decision, denials by rule, latency (the gateway's
// own share apart from the upstream's), the audit store, sessions and
// upstream health. The per-exchange path uses label children resolved in
// advance: observing a record is a few array lookups and atomic adds.
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mcpwarden/mcpwarden/internal/intercept"
)

// methods are the label values of method; anything else counts as
// "other", so that a client cannot grow the label set.
var methods = []string{
	"initialize", "ping", "tools/list", "tools/call", "prompts/list", "prompts/get",
	"resources/list", "resources/read", "resources/templates/list", "resources/subscribe",
	"resources/unsubscribe", "completion/complete", "logging/setLevel", "server/discover",
	"subscriptions/listen", "tasks/get", "tasks/list", "tasks/cancel", "tasks/result", "other",
}

var methodIndex = func() map[string]int {
	m := make(map[string]int, len(methods))
	for i, s := range methods {
		m[s] = i
	}
	return m
}()

var decisions = []string{"allow", "deny", "error"}

// maxServers bounds the server label; later names count as "other".
const maxServers = 256

// Metrics is one process's collectors and their registry.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec
	denials   *prometheus.CounterVec
	gateway   prometheus.Histogram
	upstream  *prometheus.HistogramVec
	total     prometheus.Histogram
	sessions  prometheus.Gauge
	written   prometheus.Counter
	lost      prometheus.Counter
	storeTime prometheus.Histogram

	mu      sync.Mutex // serializes table growth
	servers atomic.Pointer[serverTable]
}

// serverTable is immutable: a new server gets a new table.
type serverTable struct {
	index map[string]int // server name → slot; "" (no single target) is slot 0
	rows  []*serverRow   // by slot
	names []string       // by slot
}

// serverRow holds one server's resolved children.
type serverRow struct {
	requests [][]prometheus.Counter // [method][decision]
	upstream prometheus.Observer
}

// New registers every collector, with the Go runtime and process ones.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mcpwarden_requests_total",
		Help: "Requests that reached the interceptor chain, by JSON-RPC method, upstream server (\"\" when none) and decision.",
	}, []string{"method", "server", "decision"})
	m.denials = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mcpwarden_denials_total",
		Help: "Requests refused, by rule id.",
	}, []string{"rule"})
	m.gateway = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "mcpwarden_gateway_duration_seconds",
		Help:    "Time spent in the gateway per request: total minus upstream (the gateway's overhead), audit store excluded.",
		Buckets: prometheus.ExponentialBuckets(25e-6, 2, 16), // 25µs … 0.8s
	})
	m.upstream = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mcpwarden_upstream_duration_seconds",
		Help:    "Time waiting for the upstream server per request.",
		Buckets: prometheus.ExponentialBuckets(250e-6, 2, 16), // 250µs … 8s
	}, []string{"server"})
	m.total = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "mcpwarden_request_duration_seconds",
		Help:    "Time from reading a request to having its response, audit store excluded.",
		Buckets: prometheus.ExponentialBuckets(250e-6, 2, 16),
	})
	m.sessions = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mcpwarden_sessions_active",
		Help: "Client sessions open now (a stateless request is a session while it runs).",
	})
	m.written = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mcpwarden_audit_records_written_total",
		Help: "Audit records stored: acknowledged once in the journal or the database.",
	})
	m.lost = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mcpwarden_audit_records_lost_total",
		Help: "Audit records that could not be stored (their calls were refused when fail_closed).",
	})
	m.storeTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "mcpwarden_audit_store_duration_seconds",
		Help:    "Time a request waits for its audit record to be committed (group commit).",
		Buckets: prometheus.ExponentialBuckets(25e-6, 2, 16),
	})
	for _, c := range []prometheus.Collector{m.requests, m.denials, m.gateway, m.upstream, m.total, m.sessions,
		m.written, m.lost, m.storeTime, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	m.servers.Store(m.grow(&serverTable{index: map[string]int{}}, ""))
	return m
}

// Register adds a collector (upstream health, sink progress).
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// grow returns t with a row for server added.
func (m *Metrics) grow(t *serverTable, server string) *serverTable {
	n := &serverTable{index: make(map[string]int, len(t.index)+1), rows: append([]*serverRow(nil), t.rows...),
		names: append([]string(nil), t.names...)}
	for k, v := range t.index {
		n.index[k] = v
	}
	row := &serverRow{requests: make([][]prometheus.Counter, len(methods)), upstream: m.upstream.WithLabelValues(server)}
	for i, meth := range methods {
		row.requests[i] = make([]prometheus.Counter, len(decisions))
		for j, d := range decisions {
			row.requests[i][j] = m.requests.WithLabelValues(meth, server, d)
		}
	}
	n.index[server] = len(n.rows)
	n.rows = append(n.rows, row)
	n.names = append(n.names, server)
	return n
}

// row finds server's slot, adding it on first sight (rare: servers are
// few and fixed by the configuration).
func (m *Metrics) row(server string) *serverRow {
	t := m.servers.Load()
	if i, ok := t.index[server]; ok {
		return t.rows[i]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t = m.servers.Load()
	if i, ok := t.index[server]; ok {
		return t.rows[i]
	}
	if len(t.rows) >= maxServers {
		server = "other"
		if i, ok := t.index[server]; ok {
			return t.rows[i]
		}
	}
	t = m.grow(t, server)
	m.servers.Store(t)
	return t.rows[t.index[server]]
}

// Observe counts one finished exchange. It runs on the request path.
func (m *Metrics) Observe(r *intercept.Record) {
	mi, ok := methodIndex[r.Method]
	if !ok {
		mi = len(methods) - 1
	}
	di := 2
	switch r.Decision {
	case "allow":
		di = 0
	case "deny":
		di = 1
	}
	row := m.row(r.Server)
	row.requests[mi][di].Inc()
	if r.Rule != "" && r.Decision != "allow" {
		m.denials.WithLabelValues(r.Rule).Inc()
	}
	gw := r.Total - r.Upstream
	m.gateway.Observe(max(gw, 0).Seconds())
	m.total.Observe(r.Total.Seconds())
	if r.Upstream > 0 {
		row.upstream.Observe(r.Upstream.Seconds())
	}
}

// SessionStarted counts a session; call the returned func when it ends.
func (m *Metrics) SessionStarted() (ended func()) {
	m.sessions.Inc()
	var once sync.Once
	return func() { once.Do(m.sessions.Dec) }
}

// Stored counts one audit append and how long it waited.
func (m *Metrics) Stored(d time.Duration, err error) {
	if err != nil {
		m.lost.Inc()
		return
	}
	m.written.Inc()
	m.storeTime.Observe(d.Seconds())
}
