package sink

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LokiPushPath is Loki's push endpoint (JSON body), appended to the base
// URL unless it already ends with it.
const LokiPushPath = "/loki/api/v1/push"

// Loki pushes records to Grafana Loki's push API as one stream labelled
// job="mcpwarden-audit" plus the configured labels; each entry is the
// record's stored bytes, at the record's time. Loki drops an entry whose
// stream, timestamp and line it already has, so a batch delivered twice
// is stored once.
type Loki struct {
	URL    string
	Tenant string // X-Scope-OrgID, for a multi-tenant Loki
	labels map[string]string
	client *http.Client
}

// OpenLoki checks the URL; labels are added to job.
func OpenLoki(base, tenant string, labels map[string]string, timeout time.Duration) (*Loki, error) {
	if _, err := CheckHTTPURL(base); err != nil {
		return nil, fmt.Errorf("loki sink: url: %w", err)
	}
	u := strings.TrimSuffix(base, "/")
	if !strings.HasSuffix(u, LokiPushPath) {
		u += LokiPushPath
	}
	ls := map[string]string{"job": "mcpwarden-audit"}
	for k, v := range labels {
		ls[k] = v
	}
	return &Loki{URL: u, Tenant: tenant, labels: ls, client: newHTTPClient(timeout)}, nil
}

func (l *Loki) Name() string { return "loki:" + origin(l.URL) }

type lokiPush struct {
	Streams []lokiStream `json:"streams"`
}

type lokiStream struct {
	Stream map[string]string `json:"stream"`
	Values [][2]string       `json:"values"` // [unix ns as a string, line]
}

// Deliver pushes the batch, entries ordered by time as Loki prefers.
func (l *Loki) Deliver(ctx context.Context, recs []Record) error {
	type entry struct {
		ns   int64
		line string
	}
	es := make([]entry, 0, len(recs))
	for _, r := range recs {
		var head struct {
			Time string `json:"time"`
		}
		ns := time.Now().UnixNano()
		if err := json.Unmarshal(r.Data, &head); err == nil {
			if t, err := time.Parse(time.RFC3339Nano, head.Time); err == nil {
				ns = t.UnixNano()
			}
		}
		es = append(es, entry{ns, string(r.Data)})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.ns, b.ns) })
	s := lokiStream{Stream: l.labels, Values: make([][2]string, len(es))}
	for i, e := range es {
		s.Values[i] = [2]string{strconv.FormatInt(e.ns, 10), e.line}
	}
	body, err := json.Marshal(lokiPush{Streams: []lokiStream{s}})
	if err != nil {
		return fmt.Errorf("loki sink: %w", err)
	}
	hdr := http.Header{"Content-Type": {"application/json"}}
	if l.Tenant != "" {
		hdr.Set("X-Scope-OrgID", l.Tenant)
	}
	if err := post(ctx, l.client, l.URL, hdr, body); err != nil {
		return fmt.Errorf("loki sink: %w", err)
	}
	return nil
}

func (l *Loki) Close() error { l.client.CloseIdleConnections(); return nil }
