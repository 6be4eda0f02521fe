package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mcpwarden/mcpwarden/internal/config"
	"github.com/mcpwarden/mcpwarden/internal/intercept"
	"github.com/mcpwarden/mcpwarden/internal/metrics"
)

// gatewayMetrics is the serving process's metrics, nil when metrics.listen
// is not set: one gateway per process, and a gateway without a metrics
// listener pays nothing per call.
var gatewayMetrics atomic.Pointer[metrics.Metrics]

// observed adds the metrics and the span to the exchange sink the audit
// stage calls once per exchange; what is off costs nothing.
func observed(sink func(*intercept.Record)) func(*intercept.Record) {
	fns := []func(*intercept.Record){}
	if m := gatewayMetrics.Load(); m != nil {
		fns = append(fns, m.Observe)
	}
	if t := gatewayTracer.Load(); t != nil {
		fns = append(fns, t.Span)
	}
	if sink != nil {
		fns = append(fns, sink)
	}
	switch len(fns) {
	case 0:
		return nil
	case 1:
		return fns[0]
	}
	return func(r *intercept.Record) {
		for _, f := range fns {
			f(r)
		}
	}
}

// countSessions wraps a session's Hold so that the sessions gauge follows.
func countSessions(hold func() func()) func() func() {
	m := gatewayMetrics.Load()
	if m == nil {
		return hold
	}
	return func() func() {
		ended := m.SessionStarted()
		release := hold()
		return func() { ended(); release() }
	}
}

// timedStore times each audit append (the wait for its group commit).
type timedStore struct {
	intercept.AuditStore
	m *metrics.Metrics
}

func (t timedStore) Append(r *intercept.Record) error {
	t0 := time.Now()
	err := t.AuditStore.Append(r)
	t.m.Stored(time.Since(t0), err)
	return err
}

// serveMetrics starts the /metrics listener of serve; the returned func
// stops it. Upstream health and sink progress are read at scrape time.
func serveMetrics(c config.Metrics, log *slog.Logger, health func() map[string]string, aud *auditing) (stop func(), err error) {
	m := gatewayMetrics.Load()
	if c.Listen == "" || m == nil {
		return func() {}, nil
	}
	if err := m.Register(healthCollector{health}); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if aud != nil && aud.store != nil {
		if err := m.Register(auditCollector{aud}); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "endpoint", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// enableMetrics makes the process's metrics when c asks for a listener.
func enableMetrics(c config.Metrics) {
	if c.Listen != "" && gatewayMetrics.Load() == nil {
		gatewayMetrics.CompareAndSwap(nil, metrics.New())
	}
}

var upDesc = prometheus.NewDesc("mcpwarden_upstream_up", "1 when the upstream server's shared connection is healthy (or not yet needed), 0 after its last attempt failed.", []string{"server"}, nil)

type healthCollector struct{ health func() map[string]string }

func (h healthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- upDesc }
func (h healthCollector) Collect(ch chan<- prometheus.Metric) {
	for name, state := range h.health() {
		v := 0.0
		if state == "ok" {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, v, name)
	}
}

var (
	sinkDeliveredDesc = prometheus.NewDesc("mcpwarden_audit_sink_delivered_total", "Records a sink accepted.", []string{"sink"}, nil)
	sinkDeadDesc      = prometheus.NewDesc("mcpwarden_audit_sink_dead_total", "Records a sink gave up on after its retries (still in the store).", []string{"sink"}, nil)
	sinkLagDesc       = prometheus.NewDesc("mcpwarden_audit_sink_lag_records", "Records in the store the sink has not been given yet.", []string{"sink"}, nil)
	storeSizeDesc     = prometheus.NewDesc("mcpwarden_audit_store_records", "Records in the audit log (its next seq).", nil, nil)
)

type auditCollector struct{ a *auditing }

func (c auditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- sinkDeliveredDesc
	ch <- sinkDeadDesc
	ch <- sinkLagDesc
	ch <- storeSizeDesc
}

func (c auditCollector) Collect(ch chan<- prometheus.Metric) {
	size := c.a.store.Size()
	ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(size))
	seen := map[string]int{}
	for _, o := range c.a.outboxes {
		// Two sinks to one host have one name; a label set must be unique.
		name := o.Name()
		if seen[name]++; seen[name] > 1 {
			name += "#" + strconv.Itoa(seen[name])
		}
		ch <- prometheus.MustNewConstMetric(sinkDeliveredDesc, prometheus.CounterValue, float64(o.Delivered.Load()), name)
		ch <- prometheus.MustNewConstMetric(sinkDeadDesc, prometheus.CounterValue, float64(o.Dead.Load()), name)
		ch <- prometheus.MustNewConstMetric(sinkLagDesc, prometheus.GaugeValue, float64(max(size-o.Position(), 0)), name)
	}
}
