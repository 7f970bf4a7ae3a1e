package algorithmia

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryableMethods are the methods whose repetition cannot create a second
// object. POST is absent on purpose: a POST that timed out may have created
// an algorithm or published a version, so the caller reads back and decides.
var retryableMethods = map[string]bool{
	http.MethodGet:    true,
	http.MethodHead:   true,
	http.MethodPut:    true,
	http.MethodDelete: true,
}

// checkRetry is the retryablehttp.CheckRetry policy: idempotent methods are
// retried on 429, on 5xx except 501, and on connection errors.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ci := callInfoFrom(ctx)
	if ci == nil || !retryableMethods[ci.method] {
		return false, nil
	}
	retry := false
	fields := map[string]any{"method": ci.method, "path": ci.path}
	if err != nil {
		// Reuse the library's judgement of which transport errors are
		// permanent (TLS trust, bad scheme, redirect loops).
		retry, _ = retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		retry = retry && !permanentTransportError(err)
		fields["error"] = err.Error()
	} else {
		retry = resp.StatusCode == http.StatusTooManyRequests ||
			(resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented)
		fields["status"] = resp.StatusCode
	}
	if !retry {
		return false, nil
	}
	if ci.attempt >= c.maxRetries {
		fields["retries"] = ci.attempt
		c.log(ctx, "algorithmia: giving up after retries", fields)
		return true, nil
	}
	ci.attempt++
	wait := c.backoff(c.retry.RetryWaitMin, c.retry.RetryWaitMax, ci.attempt-1, resp)
	fields["retry"] = ci.attempt
	fields["max_retries"] = c.maxRetries
	fields["wait"] = wait.String()
	c.log(ctx, "algorithmia: retrying request", fields)
	return true, nil
}

// backoff is the retryablehttp.Backoff: a server's Retry-After (seconds or
// HTTP date) wins; otherwise min·2^attempt, capped at max.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
			return d
		}
	}
	mult := math.Pow(2, float64(attempt)) * float64(minWait)
	if mult > float64(maxWait) || math.IsInf(mult, 0) || math.IsNaN(mult) {
		return maxWait
	}
	return time.Duration(mult)
}

// retryAfter parses a Retry-After value relative to now; a date in the past
// means "retry now".
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Guard the multiplication against absurd values.
		const maxSecs = math.MaxInt64 / int64(time.Second)
		if secs > maxSecs {
			secs = maxSecs
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}
