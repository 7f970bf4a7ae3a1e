package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := Policy{MaxRetries: 3, WaitMin: 10 * time.Millisecond, WaitMax: 100 * time.Millisecond}
	withHeader := func(v string) *http.Response {
		h := http.Header{}
		h.Set("Retry-After", v)
		return &http.Response{StatusCode: 429, Header: h}
	}
	tests := []struct {
		name  string
		p     Policy
		retry int
		resp  *http.Response
		want  time.Duration
	}{
		{"first retry", p, 1, nil, 10 * time.Millisecond},
		{"second retry", p, 2, nil, 20 * time.Millisecond},
		{"capped", p, 11, nil, 100 * time.Millisecond},
		{"huge retry stays capped", p, 5000, nil, 100 * time.Millisecond},
		{"retry-after seconds", p, 1, withHeader("7"), 7 * time.Second},
		{"retry-after beats the cap", p, 9, withHeader("1"), time.Second},
		{"retry-after date", p, 1, withHeader(now.Add(3 * time.Second).Format(http.TimeFormat)), 3 * time.Second},
		{"retry-after date in the past", p, 1, withHeader(now.Add(-time.Minute).Format(http.TimeFormat)), 0},
		{"retry-after garbage falls back", p, 2, withHeader("soon"), 20 * time.Millisecond},
		{"negative retry-after falls back", p, 1, withHeader("-3"), 10 * time.Millisecond},
		{"zero waits are the defaults", Policy{}, 1, nil, DefaultWaitMin},
		{"zero waits cap at the default", Policy{}, 30, nil, DefaultWaitMax},
		{"max below min is min", Policy{WaitMin: time.Second, WaitMax: time.Millisecond}, 4, nil, time.Second},
	}
	for _, tt := range tests {
		if got := tt.p.Backoff(tt.retry, tt.resp, now); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetries(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, 0}, {-1, 0}, {4, 4}} {
		if got := (Policy{MaxRetries: tt.in}).Retries(); got != tt.want {
			t.Errorf("MaxRetries %d: Retries() = %d, want %d", tt.in, got, tt.want)
		}
	}
	if Default().Retries() != DefaultMaxRetries {
		t.Errorf("Default().Retries() = %d", Default().Retries())
	}
}

func TestRetryable(t *testing.T) {
	ctx := context.Background()
	status := func(code int) *http.Response { return &http.Response{StatusCode: code, Header: http.Header{}} }
	urlErr := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://git.example.test/x.git/info/refs", Err: err}
	}
	tests := []struct {
		name string
		resp *http.Response
		err  error
		want bool
	}{
		{"429", status(429), nil, true},
		{"500", status(500), nil, true},
		{"502", status(502), nil, true},
		{"503", status(503), nil, true},
		{"501 never heals", status(501), nil, false},
		{"200", status(200), nil, false},
		{"401", status(401), nil, false},
		{"404", status(404), nil, false},
		{"409", status(409), nil, false},
		{"no answer and no error", nil, nil, false},
		{"connection reset", nil, urlErr(syscall.ECONNRESET), true},
		{"EOF before the answer", nil, urlErr(io.EOF), true},
		{"untrusted certificate", nil, urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false},
		{"wrapped untrusted certificate", nil, fmt.Errorf("list refs: %w", urlErr(&tls.CertificateVerificationError{})), false},
		{"wrapped connection reset", nil, fmt.Errorf("fetch: %w", urlErr(syscall.ECONNRESET)), true},
	}
	for _, tt := range tests {
		if got := Retryable(ctx, tt.resp, tt.err); got != tt.want {
			t.Errorf("%s: Retryable = %v, want %v", tt.name, got, tt.want)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if Retryable(done, status(503), nil) || Retryable(done, nil, urlErr(io.EOF)) {
		t.Error("nothing is retryable once the context is done")
	}
}

func TestSleepStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sleep = %v, want DeadlineExceeded", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}
