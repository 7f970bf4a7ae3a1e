package algorithmia

import (
	"context"
	"net/http"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
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
// retried when the shared policy (internal/retry) says the answer or error
// deserves it (429, 5xx except 501, connection errors).
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ci := callInfoFrom(ctx)
	if ci == nil || !retryableMethods[ci.method] || !retry.Retryable(ctx, resp, err) {
		return false, nil
	}
	fields := map[string]any{"method": ci.method, "path": ci.path}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["status"] = resp.StatusCode
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

// backoff is the retryablehttp.Backoff (attempt counts from 0): the shared
// policy's wait, where a server's Retry-After wins over min·2^attempt capped at max.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	return retry.Policy{WaitMin: minWait, WaitMax: maxWait}.Backoff(attempt+1, resp, c.now())
}
