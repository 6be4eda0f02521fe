package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultHTTPTimeout bounds one delivery request.
const DefaultHTTPTimeout = 10 * time.Second

// CheckHTTPURL accepts https URLs, and http ones only to a loopback
// address: audit records (redacted arguments, principals) do not cross a
// network in clear text.
func CheckHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, errors.New("want scheme://host[:port]/path, without user info or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, errors.New("http:// only to a loopback address; use https://")
		}
	default:
		return nil, fmt.Errorf("scheme %q: use https:// (or http:// to a loopback address)", u.Scheme)
	}
	return u, nil
}

// newHTTPClient never follows redirects: a sink posts to the URL it was
// given, and a redirect is a failed delivery.
func newHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// post sends body and wants a 2xx answer.
func post(ctx context.Context, c *http.Client, url string, hdr http.Header, body []byte) error {
	_, err := postRead(ctx, c, url, hdr, body)
	return err
}

// postRead is post returning the answer's body (at most 64 KiB).
func postRead(ctx context.Context, c *http.Client, url string, hdr http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return out, nil
}

// origin is scheme://host[:port] of a URL, for names that are logged.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid url)"
	}
	return u.Scheme + "://" + u.Host
}
