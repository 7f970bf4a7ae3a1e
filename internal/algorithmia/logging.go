package algorithmia

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/httpclient"
)

// Redacted replaces every secret in log fields and error strings.
const Redacted = "[REDACTED]"

// sensitiveHeaders are dropped from header dumps whatever their value.
var sensitiveHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// redact scrubs URL userinfo and the configured keys from s.
func (c *Client) redact(s string) string {
	return c.redactor.Redact(s)
}

// redactWith scrubs the configured keys and the call's extra secrets.
func (c *Client) redactWith(extra []string) func(string) string {
	if len(extra) == 0 {
		return c.redact
	}
	r := httpclient.NewRedactor(Redacted, extra...)
	return func(s string) string { return r.Redact(c.redact(s)) }
}

// log sends a line to Logf with every string value redacted, as a last
// guard in case a future field carries a key.
func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.logf == nil {
		return
	}
	redact := c.redact
	if ci := callInfoFrom(ctx); ci != nil && ci.redact != nil {
		redact = ci.redact // the call's own secrets too (e.g. a secret value it sends)
	}
	clean := make(map[string]any, len(fields))
	for k, v := range fields {
		switch t := v.(type) {
		case string:
			clean[k] = redact(t)
		case map[string]string:
			m := make(map[string]string, len(t))
			for hk, hv := range t {
				m[hk] = redact(hv)
			}
			clean[k] = m
		default:
			clean[k] = v
		}
	}
	c.logf(ctx, redact(msg), clean)
}

// headerDump flattens headers for logging, hiding credentials entirely.
func headerDump(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if sensitiveHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = Redacted
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// loggingTransport logs every HTTP attempt (retries included) with method,
// path, status and duration; it never logs bodies, which may hold keys.
type loggingTransport struct {
	next   http.RoundTripper
	client *Client
}

// RoundTrip performs the request and logs its outcome.
func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields := map[string]any{
		"method":          req.Method,
		"path":            req.URL.Path,
		"duration_ms":     time.Since(start).Milliseconds(),
		"request_headers": headerDump(req.Header),
	}
	if ci := callInfoFrom(req.Context()); ci != nil {
		fields["attempt"] = ci.attempt + 1
	}
	if err != nil {
		fields["error"] = err.Error()
		t.client.log(req.Context(), "algorithmia: HTTP request failed", fields)
		return resp, err
	}
	fields["status"] = resp.StatusCode
	t.client.log(req.Context(), "algorithmia: HTTP request", fields)
	return resp, nil
}
