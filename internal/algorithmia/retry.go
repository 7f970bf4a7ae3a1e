package algorithmia

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// retryableMethods are the methods whose repetition cannot create a second
// object. POST is absent on purpose: a POST that timed out may have created
// an algorithm or published a version, so the caller reads back and decides
// (see checkRetry for the answers after which a POST is sent again).
var retryableMethods = map[string]bool{
	http.MethodGet:    true,
	http.MethodHead:   true,
	http.MethodPut:    true,
	http.MethodDelete: true,
}

// notTaken reports whether an answer says the platform did not take the request at all:
// 429 (rate limited) and 503 (no capacity) come before any work, so even a POST may be
// sent again after them.
func notTaken(resp *http.Response) bool {
	return resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable)
}

// checkRetry is the retryablehttp.CheckRetry policy: idempotent methods are
// retried when the shared policy (internal/retry) says the answer or error
// deserves it (429, 5xx except 501, connection errors); POST only after 429 or 503.
// A POST that may have acted (no answer, another 5xx) is never sent blind: Settle and
// the resources read back and decide.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ci := callInfoFrom(ctx)
	if ci == nil || !retry.Retryable(ctx, resp, err) {
		return false, nil
	}
	if resendable := retryableMethods[ci.method] || (err == nil && notTaken(resp)); !resendable {
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

// MayHaveActed reports whether err leaves it open whether a non-idempotent request took
// effect: no answer arrived (the connection failed after the request was sent), or a 5xx
// other than 503. Any other answer says what happened.
func MayHaveActed(err error) bool {
	var reqErr *RequestError
	if errors.As(err, &reqErr) {
		return !errors.Is(reqErr.Err, context.Canceled) && !errors.Is(reqErr.Err, context.DeadlineExceeded)
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 500 && apiErr.StatusCode != http.StatusServiceUnavailable &&
		apiErr.StatusCode != http.StatusNotImplemented
}

// Settle sends a non-idempotent request (send) until it is known to have taken effect.
// When an attempt may have acted without saying so (MayHaveActed), settled reads the
// cluster back: true means it did, and Settle reports success; false means it did not,
// and the request is sent again after the policy's backoff, at most max_retries times.
// Any other error ends it. It never sends twice what the cluster already did.
func (c *Client) Settle(ctx context.Context, send func(context.Context) error, settled func(context.Context) (bool, error)) error {
	for attempt := 0; ; attempt++ {
		err := send(ctx)
		if err == nil || !MayHaveActed(err) {
			return err
		}
		done, cerr := settled(ctx)
		if cerr != nil {
			return fmt.Errorf("%w; reading back whether it took effect failed: %w", err, cerr)
		}
		if done {
			c.log(ctx, "algorithmia: a request without an answer had taken effect", map[string]any{"attempt": attempt + 1})
			return nil
		}
		if attempt >= c.maxRetries {
			return fmt.Errorf("after %d attempts without an answer, none of which took effect: %w", attempt+1, err)
		}
		wait := c.backoff(c.retry.RetryWaitMin, c.retry.RetryWaitMax, attempt, nil)
		c.log(ctx, "algorithmia: a request without an answer did not take effect; sending it again",
			map[string]any{"attempt": attempt + 1, "wait": wait.String()})
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
