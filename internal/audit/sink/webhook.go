package sink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Webhook headers.
const (
	SignatureHeader = "Mcpwarden-Signature" // "sha256=" + hex HMAC-SHA256(key, timestamp + "." + body)
	TimestampHeader = "Mcpwarden-Timestamp" // Unix seconds when the request was signed
	BatchHeader     = "Mcpwarden-Batch"     // "FIRST-LAST": the seq range of the records
)

// MinWebhookKey is the shortest HMAC key accepted, in bytes.
const MinWebhookKey = 32

// Webhook POSTs batches of records as JSON, {"records":[…]} with each
// record's stored bytes verbatim, signed with HMAC-SHA256. A receiver
// checks the signature and the timestamp (to refuse replays), and
// deduplicates by record id: delivery is at least once.
type Webhook struct {
	URL string

	key    []byte
	client *http.Client
	now    func() time.Time
}

// OpenWebhook checks the URL and reads the key file (its content, less
// surrounding white space, is the key).
func OpenWebhook(rawURL, keyFile string, timeout time.Duration) (*Webhook, error) {
	if _, err := CheckHTTPURL(rawURL); err != nil {
		return nil, fmt.Errorf("webhook sink: url: %w", err)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("webhook sink: %w", err)
	}
	key = bytes.TrimSpace(key)
	if len(key) < MinWebhookKey {
		return nil, fmt.Errorf("webhook sink: key in %s is %d bytes; want at least %d (e.g. openssl rand -hex 32)", keyFile, len(key), MinWebhookKey)
	}
	return &Webhook{URL: rawURL, key: key, client: newHTTPClient(timeout), now: time.Now}, nil
}

// Name shows the scheme and host only: a webhook URL often carries a token
// in its path, and names go to logs and metrics.
func (w *Webhook) Name() string { return "webhook:" + origin(w.URL) }

// Deliver sends one request per batch; any answer but 2xx is a failure
// that the outbox retries.
func (w *Webhook) Deliver(ctx context.Context, recs []Record) error {
	body := make([]byte, 0, 64+len(recs)*600)
	body = append(body, `{"records":[`...)
	for i, r := range recs {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, r.Data...)
	}
	body = append(body, "]}\n"...)
	ts := strconv.FormatInt(w.now().Unix(), 10)
	hdr := http.Header{
		"Content-Type":  {"application/json"},
		TimestampHeader: {ts},
		SignatureHeader: {"sha256=" + Sign(w.key, ts, body)},
		BatchHeader:     {fmt.Sprintf("%d-%d", recs[0].Seq, recs[len(recs)-1].Seq)},
	}
	if err := post(ctx, w.client, w.URL, hdr, body); err != nil {
		return fmt.Errorf("webhook sink: %w", err)
	}
	return nil
}

// Sign is the hex HMAC-SHA256 of timestamp + "." + body: what a receiver
// recomputes and compares (with hmac.Equal) to the signature header.
func Sign(key []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (w *Webhook) Close() error { w.client.CloseIdleConnections(); return nil }
