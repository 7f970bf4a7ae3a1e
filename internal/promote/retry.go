package promote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/algorithmia-iac/terraform-provider-algorithmia/internal/retry"
)

// Git requests follow the provider's one retry policy (internal/retry), per exchange:
// read-only exchanges (a ref advertisement, a fetch) are simply run again, because
// repeating them changes nothing on the server; a push whose answer was lost is first
// settled by reading the branch back (push.go), so a pack is never pushed blind.
//
// go-git fetches through its process-wide transport registry, which has no per-call
// HTTP client, and it applies a CA bundle only to a bare *http.Transport, so a retrying
// RoundTripper cannot be slipped in; the retry wraps the whole exchange instead.

// withRetries runs op, one read-only exchange with a remote, until it succeeds, fails
// with something the policy does not retry, the policy's retries run out, or ctx ends.
// After more than one attempt the error says how many were made.
func withRetries(ctx context.Context, p retry.Policy, log logFunc, what string, op func() error) error {
	for n := 1; ; n++ {
		err := op()
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// go-git hides a request's context error from errors.Is; name it so the
			// caller can tell a timeout.
			return &attemptsError{attempts: n, last: err, cut: cerr}
		}
		resp, transient := transientFailure(ctx, err)
		if !transient || n > p.Retries() {
			if n == 1 {
				return err
			}
			return &attemptsError{attempts: n, last: err}
		}
		wait := p.Backoff(n, resp, time.Now())
		log("retrying Git request", map[string]any{"operation": what, "retry": n, "max_retries": p.Retries(),
			"wait": wait.String(), "failure": describe(err)})
		if serr := retry.Sleep(ctx, wait); serr != nil {
			return &attemptsError{attempts: n, last: err, cut: serr}
		}
	}
}

// transientFailure reports whether err, returned by go-git or by net/http, is a failure
// the shared policy retries, and the HTTP answer that carried it (for Retry-After).
func transientFailure(ctx context.Context, err error) (*http.Response, bool) {
	if ctx.Err() != nil {
		return nil, false
	}
	if resp := failedResponse(err); resp != nil {
		return resp, retry.Retryable(ctx, resp, nil)
	}
	var urlErr *url.Error
	if errors.As(unexpected(err), &urlErr) {
		return nil, retry.Retryable(ctx, nil, urlErr)
	}
	// A connection that breaks inside an answer surfaces as a bare network error.
	var netErr net.Error
	inner := unexpected(err)
	if errors.As(inner, &netErr) || errors.Is(inner, io.ErrUnexpectedEOF) ||
		errors.Is(inner, syscall.ECONNRESET) || errors.Is(inner, syscall.EPIPE) {
		return nil, retry.Retryable(ctx, nil, inner)
	}
	return nil, false
}

// unexpected unwraps go-git's UnexpectedError, which hides its cause from errors.As.
func unexpected(err error) error {
	var ue *plumbing.UnexpectedError
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// failedResponse is the HTTP answer inside a go-git status error (401, 403 and 404
// become go-git's sentinels instead), or nil.
func failedResponse(err error) *http.Response {
	var he *githttp.Err
	if errors.As(unexpected(err), &he) && he.Response != nil {
		return he.Response
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.resp
	}
	return nil
}

// describe names a failure briefly: "HTTP 503 Service Unavailable (GET …/info/refs?…)"
// for an HTTP answer, the error text otherwise.
func describe(err error) string {
	resp := failedResponse(err)
	if resp == nil {
		return err.Error()
	}
	s := "HTTP " + resp.Status
	if resp.Status == "" {
		s = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	if req := resp.Request; req != nil && req.URL != nil {
		s += " (" + req.Method + " " + RedactURL(req.URL.String()) + ")"
	}
	return s
}

// statusError is an HTTP answer the engine's own requests (the streamed push) received.
type statusError struct{ resp *http.Response }

func (e *statusError) Error() string { return describe(e) }

// attemptsError is the last failure of a retried exchange, with the number of attempts.
// Its chain keeps the last failure (and the context error when ctx cut the retries), so
// scrub still classifies it; its text is built from describe and redacted by scrub.
type attemptsError struct {
	attempts int
	last     error
	cut      error // ctx's error when the deadline or a cancel stopped the retries
}

func (e *attemptsError) Error() string {
	n := fmt.Sprintf("%d attempts", e.attempts)
	if e.attempts == 1 {
		n = "1 attempt"
	}
	if e.cut != nil {
		return fmt.Sprintf("after %s: %v (the last attempt failed with %s)", n, e.cut, describe(e.last))
	}
	return fmt.Sprintf("after %s: %s", n, describe(e.last))
}

func (e *attemptsError) Unwrap() []error {
	if e.cut != nil {
		return []error{e.cut, e.last}
	}
	return []error{e.last}
}
