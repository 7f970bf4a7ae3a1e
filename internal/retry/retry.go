// Package retry is the one retry policy of the provider's HTTP traffic, shared by the REST
// client (internal/algorithmia) and the Git engine (internal/promote): which answers and
// errors deserve another attempt (429, 5xx except 501, connection errors), how long to wait
// (a server's Retry-After wins over exponential backoff) and how many retries to make.
//
// It never decides whether a request is safe to repeat (its callers do: the client retries
// only idempotent methods, the engine reads a ref back before pushing again) and never
// sends a request itself. It imports nothing from Terraform.
package retry

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults of Default.
const (
	DefaultMaxRetries = 5
	DefaultWaitMin    = 1 * time.Second
	DefaultWaitMax    = 30 * time.Second
)

// Policy says how often and how patiently a failed request is tried again.
// The zero value makes one attempt and never retries.
type Policy struct {
	// MaxRetries is the number of retries after the first attempt; zero or less means none.
	MaxRetries int
	// WaitMin is the first backoff wait; zero means DefaultWaitMin.
	WaitMin time.Duration
	// WaitMax caps the exponential backoff (not a server's Retry-After); zero means DefaultWaitMax.
	WaitMax time.Duration
}

// Default is DefaultMaxRetries retries with the default waits.
func Default() Policy {
	return Policy{MaxRetries: DefaultMaxRetries, WaitMin: DefaultWaitMin, WaitMax: DefaultWaitMax}
}

// Retries returns MaxRetries, never negative.
func (p Policy) Retries() int { return max(p.MaxRetries, 0) }

// Waits returns the minimum and maximum backoff waits with the defaults applied.
func (p Policy) Waits() (minWait, maxWait time.Duration) {
	minWait, maxWait = p.WaitMin, p.WaitMax
	if minWait <= 0 {
		minWait = DefaultWaitMin
	}
	if maxWait <= 0 {
		maxWait = DefaultWaitMax
	}
	return minWait, max(minWait, maxWait)
}

// Retryable reports whether an attempt that ended with resp (err == nil) or err deserves
// another: HTTP 429, 5xx except 501 (the server will never implement it), and connection
// errors except those no retry can heal (untrusted certificate, bad scheme, redirect loop).
// Once ctx is done nothing is retryable.
func Retryable(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		// Reuse the library's judgement of which transport errors are permanent. It
		// inspects a *url.Error only at the top, and callers such as go-git wrap it.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr
		}
		ok, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return ok
	}
	if resp == nil {
		return false
	}
	return RetryableStatus(resp.StatusCode)
}

// RetryableStatus reports whether an HTTP status deserves another attempt.
func RetryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || (code >= 500 && code <= 599 && code != http.StatusNotImplemented)
}

// Backoff is the wait before retry number retry (1 for the first retry) after resp (nil
// after a connection error): a server's Retry-After (seconds or HTTP date, relative to now)
// wins; otherwise WaitMin·2^(retry-1), capped at WaitMax.
func (p Policy) Backoff(retry int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return d
		}
	}
	minWait, maxWait := p.Waits()
	mult := math.Pow(2, float64(max(retry-1, 0))) * float64(minWait)
	if mult > float64(maxWait) || math.IsInf(mult, 0) || math.IsNaN(mult) {
		return maxWait
	}
	return time.Duration(mult)
}

// RetryAfter parses a Retry-After value relative to now; a date in the past means
// "retry now". ok is false when v is empty or unparsable.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
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
	return max(t.Sub(now), 0), true
}

// Sleep waits d, or less when ctx ends first, and returns ctx's error in that case.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
