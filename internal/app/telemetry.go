package app

import (
	"context"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/mcpwarden/mcpwarden/internal/telemetry"
)

// gatewayTracer exports a span per exchange when the OTEL_* environment
// names an OTLP endpoint; nil otherwise (no cost per call).
var gatewayTracer atomic.Pointer[telemetry.Tracer]

// startTracing sets gatewayTracer up from the environment, before the
// chain is compiled; the returned func flushes and stops it.
func startTracing(ctx context.Context, log *slog.Logger) (stop func()) {
	if !telemetry.Enabled() {
		return func() {}
	}
	t, err := telemetry.FromEnv(ctx, Version)
	if err != nil {
		// Tracing is an aid, the audit store is the record: go on without.
		log.Error("OpenTelemetry tracing off", "err", err)
		return func() {}
	}
	gatewayTracer.Store(t)
	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	log.Info("OpenTelemetry spans exported over OTLP/HTTP", "endpoint", endpoint)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.Shutdown(sctx); err != nil {
			log.Warn("OpenTelemetry: spans not flushed", "err", err)
		}
		gatewayTracer.CompareAndSwap(t, nil)
	}
}
